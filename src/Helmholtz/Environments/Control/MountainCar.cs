using Helmholtz.Tensors;

namespace Helmholtz.Environments.Control;

/// <summary>MountainCar-v0: drive an underpowered car up a hill by rocking it, with three discrete pushes (Moore 1990).</summary>
/// <remarks>
/// <para>State [position, velocity] (float64); observation the same cast to float32. Actions 0, 1, 2 push left,
/// not at all, right.</para>
/// <para>Dynamics: v ← clip(v + (a − 1)·0.001 − 0.0025·cos(3x), −0.07, 0.07); x ← clip(x + v, −1.2, 0.6);
/// v ← 0 when x = −1.2 and v &lt; 0 (an inelastic left wall).</para>
/// <para>Reward −1 per step. Terminated when x ≥ 0.5 and v ≥ 0. Truncated at 200 steps.
/// Reset: x ~ U(−0.6, −0.4), v = 0.</para>
/// </remarks>
public sealed class MountainCar : ControlEnvironment
{
    /// <summary>Goal: Gymnasium's reward_threshold −110; success: the car reached the flag.</summary>
    public override TaskGoal Goal { get; } = new(SuccessRule.Terminated, -110, NeedsExploration: true);

    /// <summary>Gymnasium's time limit for MountainCar-v0.</summary>
    public const int DefaultMaxEpisodeSteps = 200;

    internal const double MinPosition = -1.2;
    internal const double MaxPosition = 0.6;
    internal const double MaxSpeed = 0.07;
    private const double GoalPosition = 0.5;
    private const double Force = 0.001;
    private const double Gravity = 0.0025;

    /// <summary>Creates the task with Gymnasium's defaults, or another time limit.</summary>
    public MountainCar(int maxEpisodeSteps = DefaultMaxEpisodeSteps)
        : base("mountaincar", ObservationBox(), new DiscreteSpace(3), stateSize: 2, maxEpisodeSteps)
    {
    }

    internal static BoxSpace ObservationBox() =>
        new([(float)MinPosition, -(float)MaxSpeed], [(float)MaxPosition, (float)MaxSpeed]);

    internal static void SampleMountainCarState(Rng rng, Span<double> state)
    {
        state[0] = Uniform(rng, -0.6, -0.4);
        state[1] = 0.0;
    }

    private protected override string StateLayout => "position, velocity";

    private protected override void SampleInitialState(Rng rng, Span<double> state) => SampleMountainCarState(rng, state);

    private protected override void Observe(Span<float> observation)
    {
        observation[0] = (float)State[0];
        observation[1] = (float)State[1];
    }

    private protected override double Dynamics(int discreteAction, ReadOnlySpan<float> boxAction, out bool terminated)
    {
        var s = State;
        double position = s[0];
        double velocity = s[1];
        velocity += ((discreteAction - 1) * Force) + (Math.Cos(3 * position) * -Gravity);
        velocity = Math.Clamp(velocity, -MaxSpeed, MaxSpeed);
        position += velocity;
        position = Math.Clamp(position, MinPosition, MaxPosition);
        if (position == MinPosition && velocity < 0)
        {
            velocity = 0;
        }

        s[0] = position;
        s[1] = velocity;
        terminated = position >= GoalPosition && velocity >= 0;
        return -1.0;
    }
}

/// <summary>MountainCarContinuous-v0: the mountain car with a continuous force a ∈ [−1, 1] and an action cost.</summary>
/// <remarks>
/// <para>State [position, velocity]; Gymnasium keeps it as float32 after each step (computed in float64, then
/// rounded), and so does this class. Observation: the state as float32.</para>
/// <para>Dynamics: v ← clip(v + 0.0015·a − 0.0025·cos(3x), ±0.07); x ← clip(x + v, −1.2, 0.6); v ← 0 when x = −1.2
/// and v &lt; 0.</para>
/// <para>A force outside [−1, 1] is clipped into it for the dynamics (as Gymnasium does) unless
/// <see cref="ControlEnvironmentOptions.StrictActions"/> is set; the action cost below uses the unclipped a, as in
/// Gymnasium.</para>
/// <para>Reward 100·[terminated] − 0.1·a². Terminated when x ≥ 0.45 and v ≥ 0 (before the float32 rounding).
/// Truncated at 999 steps. Reset: x ~ U(−0.6, −0.4), v = 0 (float64 until the first step).</para>
/// </remarks>
public sealed class ContinuousMountainCar : ControlEnvironment
{
    /// <summary>Goal: Gymnasium's reward_threshold 90; success: the car reached the flag.</summary>
    public override TaskGoal Goal { get; } = new(SuccessRule.Terminated, 90, NeedsExploration: true);

    /// <summary>Gymnasium's time limit for MountainCarContinuous-v0.</summary>
    public const int DefaultMaxEpisodeSteps = 999;

