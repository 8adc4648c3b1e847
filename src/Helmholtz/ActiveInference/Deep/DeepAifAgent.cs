using Helmholtz.Environments;
using Helmholtz.Graphs;
using Helmholtz.Optim;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep;

/// <summary>Options of <see cref="DeepAifAgent"/>. CartPole-v1 is solved (5/5 seeds) with these defaults plus γ rising from 5 to 100 over 30 000 steps, a 200 000 buffer and the learning rates decayed to 5 % over 100 000 steps (docs/deep-active-inference.md).</summary>
/// <param name="HiddenSizes">Hidden widths of the policy and EFE-value networks (ReLU).</param>
/// <param name="TransitionHiddenSizes">Hidden widths of the transition model (ReLU).</param>
/// <param name="ValueLearningRate">Adam's learning rate for the EFE-value network G_φ.</param>
/// <param name="PolicyLearningRate">Adam's learning rate for the policy q_θ (and the log-precision when learned).</param>
/// <param name="TransitionLearningRate">Adam's learning rate for the transition model.</param>
/// <param name="Discount">Discount γ_d of the bootstrapped EFE.</param>
/// <param name="BatchSize">Transitions per update.</param>
/// <param name="BufferCapacity">Replay buffer capacity.</param>
/// <param name="WarmupSteps">Environment steps with uniformly random actions before the first update.</param>
/// <param name="Precision">The (initial) precision γ of p(a|s) = σ(−γG(s,·)).</param>
/// <param name="LearnPrecision">Learn ln γ by gradient descent on the same free energy as the policy.</param>
/// <param name="EntropyWeight">β, the weight of E_q[ln q] in the policy loss (1: the KL divergence; 0: no entropy term).</param>
/// <param name="EpistemicWeight">Scale of the transition model's prediction error, the epistemic bonus subtracted from G.</param>
/// <param name="TargetTau">Polyak rate of the target EFE network per update; 1 means a hard copy every <paramref name="TargetUpdateInterval"/> updates.</param>
/// <param name="TargetUpdateInterval">Updates between hard target copies (used when <paramref name="TargetTau"/> is 1).</param>
/// <param name="TrainEvery">Environment steps between training rounds.</param>
/// <param name="GradientSteps">Updates (minibatches) per training round.</param>
/// <param name="LearningRateDecaySteps">Environment steps over which every learning rate falls linearly to <paramref name="FinalLearningRateFraction"/> of its start (0: constant).</param>
/// <param name="FinalLearningRateFraction">The learning rates' fraction of their start at the end of the decay.</param>
/// <param name="InitialPrecision">With <paramref name="PrecisionAnnealSteps"/> &gt; 0: γ at step 0, rising linearly to <paramref name="Precision"/>.</param>
/// <param name="PrecisionAnnealSteps">Environment steps over which γ rises from <paramref name="InitialPrecision"/> to <paramref name="Precision"/> (0: γ = <paramref name="Precision"/> throughout).</param>
/// <param name="HuberDelta">δ of the Huber loss of the EFE regression; ∞ gives ½(error)².</param>
/// <param name="MaxGradNorm">Global gradient-norm clip per network (0 or ∞: none).</param>
/// <param name="Selection">How actions are chosen from q(a|s).</param>
public sealed record DeepAifOptions(
    IReadOnlyList<int>? HiddenSizes = null,
    IReadOnlyList<int>? TransitionHiddenSizes = null,
    double ValueLearningRate = 5e-4,
    double PolicyLearningRate = 5e-4,
    double TransitionLearningRate = 1e-3,
    double Discount = 0.99,
    int BatchSize = 64,
    int BufferCapacity = 50_000,
    int WarmupSteps = 1_000,
    double Precision = 5.0,
    bool LearnPrecision = false,
    double EntropyWeight = 1.0,
    double EpistemicWeight = 1.0,
    double TargetTau = 0.005,
    double HuberDelta = 1.0,
    double MaxGradNorm = 10.0,
    ActionSelection Selection = ActionSelection.Stochastic,
    int TargetUpdateInterval = 500,
    int TrainEvery = 1,
    int GradientSteps = 1,
    int LearningRateDecaySteps = 0,
    double FinalLearningRateFraction = 0.1,
    double InitialPrecision = 5.0,
    int PrecisionAnnealSteps = 0) : IControlAgentOptions
{
    /// <summary>The policy/value hidden widths, [128, 128] when not given.</summary>
    public IReadOnlyList<int> Hidden => HiddenSizes ?? [128, 128];

    /// <summary>The transition model's hidden widths, [64, 64] when not given.</summary>
    public IReadOnlyList<int> TransitionHidden => TransitionHiddenSizes ?? [64, 64];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        DqnOptions.Check(ValueLearningRate > 0, "ValueLearningRate", "> 0");
        DqnOptions.Check(PolicyLearningRate > 0, "PolicyLearningRate", "> 0");
        DqnOptions.Check(TransitionLearningRate > 0, "TransitionLearningRate", "> 0");
        DqnOptions.Check(Discount is >= 0 and <= 1, "Discount", "in [0, 1]");
        DqnOptions.Check(BatchSize > 0, "BatchSize", "> 0");
        DqnOptions.Check(BufferCapacity >= BatchSize, "BufferCapacity", "≥ BatchSize");
        DqnOptions.Check(WarmupSteps >= 0, "WarmupSteps", "≥ 0");
        DqnOptions.Check(Precision > 0 && !double.IsInfinity(Precision), "Precision", "positive and finite");
        DqnOptions.Check(EntropyWeight >= 0 && !double.IsInfinity(EntropyWeight), "EntropyWeight", "finite and ≥ 0");
        DqnOptions.Check(EpistemicWeight >= 0 && !double.IsInfinity(EpistemicWeight), "EpistemicWeight", "finite and ≥ 0");
        DqnOptions.Check(TargetTau is > 0 and <= 1, "TargetTau", "in (0, 1]");
        DqnOptions.Check(TargetUpdateInterval > 0, "TargetUpdateInterval", "> 0");
        DqnOptions.Check(TrainEvery > 0, "TrainEvery", "> 0");
        DqnOptions.Check(GradientSteps > 0, "GradientSteps", "> 0");
        DqnOptions.Check(LearningRateDecaySteps >= 0, "LearningRateDecaySteps", "≥ 0");
        DqnOptions.Check(InitialPrecision > 0 && !double.IsInfinity(InitialPrecision), "InitialPrecision", "positive and finite");
        DqnOptions.Check(PrecisionAnnealSteps >= 0, "PrecisionAnnealSteps", "≥ 0");
        DqnOptions.Check(PrecisionAnnealSteps == 0 || !LearnPrecision, "PrecisionAnnealSteps", "0 when the precision is learned");
        DqnOptions.Check(FinalLearningRateFraction is >= 0 and <= 1, "FinalLearningRateFraction", "in [0, 1]");
        DqnOptions.Check(HuberDelta > 0, "HuberDelta", "> 0");
        DqnOptions.Check(MaxGradNorm >= 0, "MaxGradNorm", "≥ 0");
        DqnOptions.Check(Hidden.All(h => h > 0) && TransitionHidden.All(h => h > 0), "HiddenSizes", "all > 0");
    }
}

