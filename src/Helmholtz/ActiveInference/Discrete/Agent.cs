using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Discrete;

/// <summary>An active inference agent on a discrete POMDP, step for step as pymdp 0.0.7.1's <c>Agent</c>.</summary>
/// <remarks>
/// One step is <see cref="InferStates"/> (posterior over hidden states given the new observation), then
/// <see cref="InferPolicies"/> (expected free energy of every policy and q(π) = softmax(γ·(−G) + ln E); MMP adds −F),
/// then <see cref="SampleAction"/> or <see cref="TakeAction"/>. The sign convention is pymdp's: <see cref="NegEfe"/>
/// holds −G = expected utility + information gain, larger is better (Da Costa et al. 2020, eq. 8; Heins et al. 2022).
/// Not thread-safe.
/// </remarks>
public sealed partial class Agent
{
    private readonly GenerativeModel _model;
    private readonly AgentOptions _opt;
    private ModelKernels _k;
    private readonly PolicySet _policies;
    private readonly int _nf;

    // Learnable copies (never the caller's arrays).
    private readonly ModelArray[] _a;
    private readonly ModelArray[] _b;
    private double[][] _d;
    private readonly ModelArray[]? _pA;
    private readonly ModelArray[]? _pB;
    private readonly double[][]? _pD;
    private readonly ModelArray[]? _pA0;
    private readonly ModelArray[]? _pB0;
    private readonly double[][]? _pD0;
    private readonly double[] _lnE;

    // FPI state.
    private double[][] _qs;
    private int[]? _action;

    // MMP state.
    private readonly List<int[]> _obsHistory = [];
    private readonly List<int[]> _actionHistory = [];
    private double[][] _latestBelief;
    private double[][][][]? _qsPi; // [policy][t][factor][state]
    private double[]? _freeEnergy;
    private int _pastLen;
    private int _time;

    // Policy evaluation buffers.
    private readonly double[][][] _treeQs; // [depth][factor]
    private readonly int[] _decoded;
    private readonly PolicyNodeValue _node;

    /// <summary>Creates an agent for <paramref name="model"/> with the options carried by the model.</summary>
    public Agent(GenerativeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.HasSparseDependencies)
        {
            throw new ModelException("the model declares factor dependencies (A_dependencies, B_dependencies): step it with FactorisedAgent, which never forms the joint state space");
        }

        FactorDependencies.CheckDense(model);
        _model = model;
        _opt = model.Options;
        _policies = model.Policies;
        _nf = model.NumStates.Length;
        _a = model.A.Select(x => x.Copy()).ToArray();
        _b = model.B.Select(x => x.Copy()).ToArray();
        _d = model.D.Select(x => (double[])x.Clone()).ToArray();
        _pA = model.PA?.Select(x => x.Copy()).ToArray();
        _pB = model.PB?.Select(x => x.Copy()).ToArray();
        _pD = model.PD?.Select(x => (double[])x.Clone()).ToArray();
        _pA0 = model.PA?.Select(x => x.Copy()).ToArray();
        _pB0 = model.PB?.Select(x => x.Copy()).ToArray();
        _pD0 = model.PD?.Select(x => (double[])x.Clone()).ToArray();
        _lnE = new double[_policies.Count];
        Categorical.SafeLog(model.E, _lnE);
        _k = BuildKernels();

        _treeQs = new double[_policies.Length + 1][][];
        for (int t = 0; t <= _policies.Length; t++)
        {
            _treeQs[t] = model.NumStates.Select(n => new double[n]).ToArray();
        }

        int jointOutcomes = _opt.UseStatesInfoGain ? _k.NumJointOutcomes : 0;
        _node = new PolicyNodeValue(_k.S, jointOutcomes, Math.Min(jointOutcomes, Math.Max(1, _k.PoIndex.Length)), model.NumObs);
        _decoded = new int[_nf];

