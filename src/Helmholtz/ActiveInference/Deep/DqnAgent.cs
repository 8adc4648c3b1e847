using Helmholtz.Environments;
using Helmholtz.Graphs;
using Helmholtz.Optim;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep;

/// <summary>Options of <see cref="DqnAgent"/>. CartPole-v1 is solved (5/5 seeds) with these defaults plus a 200 000 buffer and the learning rate decayed to 5 % over 100 000 steps (docs/deep-active-inference.md).</summary>
/// <param name="HiddenSizes">Hidden widths of the Q-network (ReLU).</param>
/// <param name="LearningRate">Adam's learning rate.</param>
/// <param name="Discount">γ of the TD target.</param>
/// <param name="BatchSize">Transitions per update.</param>
/// <param name="BufferCapacity">Replay buffer capacity.</param>
/// <param name="WarmupSteps">Environment steps (random actions) before the first update.</param>
/// <param name="TrainEvery">Environment steps between training rounds.</param>
/// <param name="GradientSteps">Updates (minibatches) per training round.</param>
/// <param name="EpsilonStart">ε at step 0 of the ε-greedy schedule.</param>
/// <param name="EpsilonEnd">ε after <paramref name="EpsilonDecaySteps"/> steps (linear decay, then constant).</param>
/// <param name="EpsilonDecaySteps">Steps of the linear ε decay.</param>
/// <param name="TargetTau">Polyak rate of the target network per update; 1 means a hard copy every <paramref name="TargetUpdateInterval"/> updates.</param>
/// <param name="TargetUpdateInterval">Updates between hard target copies (used when <paramref name="TargetTau"/> is 1).</param>
/// <param name="HuberDelta">δ of the Huber TD loss; <see cref="double.PositiveInfinity"/> gives ½(TD error)².</param>
/// <param name="MaxGradNorm">Global gradient-norm clip (∞ or 0: none).</param>
/// <param name="DoubleDqn">Choose the bootstrap action with the online network (van Hasselt et al. 2016).</param>
/// <param name="LearningRateDecaySteps">Environment steps over which the learning rate falls linearly to <paramref name="FinalLearningRateFraction"/> of its start (0: constant).</param>
/// <param name="FinalLearningRateFraction">The learning rate's fraction of <paramref name="LearningRate"/> at the end of the decay.</param>
public sealed record DqnOptions(
    IReadOnlyList<int>? HiddenSizes = null,
    double LearningRate = 5e-4,
    double Discount = 0.99,
    int BatchSize = 64,
    int BufferCapacity = 50_000,
    int WarmupSteps = 1_000,
    int TrainEvery = 1,
    int GradientSteps = 1,
    double EpsilonStart = 1.0,
    double EpsilonEnd = 0.01,
    int EpsilonDecaySteps = 10_000,
    double TargetTau = 0.005,
    int TargetUpdateInterval = 500,
    double HuberDelta = 1.0,
    double MaxGradNorm = 10.0,
    bool DoubleDqn = true,
    int LearningRateDecaySteps = 0,
    double FinalLearningRateFraction = 0.1) : IControlAgentOptions
{
    /// <summary>The hidden widths, [128, 128] when not given.</summary>
    public IReadOnlyList<int> Hidden => HiddenSizes ?? [128, 128];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        Check(LearningRate > 0, "LearningRate", "> 0");
        Check(Discount is >= 0 and <= 1, "Discount", "in [0, 1]");
        Check(BatchSize > 0, "BatchSize", "> 0");
        Check(BufferCapacity >= BatchSize, "BufferCapacity", "≥ BatchSize");
        Check(WarmupSteps >= 0, "WarmupSteps", "≥ 0");
        Check(TrainEvery > 0, "TrainEvery", "> 0");
        Check(GradientSteps > 0, "GradientSteps", "> 0");
        Check(EpsilonStart is >= 0 and <= 1, "EpsilonStart", "in [0, 1]");
        Check(EpsilonEnd is >= 0 and <= 1, "EpsilonEnd", "in [0, 1]");
        Check(EpsilonDecaySteps >= 0, "EpsilonDecaySteps", "≥ 0");
        Check(TargetTau is > 0 and <= 1, "TargetTau", "in (0, 1]");
        Check(TargetUpdateInterval > 0, "TargetUpdateInterval", "> 0");
        Check(HuberDelta > 0, "HuberDelta", "> 0");
        Check(MaxGradNorm >= 0, "MaxGradNorm", "≥ 0");
        Check(Hidden.All(h => h > 0), "HiddenSizes", "all > 0");
        Check(LearningRateDecaySteps >= 0, "LearningRateDecaySteps", "≥ 0");
        Check(FinalLearningRateFraction is >= 0 and <= 1, "FinalLearningRateFraction", "in [0, 1]");
    }

    internal static void Check(bool ok, string name, string rule)
    {
        if (!ok)
        {
            throw new ArgumentException($"Option {name} must be {rule}.");
        }
    }
}