/// <summary>
/// Deep active inference as variational policy gradients (Millidge 2020): a policy q(a|s), a bootstrapped
/// expected-free-energy value G(s, a) with a target copy, and a transition model whose prediction error is the
/// epistemic bonus, all learned from a replay buffer on the graph engine.
/// </summary>
/// <remarks>
/// <para>With full observability (s = o), one update on a minibatch of (s, a, r, s′) does, in this order:</para>
/// <para>1. Transition model f_ψ(s, a) ≈ s′ − s, loss ½‖f_ψ(s, a) − (s′ − s)‖². Its per-sample prediction error
/// e = ½‖f_ψ(s, a) − (s′ − s)‖² (before the update) stands for the paper's epistemic term
/// E_q[ln q(s′) − ln q(s′|o′)] ≈ −KL[q(s′|o′) ‖ q(s′|s, a)], which under unit-variance Gaussians is −e up to a
/// constant.</para>
/// <para>2. The bootstrapped EFE target (the paper's recursive EFE, its eq. for G(s_t, a_t) estimated from one
/// transition): Ĝ(s, a) = −r − w·e + γ_d(1 − terminated)·Σ_a′ q_θ(a′|s′)·G_φ⁻(s′, a′), with G_φ⁻ the target network;
/// G_φ(s, a) is regressed on Ĝ (Huber, δ).</para>
/// <para>3. The policy minimises the variational free energy of the action posterior,
/// F(s) = KL[q_θ(a|s) ‖ σ(−γG_φ(s, ·))] (the paper's policy loss; <see cref="Graphs.Ops.PolicyFreeEnergyLossOp"/>),
/// with β weighting the entropy term; when <see cref="DeepAifOptions.LearnPrecision"/> is set, ln γ descends the same
/// F, whose γ-gradient is E_q[G] − E_σ(−γG)[G].</para>
/// <para>4. Polyak update of G_φ⁻. Actions are sampled from q_θ(a|s) (or taken greedily); the first
/// <see cref="DeepAifOptions.WarmupSteps"/> are uniform.</para>
/// </remarks>
public sealed class DeepAifAgent : ICheckpointableAgent, IStepLearner
{
    private readonly DeepAifOptions _options;
    private readonly TrainedNetwork _value;
    private readonly TrainedNetwork _valueTarget;
    private readonly TrainedNetwork _policy;
    private readonly TrainedNetwork _transition;
    private readonly Node _valueMask;
    private readonly Node _valueTargets;
    private readonly Node _policyEfe;
    private readonly Node _transitionTarget;
    private readonly Parameter _logPrecision;
    private readonly ReplayBuffer _buffer;
    private readonly EpisodeLoop _loop;
    private readonly int[] _indices;
    private readonly float[] _epistemic;
    private readonly double[] _probabilities;
    private readonly int _actions;
    private readonly int _observationSize;
    private long _steps;
    private long _updates;
    private double _valueLoss, _policyLoss, _transitionLoss, _epistemicSum, _entropySum;
    private int _lossCount, _actCount, _episodes;

