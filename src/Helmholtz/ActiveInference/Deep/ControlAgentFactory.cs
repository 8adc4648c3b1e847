using Helmholtz.ActiveInference.Deep.Planning;
using Helmholtz.Environments;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep;

/// <summary>The agent factory of control experiments: an agent's typed options record → the agent, checked against the environment's action space.</summary>
/// <remarks>
/// <see cref="DeepAifOptions"/> → <see cref="DeepAifAgent"/>, <see cref="DqnOptions"/> → <see cref="DqnAgent"/> (both need
/// a discrete action space), <see cref="PlannerOptions"/> → <see cref="PlanningAgent"/> (a continuous one; its seed is
/// the next draw of the generator). To add an agent, add its options record and an arm here.
/// </remarks>
public static class ControlAgentFactory
{
    /// <summary>Checks that an agent with <paramref name="options"/> can act in <paramref name="environment"/>.</summary>
    /// <exception cref="ArgumentException">The options are of no known agent, or the action space does not fit; the message says which spaces fit.</exception>
    public static void Check(IControlEnvironment environment, IControlAgentOptions options)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(options);
        switch (options)
        {
            case PlannerOptions planner:
                if (environment.ActionSpace is not BoxSpace)
                {
                    throw new ArgumentException($"Agent 'planner' needs a continuous action space; {environment.Name} has {environment.ActionSpace}. Use sparse-mountaincar, mountaincar-continuous or pendulum.");
                }

                planner.Validate();
                break;
            case DeepAifOptions or DqnOptions:
                if (environment.ActionSpace is not DiscreteSpace)
                {
                    throw new ArgumentException(
                        $"Agent '{(options is DqnOptions ? "dqn" : "deep-aif")}' needs a discrete action space; {environment.Name} has {environment.ActionSpace}. Use cartpole, acrobot or mountaincar.");
                }

                break;
            default:
                throw new ArgumentException($"{options.GetType().Name}: not the options of a control agent (DeepAifOptions, DqnOptions or PlannerOptions).", nameof(options));
        }
    }

    /// <summary>Creates the agent that <paramref name="options"/> describes for <paramref name="environment"/>; its weights (or seed) come from <paramref name="rng"/>.</summary>
    public static IControlAgent Create(IControlEnvironment environment, IControlAgentOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        Check(environment, options);
        return options switch
        {
            DeepAifOptions d => new DeepAifAgent(environment, d, rng),
            DqnOptions q => new DqnAgent(environment, q, rng),
            PlannerOptions p => new PlanningAgent(environment, p, rng.NextUInt64()),
            _ => throw new ArgumentException($"{options.GetType().Name}: not the options of a control agent.", nameof(options)),
        };
    }
}
