using Helmholtz.Tensors;

namespace Helmholtz.Environments;

/// <summary>The outcome of one environment step, apart from the observation (written into the caller's buffer).</summary>
/// <param name="Reward">The reward of the transition (a Python float in Gymnasium, so double here).</param>
/// <param name="Terminated">Whether the task's own terminal condition holds in the new state (goal reached, pole fell).</param>
/// <param name="Truncated">Whether the time limit ended the episode: the step count reached the maximum episode length.</param>
public readonly record struct StepResult(double Reward, bool Terminated, bool Truncated)
{
    /// <summary>Whether the episode is over (terminated or truncated); the environment must then be reset.</summary>
    public bool Done => Terminated || Truncated;
}

/// <summary>One step's outcome with its observation in a fresh array (the allocating convenience form).</summary>
/// <param name="Observation">The observation after the step, as Gymnasium returns it (float32).</param>
/// <param name="Reward">The reward of the transition.</param>
/// <param name="Terminated">Whether the task's terminal condition holds.</param>
/// <param name="Truncated">Whether the time limit ended the episode.</param>
public sealed record Transition(float[] Observation, double Reward, bool Terminated, bool Truncated);

/// <summary>
/// A control task with continuous (float32 box) observations, stepped one action at a time, with Gymnasium's
/// reset/step semantics and its <c>TimeLimit</c> wrapper built in.
/// </summary>
/// <remarks>
/// <para>The internal state is double precision (as in Gymnasium's float64 NumPy state); observations are float32,
/// cast from the state exactly where Gymnasium casts them.</para>
/// <para>Time limit (Gymnasium's <c>TimeLimit</c>): <see cref="Reset(Rng, Span{float})"/> and
/// <see cref="SetState"/> set the step count to 0; each step adds one and reports <c>truncated</c> once the count
/// reaches <see cref="MaxEpisodeSteps"/>. Terminated and truncated can both be true on the same step.</para>
/// <para>Stepping before a reset, or after a step that ended the episode, throws <see cref="InvalidOperationException"/>
/// (Gymnasium only warns there and its results are undefined). A discrete action outside <see cref="ActionSpace"/>, and a
/// box action of the wrong length or with a non-finite element, throws <see cref="ArgumentException"/> naming the action
/// and the space; a finite box action outside the box is clipped where Gymnasium clips it (or throws under
/// <c>ControlEnvironmentOptions.StrictActions</c>). A step that overflows from an extreme finite state throws
/// <c>EnvironmentOverflowException</c>.</para>
/// <para>Not thread-safe: use one instance per thread.</para>
/// </remarks>
public interface IControlEnvironment
{
    /// <summary>The catalogue name (e.g. <c>cartpole</c>); see <c>EnvironmentCatalog</c>.</summary>
    string Name { get; }

    /// <summary>The observation space: a float32 box.</summary>
    BoxSpace ObservationSpace { get; }

    /// <summary>The action space: a <see cref="DiscreteSpace"/> or a <see cref="BoxSpace"/>.</summary>
    Space ActionSpace { get; }

    /// <summary>The number of elements of the internal state (see <see cref="SetState"/> for each environment's layout).</summary>
    int StateSize { get; }

    /// <summary>The time limit: the step at which <c>truncated</c> becomes true (Gymnasium's <c>max_episode_steps</c>).</summary>
    int MaxEpisodeSteps { get; }

    /// <summary>The task's goal: its success rule and solve threshold (a task with none: episodes that terminate succeed, never solved).</summary>
    TaskGoal Goal => TaskGoal.Terminal;

    /// <summary>The number of steps taken since the last reset or <see cref="SetState"/>.</summary>
    int ElapsedSteps { get; }

    /// <summary>Whether the last step ended the episode (or no episode has started): stepping now throws.</summary>
    bool NeedsReset { get; }

    /// <summary>Draws an initial state from the task's initial-state distribution and writes its observation.</summary>
    /// <param name="rng">The random source; the draws follow Gymnasium's distributions, not NumPy's numbers.</param>
    /// <param name="observation">Receives the observation; its length must be <see cref="ObservationSpace"/>.Size.</param>
    void Reset(Rng rng, Span<float> observation);

    /// <summary>Sets the internal state explicitly (for tests, planning and the CLI), starts a new episode and writes its observation.</summary>
    /// <param name="state">The state in the environment's documented layout; all values finite; length <see cref="StateSize"/>.</param>
    /// <param name="observation">Receives the observation.</param>
    void SetState(ReadOnlySpan<double> state, Span<float> observation);

    /// <summary>Copies the internal state into <paramref name="destination"/> (length <see cref="StateSize"/>).</summary>
    void GetState(Span<double> destination);

    /// <summary>Applies a discrete action (requires a <see cref="DiscreteSpace"/>) and writes the new observation.</summary>
    StepResult Step(int action, Span<float> observation);

    /// <summary>
    /// Applies a box action (requires a <see cref="BoxSpace"/>; a discrete space accepts a one-element span holding an
    /// integral index) and writes the new observation.
    /// </summary>
    StepResult Step(ReadOnlySpan<float> action, Span<float> observation);
}

/// <summary>Allocating conveniences over <see cref="IControlEnvironment"/> for code outside hot loops.</summary>
public static class ControlEnvironmentExtensions
{
    /// <summary>Resets with a generator seeded by <paramref name="seed"/> and returns the observation in a new array.</summary>
    public static float[] Reset(this IControlEnvironment environment, ulong seed) => environment.Reset(new Rng(seed));

    /// <summary>Resets from <paramref name="rng"/> and returns the observation in a new array.</summary>
    public static float[] Reset(this IControlEnvironment environment, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var observation = new float[environment.ObservationSpace.Size];
        environment.Reset(rng, observation);
        return observation;
    }

    /// <summary>Sets the internal state and returns the observation in a new array.</summary>
    public static float[] SetState(this IControlEnvironment environment, ReadOnlySpan<double> state)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var observation = new float[environment.ObservationSpace.Size];
        environment.SetState(state, observation);
        return observation;
    }

    /// <summary>Returns a copy of the internal state.</summary>
    public static double[] GetState(this IControlEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var state = new double[environment.StateSize];
        environment.GetState(state);
        return state;
    }

    /// <summary>Applies a discrete action and returns the transition with a new observation array.</summary>
    public static Transition Step(this IControlEnvironment environment, int action)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var observation = new float[environment.ObservationSpace.Size];
        var r = environment.Step(action, observation);
        return new Transition(observation, r.Reward, r.Terminated, r.Truncated);
    }

    /// <summary>Applies a box action and returns the transition with a new observation array.</summary>
    public static Transition Step(this IControlEnvironment environment, ReadOnlySpan<float> action)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var observation = new float[environment.ObservationSpace.Size];
        var r = environment.Step(action, observation);
        return new Transition(observation, r.Reward, r.Terminated, r.Truncated);
    }
}
