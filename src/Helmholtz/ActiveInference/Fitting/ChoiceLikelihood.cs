using Helmholtz.ActiveInference.Discrete;

namespace Helmholtz.ActiveInference.Fitting;

/// <summary>The likelihood of a subject's choices under an agent: what a fit needs from an agent implementation.</summary>
/// <remarks>
/// Batch-shaped so that an implementation that steps many agents at once can evaluate a whole batch of parameter sets
/// (a finite-difference gradient, a Hessian) in one pass; <see cref="AgentChoiceLikelihood"/> replays them one by one.
/// </remarks>
public interface IChoiceLikelihood
{
    /// <summary>destination[i] = ln p(the session's actions | its observations, parameters[i]).</summary>
    void LogLikelihoods(BehaviourSession session, ReadOnlySpan<AgentParameters> parameters, Span<double> destination, CancellationToken cancellationToken = default);
}

/// <summary>
/// The choice likelihood of the single <see cref="Agent"/>: replays each trial as <see cref="TrialRunner"/> runs it
/// (infer states → learn → infer policies → the observed action) and sums ln P(observed action) =
/// Σ_f ln <see cref="Agent.ActionProbabilities"/>[f][u_f] over the choices.
/// </summary>
/// <param name="model">The model and learning schedule subjects are fitted with.</param>
public sealed class AgentChoiceLikelihood(BehaviourModel model) : IChoiceLikelihood
{
    /// <summary>The model and learning schedule.</summary>
    public BehaviourModel Model { get; } = model ?? throw new ArgumentNullException(nameof(model));

    /// <inheritdoc/>
    public void LogLikelihoods(BehaviourSession session, ReadOnlySpan<AgentParameters> parameters, Span<double> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        if (destination.Length < parameters.Length)
        {
            throw new ArgumentException("destination is shorter than parameters", nameof(destination));
        }

        for (int i = 0; i < parameters.Length; i++)
        {
            destination[i] = LogLikelihood(session, parameters[i], null, cancellationToken);
        }
    }

    /// <summary>ln p(actions | observations, <paramref name="parameters"/>) of one session.</summary>
    public double LogLikelihood(BehaviourSession session, AgentParameters parameters, CancellationToken cancellationToken = default) =>
        LogLikelihood(session, parameters, null, cancellationToken);

    /// <summary>ln P of every choice of the session, in order (trial by trial, step by step).</summary>
    public double[] ChoiceLogProbabilities(BehaviourSession session, AgentParameters parameters, CancellationToken cancellationToken = default)
    {
        var each = new List<double>();
        LogLikelihood(session, parameters, each, cancellationToken);
        return [.. each];
    }

    /// <summary>Replays the session through an agent with <paramref name="parameters"/> and returns the agent (its learned parameters after the last trial).</summary>
    public Agent Replay(BehaviourSession session, AgentParameters parameters, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var agent = new Agent(Model.Build(parameters));
        foreach (var trial in session.Trials)
        {
            ReplayTrial(agent, trial, null, cancellationToken);
        }

        return agent;
    }

    private double LogLikelihood(BehaviourSession session, AgentParameters parameters, List<double>? each, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(session);
        var agent = new Agent(Model.Build(parameters));
        double total = 0;
        foreach (var trial in session.Trials)
        {
            total += ReplayTrial(agent, trial, each, ct);
        }

        return total;
    }

    // The order of TrialRunner.RunTrial, with the recorded action in place of a sampled one.
    private double ReplayTrial(Agent agent, BehaviourTrial trial, List<double>? each, CancellationToken ct)
    {
        var schedule = Model.Schedule;
        var learnA = schedule.AModalities is { Count: > 0 } m ? m : null;
        if (trial.Observations.Length != trial.Actions.Length + 1)
        {
            throw new ModelException($"trial: {trial.Observations.Length} observations for {trial.Actions.Length} actions; a trial has one more observation than actions");
        }

        agent.Reset();
        double total = 0;
        double[][]? first = null;
        double[][]? previous = null;
        double[][] qs;
        int t = 0;
        while (true)
        {
            var obs = trial.Observations[t];
            qs = agent.InferStates(obs);
            first ??= Clone(qs);
            if (learnA is not null)
            {
                agent.UpdateA(obs, learnA);
            }

            if (schedule.LearnB && previous is not null)
            {
                agent.UpdateB(previous);
            }

            if (t == trial.Actions.Length)
            {
                break;
            }

            if (schedule.LearnB)
            {
                previous = Clone(agent.Qs);
            }

            ct.ThrowIfCancellationRequested();
            agent.InferPolicies(ct);
            var p = agent.ActionProbabilities();
            var action = trial.Actions[t];
            double lp = 0;
            for (int f = 0; f < p.Length; f++)
            {
                lp += Math.Log(p[f][action[f]]);
            }

            each?.Add(lp);
            total += lp;
            agent.TakeAction(action);
            t++;
        }

        if (schedule.LearnD)
        {
            var controls = agent.Model.NumControls;
            agent.UpdateD(Enumerable.Range(0, qs.Length).Select(f => controls[f] > 1 ? first[f] : qs[f]).ToArray());
        }

        return total;
    }

    private static double[][] Clone(double[][] q) => q.Select(x => (double[])x.Clone()).ToArray();
}