/// <summary>Deep Q-learning (Mnih et al. 2015) on the graph engine: the baseline beside deep active inference.</summary>
/// <remarks>
/// Q(s, ·) is an MLP; each update regresses Q(s, a) on y = r + γ(1 − terminated)·Q_target(s′, a*), with
/// a* = argmax_a′ Q_target(s′, a′) (or argmax of the online network with <see cref="DqnOptions.DoubleDqn"/>), through
/// the Huber loss, with Adam. The target network follows by Polyak averaging or periodic copies; actions are ε-greedy
/// with a linear ε schedule. Time-limit truncations bootstrap; only terminal states do not.
/// </remarks>
public sealed class DqnAgent : ICheckpointableAgent, IStepLearner
{
    private readonly DqnOptions _options;
    private readonly TrainedNetwork _online;
    private readonly TrainedNetwork _target;
    private readonly Node _mask;
    private readonly Node _targetValues;
    private readonly ReplayBuffer _buffer;
    private readonly EpisodeLoop _loop;
    private readonly int[] _indices;
    private readonly int _actions;
    private readonly int _observationSize;
    private long _steps;
    private long _updates;
    private double _lossSum;
    private int _lossCount;
    private int _episodes;

    /// <summary>Creates an agent for <paramref name="observationSize"/> observations and <paramref name="actions"/> actions; weights drawn from <paramref name="rng"/>.</summary>
    public DqnAgent(int observationSize, int actions, DqnOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        options.Validate();
        _options = options;
        _actions = actions;
        _observationSize = observationSize;
        var (graph, input, output, mask, target, loss) = ControlNetworks.ActionValues(observationSize, actions, options.Hidden, Activation.Relu, options.HuberDelta, rng);
        _online = new TrainedNetwork(graph, input, output, loss, options.BatchSize, new AdamOptions(LearningRate: options.LearningRate), options.MaxGradNorm);
        var t = ControlNetworks.ActionValues(observationSize, actions, options.Hidden, Activation.Relu, options.HuberDelta, new Rng(0));
        _target = new TrainedNetwork(t.Graph, t.Input, t.Output, null, options.BatchSize, null, 0);
        _online.UpdateTarget(_target, 1.0);
        _mask = mask;
        _targetValues = target;
        _buffer = new ReplayBuffer(options.BufferCapacity, observationSize);
        _indices = new int[options.BatchSize];
        _loop = new EpisodeLoop(Name, observationSize, actions);
    }

    /// <summary>Creates an agent sized for <paramref name="environment"/> (which must have a discrete action space).</summary>
    public DqnAgent(IControlEnvironment environment, DqnOptions options, Rng rng)
        : this(environment.ObservationSpace.Size, EpisodeLoop.RequireDiscrete("dqn", environment).N, options, rng)
    {
    }

    /// <inheritdoc />
    public string Name => "dqn";

    /// <summary>The options the agent was made with.</summary>
    public DqnOptions Options => _options;

    /// <summary>The current ε of the ε-greedy schedule.</summary>
    public double Epsilon => _options.EpsilonDecaySteps == 0 || _steps >= _options.EpsilonDecaySteps
        ? _options.EpsilonEnd
        : _options.EpsilonStart + ((_options.EpsilonEnd - _options.EpsilonStart) * _steps / _options.EpsilonDecaySteps);

    /// <summary>Q(s, ·) of the online network for one observation (a view valid until the next call).</summary>
    public ReadOnlySpan<float> QValues(ReadOnlySpan<float> observation) => _online.Evaluate(observation);

