using Helmholtz.Tensors;

namespace Helmholtz.Environments.Control;

/// <summary>Pendulum-v1: swing a torque-limited pendulum up and hold it upright.</summary>
/// <remarks>
/// <para>State [θ, θ̇] (float64; θ = 0 upright). Observation [cos θ, sin θ, θ̇] cast to float32. Action: torque
/// u ∈ [−2, 2]; a torque outside is clipped into it (as Gymnasium does) unless
/// <see cref="ControlEnvironmentOptions.StrictActions"/> is set. Constants: g = 10, m = 1, l = 1, dt = 0.05, |θ̇| ≤ 8.</para>
/// <para>Dynamics (semi-implicit Euler): θ̇' = clip(θ̇ + (3g/(2l)·sin θ + 3/(m l²)·u)·dt, −8, 8); θ' = θ + θ̇'·dt.
/// θ is not wrapped in the state.</para>
/// <para>Reward −(θ_n² + 0.1·θ̇² + 0.001·u²) from the state before the step, with θ_n = ((θ + π) mod 2π) − π (floored
/// modulo, as NumPy's %). Never terminates. Truncated at 200 steps. Reset: θ ~ U(−π, π), θ̇ ~ U(−1, 1).</para>
/// </remarks>
public sealed class Pendulum : ControlEnvironment
{
    /// <summary>Goal: no goal state: success and solved at a return of −200 (Gymnasium registers no threshold).</summary>
    public override TaskGoal Goal { get; } = new(SuccessRule.ReturnAtLeast, -200, SuccessReturn: -200);

    /// <summary>Gymnasium's time limit for Pendulum-v1.</summary>
    public const int DefaultMaxEpisodeSteps = 200;

    private const double MaxSpeed = 8;
    private const double MaxTorque = 2.0;
    private const double Dt = 0.05;
    private const double G = 10.0;
    private const double M = 1.0;
    private const double L = 1.0;

    /// <summary>Creates the task with Gymnasium's defaults, or another time limit.</summary>
    public Pendulum(int maxEpisodeSteps = DefaultMaxEpisodeSteps)
        : base(
            "pendulum",
            new BoxSpace([-1f, -1f, -(float)MaxSpeed], [1f, 1f, (float)MaxSpeed]),
            BoxSpace.Uniform(-(float)MaxTorque, (float)MaxTorque, 1),
            stateSize: 2,
            maxEpisodeSteps)
    {
    }

    /// <summary>Maps an angle into [−π, π): ((θ + π) mod 2π) − π with a floored modulo (Gymnasium's <c>angle_normalize</c>).</summary>
    public static double NormalizeAngle(double theta)
    {
        const double period = 2 * Math.PI;
        double r = (theta + Math.PI) % period;
        if (r != 0 && r < 0)
        {
            r += period;
        }

        return r - Math.PI;
    }

    private protected override string StateLayout => "theta, theta_dot";

    private protected override void SampleInitialState(Rng rng, Span<double> state)
    {
        state[0] = Uniform(rng, -Math.PI, Math.PI);
        state[1] = Uniform(rng, -1.0, 1.0);
    }

    private protected override void Observe(Span<float> observation)
    {
        observation[0] = (float)Math.Cos(State[0]);
        observation[1] = (float)Math.Sin(State[0]);
        observation[2] = (float)State[1];
    }

    private protected override double Dynamics(int discreteAction, ReadOnlySpan<float> boxAction, out bool terminated)
    {
        var s = State;
        double th = s[0];
        double thDot = s[1];
        // Gymnasium clips the torque before both the cost and the dynamics: np.clip(u, −2, 2).
        double u = Math.Min(Math.Max(boxAction[0], -(float)MaxTorque), (float)MaxTorque);
        double thN = NormalizeAngle(th);
        double costs = (thN * thN) + (0.1 * (thDot * thDot)) + (0.001 * (u * u));

        double newThDot = thDot + ((((3 * G / (2 * L)) * Math.Sin(th)) + ((3.0 / (M * (L * L))) * u)) * Dt);
        newThDot = Math.Clamp(newThDot, -MaxSpeed, MaxSpeed);
        s[0] = th + (newThDot * Dt);
        s[1] = newThDot;
        terminated = false;
        return -costs;
    }
}
