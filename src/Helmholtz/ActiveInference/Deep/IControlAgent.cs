using Helmholtz.Environments;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep;

/// <summary>What one episode of an agent in a control environment produced.</summary>
/// <param name="Return">Sum of the environment's rewards.</param>
/// <param name="Steps">Environment steps taken.</param>
/// <param name="Terminated">The episode ended by the task's termination rule (e.g. the goal was reached, the pole fell).</param>
/// <param name="Truncated">The episode ended at the time limit.</param>
/// <param name="States">The internal state after each step, flattened row by row ([Steps, StateSize]), for coverage plots.</param>
/// <param name="Diagnostics">Agent-specific per-episode numbers (losses, mean information gain, γ, …) by name.</param>
public sealed record EpisodeResult(
    double Return, int Steps, bool Terminated, bool Truncated, double[] States, IReadOnlyDictionary<string, double> Diagnostics);

/// <summary>An agent that learns to act in an <see cref="IControlEnvironment"/>, one episode at a time.</summary>
/// <remarks>
/// Each agent owns its loop (act every step, learn per step or per episode), so that per-step learners (DQN, deep
/// active inference) and per-episode planners (model refit, then planning at every step) share one driver.
/// </remarks>
public interface IControlAgent
{
    /// <summary>The agent's name (e.g. <c>deep-aif</c>, <c>dqn</c>, <c>planner</c>), as run records show it.</summary>
    string Name { get; }

    /// <summary>Runs one episode from a reset drawn with <paramref name="rng"/>, learning as the agent does.</summary>
    EpisodeResult RunEpisode(IControlEnvironment environment, Rng rng, CancellationToken cancellationToken = default);

    /// <summary>The number the agent gives its <paramref name="run"/>-th episode (1-based); an agent with unplanned seed episodes numbers them from 0 down.</summary>
    int EpisodeNumber(int run) => run;
}

/// <summary>The options record of a control agent (<see cref="DeepAifOptions"/>, <see cref="DqnOptions"/>,
/// <see cref="Planning.PlannerOptions"/>): what <see cref="ControlAgentFactory.Create"/> builds an agent from.</summary>
public interface IControlAgentOptions;
