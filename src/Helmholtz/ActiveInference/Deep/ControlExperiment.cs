using System.Diagnostics;
using Helmholtz.Environments;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep;

/// <summary>One episode of a control experiment.</summary>
/// <param name="Episode">The agent's number of the episode (<see cref="IControlAgent.EpisodeNumber"/>).</param>
/// <param name="Result">What the episode produced.</param>
/// <param name="Success">Whether it reached the task's goal (<see cref="TaskGoal.IsSuccess"/>).</param>
/// <param name="MovingMean">The mean return over the last solve-window episodes, this one included.</param>
/// <param name="Seconds">Wall time of the episode.</param>
public sealed record EpisodeRecord(int Episode, EpisodeResult Result, bool Success, double MovingMean, double Seconds);

/// <summary>The outcome of a control experiment.</summary>
/// <param name="Episodes">Every episode, in order.</param>
/// <param name="FirstSuccessEpisode">The number of the first successful episode, or null.</param>
/// <param name="SolvedEpisode">The number of the first episode at which the moving mean reached the task's solve threshold (after a full window), or null.</param>
public sealed record ControlExperimentResult(IReadOnlyList<EpisodeRecord> Episodes, int? FirstSuccessEpisode, int? SolvedEpisode)
{
    /// <summary>The episode returns, in order.</summary>
    public double[] Returns => Episodes.Select(e => e.Result.Return).ToArray();

    /// <summary>The number of successful episodes.</summary>
    public int Successes => Episodes.Count(e => e.Success);

    /// <summary>The final moving mean of the returns (NaN for none).</summary>
    public double FinalMean => Episodes.Count == 0 ? double.NaN : Episodes[^1].MovingMean;
}

/// <summary>
/// Trains an agent on a control task for a number of episodes and keeps the bookkeeping: each episode's return,
/// success (the environment's <see cref="TaskGoal"/>), the moving mean, the first success and the solved episode.
/// </summary>
/// <example>
/// <code>
/// var env = new CartPole();
/// var rng = new Rng(1);
/// var result = new ControlExperiment(env, new DqnAgent(env, new DqnOptions(), rng.Fork())).Run(300, rng);
/// </code>
/// </example>
public sealed class ControlExperiment
{
    private readonly IControlEnvironment _environment;
    private readonly IControlAgent _agent;
    private readonly int _window;

    /// <summary>Pairs <paramref name="agent"/> with <paramref name="environment"/>; "solved" is a moving mean over <paramref name="solveWindow"/> episodes.</summary>
    public ControlExperiment(IControlEnvironment environment, IControlAgent agent, int solveWindow = 100)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(solveWindow);
        _environment = environment;
        _agent = agent;
        _window = solveWindow;
    }

    /// <summary>Runs <paramref name="episodes"/> episodes; <paramref name="afterEpisode"/> sees each record as it ends.</summary>
    /// <remarks>Solved: the first run (1-based) at or after the window-th whose moving mean reaches the threshold, within 1e-9.</remarks>
    public ControlExperimentResult Run(int episodes, Rng rng, Action<EpisodeRecord>? afterEpisode = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfNegative(episodes);
        var goal = _environment.Goal;
        var records = new List<EpisodeRecord>(episodes);
        var returns = new List<double>(episodes);
        int? firstSuccess = null, solved = null;
        for (int run = 1; run <= episodes; run++)
        {
            int k = _agent.EpisodeNumber(run);
            var clock = Stopwatch.StartNew();
            var r = _agent.RunEpisode(_environment, rng, cancellationToken);
            returns.Add(r.Return);
            bool success = goal.IsSuccess(r.Return, r.Terminated, r.Truncated);
            if (success)
            {
                firstSuccess ??= k;
            }

            double mean = ControlTasks.MovingMean(returns, _window);
            if (solved is null && goal.SolveThreshold is { } t && run >= _window && mean >= t - 1e-9)
            {
                solved = k;
            }

            var record = new EpisodeRecord(k, r, success, mean, clock.Elapsed.TotalSeconds);
            records.Add(record);
            afterEpisode?.Invoke(record);
        }

        return new ControlExperimentResult(records, firstSuccess, solved);
    }
}
