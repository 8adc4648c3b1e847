using System.Numerics.Tensors;
using Helmholtz.Graphs.Ops;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep.Planning;

/// <summary>Scores candidate action sequences by rolling them out through every ensemble member and applying an <see cref="Objective"/>.</summary>
/// <remarks>
/// <para>Member e propagates its own particle per candidate: s_{t+1} = s_t + Δ, Δ ~ N(m_Δ + s_Δ·μ̂_e, s_Δ²·e^{ℓ_e}) (or the
/// mean, with <c>UseMean</c>), as the reference's <c>perform_rollout</c>. The rollouts of different members are
/// independent, so each member's whole horizon runs on one thread with its C rows kept in cache: per time step one
/// forward pass of C rows through the member (<see cref="EnsembleNetwork.Forward"/>, one GEMM per layer) and one through
/// the reward model, members spread over the threads, threads
/// woken once per CEM iteration. The state noise is drawn per member from its own generator (vectorised
/// Box–Muller), so results do not depend on the thread count or schedule.</para>
/// <para>Utility of candidate c: Σ_t [w_U·(1/E)Σ_e r̂(s_t^e, a_t, s_{t+1}^e) + w_IG·IG_t + w_H·H̄_t], with IG_t and H̄_t
/// computed from the members' one-step Gaussians at step t (<see cref="InformationGain"/>) and
/// (w_U, w_IG, w_H) = <see cref="Objective.Weights"/>.</para>
/// </remarks>
public sealed class EnsembleRolloutEvaluator : ICandidateEvaluator
{
    // Each member's candidates are split into this many independent work items, so that an odd number of members
    // still balances over two threads; fixed (not the thread count) so that results do not depend on the threads.
    private const int Splits = 2;
    private readonly DynamicsModel _model;
    private readonly Objective _objective;
    private readonly bool _useMean;
    private readonly int _threads;
    private readonly Rng[] _memberRngs;
    private readonly MemberScratch[] _scratch;
    private readonly float[] _start;
    private float[] _means = [], _logVars = [], _rewards = [];
    private double[] _infoGain = [];
    private double[] _entropy = [];
    private int _capacityRows;

    /// <summary>Creates the evaluator over <paramref name="model"/>; member generators are forked from <paramref name="rng"/>.</summary>
    public EnsembleRolloutEvaluator(DynamicsModel model, Objective objective, bool useMean, int threads, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(objective);
        ArgumentNullException.ThrowIfNull(rng);
        _model = model;
        _objective = objective;
        _useMean = useMean;
        _threads = threads <= 0 ? Environment.ProcessorCount : threads;
        int e = model.Options.EnsembleSize;
        _memberRngs = new Rng[e * Splits];
        _scratch = new MemberScratch[e * Splits];
        for (int i = 0; i < e * Splits; i++)
        {
            _memberRngs[i] = rng.Fork();
            _scratch[i] = new MemberScratch();
        }

        _start = new float[model.StateSize];
    }

    /// <summary>Mean over candidates of Σ_t IG_t in the last evaluation.</summary>
    public double LastMeanInfoGain { get; private set; }

    /// <summary>Mean over candidates of the expected reward Σ_t U_t in the last evaluation.</summary>
    public double LastMeanReward { get; private set; }