    /// <summary>Creates the task with Gymnasium's defaults, or another time limit.</summary>
    public ContinuousMountainCar(int maxEpisodeSteps = DefaultMaxEpisodeSteps)
        : base("mountaincar-continuous", MountainCar.ObservationBox(), BoxSpace.Uniform(-1f, 1f, 1), stateSize: 2, maxEpisodeSteps)
    {
    }

    private protected override string StateLayout => "position, velocity";

    private protected override void SampleInitialState(Rng rng, Span<double> state) => MountainCar.SampleMountainCarState(rng, state);

    private protected override void Observe(Span<float> observation)
    {
        observation[0] = (float)State[0];
        observation[1] = (float)State[1];
    }

    private protected override double Dynamics(int discreteAction, ReadOnlySpan<float> boxAction, out bool terminated)
    {
        double a = boxAction[0];

        // Gymnasium clips the force, min(max(a, −1), 1), but charges the action cost on the unclipped a.
        terminated = ContinuousMountainCarDynamics.Step(State, ContinuousMountainCarDynamics.ClipForce(a));
        State[0] = (float)State[0];
        State[1] = (float)State[1];
        double reward = terminated ? 100.0 : 0.0;
        return reward - (a * a * 0.1);
    }
}

/// <summary>The sparse-reward mountain car of Tschantz et al. (2020), "Reinforcement learning through active inference".</summary>
/// <remarks>
/// <para>The dynamics, spaces and reset of <see cref="ContinuousMountainCar"/> (force a ∈ [−1, 1], clipped into it as
/// in their code unless <see cref="ControlEnvironmentOptions.StrictActions"/> is set; goal x ≥ 0.45 and v ≥ 0), but the state stays float64 and the reward is 1 on the step that reaches the goal and 0 otherwise — no
/// action cost. Terminated at the goal. Truncated at 500 steps: their mountain-car configuration's
/// <c>max_episode_len</c>, which counts environment steps (their agent also repeats each action 3 times; an action
/// repeat belongs to the agent, not to this environment). Observation: the state cast to float32.</para>
/// </remarks>
public sealed class SparseMountainCar : ControlEnvironment
{
    /// <summary>Goal: success: the car reached the flag; solved when 90 % of episodes reach it (its return is 1 on success).</summary>
    public override TaskGoal Goal { get; } = new(SuccessRule.Terminated, 0.9, NeedsExploration: true);

    /// <summary>The episode length of Tschantz et al.'s mountain-car configuration, in environment steps.</summary>
    public const int DefaultMaxEpisodeSteps = 500;

    /// <summary>Creates the task with the paper's settings, or another time limit.</summary>
    public SparseMountainCar(int maxEpisodeSteps = DefaultMaxEpisodeSteps)
        : base("sparse-mountaincar", MountainCar.ObservationBox(), BoxSpace.Uniform(-1f, 1f, 1), stateSize: 2, maxEpisodeSteps)
    {
    }

    private protected override string StateLayout => "position, velocity";

    private protected override void SampleInitialState(Rng rng, Span<double> state) => MountainCar.SampleMountainCarState(rng, state);

    private protected override void Observe(Span<float> observation)
    {
        observation[0] = (float)State[0];
        observation[1] = (float)State[1];
    }

    private protected override double Dynamics(int discreteAction, ReadOnlySpan<float> boxAction, out bool terminated)
    {
        terminated = ContinuousMountainCarDynamics.Step(State, ContinuousMountainCarDynamics.ClipForce(boxAction[0]));
        return terminated ? 1.0 : 0.0;
    }
}

/// <summary>The continuous mountain-car transition shared by <see cref="ContinuousMountainCar"/> and <see cref="SparseMountainCar"/>.</summary>
internal static class ContinuousMountainCarDynamics
{
    private const double Power = 0.0015;
    private const double GoalPosition = 0.45;

    /// <summary>The force the dynamics apply for action <paramref name="action"/>: min(max(a, −1), 1), as Gymnasium clips it.</summary>
    public static double ClipForce(double action) => Math.Min(Math.Max(action, -1.0), 1.0);

    /// <summary>Advances [x, v] in place under force <paramref name="force"/> ∈ [−1, 1]; returns whether the goal is reached.</summary>
    public static bool Step(Span<double> state, double force)
    {
        double position = state[0];
        double velocity = state[1];
        velocity += (force * Power) - (0.0025 * Math.Cos(3 * position));
        if (velocity > MountainCar.MaxSpeed)
        {
            velocity = MountainCar.MaxSpeed;
        }

        if (velocity < -MountainCar.MaxSpeed)
        {
            velocity = -MountainCar.MaxSpeed;
        }

        position += velocity;
        if (position > MountainCar.MaxPosition)
        {
            position = MountainCar.MaxPosition;
        }

        if (position < MountainCar.MinPosition)
        {
            position = MountainCar.MinPosition;
        }

        if (position == MountainCar.MinPosition && velocity < 0)
        {
            velocity = 0;
        }

        state[0] = position;
        state[1] = velocity;
        return position >= GoalPosition && velocity >= 0;
    }
}
