using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Discrete;

/// <summary>
/// Steps N discrete active inference agents at once: one model shared by all, or one model per agent (all of one
/// shape). Agent i gives bit for bit the numbers of <c>new Agent(models[i])</c> fed the same observations and draws.
/// </summary>
/// <remarks>
/// Supports fixed-point state inference (<see cref="InferenceAlgorithm.Fpi"/>) with the enumeration planner
/// (<see cref="Planner.Efe"/>) and Dirichlet learning of A and B. State is kept as structure of arrays (one flat array per
/// quantity, agent-major); a step allocates nothing per agent. Agents are processed in a fixed number of coarse chunks
/// with <see cref="Parallel.For(int, int, Action{int})"/>; every agent's arithmetic is independent of the chunking, so
/// results do not depend on the thread count. Agents built from the same model instance share its precomputed kernels
/// until <see cref="UpdateA"/> or <see cref="UpdateB"/> gives an agent its own copy. With shared evaluations (the default), agents that share
/// parameters and whose inputs agree bit for bit (the same last action, belief and observation for state inference;
/// the same belief for policy evaluation) reuse one computation per chunk: a population in a small task visits few
/// distinct beliefs, and the results are exactly those of computing each agent. Not thread-safe.
/// </remarks>
public sealed class BatchedAgent
{
    private readonly GenerativeModel _shape;
    private readonly PolicySet _policies;
    private readonly int _n;
    private readonly int _nf;
    private readonly int _nm;
    private readonly int _sumStates;
    private readonly int _sumControls;
    private readonly int[] _stateOffset;
    private readonly int[] _controlOffset;

    private readonly AgentSlot[] _slot; // per agent: shared until the agent learns
    private readonly double[] _qs; // [agent, Σ states]
    private readonly double[] _qPi; // [agent, policies]
    private readonly double[] _negEfe; // [agent, policies]
    private readonly double[] _actionProbs; // [agent, Σ controls]
    private readonly int[] _actions; // [agent, factors]
    private readonly bool[] _hasAction;
    private readonly Worker[] _workers;
    private readonly int _chunk;
    private readonly bool _share;

    /// <summary>Creates <paramref name="count"/> agents that all start from <paramref name="model"/> (and its options).</summary>
    /// <param name="model">The model of every agent.</param>
    /// <param name="count">Number of agents.</param>
    /// <param name="shareEvaluations">Agents with the same parameters and bit-identical beliefs (and observation) reuse one state inference and one policy evaluation per chunk (see the remarks).</param>
    public BatchedAgent(GenerativeModel model, int count, bool shareEvaluations = true)
        : this(Repeat(model, count), shareEvaluations)
    {
    }