    /// <inheritdoc />
    public void Evaluate(ReadOnlySpan<float> start, ReadOnlySpan<float> actions, int horizon, int candidates, int actionSize, Span<float> utilities)
    {
        int e = _model.Options.EnsembleSize, s = _model.StateSize;
        if (start.Length != s || actionSize != _model.ActionSize || actions.Length < horizon * candidates * actionSize || utilities.Length < candidates)
        {
            throw new ArgumentException($"Rollouts need a start state of {s}, actions [{horizon}, {candidates}, {_model.ActionSize}] and {candidates} utilities.");
        }

        // Spans cannot enter the worker lambdas: the start state is copied into a buffer this call owns.
        start.CopyTo(_start);

        int rows = horizon * e * candidates * s;
        if (_capacityRows < rows)
        {
            _means = new float[rows];
            _logVars = new float[rows];
            _capacityRows = rows;
        }

        if (_rewards.Length < e * candidates)
        {
            _rewards = new float[e * candidates];
        }

        if (_infoGain.Length < candidates)
        {
            _infoGain = new double[candidates];
            _entropy = new double[candidates];
        }

        var (wu, wig, wh) = _objective.Weights();
        bool needReward = wu != 0, needInfo = wig != 0 || wh != 0;

        // Spans cannot enter the lambda; copy the actions into a reusable array once per evaluation.
        var actionArray = ActionsArray(actions.Slice(0, horizon * candidates * actionSize));
        Parallel.For(0, e * Splits, new ParallelOptions { MaxDegreeOfParallelism = _threads }, item =>
            RolloutMember(item, actionArray, horizon, candidates, needReward));

        // Chunk i uses member i's pairwise scratch, so there are at most E chunks.
        int chunks = Math.Min(Math.Min(_threads, candidates), e);
        Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = _threads }, chunk =>
        {
            int from = chunk * candidates / chunks, to = (chunk + 1) * candidates / chunks;
            Span<float> m = stackalloc float[e * s];
            Span<float> lv = stackalloc float[e * s];
            var pair = _scratch[chunk % e].Pairwise(2 * e * s);
            for (int c = from; c < to; c++)
            {
                double ig = 0, ent = 0;
                if (needInfo)
                {
                    for (int t = 0; t < horizon; t++)
                    {
                        for (int member = 0; member < e; member++)
                        {
                            int src = (((t * e) + member) * candidates + c) * s;
                            _means.AsSpan(src, s).CopyTo(m.Slice(member * s, s));
                            _logVars.AsSpan(src, s).CopyTo(lv.Slice(member * s, s));
                        }

                        ig += InformationGain.Estimate(_objective.Estimator, m, lv, e, s, pair);
                        ent += InformationGain.MeanEntropy(lv, e, s);
                    }
                }

                _infoGain[c] = ig;
                _entropy[c] = ent;
            }
        });

        // H̄ above is in normalised units; the entropy of the state change in state units adds Σ_k ln s_Δ,k per step.
        double unitShift = 0;
        for (int k = 0; k < s; k++)
        {
            unitShift += Math.Log(_model.DeltaStd[k]);
        }

        double meanIg = 0, meanU = 0;
        for (int c = 0; c < candidates; c++)
        {
            double u = 0;
            for (int member = 0; member < e; member++)
            {
                u += _rewards[(member * candidates) + c];
            }

            u /= e;
            double entropy = _entropy[c] + (needInfo ? horizon * unitShift : 0);
            utilities[c] = (float)((wu * u) + (wig * _infoGain[c]) + (wh * entropy));
            meanIg += _infoGain[c];
            meanU += u;
        }

        LastMeanInfoGain = meanIg / candidates;
        LastMeanReward = meanU / candidates;
    }

    private float[] _actionCopy = [];

    private float[] ActionsArray(ReadOnlySpan<float> actions)
    {
        if (_actionCopy.Length != actions.Length)
        {
            _actionCopy = new float[actions.Length];
        }

        actions.CopyTo(_actionCopy);
        return _actionCopy;
    }

    private void RolloutMember(int item, float[] allActions, int horizon, int allCandidates, bool needReward)
    {
        var m = _model;
        int member = item / Splits, part = item % Splits;
        int from = part * allCandidates / Splits, candidates = ((part + 1) * allCandidates / Splits) - from;
        if (candidates == 0)
        {
            return;
        }

        int s = m.StateSize, a = m.ActionSize, e = m.Options.EnsembleSize, inSize = s + a;
        var sc = _scratch[item];
        sc.Ensure(candidates, s, a, horizon, m.RewardInputSize, Math.Max(m.Transition.WorkspaceSize(candidates), m.Reward.WorkspaceSize(candidates)));
        var state = sc.State.AsSpan(0, candidates * s);
        var next = sc.Next.AsSpan(0, candidates * s);
        for (int c = 0; c < candidates; c++)
        {
            _start.AsSpan().CopyTo(state.Slice(c * s, s));
        }

        var noise = sc.Noise.AsSpan(0, horizon * candidates * s);
        if (!_useMean)
        {
            sc.Sampler.Fill(_memberRngs[item], noise);
        }

        var rewards = _rewards.AsSpan((member * allCandidates) + from, candidates);
        rewards.Clear();
        float lo = m.Options.MinLogVariance, hi = m.Options.MaxLogVariance;
        for (int t = 0; t < horizon; t++)
        {
            var act = allActions.AsSpan(((t * allCandidates) + from) * a, candidates * a);
            var input = sc.Input.AsSpan(0, candidates * inSize);
            for (int c = 0; c < candidates; c++)
            {
                m.NormaliseInput(state.Slice(c * s, s), act.Slice(c * a, a), input.Slice(c * inSize, inSize));
            }

            m.Transition.Forward(member, input, candidates, sc.Output, sc.Workspace);
            var output = sc.Output.AsSpan(0, candidates * 2 * s);
            int baseIndex = ((((t * e) + member) * allCandidates) + from) * s;
            for (int c = 0; c < candidates; c++)
            {
                for (int k = 0; k < s; k++)
                {
                    float mu = output[(c * 2 * s) + k];
                    float lv = GaussianNllLossOp.SoftClamp(output[(c * 2 * s) + s + k], lo, hi);
                    _means[baseIndex + (c * s) + k] = mu;
                    _logVars[baseIndex + (c * s) + k] = lv;
                    float z = _useMean ? mu : mu + (MathF.Exp(0.5f * lv) * noise[(((t * candidates) + c) * s) + k]);
                    float delta = m.DeltaMean[k] + (m.DeltaStd[k] * z);
                    next[(c * s) + k] = state[(c * s) + k] + delta;
                    if (!float.IsFinite(next[(c * s) + k]))
                    {
                        throw new InvalidOperationException($"Ensemble member {member} predicted a non-finite state at planning step {t} (mean {mu}, log-variance {lv}).");
                    }
                }
            }

            if (needReward)
            {
                int rin = m.RewardInputSize;
                var rInput = sc.RewardInput.AsSpan(0, candidates * rin);
                for (int c = 0; c < candidates; c++)
                {
                    m.NormaliseRewardInput(state.Slice(c * s, s), act.Slice(c * a, a), next.Slice(c * s, s), rInput.Slice(c * rin, rin));
                }

                var r = sc.RewardOut.AsSpan(0, candidates);
                m.Reward.Forward(0, rInput, candidates, r, sc.Workspace);
                TensorPrimitives.Add(rewards, r, rewards);
            }

            var tmp = state;
            state = next;
            next = tmp;
        }
    }

    /// <summary>One member's buffers, grown on first use and reused across iterations and plans.</summary>
    private sealed class MemberScratch
    {
        public float[] State = [], Next = [], Input = [], Workspace = [], Output = [], Noise = [], RewardInput = [], RewardOut = [];
        public readonly GaussianSampler Sampler = new();
        private double[] _pairwise = [];

        public void Ensure(int candidates, int s, int a, int horizon, int rewardInput, int workspace)
        {
            Grow(ref State, candidates * s);
            Grow(ref Next, candidates * s);
            Grow(ref Input, candidates * (s + a));
            Grow(ref Workspace, workspace);
            Grow(ref Output, candidates * 2 * s);
            Grow(ref Noise, horizon * candidates * s);
            Grow(ref RewardInput, candidates * rewardInput);
            Grow(ref RewardOut, candidates);
        }

        public Span<double> Pairwise(int length)
        {
            if (_pairwise.Length < length)
            {
                _pairwise = new double[length];
            }

            return _pairwise;
        }

        private static void Grow(ref float[] buffer, int length)
        {
            if (buffer.Length < length)
            {
                buffer = new float[length];
            }
        }
    }
}
