using Helmholtz.Data;
using Helmholtz.Environments;
using Helmholtz.Graphs;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep;

/// <summary>A control agent whose learned weights can be copied out and back, that can act greedily, and whose learning can be switched off.</summary>
/// <remarks>DQN and deep active inference implement it; the planner (which refits a model every episode) does not.</remarks>
public interface ICheckpointableAgent : IControlAgent
{
    /// <summary>Whether the agent learns from what it sees (true, the default); false: it acts as before but stores and learns nothing.</summary>
    bool Learning { get; set; }

    /// <summary>A copy of every network's weights, by network-prefixed parameter name (e.g. <c>online.layers.0.weight</c>).</summary>
    IReadOnlyDictionary<string, FloatTensor> SaveWeights();

    /// <summary>Overwrites the weights with <paramref name="weights"/> (as <see cref="SaveWeights"/> returned them).</summary>
    /// <exception cref="ArgumentException">A parameter is missing or has another shape.</exception>
    void LoadWeights(IReadOnlyDictionary<string, FloatTensor> weights);

    /// <summary>The greedy action for <paramref name="observation"/>: argmax Q (DQN) or argmax q(a|s) (deep active inference).</summary>
    int GreedyAction(ReadOnlySpan<float> observation);
}

/// <summary>Copies of graphs' parameters under network prefixes: what <see cref="ICheckpointableAgent"/> implementations share.</summary>
internal static class NetworkWeights
{
    public static IReadOnlyDictionary<string, FloatTensor> Save(params (string Prefix, Graph Graph)[] networks)
    {
        var all = new Dictionary<string, FloatTensor>(StringComparer.Ordinal);
        foreach (var (prefix, graph) in networks)
        {
            foreach (var p in graph.Parameters)
            {
                var copy = new FloatTensor(p.Value.Shape.ToArray());
                p.Value.ReadOnlySpan.CopyTo(copy.Span);
                all[$"{prefix}.{p.Name}"] = copy;
            }
        }

        return all;
    }

    public static void Load(IReadOnlyDictionary<string, FloatTensor> weights, params (string Prefix, Graph Graph)[] networks)
    {
        ArgumentNullException.ThrowIfNull(weights);
        foreach (var (prefix, graph) in networks)
        {
            foreach (var p in graph.Parameters)
            {
                string name = $"{prefix}.{p.Name}";
                if (!weights.TryGetValue(name, out var w) || !w.Shape.SequenceEqual(p.Value.Shape))
                {
                    throw new ArgumentException($"Weights: '{name}' is missing or has another shape.", nameof(weights));
                }

                w.ReadOnlySpan.CopyTo(p.Value.Span);
            }
        }
    }
}

/// <summary>How <see cref="BestCheckpoint"/> scores weights by greedy play: every <paramref name="Every"/> training episodes, <paramref name="Episodes"/> greedy episodes in <paramref name="Environment"/>.</summary>
/// <param name="Environment">An environment of its own (not the one training steps), so that evaluation leaves training untouched.</param>
/// <param name="Every">Training episodes between evaluations.</param>
/// <param name="Episodes">Greedy episodes per evaluation.</param>
/// <param name="Seed">Seed of the evaluation resets (each evaluation draws from Seed and the episode number).</param>
public sealed record GreedySelection(IControlEnvironment Environment, int Every = 50, int Episodes = 10, ulong Seed = 0);

/// <summary>
/// Keeps the weights of a training run's best stretch: after each episode (<see cref="Observe"/>) the weights are copied
/// when the moving mean of the returns (over the experiment's window, once the window is full) beats the best so far,
/// or, with a <see cref="GreedySelection"/>, when a periodic greedy evaluation beats the best evaluation so far.
/// </summary>
/// <remarks>
/// The moving mean averages the returns of 100 different sets of weights (the agent learns during the window), so the
/// weights at the end of the best window can play worse than that mean; greedy selection scores the weights themselves.
/// Neither changes training: evaluation uses its own environment and generator, and learning is off while it runs.
/// </remarks>
/// <example><code>
/// var best = new BestCheckpoint(agent);
/// new ControlExperiment(env, agent).Run(1500, rng, best.Observe);
/// agent.LoadWeights(best.Weights!);
/// </code></example>
public sealed class BestCheckpoint
{
    private readonly ICheckpointableAgent _agent;
    private readonly int _window;

