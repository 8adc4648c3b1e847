using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Discrete;

/// <summary>
/// An active inference agent for models with factor dependencies (<see cref="GenerativeModel.ADependencies"/>,
/// <see cref="GenerativeModel.BDependencies"/>): every computation runs over the factors a modality or transition names,
/// never over the joint state space, with pymdp 1.0's semantics.
/// </summary>
/// <remarks>
/// <para>State inference is mean-field fixed-point iteration: q_f ∝ exp(ln prior_f + Σ_{m ∋ f} E_{q∖f}[ln A_m[o_m, ·]]),
/// all factors updated from the previous sweep, until |ΔF| &lt; dF_tol or num_iter sweeps (as <see cref="Agent"/> with
/// every factor in every A). The prior of factor f after action u is Σ B_f[·, s_deps, u_f] Π_{g ∈ deps} q_g(s_g).</para>
/// <para>Policies are scored per modality as pymdp 1.0 does: −G = Σ_t Σ_m (q(o_m)·ln softmax(C_m) + H[q(o_m)] −
/// E_q[H[A_m[·, s]]]), where q(o_m) = Σ A_m[·, s_deps] Π q_g. The information gain is therefore the sum of the
/// per-modality gains, not the gain of the joint outcome that <see cref="Agent"/> (pymdp 0.0.7.1) computes; they agree
/// when one modality carries the information. Cost per policy step: Σ_m outcomes_m × Π_{g ∈ deps m} states_g.</para>
/// Supports FPI with the enumeration planner; no parameter learning. Not thread-safe.
/// </remarks>
public sealed class FactorisedAgent
{
    private readonly GenerativeModel _model;
    private readonly AgentOptions _opt;
    private readonly PolicySet _policies;
    private readonly int _nf;
    private readonly int _nm;
    private readonly int[] _ns;
    private readonly int[][] _aDeps;
    private readonly int[][] _bDeps;
    private readonly int[] _aCols; // Π states of A's dependencies
    private readonly int[] _bCols;
    private readonly double[][] _lnC; // ln softmax(C_m)
    private readonly double[][] _entropyA; // [m][col]: −Σ_o A ln(A + ε)
    private readonly int[][] _modalitiesOf; // factor f → modalities whose A depends on f
    private readonly double[] _lnE;

    private double[][] _qs;
    private int[]? _action;
    private readonly double[][] _prior;
    private readonly double[][] _logPrior;
    private readonly double[][] _logLik; // [m][col]
    private readonly double[][] _msg;
    private readonly double[][][] _treeQs;
    private readonly double[][] _qo;
    private readonly double[] _logits;
    private readonly int[] _idx;
    private readonly int[] _act;