    /// <inheritdoc />
    public bool Learning { get; set; } = true;

    /// <inheritdoc />
    public IReadOnlyDictionary<string, FloatTensor> SaveWeights() => NetworkWeights.Save(("online", _online.Graph), ("target", _target.Graph));

    /// <inheritdoc />
    public void LoadWeights(IReadOnlyDictionary<string, FloatTensor> weights) => NetworkWeights.Load(weights, ("online", _online.Graph), ("target", _target.Graph));

    /// <inheritdoc />
    public int GreedyAction(ReadOnlySpan<float> observation) => ArgMax(_online.Evaluate(observation));

    /// <inheritdoc />
    /// <exception cref="Training.TrainingDivergedException">The episode's TD loss was NaN or infinite.</exception>
    public EpisodeResult RunEpisode(IControlEnvironment environment, Rng rng, CancellationToken cancellationToken = default)
    {
        _lossSum = 0;
        _lossCount = 0;
        _episodes++;
        var (ret, steps, terminated, truncated, states) = _loop.Run(environment, rng, this, cancellationToken);
        ControlDivergence.Check(Name, "TD loss", _lossSum, _episodes, "LearningRate");
        var diagnostics = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["epsilon"] = Epsilon,
            ["td_loss"] = _lossCount == 0 ? double.NaN : _lossSum / _lossCount,
            ["updates"] = _updates,
            ["lr_scale"] = _online.LearningRateScale,
        };
        return new EpisodeResult(ret, steps, terminated, truncated, states, diagnostics);
    }

    int IStepLearner.Act(ReadOnlySpan<float> observation, Rng rng)
    {
        if (_steps < _options.WarmupSteps || rng.NextDouble() < Epsilon)
        {
            return rng.NextInt(_actions);
        }

        return ArgMax(_online.Evaluate(observation));
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
            _online.LearningRateScale = TrainedNetwork.LearningRateScaleAt(_steps, _options.LearningRateDecaySteps, _options.FinalLearningRateFraction);
            for (int k = 0; k < _options.GradientSteps; k++)
            {
                _lossSum += Update(rng);
                _lossCount++;
            }
        }
    }

    private float Update(Rng rng)
    {
        int n = _options.BatchSize, a = _actions, o = _observationSize;
        _buffer.Sample(rng, _indices);
        var x = _online.Batch.Value(_online.Input).Span;
        var xNext = _target.Batch.Value(_target.Input).Span;
        for (int b = 0; b < n; b++)
        {
            _buffer.NextObservation(_indices[b]).CopyTo(xNext.Slice(b * o, o));
        }

        _target.Batch.Forward();
        var qNext = _target.Batch.Value(_target.Output).ReadOnlySpan;
        if (_options.DoubleDqn)
        {
            // Online argmax at s′: the online batch executor is reused for s′ before it is filled with s.
            xNext.CopyTo(x);
            _online.Batch.Forward();
        }

        var qOnlineNext = _online.Batch.Value(_online.Output).ReadOnlySpan;
        var mask = _online.Batch.Value(_mask).Span;
        var target = _online.Batch.Value(_targetValues).Span;
        mask.Clear();
        target.Clear();
        for (int b = 0; b < n; b++)
        {
            int i = _indices[b];
            var next = qNext.Slice(b * a, a);
            double bootstrap = _options.DoubleDqn ? next[ArgMax(qOnlineNext.Slice(b * a, a))] : next[ArgMax(next)];
            double y = _buffer.Reward(i) + (_buffer.Terminated(i) ? 0 : _options.Discount * bootstrap);
            int act = _buffer.Action(i);
            mask[(b * a) + act] = 1f;
            target[(b * a) + act] = (float)y;
        }

        for (int b = 0; b < n; b++)
        {
            _buffer.Observation(_indices[b]).CopyTo(x.Slice(b * o, o));
        }

        float loss = _online.TrainStep();
        _updates++;
        _online.FollowTarget(_target, _options.TargetTau, _options.TargetUpdateInterval, _updates);

        return loss;
    }

    internal static int ArgMax(ReadOnlySpan<float> values)
    {
        int best = 0;
        for (int j = 1; j < values.Length; j++)
        {
            if (values[j] > values[best])
            {
                best = j;
            }
        }

        return best;
    }
}