    /// <summary>Watches <paramref name="agent"/>; the moving mean must cover <paramref name="window"/> episodes before a copy is kept.</summary>
    /// <param name="agent">The agent whose weights are kept.</param>
    /// <param name="window">Episodes the moving mean covers.</param>
    /// <param name="greedy">Score by periodic greedy evaluation instead of the moving mean (null: the moving mean).</param>
    public BestCheckpoint(ICheckpointableAgent agent, int window = 100, GreedySelection? greedy = null)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        if (greedy is not null)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(greedy.Every);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(greedy.Episodes);
        }

        _agent = agent;
        _window = window;
        _greedy = greedy;
    }

    private readonly GreedySelection? _greedy;

    /// <summary>The best score so far: the moving mean, or with greedy selection the best greedy mean (NaN before the first).</summary>
    public double BestMean { get; private set; } = double.NaN;

    /// <summary>The episode at which <see cref="BestMean"/> was reached (0 before).</summary>
    public int BestEpisode { get; private set; }

    /// <summary>The weights at <see cref="BestEpisode"/>, or null before the window is full.</summary>
    public IReadOnlyDictionary<string, FloatTensor>? Weights { get; private set; }

    private int _seen;

    /// <summary>Takes one finished episode (pass it as <see cref="ControlExperiment.Run"/>'s afterEpisode).</summary>
    public void Observe(EpisodeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _seen++;
        if (_greedy is { } g)
        {
            if (_seen % g.Every == 0)
            {
                double mean = GreedyEvaluation.Run(g.Environment, _agent, g.Episodes, new Rng(g.Seed ^ ((ulong)_seen * 0x9E3779B97F4A7C15UL))).Average();
                if (double.IsNaN(BestMean) || mean > BestMean)
                {
                    (BestMean, BestEpisode, Weights) = (mean, record.Episode, _agent.SaveWeights());
                }
            }

            return;
        }

        if (_seen >= _window && (double.IsNaN(BestMean) || record.MovingMean > BestMean))
        {
            (BestMean, BestEpisode, Weights) = (record.MovingMean, record.Episode, _agent.SaveWeights());
        }
    }

    /// <summary>Writes <see cref="Weights"/> as safetensors with the best mean and episode in the metadata; false when there is nothing yet.</summary>
    public bool Save(string path)
    {
        if (Weights is null)
        {
            return false;
        }

        SafetensorsFile.Write(path, Weights, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "helmholtz-control-agent-1",
            ["agent"] = _agent.Name,
            ["best_mean"] = BestMean.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ["best_episode"] = BestEpisode.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["window"] = _window.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["selection"] = _greedy is null ? "moving-mean" : $"greedy {_greedy.Episodes} episodes every {_greedy.Every}",
        });
        return true;
    }
}

/// <summary>Greedy evaluation of an agent: episodes with argmax actions and no learning.</summary>
public static class GreedyEvaluation
{
    /// <summary>Runs <paramref name="episodes"/> greedy episodes of <paramref name="agent"/> in <paramref name="environment"/> (its learning switched off meanwhile) and returns their returns.</summary>
    public static double[] Run(IControlEnvironment environment, ICheckpointableAgent agent, int episodes, Rng rng, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegative(episodes);
        bool learning = agent.Learning;
        agent.Learning = false;
        try
        {
            var observation = new float[environment.ObservationSpace.Size];
            var next = new float[observation.Length];
            var returns = new double[episodes];
            for (int e = 0; e < episodes; e++)
            {
                environment.Reset(rng, observation);
                double total = 0;
                StepResult r;
                do
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    r = environment.Step(agent.GreedyAction(observation), next);
                    total += r.Reward;
                    (observation, next) = (next, observation);
                }
                while (!r.Done);
                returns[e] = total;
            }

            return returns;
        }
        finally
        {
            agent.Learning = learning;
        }
    }
}

/// <summary>
/// Stops an agent's learning the first time the moving mean of its returns reaches the task's solve threshold, so that
/// continued learning cannot undo what it learned (CartPole's collapse after solving is a learning effect, not a loss
/// of the weights: docs/deep-active-inference.md). Pass <see cref="Observe"/> as <see cref="ControlExperiment.Run"/>'s afterEpisode.
/// </summary>
public sealed class FreezeWhenSolved
{
    private readonly ICheckpointableAgent _agent;
    private readonly double _threshold;
    private readonly int _window;
    private int _seen;

    /// <summary>Watches <paramref name="agent"/>; freezes it once <paramref name="window"/> episodes are in and their mean reaches <paramref name="threshold"/>.</summary>
    public FreezeWhenSolved(ICheckpointableAgent agent, double threshold, int window = 100)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        (_agent, _threshold, _window) = (agent, threshold, window);
    }

    /// <summary>The episode after which learning stopped, or null while the agent still learns.</summary>
    public int? FrozenAt { get; private set; }

    /// <summary>Takes one finished episode.</summary>
    public void Observe(EpisodeRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        _seen++;
        if (FrozenAt is null && _seen >= _window && record.MovingMean >= _threshold - 1e-9)
        {
            _agent.Learning = false;
            FrozenAt = record.Episode;
        }
    }
}