    /// <summary>Creates an agent for <paramref name="observationSize"/> observations and <paramref name="actions"/> actions; weights drawn from <paramref name="rng"/>.</summary>
    public DeepAifAgent(int observationSize, int actions, DeepAifOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        options.Validate();
        _options = options;
        _actions = actions;
        _observationSize = observationSize;
        int n = options.BatchSize;

        var v = ControlNetworks.ActionValues(observationSize, actions, options.Hidden, Activation.Relu, options.HuberDelta, rng);
        _value = new TrainedNetwork(v.Graph, v.Input, v.Output, v.Loss, n, new AdamOptions(LearningRate: options.ValueLearningRate), options.MaxGradNorm);
        _valueMask = v.Mask;
        _valueTargets = v.Target;
        var vt = ControlNetworks.ActionValues(observationSize, actions, options.Hidden, Activation.Relu, options.HuberDelta, new Rng(0));
        _valueTarget = new TrainedNetwork(vt.Graph, vt.Input, vt.Output, null, n, null, 0);
        _value.UpdateTarget(_valueTarget, 1.0);

        var p = ControlNetworks.Policy(observationSize, actions, options.Hidden, Activation.Relu, ScheduledPrecision(options, 0), options.EntropyWeight, rng);
        _logPrecision = p.Graph.ParameterOf(p.LogPrecision);
        var trainable = p.Graph.Parameters.Where(q => options.LearnPrecision || q != _logPrecision);
        _policy = new TrainedNetwork(p.Graph, p.Input, p.Logits, p.Loss, n, new AdamOptions(LearningRate: options.PolicyLearningRate), options.MaxGradNorm, trainable);
        _policyEfe = p.ExpectedFreeEnergy;

        var t = ControlNetworks.Transition(observationSize, actions, options.TransitionHidden, Activation.Relu, rng);
        _transition = new TrainedNetwork(t.Graph, t.Input, t.Output, t.Loss, n, new AdamOptions(LearningRate: options.TransitionLearningRate), options.MaxGradNorm);
        _transitionTarget = t.Target;

        _buffer = new ReplayBuffer(options.BufferCapacity, observationSize);
        _indices = new int[n];
        _epistemic = new float[n];
        _probabilities = new double[actions];
        _loop = new EpisodeLoop(Name, observationSize, actions);
    }

