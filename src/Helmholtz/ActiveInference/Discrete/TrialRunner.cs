using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Discrete;

/// <summary>What an agent learns between and within trials; learned parameters carry over from trial to trial.</summary>
/// <remarks>
/// pA: after every observation (the last one of the trial included), the modalities in <see cref="AModalities"/>
/// (pymdp's update_obs_likelihood_dirichlet). pB: after every move, with the beliefs before and after it. pD: once at the
/// end of each trial, with q(s) at the trial's first step for factors the agent controls and its final q(s) for factors
/// it does not control (a context does not change within a trial, so the final belief is the best one about its start).
/// </remarks>
/// <param name="AModalities">Modalities whose pA is learned; null or empty for none.</param>
/// <param name="LearnB">Learn pB (transitions).</param>
/// <param name="LearnD">Learn pD (initial states).</param>
public sealed record LearningSchedule(IReadOnlyList<int>? AModalities = null, bool LearnB = false, bool LearnD = false)
{
    /// <summary>No learning: every trial starts from the same model.</summary>
    public static LearningSchedule None { get; } = new();
}

/// <summary>One trial of a discrete agent in its environment.</summary>
/// <param name="Index">0-based trial index.</param>
/// <param name="Actions">The actions taken, one control per factor, in order.</param>
/// <param name="Observations">The observations, the first (after the reset) included: one more than <paramref name="Actions"/>.</param>
/// <param name="FinalState">The environment's true hidden state when the trial ended.</param>
/// <param name="FinalBeliefs">The agent's q(s) per factor after the last observation.</param>
public sealed record DiscreteTrial(int Index, int[][] Actions, int[][] Observations, int[] FinalState, double[][] FinalBeliefs)
{
    /// <summary>Number of actions (environment steps) in the trial.</summary>
    public int Steps => Actions.Length;

    /// <summary>The last observation.</summary>
    public int[] FinalObservation => Observations[^1];
}

/// <summary>Sees one step of a trial after policy inference: the trial and step indices, q(s) from this step's state inference, and the agent.</summary>
public delegate void StepObserver(int trial, int step, double[][] beliefs, Agent agent);

/// <summary>
/// Runs trials of a discrete active inference agent in an environment with a learning schedule: per step, state
/// inference → learning → policy inference → action → environment step, and at the trial's end a last state inference
/// and learning from the final observation.
/// </summary>
/// <example>
/// <code>
/// var maze = new TMaze();
/// var runner = new TrialRunner(maze, new Agent(TaskModels.ForTMaze(maze)));
/// var trials = runner.Run(100, new Rng(1));
/// </code>
/// </example>
public sealed class TrialRunner
{
    private readonly IDiscreteEnvironment _environment;
    private readonly LearningSchedule _schedule;

    /// <summary>Pairs <paramref name="agent"/> with <paramref name="environment"/>; <paramref name="schedule"/> says what it learns (none by default).</summary>
    /// <exception cref="ArgumentException">The schedule learns a parameter the agent's model has no Dirichlet counts for.</exception>
    public TrialRunner(IDiscreteEnvironment environment, Agent agent, LearningSchedule? schedule = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(agent);
        _environment = environment;
        Agent = agent;
        _schedule = schedule ?? LearningSchedule.None;
        if (_schedule.AModalities is { Count: > 0 } && agent.PA is null)
        {
            throw new ArgumentException("LearningSchedule.AModalities: the agent's model has no pA", nameof(schedule));
        }

        if (_schedule.LearnB && agent.PB is null)
        {
            throw new ArgumentException("LearningSchedule.LearnB: the agent's model has no pB", nameof(schedule));
        }

        if (_schedule.LearnD && agent.PD is null)
        {
            throw new ArgumentException("LearningSchedule.LearnD: the agent's model has no pD", nameof(schedule));
        }
    }

    /// <summary>The agent (its learned parameters are those after the trials run so far).</summary>
    public Agent Agent { get; }

    /// <summary>Called after each policy inference, before the action is drawn (to trace q(π), the EFE terms, …).</summary>
    public StepObserver? AfterPolicyInference { get; init; }

    /// <summary>Runs <paramref name="trials"/> trials with indices 0…trials−1; <paramref name="afterTrial"/> sees each as it ends (the environment still in its final state).</summary>
    public IReadOnlyList<DiscreteTrial> Run(int trials, Rng rng, Action<DiscreteTrial>? afterTrial = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(trials);
        var result = new List<DiscreteTrial>(trials);
        for (int trial = 0; trial < trials; trial++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var record = RunTrial(trial, rng, cancellationToken);
            afterTrial?.Invoke(record);
            result.Add(record);
        }

        return result;
    }

    /// <summary>Runs one trial, numbered <paramref name="index"/>, from a reset of the agent and the environment.</summary>
    /// <param name="index">The trial's number.</param>
    /// <param name="rng">The generator of the environment and of action sampling.</param>
    /// <param name="cancellationToken">Checked at every step and inside the policy search.</param>
    public DiscreteTrial RunTrial(int index, Rng rng, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var agent = Agent;
        var learnA = _schedule.AModalities is { Count: > 0 } m ? m.ToArray() : null;
        agent.Reset();
        var obs = _environment.Reset(rng);
        var actions = new List<int[]>();
        var observations = new List<int[]> { obs };
        double[][]? first = null;
        double[][]? previous = null;
        bool done = false;
        double[][] qs;
        while (true)
        {
            qs = agent.InferStates(obs);
            first ??= Clone(qs);
            if (learnA is not null)
            {
                agent.UpdateA(obs, learnA);
            }

            if (_schedule.LearnB && previous is not null)
            {
                agent.UpdateB(previous);
            }

            if (done)
            {
                break;
            }

            if (_schedule.LearnB)
            {
                previous = Clone(agent.Qs);
            }

            cancellationToken.ThrowIfCancellationRequested();
            agent.InferPolicies(cancellationToken);
            AfterPolicyInference?.Invoke(index, actions.Count, qs, agent);
            var action = agent.SampleAction(rng);
            actions.Add(action);
            (obs, done) = _environment.Step(action, rng);
            observations.Add(obs);
        }

        var final = Clone(qs);
        if (_schedule.LearnD)
        {
            var controls = agent.Model.NumControls;
            agent.UpdateD(Enumerable.Range(0, final.Length).Select(f => controls[f] > 1 ? first[f] : final[f]).ToArray());
        }

        return new DiscreteTrial(index, [.. actions], [.. observations], [.. _environment.State], final);
    }

    private static double[][] Clone(double[][] q) => q.Select(x => (double[])x.Clone()).ToArray();
}