    /// <summary>Creates an agent for <paramref name="model"/> (with or without sparse dependencies).</summary>
    /// <exception cref="ModelException">The options ask for MMP, sophisticated planning or the parameter information gain.</exception>
    public FactorisedAgent(GenerativeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _opt = model.Options;
        if (_opt.Algorithm != InferenceAlgorithm.Fpi || _opt.Planner != Planner.Efe || _opt.UseParamInfoGain)
        {
            throw new ModelException("a model with factor dependencies supports inference_algo \"FPI\", the \"efe\" planner and no use_param_info_gain");
        }

        _policies = model.Policies;
        _nf = model.NumStates.Length;
        _nm = model.NumObs.Length;
        _ns = model.NumStates;
        _aDeps = model.ADependencies;
        _bDeps = model.BDependencies;
        _aCols = _aDeps.Select(d => d.Aggregate(1, (p, g) => checked(p * _ns[g]))).ToArray();
        _bCols = _bDeps.Select(d => d.Aggregate(1, (p, g) => checked(p * _ns[g]))).ToArray();
        double bytes = 8.0 * (2 * model.A.Sum(a => (double)a.Data.Length) + model.B.Sum(b => (double)b.Data.Length) + _aCols.Sum(c => (double)c)
            + (double)_policies.Count * 3 + (_policies.Length + 4.0) * _ns.Sum());
        _opt.Limits.CheckBytes(bytes, $"The factorised agent of {_nf} factors and {_nm} modalities");

        _lnC = new double[_nm][];
        _entropyA = new double[_nm][];
        for (int m = 0; m < _nm; m++)
        {
            int no = model.NumObs[m], cols = _aCols[m];
            _lnC[m] = new double[no];
            Categorical.Softmax(model.C[m], _lnC[m]);
            Categorical.SafeLog(_lnC[m], _lnC[m]);
            var h = new double[cols];
            var a = model.A[m].Data;
            for (int o = 0; o < no; o++)
            {
                for (int c = 0; c < cols; c++)
                {
                    double v = a[o * cols + c];
                    // floored as the dense agent's ambiguity (spm_MDP_G: exp(−16))
                    h[c] -= v * Math.Log(v + Categorical.JointStateThreshold);
                }
            }

            _entropyA[m] = h;
        }

        _modalitiesOf = Enumerable.Range(0, _nf).Select(f => Enumerable.Range(0, _nm).Where(m => _aDeps[m].Contains(f)).ToArray()).ToArray();
        _lnE = new double[_policies.Count];
        Categorical.SafeLog(model.E, _lnE);

        _prior = _ns.Select(n => new double[n]).ToArray();
        _logPrior = _ns.Select(n => new double[n]).ToArray();
        _msg = _ns.Select(n => new double[n]).ToArray();
        _logLik = _aCols.Select(c => new double[c]).ToArray();
        _treeQs = new double[_policies.Length + 1][][];
        for (int t = 0; t <= _policies.Length; t++)
        {
            _treeQs[t] = _ns.Select(n => new double[n]).ToArray();
        }

        _qo = model.NumObs.Select(n => new double[n]).ToArray();
        _logits = new double[_policies.Count];
        _idx = new int[_nf];
        _act = new int[_nf];
        QPi = new double[_policies.Count];
        NegEfe = new double[_policies.Count];
        _qs = [];
        Reset();
    }

    /// <summary>The model the agent was made from.</summary>
    public GenerativeModel Model => _model;

    /// <summary>The policies, in pymdp's order.</summary>
    public PolicySet Policies => _policies;

    /// <summary>Posterior over states at the current step, per factor.</summary>
    public double[][] Qs => _qs;

    /// <summary>Posterior over policies from the last <see cref="InferPolicies"/>.</summary>
    public double[] QPi { get; }

    /// <summary>−G per policy from the last <see cref="InferPolicies"/> (larger is better).</summary>
    public double[] NegEfe { get; }

    /// <summary>Starts a new trial: beliefs uniform, no last action.</summary>
    public void Reset()
    {
        _action = null;
        _qs = _ns.Select(n => Enumerable.Repeat(1.0 / n, n).ToArray()).ToArray();
    }

    /// <summary>Updates the posterior over each factor with one observation (one outcome index per modality).</summary>
    public double[][] InferStates(ReadOnlySpan<int> observation)
    {
        _model.CheckObservation(observation.ToArray(), "observation");
        for (int m = 0; m < _nm; m++)
        {
            int cols = _aCols[m];
            Categorical.SafeLog(_model.A[m].Data.AsSpan(observation[m] * cols, cols), _logLik[m]);
        }

        return Fpi();
    }

    /// <summary>Updates the posterior with a distribution over outcomes per modality (null: the modality is missing and contributes nothing).</summary>
    /// <remarks>The message of a soft observation q(o) is E_q(o)[ln A[o, s]] = Σ_o q(o) ln(A[o, s] + ε) (pymdp #336).</remarks>
    public double[][] InferStatesSoft(IReadOnlyList<double[]?> observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        SoftObservations.Check(_model, observation);
        for (int m = 0; m < _nm; m++)
        {
            SoftObservations.LogMessage(_model.A[m].Data, _model.NumObs[m], observation[m], _logLik[m]);
        }

        return Fpi();
    }