    /// <summary>Creates an agent sized for <paramref name="environment"/> (which must have a discrete action space).</summary>
    public DeepAifAgent(IControlEnvironment environment, DeepAifOptions options, Rng rng)
        : this(environment.ObservationSpace.Size, EpisodeLoop.RequireDiscrete("deep-aif", environment).N, options, rng)
    {
    }

    /// <inheritdoc />
    public string Name => "deep-aif";

    /// <summary>The options the agent was made with.</summary>
    public DeepAifOptions Options => _options;

    /// <summary>The current precision γ.</summary>
    public double Precision => Math.Exp(_logPrecision.Value.ReadOnlySpan[0]);

    /// <summary>Writes q(a|s) for one observation into <paramref name="destination"/>.</summary>
    public void PolicyProbabilities(ReadOnlySpan<float> observation, Span<double> destination) =>
        Softmax(_policy.Evaluate(observation), destination);

    /// <inheritdoc />
    public bool Learning { get; set; } = true;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, FloatTensor> SaveWeights() =>
        NetworkWeights.Save(("value", _value.Graph), ("value_target", _valueTarget.Graph), ("policy", _policy.Graph), ("transition", _transition.Graph));

    /// <inheritdoc />
    public void LoadWeights(IReadOnlyDictionary<string, FloatTensor> weights) =>
        NetworkWeights.Load(weights, ("value", _value.Graph), ("value_target", _valueTarget.Graph), ("policy", _policy.Graph), ("transition", _transition.Graph));

    /// <inheritdoc />
    public int GreedyAction(ReadOnlySpan<float> observation) => DqnAgent.ArgMax(_policy.Evaluate(observation));

    /// <summary>G(s, ·) of the online EFE network for one observation (a view valid until the next call).</summary>
    public ReadOnlySpan<float> ExpectedFreeEnergy(ReadOnlySpan<float> observation) => _value.Evaluate(observation);

