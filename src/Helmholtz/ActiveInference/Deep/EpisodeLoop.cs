using Helmholtz.Environments;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep;

/// <summary>What a per-step learner does inside <see cref="EpisodeLoop"/>: choose an action, then learn from the transition.</summary>
internal interface IStepLearner
{
    /// <summary>Chooses a discrete action for observation <paramref name="observation"/>.</summary>
    int Act(ReadOnlySpan<float> observation, Rng rng);

    /// <summary>Stores the transition and takes its learning step(s).</summary>
    void Observe(ReadOnlySpan<float> observation, int action, double reward, ReadOnlySpan<float> nextObservation, bool terminated, Rng rng);
}

/// <summary>The shared act–step–learn loop of the per-step agents (DQN, deep active inference).</summary>
/// <remarks>Buffers are made once per environment shape; the loop allocates only the episode's state record.</remarks>
internal sealed class EpisodeLoop
{
    private float[] _observation = [];
    private float[] _next = [];
    private double[] _states = [];
    private readonly string _agentName;
    private readonly int _observationSize;
    private readonly int _actions;

    public EpisodeLoop(string agentName, int observationSize, int actions)
    {
        _agentName = agentName;
        _observationSize = observationSize;
        _actions = actions;
    }

    /// <summary>Checks that <paramref name="environment"/> has the observation size and discrete action count the agent was built for.</summary>
    public static DiscreteSpace RequireDiscrete(string agentName, IControlEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment.ActionSpace as DiscreteSpace ?? throw new ArgumentException(
            $"Agent '{agentName}' needs a discrete action space; {environment.Name} has {environment.ActionSpace}.");
    }

    public (double Return, int Steps, bool Terminated, bool Truncated, double[] States) Run(
        IControlEnvironment environment, Rng rng, IStepLearner learner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var space = RequireDiscrete(_agentName, environment);
        if (space.N != _actions || environment.ObservationSpace.Size != _observationSize)
        {
            throw new ArgumentException(
                $"Agent '{_agentName}' was built for {_observationSize} observations and {_actions} actions; {environment.Name} has {environment.ObservationSpace.Size} and {space.N}.");
        }

        if (_observation.Length != _observationSize)
        {
            _observation = new float[_observationSize];
            _next = new float[_observationSize];
        }

        int stateSize = environment.StateSize;
        int maxSteps = environment.MaxEpisodeSteps;
        if (_states.Length < (long)stateSize * maxSteps)
        {
            _states = new double[stateSize * maxSteps];
        }

        environment.Reset(rng, _observation);
        double total = 0;
        int steps = 0;
        StepResult r;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            int action = learner.Act(_observation, rng);
            r = environment.Step(action, _next);
            if (steps < maxSteps)
            {
                environment.GetState(_states.AsSpan(steps * stateSize, stateSize));
            }

            steps++;
            total += r.Reward;
            learner.Observe(_observation, action, r.Reward, _next, r.Terminated, rng);
            (_observation, _next) = (_next, _observation);
        }
        while (!r.Done);

        return (total, steps, r.Terminated, r.Truncated, _states.AsSpan(0, Math.Min(steps, maxSteps) * stateSize).ToArray());
    }
}