    /// <summary>Creates one agent per model; the models must have the same numbers of states, outcomes, controls and policies.</summary>
    /// <remarks>Per-agent parameters (γ, α, learning rates, forgetting, preferences C, priors D and E) come from each
    /// model and its <see cref="GenerativeModel.Options"/>. Pass the same instance for agents that share parameters: they
    /// share its kernels, and with <paramref name="shareEvaluations"/> their identical computations.</remarks>
    /// <param name="models">One model per agent.</param>
    /// <param name="shareEvaluations">Reuse results between agents with the same parameters whose inputs agree bit for bit.</param>
    public BatchedAgent(IReadOnlyList<GenerativeModel> models, bool shareEvaluations = true)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count == 0)
        {
            throw new ArgumentException("at least one model is required", nameof(models));
        }

        _shape = models[0];
        _n = models.Count;
        _nf = _shape.NumStates.Length;
        _nm = _shape.NumObs.Length;
        _policies = _shape.Policies;
        _stateOffset = Offsets(_shape.NumStates, out _sumStates);
        _controlOffset = Offsets(_shape.NumControls, out _sumControls);

        _slot = new AgentSlot[_n];
        var shared = new Dictionary<GenerativeModel, AgentSlot>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _n; i++)
        {
            var m = models[i] ?? throw new ArgumentException($"models[{i}] is null", nameof(models));
            if (!shared.TryGetValue(m, out var slot))
            {
                CheckCompatible(m, i);
                slot = new AgentSlot(m);
                shared.Add(m, slot);
            }

            _slot[i] = slot;
        }

        long perAgent = BytesPerAgentEstimate(_sumStates, _policies.Count, _sumControls, _nf);
        _shape.Options.Limits.CheckBytes((double)perAgent * _n, $"a batch of {_n} agents ({perAgent} bytes each)");

        _qs = new double[(long)_n * _sumStates > int.MaxValue ? throw new ArgumentOutOfRangeException(nameof(models)) : _n * _sumStates];
        _qPi = new double[checked(_n * _policies.Count)];
        _negEfe = new double[checked(_n * _policies.Count)];
        _actionProbs = new double[checked(_n * _sumControls)];
        _actions = new int[checked(_n * _nf)];
        _hasAction = new bool[_n];

        _share = shareEvaluations;
        int chunks = Math.Max(1, Math.Min(_n, Environment.ProcessorCount * 4));
        _chunk = (_n + chunks - 1) / chunks;
        _workers = new Worker[(_n + _chunk - 1) / _chunk];
        for (int c = 0; c < _workers.Length; c++)
        {
            _workers[c] = new Worker(this);
        }

        Reset();
    }

    /// <summary>Number of agents.</summary>
    public int Count => _n;

    /// <summary>The policies (shared by all agents), in pymdp's order.</summary>
    public PolicySet Policies => _policies;

    /// <summary>Number of hidden-state factors.</summary>
    public int NumFactors => _nf;

    /// <summary>Number of observation modalities.</summary>
    public int NumModalities => _nm;

    /// <summary>The model of agent <paramref name="agent"/> as it was created (its initial parameters).</summary>
    public GenerativeModel Model(int agent) => _slot[agent].Model;

    /// <summary>Estimated bytes of state per agent (beliefs, q(π), −G, action probabilities, actions), excluding shared or learned model arrays.</summary>
    public long BytesPerAgent => BytesPerAgentEstimate(_sumStates, _policies.Count, _sumControls, _nf);

    /// <summary>Posterior over the states of <paramref name="factor"/> for <paramref name="agent"/>.</summary>
    public ReadOnlySpan<double> Qs(int agent, int factor) =>
        _qs.AsSpan(agent * _sumStates + _stateOffset[factor], _shape.NumStates[factor]);

    /// <summary>q(π) of <paramref name="agent"/> from the last <see cref="InferPolicies"/>.</summary>
    public ReadOnlySpan<double> QPi(int agent) => _qPi.AsSpan(agent * _policies.Count, _policies.Count);

    /// <summary>−G per policy of <paramref name="agent"/> from the last <see cref="InferPolicies"/> (larger is better).</summary>
    public ReadOnlySpan<double> NegEfe(int agent) => _negEfe.AsSpan(agent * _policies.Count, _policies.Count);

    /// <summary>
    /// The distribution over controls of <paramref name="factor"/> that <see cref="SampleActions"/> draws from for
    /// <paramref name="agent"/>: softmax(α · ln marginal), written by <see cref="InferPolicies"/> (the per-choice
    /// likelihood when fitting agents to behaviour; with deterministic selection the argmax is taken instead of a draw).
    /// </summary>
    public ReadOnlySpan<double> ActionProbabilities(int agent, int factor) =>
        _actionProbs.AsSpan(agent * _sumControls + _controlOffset[factor], _shape.NumControls[factor]);

    /// <summary>Current Dirichlet counts over A of <paramref name="agent"/>, or null when its model has none.</summary>
    public IReadOnlyList<ModelArray>? PA(int agent) => _slot[agent].PA;

    /// <summary>Current expected A of <paramref name="agent"/> (normalised pA after learning).</summary>
    public IReadOnlyList<ModelArray> A(int agent) => _slot[agent].A;

    /// <summary>Current Dirichlet counts over B of <paramref name="agent"/>, or null when its model has none.</summary>
    public IReadOnlyList<ModelArray>? PB(int agent) => _slot[agent].PB;

    /// <summary>Current expected B of <paramref name="agent"/> (normalised pB after learning).</summary>
    public IReadOnlyList<ModelArray> B(int agent) => _slot[agent].B;

    /// <summary>Every agent's posterior, flat [agent, factor 0 states, factor 1 states, …] (copy it before the next <see cref="InferStates"/> to pass it to <see cref="UpdateB"/>).</summary>
    public ReadOnlySpan<double> AllQs => _qs;

    /// <summary>The last actions, flat [agent, factor].</summary>
    public ReadOnlySpan<int> Actions => _actions;

    /// <summary>Starts a new trial for every agent (beliefs back to uniform, no last action; learned parameters kept).</summary>
    public void Reset()
    {
        for (int i = 0; i < _n; i++)
        {
            Reset(i);
        }
    }

    /// <summary>Starts a new trial for one agent.</summary>
    public void Reset(int agent)
    {
        _hasAction[agent] = false;
        for (int f = 0; f < _nf; f++)
        {
            int n = _shape.NumStates[f];
            _qs.AsSpan(agent * _sumStates + _stateOffset[f], n).Fill(1.0 / n);
        }
    }

    /// <summary>Updates every agent's state posterior with its observation; <paramref name="observations"/> is flat [agent, modality].</summary>
    public void InferStates(ReadOnlySpan<int> observations)
    {
        CheckObservations(observations);
        var obs = observations.ToArray();
        Run((w, i) => w.InferStates(i, obs.AsSpan(i * _nm, _nm)));
    }

    /// <summary>Scores every policy of every agent by its expected free energy; writes q(π) and the action probabilities.</summary>
    public void InferPolicies() => Run((w, i) => w.InferPolicies(i));

    /// <summary>Chooses and takes an action for every agent (argmax, or a draw from <see cref="ActionProbabilities"/> with <c>rngs[i]</c>).</summary>
    public ReadOnlySpan<int> SampleActions(IReadOnlyList<Rng> rngs)
    {
        ArgumentNullException.ThrowIfNull(rngs);
        if (rngs.Count != _n)
        {
            throw new ArgumentException($"needs one generator per agent ({_n}), got {rngs.Count}", nameof(rngs));
        }

        Run((w, i) => w.SampleAction(i, rngs[i]));
        return _actions;
    }

    /// <summary>Records the given actions (flat [agent, factor]) as taken.</summary>
    public void TakeActions(ReadOnlySpan<int> actions)
    {
        if (actions.Length != _n * _nf)
        {
            throw new ModelException($"actions: has {actions.Length} entries but {_n} agents × {_nf} factors need {_n * _nf}");
        }

        for (int i = 0; i < _n; i++)
        {
            _shape.CheckAction(actions.Slice(i * _nf, _nf).ToArray(), $"actions[agent {i}]");
        }

        actions.CopyTo(_actions);
        Array.Fill(_hasAction, true);
    }

    /// <summary>Infers states, policies and actions in one call; returns the actions, flat [agent, factor].</summary>
    public ReadOnlySpan<int> Step(ReadOnlySpan<int> observations, IReadOnlyList<Rng> rngs)
    {
        InferStates(observations);
        InferPolicies();
        return SampleActions(rngs);
    }

    /// <summary>Dirichlet update of every agent's pA with its observation and current posterior (as <see cref="Agent.UpdateA"/>).</summary>
    /// <param name="observations">Flat [agent, modality].</param>
    /// <param name="mask">Optional flat [agent, modality]: false leaves that agent's modality unlearned (a missing observation).</param>
    public void UpdateA(ReadOnlySpan<int> observations, ReadOnlySpan<bool> mask = default)
    {
        CheckObservations(observations);
        if (!mask.IsEmpty && mask.Length != _n * _nm)
        {
            throw new ModelException($"mask: has {mask.Length} entries but {_n} agents × {_nm} modalities need {_n * _nm}");
        }

        for (int i = 0; i < _n; i++)
        {
            if (_slot[i].Model.PA is null)
            {
                throw new InvalidOperationException($"UpdateA needs pA in the model of agent {i}");
            }
        }

        var obs = observations.ToArray();
        var m = mask.ToArray();
        Run((w, i) => w.UpdateA(i, obs.AsSpan(i * _nm, _nm), m.Length == 0 ? default : m.AsSpan(i * _nm, _nm)));
    }

    /// <summary>Dirichlet update of every agent's pB for its last action (as <see cref="Agent.UpdateB"/>): pB[:, :, u] += η · q(s_t) ⊗ q(s_{t−1}) where B &gt; 0, after forgetting.</summary>
    /// <param name="previousQs">The posteriors before the last action, flat as <see cref="AllQs"/>.</param>
    public void UpdateB(ReadOnlySpan<double> previousQs)
    {
        if (previousQs.Length != _qs.Length)
        {
            throw new ModelException($"previousQs: has {previousQs.Length} entries but {_n} agents × {_sumStates} states need {_qs.Length}");
        }

        for (int i = 0; i < _n; i++)
        {
            if (_slot[i].Model.PB is null || !_hasAction[i])
            {
                throw new InvalidOperationException($"UpdateB needs pB in the model and an action taken (agent {i})");
            }
        }

        var prev = previousQs.ToArray();
        Run((w, i) => w.UpdateB(i, prev.AsSpan(i * _sumStates, _sumStates)));
    }

    /// <summary>Runs every agent against its own environment for <paramref name="steps"/> steps (a finished trial resets that agent and its environment).</summary>
    /// <returns>The observations, flat [step, agent, modality], and actions, flat [step, agent, factor].</returns>
    public BatchedRollout Rollout(IReadOnlyList<IDiscreteEnvironment> environments, IReadOnlyList<Rng> rngs, int steps)
    {
        ArgumentNullException.ThrowIfNull(environments);
        ArgumentNullException.ThrowIfNull(rngs);
        if (environments.Count != _n || rngs.Count != _n)
        {
            throw new ArgumentException($"needs one environment and one generator per agent ({_n})");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        var obsLog = new int[checked((long)steps * _n * _nm)];
        var actLog = new int[checked((long)steps * _n * _nf)];
        var obs = new int[_n * _nm];
        for (int i = 0; i < _n; i++)
        {
            environments[i].Reset(rngs[i]).CopyTo(obs, i * _nm);
        }

        Reset();
        for (int t = 0; t < steps; t++)
        {
            obs.CopyTo(obsLog, (long)t * _n * _nm);
            var actions = Step(obs, rngs).ToArray();
            actions.CopyTo(actLog, (long)t * _n * _nf);
            Parallel.For(0, _workers.Length, c =>
            {
                int end = Math.Min(_n, (c + 1) * _chunk);
                for (int i = c * _chunk; i < end; i++)
                {
                    var (next, done) = environments[i].Step(actions.AsSpan(i * _nf, _nf), rngs[i]);
                    if (done)
                    {
                        Reset(i);
                        next = environments[i].Reset(rngs[i]);
                    }

                    next.CopyTo(obs, i * _nm);
                }
            });
        }

        return new BatchedRollout(steps, _n, obsLog, actLog);
    }

    private void Run(Action<Worker, int> body)
    {
        if (_workers.Length == 1)
        {
            for (int i = 0; i < _n; i++)
            {
                body(_workers[0], i);
            }

            return;
        }

        Parallel.For(0, _workers.Length, c =>
        {
            var w = _workers[c];
            int end = Math.Min(_n, (c + 1) * _chunk);
            for (int i = c * _chunk; i < end; i++)
            {
                body(w, i);
            }
        });
    }

    private void CheckObservations(ReadOnlySpan<int> observations)
    {
        if (observations.Length != _n * _nm)
        {
            throw new ModelException($"observations: has {observations.Length} entries but {_n} agents × {_nm} modalities need {_n * _nm}");
        }

        for (int i = 0; i < _n; i++)
        {
            for (int m = 0; m < _nm; m++)
            {
                int o = observations[i * _nm + m];
                if ((uint)o >= (uint)_shape.NumObs[m])
                {
                    throw new ModelException($"observations[agent {i}][{m}] = {o}: modality {m} has outcomes 0…{_shape.NumObs[m] - 1}");
                }
            }
        }
    }

    private void CheckCompatible(GenerativeModel m, int index)
    {
        var o = m.Options;
        if (o.Algorithm != InferenceAlgorithm.Fpi || o.Planner != Planner.Efe)
        {
            throw new ModelException($"models[{index}]: a batch supports inference_algo \"FPI\" with the \"efe\" planner");
        }

        if (!m.NumStates.SequenceEqual(_shape.NumStates) || !m.NumObs.SequenceEqual(_shape.NumObs)
            || !m.NumControls.SequenceEqual(_shape.NumControls) || m.Policies.Length != _policies.Length)
        {
            throw new ModelException($"models[{index}]: states [{string.Join(", ", m.NumStates)}], outcomes [{string.Join(", ", m.NumObs)}], controls [{string.Join(", ", m.NumControls)}] and policy_len {m.Policies.Length} must equal those of models[0]");
        }
    }

    private static long BytesPerAgentEstimate(int sumStates, int policies, int sumControls, int nf) =>
        8L * (sumStates + 2L * policies + sumControls) + 4L * nf + 1 + IntPtr.Size;

    private static int[] Offsets(int[] sizes, out int total)
    {
        var off = new int[sizes.Length];
        total = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            off[i] = total;
            total += sizes[i];
        }

        return off;
    }

    private static GenerativeModel[] Repeat(GenerativeModel model, int count)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return Enumerable.Repeat(model, count).ToArray();
    }

    // An agent's parameters: shared by every agent made from the same model until one learns (copy on write).
    private sealed class AgentSlot
    {
        public AgentSlot(GenerativeModel model)
        {
            Model = model;
            Options = model.Options;
            A = model.A.Select(x => x.Copy()).ToArray();
            B = model.B.Select(x => x.Copy()).ToArray();
            PA = model.PA?.Select(x => x.Copy()).ToArray();
            PB = model.PB?.Select(x => x.Copy()).ToArray();
            LnE = new double[model.E.Length];
            Categorical.SafeLog(model.E, LnE);
            Kernels = Build();
        }

        private AgentSlot(AgentSlot from)
        {
            Model = from.Model;
            Options = from.Options;
            A = from.A.Select(x => x.Copy()).ToArray();
            B = from.B.Select(x => x.Copy()).ToArray();
            PA = from.PA?.Select(x => x.Copy()).ToArray();
            PB = from.PB?.Select(x => x.Copy()).ToArray();
            LnE = from.LnE;
            Kernels = from.Kernels;
            Owned = true;
        }

        public GenerativeModel Model { get; }

        public AgentOptions Options { get; }

        public ModelArray[] A { get; }

        public ModelArray[] B { get; }

        public ModelArray[]? PA { get; }

        public ModelArray[]? PB { get; }

        public double[] LnE { get; }

        public ModelKernels Kernels { get; set; }

        public bool Owned { get; }

        public AgentSlot Own() => new(this);

        public ModelKernels Build() =>
            new(A, B, Model.C, Options.UseParamInfoGain ? PA : null, Options.UseParamInfoGain ? PB : null, Options.UseStatesInfoGain);
    }

    // Scratch of one chunk of agents: the same buffers as one Agent, reused for every agent of the chunk.
    private sealed class Worker
    {
        private readonly BatchedAgent _b;
        private readonly double[][] _qs;
        private readonly double[][] _prior;
        private readonly double[][] _logPrior;
        private readonly double[][] _qL;
        private readonly double[] _logL;
        private readonly double[] _tmp;
        private readonly double[][][] _treeQs;
        private readonly PolicyNodeValue _node;
        private readonly double[] _joint;
        private readonly double[] _utility;
        private readonly double[] _infoGain;
        private readonly double[] _paramGain;
        private readonly double[] _logits;
        private readonly double[][] _marg;
        private readonly double[] _controlLogits;
        private readonly int[] _act;
        private ModelKernels _k = null!;
        private AgentOptions _opt = null!;
        private readonly MemoTable? _statesMemo;
        private readonly MemoTable? _policiesMemo;
        private readonly long[] _statesKey;
        private readonly long[] _policiesKey;

        public Worker(BatchedAgent b)
        {
            _b = b;
            var ns = b._shape.NumStates;
            int s = 1;
            foreach (int n in ns)
            {
                s *= n;
            }

            _qs = ns.Select(n => new double[n]).ToArray();
            _prior = ns.Select(n => new double[n]).ToArray();
            _logPrior = ns.Select(n => new double[n]).ToArray();
            _qL = ns.Select(n => new double[n]).ToArray();
            _logL = new double[s];
            _tmp = new double[ns[0]];
            _treeQs = new double[b._policies.Length + 1][][];
            for (int t = 0; t <= b._policies.Length; t++)
            {
                _treeQs[t] = ns.Select(n => new double[n]).ToArray();
            }

            _joint = new double[s];
            int joint = b._slot[0].Kernels.NumJointOutcomes;
            _node = new PolicyNodeValue(s, joint, joint, b._shape.NumObs);
            int p = b._policies.Count;
            _utility = new double[p];
            _infoGain = new double[p];
            _paramGain = new double[p];
            _logits = new double[p];
            _marg = b._shape.NumControls.Select(n => new double[n]).ToArray();
            _controlLogits = new double[b._shape.NumControls.Max()];
            _act = new int[b._nf];
            _statesKey = new long[1 + b._nf + b._nm + b._sumStates];
            _policiesKey = new long[b._sumStates];
            if (b._share)
            {
                _statesMemo = new MemoTable(_statesKey.Length, b._sumStates, 4096);
                int value = 2 * p + b._sumControls;
                _policiesMemo = new MemoTable(_policiesKey.Length, value, Math.Clamp((1 << 19) / value, 16, 4096));
            }
        }

        private void Load(int i)
        {
            var slot = _b._slot[i];
            _k = slot.Kernels;
            _opt = slot.Options;
        }

        private void LoadQs(int i)
        {
            var src = _b._qs.AsSpan(i * _b._sumStates, _b._sumStates);
            for (int f = 0; f < _qs.Length; f++)
            {
                src.Slice(_b._stateOffset[f], _qs[f].Length).CopyTo(_qs[f]);
            }
        }

        // Agent.InferStates (FPI) with StateInference.Fpi, operation for operation, into reused buffers.
        public void InferStates(int i, ReadOnlySpan<int> observation)
        {
            Load(i);
            int nf = _b._nf;
            var slot = _b._slot[i];
            var dst = _b._qs.AsSpan(i * _b._sumStates, _b._sumStates);
            if (_statesMemo is not null)
            {
                var key = _statesKey.AsSpan();
                key.Clear();
                if (_b._hasAction[i])
                {
                    key[0] = 1;
                    for (int f = 0; f < nf; f++)
                    {
                        key[1 + f] = _b._actions[i * nf + f];
                    }

                    System.Runtime.InteropServices.MemoryMarshal.Cast<double, long>(dst).CopyTo(key[(1 + nf + _b._nm)..]);
                }

                for (int m = 0; m < observation.Length; m++)
                {
                    key[1 + nf + m] = observation[m];
                }

                if (_statesMemo.TryGet(_k, key, out var hit))
                {
                    hit.CopyTo(dst);
                    return;
                }
            }

            double[][] prior;
            if (!_b._hasAction[i])
            {
                prior = slot.Model.D;
            }
            else
            {
                LoadQs(i);
                for (int f = 0; f < nf; f++)
                {
                    _k.Transition(f, _b._actions[i * nf + f], _qs[f], _prior[f]);
                }

                prior = _prior;
            }

            _k.JointLikelihood(observation, _logL);
            Categorical.SafeLog(_logL, _logL);
            for (int f = 0; f < nf; f++)
            {
                Categorical.SafeLog(prior[f], _logPrior[f]);
                Array.Fill(_qs[f], 1.0 / _qs[f].Length);
            }

            if (nf == 1)
            {
                var x = _qL[0];
                for (int s = 0; s < _k.S; s++)
                {
                    x[s] = _logL[s] + _logPrior[0][s];
                }

                Categorical.Softmax(x, _qs[0]);
            }
            else
            {
                double prevF = FreeEnergy(withLikelihood: false);
                double dF = 1.0;
                for (int iter = 0; iter < _opt.NumIterations && dF >= _opt.FreeEnergyTolerance; iter++)
                {
                    for (int f = 0; f < nf; f++)
                    {
                        _k.ContractAllBut(_logL, _qs, f, _qL[f]);
                    }

                    for (int f = 0; f < nf; f++)
                    {
                        var ql = _qL[f];
                        var lp = _logPrior[f];
                        for (int k = 0; k < ql.Length; k++)
                        {
                            ql[k] += lp[k];
                        }

                        Categorical.Softmax(ql, _qs[f]);
                    }

                    double vfe = FreeEnergy(withLikelihood: true);
                    dF = Math.Abs(prevF - vfe);
                    prevF = vfe;
                }
            }

            for (int f = 0; f < nf; f++)
            {
                _qs[f].CopyTo(dst.Slice(_b._stateOffset[f], _qs[f].Length));
            }

            if (_statesMemo is not null)
            {
                dst.CopyTo(_statesMemo.Add(_k, _statesKey));
            }
        }

        private double FreeEnergy(bool withLikelihood)
        {
            double fe = 0;
            for (int f = 0; f < _qs.Length; f++)
            {
                var q = _qs[f];
                var lp = _logPrior[f];
                for (int k = 0; k < q.Length; k++)
                {
                    fe += q[k] * (Math.Log(q[k] + Categorical.LogFloor) - lp[k]);
                }
            }

            if (withLikelihood)
            {
                _k.ContractAllBut(_logL, _qs, 0, _tmp);
                for (int k = 0; k < _tmp.Length; k++)
                {
                    fe -= _tmp[k] * _qs[0][k];
                }
            }

            return fe;
        }

        // Agent.InferPolicies (FPI branch) and Agent.ActionMarginals, then the selection distribution of SampleAction.
        public void InferPolicies(int i)
        {
            Load(i);
            int np = _b._policies.Count;
            int sc = _b._sumControls;
            var negEfe = _b._negEfe.AsSpan(i * np, np);
            var qPi = _b._qPi.AsSpan(i * np, np);
            var probs = _b._actionProbs.AsSpan(i * sc, sc);
            if (_policiesMemo is not null)
            {
                System.Runtime.InteropServices.MemoryMarshal.Cast<double, long>(_b._qs.AsSpan(i * _b._sumStates, _b._sumStates)).CopyTo(_policiesKey);
                if (_policiesMemo.TryGet(_k, _policiesKey, out var hit))
                {
                    hit[..np].CopyTo(negEfe);
                    hit.Slice(np, np).CopyTo(qPi);
                    hit.Slice(2 * np, sc).CopyTo(probs);
                    return;
                }
            }

            EvaluatePolicies(i, negEfe, qPi, probs);
            if (_policiesMemo is not null)
            {
                var v = _policiesMemo.Add(_k, _policiesKey);
                negEfe.CopyTo(v);
                qPi.CopyTo(v[np..]);
                probs.CopyTo(v[(2 * np)..]);
            }
        }

        private void EvaluatePolicies(int i, Span<double> negEfe, Span<double> qPi, Span<double> probs)
        {
            LoadQs(i);
            int nf = _b._nf;
            for (int f = 0; f < nf; f++)
            {
                _qs[f].CopyTo(_treeQs[0][f], 0);
            }

            Array.Clear(_utility);
            Array.Clear(_infoGain);
            Array.Clear(_paramGain);
            Visit(0, 0, 0, 0, 0);
            int np = _b._policies.Count;
            var lnE = _b._slot[i].LnE;
            for (int p = 0; p < np; p++)
            {
                negEfe[p] = _utility[p] + _infoGain[p] + _paramGain[p];
                _logits[p] = negEfe[p] * _opt.Gamma + lnE[p];
            }

            Categorical.Softmax(_logits, qPi);

            var pol = _b._policies;
            foreach (var m in _marg)
            {
                Array.Clear(m);
            }

            for (int p = 0; p < np; p++)
            {
                for (int f = 0; f < nf; f++)
                {
                    _marg[f][pol[p, 0, f]] += qPi[p];
                }
            }

            for (int f = 0; f < nf; f++)
            {
                var mf = _marg[f];
                Categorical.Normalise(mf);
                var lg = _controlLogits.AsSpan(0, mf.Length);
                for (int u = 0; u < mf.Length; u++)
                {
                    lg[u] = Categorical.SafeLog(mf[u]) * _opt.Alpha;
                }

                Categorical.Softmax(lg, probs.Slice(_b._controlOffset[f], mf.Length));
            }
        }

        public void SampleAction(int i, Rng rng)
        {
            Load(i);
            int nf = _b._nf;
            var probs = _b._actionProbs.AsSpan(i * _b._sumControls, _b._sumControls);
            int np = _b._policies.Count;
            var qPi = _b._qPi.AsSpan(i * np, np);
            var pol = _b._policies;
            for (int f = 0; f < nf; f++)
            {
                int nu = _b._shape.NumControls[f];
                int chosen;
                if (_opt.ActionSelection == ActionSelection.Deterministic)
                {
                    // The argmax of the normalised marginal, recomputed as Agent.ActionMarginals does.
                    var mf = _marg[f];
                    Array.Clear(mf);
                    for (int p = 0; p < np; p++)
                    {
                        mf[pol[p, 0, f]] += qPi[p];
                    }

                    Categorical.Normalise(mf);
                    chosen = 0;
                    for (int u = 1; u < nu; u++)
                    {
                        if (mf[u] > mf[chosen])
                        {
                            chosen = u;
                        }
                    }
                }
                else
                {
                    var p = probs.Slice(_b._controlOffset[f], nu);
                    double r = rng.NextDouble(), c = 0;
                    chosen = nu - 1;
                    for (int u = 0; u < nu; u++)
                    {
                        c += p[u];
                        if (r < c)
                        {
                            chosen = u;
                            break;
                        }
                    }
                }

                _b._actions[i * nf + f] = chosen;
            }

            _b._hasAction[i] = true;
        }

        // Agent.UpdateA, operation for operation.
        public void UpdateA(int i, ReadOnlySpan<int> observation, ReadOnlySpan<bool> mask)
        {
            var slot = _b._slot[i];
            if (!slot.Owned)
            {
                slot = slot.Own();
                _b._slot[i] = slot;
            }

            Load(i);
            LoadQs(i);
            _k.Outer(_qs, _joint);
            double keep = 1 - _opt.ForgettingRate;
            var p0s = slot.Model.PA!;
            for (int m = 0; m < slot.PA!.Length; m++)
            {
                if (!mask.IsEmpty && !mask[m])
                {
                    continue;
                }

                var p = slot.PA[m].Data;
                if (keep != 1)
                {
                    var p0 = p0s[m].Data;
                    for (int k = 0; k < p.Length; k++)
                    {
                        p[k] = p0[k] + keep * (p[k] - p0[k]);
                    }
                }

                var a = slot.A[m].Data;
                int row = observation[m] * _k.S;
                for (int s = 0; s < _k.S; s++)
                {
                    if (a[row + s] > 0)
                    {
                        p[row + s] += _opt.LearningRateA * _joint[s];
                    }
                }

                Agent.NormaliseColumns(p, a, slot.A[m].Shape[0]);
            }

            slot.Kernels = slot.Build();
        }

        // Agent.UpdateB, operation for operation.
        public void UpdateB(int i, ReadOnlySpan<double> previous)
        {
            var slot = _b._slot[i];
            if (!slot.Owned)
            {
                slot = slot.Own();
                _b._slot[i] = slot;
            }

            Load(i);
            var qs = _b._qs.AsSpan(i * _b._sumStates, _b._sumStates);
            double keep = 1 - _opt.ForgettingRate;
            var p0s = slot.Model.PB!;
            int nf = _b._nf;
            for (int f = 0; f < nf; f++)
            {
                var p = slot.PB![f].Data;
                if (keep != 1)
                {
                    var p0 = p0s[f].Data;
                    for (int k = 0; k < p.Length; k++)
                    {
                        p[k] = p0[k] + keep * (p[k] - p0[k]);
                    }
                }

                int ns = _b._shape.NumStates[f], nu = slot.B[f].Shape[2], u = _b._actions[i * nf + f], off = _b._stateOffset[f];
                var bf = slot.B[f].Data;
                for (int r = 0; r < ns; r++)
                {
                    for (int j = 0; j < ns; j++)
                    {
                        int at = (r * ns + j) * nu + u;
                        if (bf[at] > 0)
                        {
                            p[at] += _opt.LearningRateB * qs[off + r] * previous[off + j];
                        }
                    }
                }

                Agent.NormaliseColumns(p, bf, ns);
            }

            slot.Kernels = slot.Build();
        }

        private void Visit(int depth, int prefix, double u, double ig, double pg)
        {
            var pol = _b._policies;
            int k = pol.JointActions;
            var cur = _treeQs[depth];
            var next = _treeQs[depth + 1];
            var act = _act;
            int nf = _b._nf;
            for (int j = 0; j < k; j++)
            {
                pol.DecodeJointAction(j, act);
                double npg = 0;
                for (int f = 0; f < nf; f++)
                {
                    _k.Transition(f, act[f], cur[f], next[f]);
                    if (_k.WB is not null)
                    {
                        npg += PolicyNodeValue.ParamInfoGainB(_k, f, act[f], cur[f], next[f]);
                    }
                }

                var (nu, nig, npa) = _node.Evaluate(_k, _opt, next);
                int idx = prefix * k + j;
                if (depth + 1 == pol.Length)
                {
                    _utility[idx] = u + nu;
                    _infoGain[idx] = ig + nig;
                    _paramGain[idx] = pg + npa + npg;
                }
                else
                {
                    Visit(depth + 1, idx, u + nu, ig + nig, pg + npa + npg);
                }
            }
        }
    }
}

/// <summary>What <see cref="BatchedAgent.Rollout"/> saw and did.</summary>
/// <param name="Steps">Number of steps.</param>
/// <param name="Agents">Number of agents.</param>
/// <param name="Observations">Observations, flat [step, agent, modality].</param>
/// <param name="Actions">Actions, flat [step, agent, factor].</param>
public sealed record BatchedRollout(int Steps, int Agents, int[] Observations, int[] Actions);