    private double[][] Fpi()
    {
        double[][] prior;
        if (_action is null)
        {
            prior = _model.D;
        }
        else
        {
            for (int f = 0; f < _nf; f++)
            {
                Transition(f, _action[f], _qs, _prior[f]);
            }

            prior = _prior;
        }

        var qs = _ns.Select(n => Enumerable.Repeat(1.0 / n, n).ToArray()).ToArray();
        for (int f = 0; f < _nf; f++)
        {
            Categorical.SafeLog(prior[f], _logPrior[f]);
        }

        double prevF = FreeEnergy(qs, withLikelihood: false);
        double dF = 1.0;
        for (int iter = 0; iter < _opt.NumIterations && dF >= _opt.FreeEnergyTolerance; iter++)
        {
            for (int f = 0; f < _nf; f++)
            {
                Array.Clear(_msg[f]);
                foreach (int m in _modalitiesOf[f])
                {
                    ContractAllBut(m, _logLik[m], qs, f, _msg[f]);
                }
            }

            for (int f = 0; f < _nf; f++)
            {
                for (int i = 0; i < _msg[f].Length; i++)
                {
                    _msg[f][i] += _logPrior[f][i];
                }

                Categorical.Softmax(_msg[f], qs[f]);
            }

            double vfe = FreeEnergy(qs, withLikelihood: true);
            dF = Math.Abs(prevF - vfe);
            prevF = vfe;
            if (_nf == 1)
            {
                break; // one factor: the first sweep is exact
            }
        }

        _qs = qs;
        return _qs;
    }

    private double FreeEnergy(double[][] qs, bool withLikelihood)
    {
        double fe = 0;
        for (int f = 0; f < _nf; f++)
        {
            for (int i = 0; i < qs[f].Length; i++)
            {
                fe += qs[f][i] * (Math.Log(qs[f][i] + Categorical.LogFloor) - _logPrior[f][i]);
            }
        }

        if (withLikelihood)
        {
            for (int m = 0; m < _nm; m++)
            {
                fe -= Expect(m, _logLik[m], qs);
            }
        }

        return fe;
    }

    // Σ_col v[col] Π_{g ∈ deps m} q_g(s_g), deps in ascending order with the last fastest.
    private double Expect(int m, ReadOnlySpan<double> v, double[][] qs)
    {
        var deps = _aDeps[m];
        double total = 0;
        Array.Clear(_idx);
        for (int col = 0; col < v.Length; col++)
        {
            double w = v[col];
            for (int k = 0; k < deps.Length && w != 0; k++)
            {
                w *= qs[deps[k]][_idx[k]];
            }

            total += w;
            Advance(deps, _idx);
        }

        return total;
    }

    // destination[s_f] += Σ_{cols with s_f} v[col] Π_{g ∈ deps m, g ≠ f} q_g(s_g).
    private void ContractAllBut(int m, ReadOnlySpan<double> v, double[][] qs, int f, Span<double> destination)
    {
        var deps = _aDeps[m];
        int pos = Array.IndexOf(deps, f);
        Array.Clear(_idx);
        for (int col = 0; col < v.Length; col++)
        {
            double w = v[col];
            for (int k = 0; k < deps.Length; k++)
            {
                if (k != pos)
                {
                    w *= qs[deps[k]][_idx[k]];
                }
            }

            destination[_idx[pos]] += w;
            Advance(deps, _idx);
        }
    }

    private void Advance(int[] deps, int[] idx)
    {
        for (int k = deps.Length - 1; k >= 0; k--)
        {
            if (++idx[k] < _ns[deps[k]])
            {
                return;
            }

            idx[k] = 0;
        }
    }