    /// <inheritdoc />
    /// <exception cref="Training.TrainingDivergedException">A loss of the episode, or γ, was NaN or infinite.</exception>
    public EpisodeResult RunEpisode(IControlEnvironment environment, Rng rng, CancellationToken cancellationToken = default)
    {
        _valueLoss = _policyLoss = _transitionLoss = _epistemicSum = _entropySum = 0;
        _lossCount = _actCount = 0;
        _episodes++;
        var (ret, steps, terminated, truncated, states) = _loop.Run(environment, rng, this, cancellationToken);
        ControlDivergence.Check(Name, "EFE loss", _valueLoss, _episodes, "ValueLearningRate");
        ControlDivergence.Check(Name, "policy loss", _policyLoss, _episodes, "PolicyLearningRate");
        ControlDivergence.Check(Name, "transition loss", _transitionLoss + _epistemicSum, _episodes, "TransitionLearningRate");
        ControlDivergence.Check(Name, "precision γ", Precision, _episodes, "PolicyLearningRate");
        double Mean(double s, int c) => c == 0 ? double.NaN : s / c;
        var diagnostics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["efe_loss"] = Mean(_valueLoss, _lossCount),
            ["policy_loss"] = Mean(_policyLoss, _lossCount),
            ["transition_loss"] = Mean(_transitionLoss, _lossCount),
            ["epistemic"] = Mean(_epistemicSum, _lossCount),
            ["policy_entropy"] = Mean(_entropySum, _actCount),
            ["precision"] = Precision,
            ["updates"] = _updates,
            ["lr_scale"] = _value.LearningRateScale,
        };
        return new EpisodeResult(ret, steps, terminated, truncated, states, diagnostics);
    }

    int IStepLearner.Act(ReadOnlySpan<float> observation, Rng rng)
    {
        if (_steps < _options.WarmupSteps)
        {
            return rng.NextInt(_actions);
        }

        var q = _probabilities.AsSpan();
        PolicyProbabilities(observation, q);
        double entropy = 0;
        foreach (double pj in q)
        {
            entropy -= pj > 0 ? pj * Math.Log(pj) : 0;
        }

        _entropySum += entropy;
        _actCount++;
        if (_options.Selection == ActionSelection.Deterministic)
        {
            int best = 0;
            for (int j = 1; j < q.Length; j++)
            {
                best = q[j] > q[best] ? j : best;
            }

            return best;
        }

        double u = rng.NextDouble(), c = 0;
        for (int j = 0; j < q.Length - 1; j++)
        {
            c += q[j];
            if (u < c)
            {
                return j;
            }
        }

        return q.Length - 1;
    }

    void IStepLearner.Observe(ReadOnlySpan<float> observation, int action, double reward, ReadOnlySpan<float> nextObservation, bool terminated, Rng rng)
    {
        if (!Learning)
        {
            return;
        }

        _buffer.Add(observation, action, (float)reward, nextObservation, terminated);
        _steps++;
        if (_steps >= _options.WarmupSteps && _buffer.Count >= _options.BatchSize && _steps % _options.TrainEvery == 0)
        {
            double scale = TrainedNetwork.LearningRateScaleAt(_steps, _options.LearningRateDecaySteps, _options.FinalLearningRateFraction);
            if (_options.PrecisionAnnealSteps > 0)
            {
                _logPrecision.Value.Span[0] = (float)Math.Log(ScheduledPrecision(_options, _steps));
            }

            _value.LearningRateScale = _policy.LearningRateScale = _transition.LearningRateScale = scale;
            for (int k = 0; k < _options.GradientSteps; k++)
            {
                Update(rng);
            }
        }
    }

    private void Update(Rng rng)
    {
        int n = _options.BatchSize, a = _actions, o = _observationSize;
        _buffer.Sample(rng, _indices);

        // 1. Transition model and the epistemic bonus (prediction error before this update).
        var tx = _transition.Batch.Value(_transition.Input).Span;
        var ty = _transition.Batch.Value(_transitionTarget).Span;
        tx.Clear();
        for (int b = 0; b < n; b++)
        {
            int i = _indices[b];
            var s = _buffer.Observation(i);
            var s1 = _buffer.NextObservation(i);
            s.CopyTo(tx.Slice(b * (o + a), o));
            tx[(b * (o + a)) + o + _buffer.Action(i)] = 1f;
            for (int k = 0; k < o; k++)
            {
                ty[(b * o) + k] = s1[k] - s[k];
            }
        }

        _transitionLoss += _transition.TrainStep();
        var prediction = _transition.Batch.Value(_transition.Output).ReadOnlySpan;
        double epistemicMean = 0;
        for (int b = 0; b < n; b++)
        {
            double e = 0;
            for (int k = 0; k < o; k++)
            {
                double d = prediction[(b * o) + k] - ty[(b * o) + k];
                e += d * d;
            }

            _epistemic[b] = (float)(0.5 * e);
            epistemicMean += 0.5 * e / n;
        }

        _epistemicSum += epistemicMean;

        // 2. Bootstrapped EFE target: E_{q(a′|s′)} G⁻(s′, a′) with q from the policy network at s′.
        var px = _policy.Batch.Value(_policy.Input).Span;
        var vtx = _valueTarget.Batch.Value(_valueTarget.Input).Span;
        for (int b = 0; b < n; b++)
        {
            var s1 = _buffer.NextObservation(_indices[b]);
            s1.CopyTo(px.Slice(b * o, o));
            s1.CopyTo(vtx.Slice(b * o, o));
        }

        _policy.Batch.Forward();
        _valueTarget.Batch.Forward();
        var logits = _policy.Batch.Value(_policy.Output).ReadOnlySpan;
        var gNext = _valueTarget.Batch.Value(_valueTarget.Output).ReadOnlySpan;
        var mask = _value.Batch.Value(_valueMask).Span;
        var target = _value.Batch.Value(_valueTargets).Span;
        var x = _value.Batch.Value(_value.Input).Span;
        var q = _probabilities.AsSpan();
        mask.Clear();
        target.Clear();
        for (int b = 0; b < n; b++)
        {
            int i = _indices[b];
            Softmax(logits.Slice(b * a, a), q);
            double expected = 0;
            for (int j = 0; j < a; j++)
            {
                expected += q[j] * gNext[(b * a) + j];
            }

            double g = BootstrapTarget(_buffer.Reward(i), _options.EpistemicWeight * _epistemic[b], _buffer.Terminated(i), _options.Discount, expected);
            int act = _buffer.Action(i);
            mask[(b * a) + act] = 1f;
            target[(b * a) + act] = (float)g;
            _buffer.Observation(i).CopyTo(x.Slice(b * o, o));
        }

        _valueLoss += _value.TrainStep();

        // 3. Policy: KL[q(a|s) ‖ σ(−γ G(s,·))] with G from the forward pass just taken (before the value update).
        _value.Batch.Value(_value.Output).ReadOnlySpan.CopyTo(_policy.Batch.Value(_policyEfe).Span);
        x.CopyTo(px);
        _policyLoss += _policy.TrainStep();

        // 4. Target network.
        _updates++;
        _value.FollowTarget(_valueTarget, _options.TargetTau, _options.TargetUpdateInterval, _updates);

        _lossCount++;
    }

    /// <summary>γ after <paramref name="steps"/> environment steps: linear from the initial to the final precision over the annealing steps, then constant.</summary>
    public static double ScheduledPrecision(DeepAifOptions options, long steps)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PrecisionAnnealSteps == 0)
        {
            return options.Precision;
        }

        double f = Math.Min(1.0, (double)steps / options.PrecisionAnnealSteps);
        return options.InitialPrecision + (f * (options.Precision - options.InitialPrecision));
    }

    /// <summary>The one-step bootstrapped expected free energy of a transition.</summary>
    /// <remarks>Ĝ = −r − epistemic + γ_d·(1 − terminated)·E_{q(a′|s′)}[G(s′, a′)] (Millidge 2020, the recursive EFE
    /// estimated from one sampled transition; the epistemic value lowers G because information gain is valued).</remarks>
    public static double BootstrapTarget(double reward, double epistemic, bool terminated, double discount, double expectedNextEfe) =>
        -reward - epistemic + (terminated ? 0 : discount * expectedNextEfe);

    private static void Softmax(ReadOnlySpan<float> logits, Span<double> destination)
    {
        double max = double.NegativeInfinity;
        foreach (float z in logits)
        {
            max = Math.Max(max, z);
        }

        double sum = 0;
        for (int j = 0; j < logits.Length; j++)
        {
            destination[j] = Math.Exp(logits[j] - max);
            sum += destination[j];
        }

        for (int j = 0; j < logits.Length; j++)
        {
            destination[j] /= sum;
        }
    }
}