        QPi = new double[_policies.Count];
        NegEfe = new double[_policies.Count];
        Utility = new double[_policies.Count];
        StatesInfoGain = new double[_policies.Count];
        ParamInfoGain = new double[_policies.Count];
        _qs = [];
        _latestBelief = [];
        Reset();
        if (_opt.Planner == Planner.Sophisticated)
        {
            CheckSophisticatedSize();
        }
    }

    /// <summary>The model the agent was made from (its initial parameters).</summary>
    public GenerativeModel Model => _model;

    /// <summary>The policies, in pymdp's order.</summary>
    public PolicySet Policies => _policies;

    /// <summary>Posterior over states at the current step, per factor (MMP: averaged over policies with q(π)).</summary>
    public double[][] Qs => _opt.Algorithm == InferenceAlgorithm.Fpi ? _qs : CurrentMmpMarginal();

    /// <summary>Posterior over policies from the last <see cref="InferPolicies"/>.</summary>
    public double[] QPi { get; }

    /// <summary>Negative expected free energy −G per policy (pymdp's returned G: larger is better).</summary>
    public double[] NegEfe { get; }

    /// <summary>Expected-utility part of <see cref="NegEfe"/> per policy (Σ_t E_q(o)[ln softmax(C)]).</summary>
    public double[] Utility { get; }

    /// <summary>State-information-gain part of <see cref="NegEfe"/> per policy.</summary>
    public double[] StatesInfoGain { get; }

    /// <summary>Parameter-information-gain part of <see cref="NegEfe"/> per policy (pA and pB novelty).</summary>
    public double[] ParamInfoGain { get; }

    /// <summary>MMP's variational free energy per policy from the last <see cref="InferStates"/> (null for FPI).</summary>
    public double[]? FreeEnergy => _freeEnergy;

    /// <summary>Current expected A (normalised pA after learning).</summary>
    public IReadOnlyList<ModelArray> A => _a;

    /// <summary>Current expected B.</summary>
    public IReadOnlyList<ModelArray> B => _b;

    /// <summary>Current D.</summary>
    public IReadOnlyList<double[]> D => _d;

    /// <summary>Current Dirichlet counts over D, or null.</summary>
    public IReadOnlyList<double[]>? PD => _pD;

    /// <summary>Current Dirichlet counts over A, or null.</summary>
    public IReadOnlyList<ModelArray>? PA => _pA;

    /// <summary>Current Dirichlet counts over B, or null.</summary>
    public IReadOnlyList<ModelArray>? PB => _pB;

    /// <summary>The last action taken, or null before the first.</summary>
    public int[]? LastAction => _action;

    /// <summary>Starts a new trial: beliefs back to D and time to 0 (learned parameters are kept).</summary>
    public void Reset()
    {
        _time = 0;
        _action = null;
        _qs = _model.NumStates.Select(n => Enumerable.Repeat(1.0 / n, n).ToArray()).ToArray();
        _obsHistory.Clear();
        _actionHistory.Clear();
        _latestBelief = _d.Select(x => (double[])x.Clone()).ToArray();
        _qsPi = null;
        _freeEnergy = null;
    }

    private ModelKernels BuildKernels() =>
        new(_a, _b, _model.C, _opt.UseParamInfoGain ? _pA : null, _opt.UseParamInfoGain ? _pB : null,
            _opt.UseStatesInfoGain || _opt.Planner == Planner.Sophisticated);

    /// <summary>Updates the posterior over hidden states with one observation (one outcome index per modality).</summary>
    public double[][] InferStates(ReadOnlySpan<int> observation)
    {
        _model.CheckObservation(observation.ToArray(), "observation");
        if (_opt.Algorithm == InferenceAlgorithm.Fpi)
        {
            double[][] prior;
            if (_action is null)
            {
                prior = _d;
            }
            else
            {
                prior = new double[_nf][];
                for (int f = 0; f < _nf; f++)
                {
                    prior[f] = new double[_k.NumStates[f]];
                    _k.Transition(f, _action[f], _qs[f], prior[f]);
                }
            }

            var logL = new double[_k.S];
            _k.JointLikelihood(observation, logL);
            Categorical.SafeLog(logL, logL);
            _qs = StateInference.Fpi(_k, logL, prior, _opt.NumIterations, _opt.FreeEnergyTolerance);
            return _qs;
        }

        _obsHistory.Add(observation.ToArray());
        int h = _opt.InferenceHorizon;
        int start = Math.Max(0, _obsHistory.Count - h);
        var window = _obsHistory.GetRange(start, _obsHistory.Count - start);
        // The window's transitions are the actions between its observations: the last (window − 1) actions. pymdp
        // 0.0.7.1 takes prev_actions[-(h-1):], which for h = 1 is the whole history (see docs/active-inference).
        var windowActions = _actionHistory.GetRange(_actionHistory.Count - (window.Count - 1), window.Count - 1);
        _pastLen = window.Count;
        var lh = window.Select(o =>
        {
            var x = new double[_k.S];
            _k.JointLikelihood(o, x);
            return x;
        }).ToArray();
        _qsPi = new double[_policies.Count][][][];
        _freeEnergy = new double[_policies.Count];
        var seq = new int[windowActions.Count + _policies.Length][];
        for (int t = 0; t < windowActions.Count; t++)
        {
            seq[t] = windowActions[t];
        }

        for (int p = 0; p < _policies.Count; p++)
        {
            for (int t = 0; t < _policies.Length; t++)
            {
                var a = new int[_nf];
                for (int f = 0; f < _nf; f++)
                {
                    a[f] = _policies[p, t, f];
                }

                seq[windowActions.Count + t] = a;
            }

            (_qsPi[p], _freeEnergy[p]) = StateInference.Mmp(_k, _b, lh, seq, _latestBelief, _opt.NumIterations, _opt.MmpStepSize);
        }

        return CurrentMmpMarginal();
    }

    private double[][] CurrentMmpMarginal()
    {
        if (_qsPi is null)
        {
            return _qs;
        }

        var result = _model.NumStates.Select(n => new double[n]).ToArray();
        double[] w = QPi;
        bool haveQPi = w.Sum() > 0;
        for (int p = 0; p < _qsPi.Length; p++)
        {
            double wp = haveQPi ? w[p] : 1.0 / _qsPi.Length;
            for (int f = 0; f < _nf; f++)
            {
                var q = _qsPi[p][_pastLen - 1][f];
                for (int i = 0; i < q.Length; i++)
                {
                    result[f][i] += wp * q[i];
                }
            }
        }

        return result;
    }

    /// <summary>Scores every policy by its expected free energy and updates <see cref="QPi"/>; returns q(π).</summary>
    /// <remarks>FPI: q(π) = softmax(γ·(−G) + ln E). MMP: q(π) = softmax(γ·(−G) − F + ln E), its −G summed over the
    /// current step and the policy's future (pymdp's update_posterior_policies_full).</remarks>
    /// <param name="cancellationToken">Stops a long sophisticated tree search between nodes.</param>
    public double[] InferPolicies(CancellationToken cancellationToken = default)
    {
        Array.Clear(Utility);
        Array.Clear(StatesInfoGain);
        Array.Clear(ParamInfoGain);
        if (_opt.Planner == Planner.Sophisticated)
        {
            return InferPoliciesSophisticated(cancellationToken);
        }

        if (_opt.Algorithm == InferenceAlgorithm.Fpi)
        {
            for (int f = 0; f < _nf; f++)
            {
                _qs[f].CopyTo(_treeQs[0][f], 0);
            }

            Visit(0, 0, 0, 0, 0);
        }
        else
        {
            if (_qsPi is null)
            {
                throw new InvalidOperationException("InferStates must come before InferPolicies");
            }

            for (int p = 0; p < _policies.Count; p++)
            {
                var seq = _qsPi[p];
                double u = 0, ig = 0, pg = 0;
                for (int t = _pastLen - 1; t < seq.Length; t++)
                {
                    var (nu, nig, npg) = _node.Evaluate(_k, _opt, seq[t]);
                    u += nu;
                    ig += nig;
                    pg += npg;
                    if (t >= _pastLen && _k.WB is not null)
                    {
                        // Novelty of B for the policy's own future transitions; pymdp 0.0.7.1 raises an IndexError here.
                        for (int f = 0; f < _nf; f++)
                        {
                            pg += PolicyNodeValue.ParamInfoGainB(_k, f, _policies[p, t - _pastLen, f], seq[t - 1][f], seq[t][f]);
                        }
                    }
                }

                Utility[p] = u;
                StatesInfoGain[p] = ig;
                ParamInfoGain[p] = pg;
            }
        }

        var logits = new double[_policies.Count];
        for (int p = 0; p < logits.Length; p++)
        {
            NegEfe[p] = Utility[p] + StatesInfoGain[p] + ParamInfoGain[p];
            logits[p] = NegEfe[p] * _opt.Gamma + _lnE[p];
            if (_freeEnergy is not null)
            {
                logits[p] -= _freeEnergy[p];
            }
        }

        Categorical.Softmax(logits, QPi);
        return QPi;
    }

    // Depth-first walk over the policy tree: policies that share their first steps share the expected states of those
    // steps, so each (prefix, action) node is computed once.
    private void Visit(int depth, int prefix, double u, double ig, double pg)
    {
        int k = _policies.JointActions;
        var cur = _treeQs[depth];
        var next = _treeQs[depth + 1];
        Span<int> act = stackalloc int[_nf];
        for (int j = 0; j < k; j++)
        {
            _policies.DecodeJointAction(j, act);
            double npg = 0;
            for (int f = 0; f < _nf; f++)
            {
                _k.Transition(f, act[f], cur[f], next[f]);
                if (_k.WB is not null)
                {
                    npg += PolicyNodeValue.ParamInfoGainB(_k, f, act[f], cur[f], next[f]);
                }
            }

            var (nu, nig, npa) = _node.Evaluate(_k, _opt, next);
            int idx = prefix * k + j;
            if (depth + 1 == _policies.Length)
            {
                Utility[idx] = u + nu;
                StatesInfoGain[idx] = ig + nig;
                ParamInfoGain[idx] = pg + npa + npg;
            }
            else
            {
                Visit(depth + 1, idx, u + nu, ig + nig, pg + npa + npg);
            }
        }
    }

    /// <summary>The marginal posterior over each factor's first action: Σ_π q(π) [π_0,f = u], normalised.</summary>
    public double[][] ActionMarginals()
    {
        return ActionChoice.Marginals(_policies, _model.NumControls, QPi);
    }

    /// <summary>Chooses an action from q(π) (deterministic argmax or a draw from softmax(α ln marginal)) and takes it.</summary>
    public int[] SampleAction(Rng rng)
    {
        var marg = ActionMarginals();
        var action = new int[_nf];
        for (int f = 0; f < _nf; f++)
        {
            action[f] = ActionChoice.Choose(marg[f], _opt.ActionSelection, _opt.Alpha, rng);
        }

        TakeAction(action);
        return action;
    }

    /// <summary>Records <paramref name="action"/> (one control per factor) as taken and advances time.</summary>
    public void TakeAction(ReadOnlySpan<int> action)
    {
        var a = action.ToArray();
        _model.CheckAction(a, "action");
        _action = a;
        _actionHistory.Add(a);
        _time++;
        if (_opt.Algorithm == InferenceAlgorithm.Mmp && _time - _opt.InferenceHorizon >= 0 && _qsPi is not null)
        {
            // pymdp's set_latest_beliefs with use_BMA: the window's first marginals, averaged over policies with q(π).
            var latest = _model.NumStates.Select(n => new double[n]).ToArray();
            for (int p = 0; p < _qsPi.Length; p++)
            {
                for (int f = 0; f < _nf; f++)
                {
                    var q = _qsPi[p][0][f];
                    for (int i = 0; i < q.Length; i++)
                    {
                        latest[f][i] += QPi[p] * q[i];
                    }
                }
            }

            _latestBelief = latest;
        }
    }

    /// <summary>Dirichlet update of pA with the current posterior: pA ← pA₀ + (1−ω)(pA − pA₀) + η · (o ⊗ q(s)) ∘ [A &gt; 0].</summary>
    /// <remarks>With ω = 0 this is pymdp's update_obs_likelihood_dirichlet (Da Costa et al. 2020, eq. 21): the joint
    /// q(s) = ⊗_f q_f(s_f) (pymdp's spm_cross), added to row o_m of pA[m]. A becomes pA normalised. Only the modalities in
    /// <paramref name="modalities"/> are updated (all when null, as pymdp's <c>modalities="all"</c>).</remarks>
    public void UpdateA(ReadOnlySpan<int> observation, IReadOnlyCollection<int>? modalities = null)
    {
        if (_pA is null)
        {
            throw new InvalidOperationException("UpdateA needs pA in the model");
        }

        _model.CheckObservation(observation.ToArray(), "observation");
        var qx = new double[_k.S];
        _k.Outer(Qs, qx);
        for (int m = 0; m < _pA.Length; m++)
        {
            if (modalities is not null && !modalities.Contains(m))
            {
                continue;
            }

            var p = _pA[m].Data;
            var p0 = _pA0![m].Data;
            Forget(p, p0);
            int row = observation[m] * _k.S;
            for (int s = 0; s < _k.S; s++)
            {
                if (_a[m].Data[row + s] > 0)
                {
                    p[row + s] += _opt.LearningRateA * qx[s];
                }
            }

            NormaliseColumns(p, _a[m].Data, _a[m].Shape[0]);
        }

        _k = BuildKernels();
    }

    /// <summary>Dirichlet update of pB for the last action: pB[:, :, u] += η · q(s_t) ⊗ q(s_{t−1}) ∘ [B &gt; 0] (after forgetting).</summary>
    public void UpdateB(double[][] qsPrevious)
    {
        if (_pB is null || _action is null)
        {
            throw new InvalidOperationException("UpdateB needs pB in the model and an action taken");
        }

        var qs = Qs;
        for (int f = 0; f < _pB.Length; f++)
        {
            var p = _pB[f].Data;
            Forget(p, _pB0![f].Data);
            int ns = _k.NumStates[f], nu = _b[f].Shape[2], u = _action[f];
            for (int i = 0; i < ns; i++)
            {
                for (int j = 0; j < ns; j++)
                {
                    int at = (i * ns + j) * nu + u;
                    if (_b[f].Data[at] > 0)
                    {
                        p[at] += _opt.LearningRateB * qs[f][i] * qsPrevious[f][j];
                    }
                }
            }

            NormaliseColumns(p, _b[f].Data, ns);
        }

        _k = BuildKernels();
    }

    /// <summary>Dirichlet update of pD with the posterior over initial states: pD[i] += η · q(s_0)[i] where pD[i] &gt; 0 (after forgetting).</summary>
    public void UpdateD(double[][] qsInitial)
    {
        if (_pD is null)
        {
            throw new InvalidOperationException("UpdateD needs pD in the model");
        }

        for (int f = 0; f < _pD.Length; f++)
        {
            Forget(_pD[f], _pD0![f]);
            for (int i = 0; i < _pD[f].Length; i++)
            {
                if (_pD[f][i] > 0)
                {
                    _pD[f][i] += _opt.LearningRateD * qsInitial[f][i];
                }
            }
        }

        _d = _pD.Select(x => { var y = (double[])x.Clone(); Categorical.Normalise(y); return y; }).ToArray();
    }

    private void Forget(double[] p, double[] p0)
    {
        double keep = 1 - _opt.ForgettingRate;
        if (keep == 1)
        {
            return;
        }

        for (int i = 0; i < p.Length; i++)
        {
            p[i] = p0[i] + keep * (p[i] - p0[i]);
        }
    }

    // pymdp's norm_dist: columns of the counts divided by their sums (axis 0).
    internal static void NormaliseColumns(double[] counts, double[] destination, int rows)
    {
        int cols = counts.Length / rows;
        for (int j = 0; j < cols; j++)
        {
            double sum = 0;
            for (int i = 0; i < rows; i++)
            {
                sum += counts[i * cols + j];
            }

            for (int i = 0; i < rows; i++)
            {
                destination[i * cols + j] = sum > 0 ? counts[i * cols + j] / sum : 1.0 / rows;
            }
        }
    }
}