    // destination[s'] = Σ_col B_f[s', col, u] Π_{g ∈ B deps f} q_g(s_g).
    private void Transition(int f, int u, double[][] qs, double[] destination)
    {
        var deps = _bDeps[f];
        int cols = _bCols[f], nu = _model.NumControls[f];
        var b = _model.B[f].Data;
        Array.Clear(destination);
        var idx = new int[deps.Length];
        for (int col = 0; col < cols; col++)
        {
            double w = 1;
            for (int k = 0; k < deps.Length; k++)
            {
                w *= qs[deps[k]][idx[k]];
            }

            if (w != 0)
            {
                for (int s = 0; s < destination.Length; s++)
                {
                    destination[s] += b[(s * cols + col) * nu + u] * w;
                }
            }

            Advance(deps, idx);
        }
    }

    /// <summary>Scores every policy by its expected free energy (summed over modalities and steps) and returns q(π) = softmax(γ·(−G) + ln E).</summary>
    public double[] InferPolicies()
    {
        for (int f = 0; f < _nf; f++)
        {
            _qs[f].CopyTo(_treeQs[0][f], 0);
        }

        Visit(0, 0, 0);
        for (int p = 0; p < _logits.Length; p++)
        {
            _logits[p] = NegEfe[p] * _opt.Gamma + _lnE[p];
        }

        Categorical.Softmax(_logits, QPi);
        return QPi;
    }

    private void Visit(int depth, int prefix, double value)
    {
        int k = _policies.JointActions;
        var cur = _treeQs[depth];
        var next = _treeQs[depth + 1];
        for (int j = 0; j < k; j++)
        {
            _policies.DecodeJointAction(j, _act);
            for (int f = 0; f < _nf; f++)
            {
                Transition(f, _act[f], cur, next[f]);
            }

            double v = value + NodeValue(next);
            int idx = prefix * k + j;
            if (depth + 1 == _policies.Length)
            {
                NegEfe[idx] = v;
            }
            else
            {
                Visit(depth + 1, idx, v);
            }
        }
    }

    private double NodeValue(double[][] qs)
    {
        double total = 0;
        for (int m = 0; m < _nm; m++)
        {
            var deps = _aDeps[m];
            int cols = _aCols[m], no = _model.NumObs[m];
            var a = _model.A[m].Data;
            var qo = _qo[m];
            Array.Clear(qo);
            double ambiguity = 0;
            Array.Clear(_idx);
            for (int col = 0; col < cols; col++)
            {
                double w = 1;
                for (int d = 0; d < deps.Length; d++)
                {
                    w *= qs[deps[d]][_idx[d]];
                }

                if (w > Categorical.JointStateThreshold)
                {
                    ambiguity += w * _entropyA[m][col];
                    for (int o = 0; o < no; o++)
                    {
                        qo[o] += a[o * cols + col] * w;
                    }
                }

                Advance(deps, _idx);
            }

            if (_opt.UseUtility)
            {
                for (int o = 0; o < no; o++)
                {
                    total += qo[o] * _lnC[m][o];
                }
            }

            if (_opt.UseStatesInfoGain)
            {
                total += Categorical.Entropy(qo) - ambiguity;
            }
        }

        return total;
    }

    /// <summary>The marginal posterior over each factor's first action: Σ_π q(π) [π_0,f = u], normalised.</summary>
    public double[][] ActionMarginals()
    {
        return ActionChoice.Marginals(_policies, _model.NumControls, QPi);
    }

    /// <summary>Chooses an action from q(π) (argmax, or a draw from softmax(α ln marginal)) and takes it.</summary>
    public int[] SampleAction(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var marg = ActionMarginals();
        var action = new int[_nf];
        for (int f = 0; f < _nf; f++)
        {
            action[f] = ActionChoice.Choose(marg[f], _opt.ActionSelection, _opt.Alpha, rng);
        }

        TakeAction(action);
        return action;
    }

    /// <summary>Records <paramref name="action"/> (one control per factor) as taken.</summary>
    public void TakeAction(ReadOnlySpan<int> action)
    {
        var a = action.ToArray();
        _model.CheckAction(a, "action");
        _action = a;
    }
}
