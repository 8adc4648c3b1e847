using Helmholtz.Tensors;

namespace Helmholtz.Environments.Control;

/// <summary>How <see cref="CartPole"/> integrates its equations of motion over one step of τ = 0.02 s.</summary>
public enum CartPoleIntegrator
{
    /// <summary>Explicit Euler: positions advance with the old velocities (Gymnasium's default).</summary>
    Euler,

    /// <summary>Semi-implicit Euler: velocities first, then positions with the new velocities.</summary>
    SemiImplicitEuler,
}

/// <summary>CartPole-v1: balance a pole on a cart pushed left or right by a force of 10 N (Barto, Sutton and Anderson 1983).</summary>
/// <remarks>
/// <para>State [x, ẋ, θ, θ̇] (float64); observation the same, cast to float32. Actions: 0 pushes left (F = −10),
/// 1 pushes right (F = +10). Constants: g = 9.8, cart mass 1.0, pole mass 0.1, half pole length l = 0.5, τ = 0.02.</para>
/// <para>Dynamics (Gymnasium's cartpole.py, after Florian 2007): with m = 1.1 the total mass,
/// tmp = (F + 0.05·θ̇²·sin θ)/m, θ̈ = (g·sin θ − cos θ·tmp) / (l·(4/3 − 0.1·cos²θ/m)),
/// ẍ = tmp − 0.05·θ̈·cos θ/m; then one Euler (or semi-implicit Euler) step of length τ.</para>
/// <para>Reward +1 on every step, including the terminating one. Terminated when |x| &gt; 2.4 or
/// |θ| &gt; 12° (12·2π/360 rad). Truncated at 500 steps. Reset: each state element ~ U(−0.05, 0.05).</para>
/// </remarks>
public sealed class CartPole : ControlEnvironment
{
    /// <summary>Goal: Gymnasium's reward_threshold 475; success: the pole stayed up for the whole episode.</summary>
    public override TaskGoal Goal { get; } = new(SuccessRule.SurvivedToTimeLimit, 475);

    /// <summary>Gymnasium's time limit for CartPole-v1.</summary>
    public const int DefaultMaxEpisodeSteps = 500;

    private const double Gravity = 9.8;
    private const double MassCart = 1.0;
    private const double MassPole = 0.1;
    private const double TotalMass = MassPole + MassCart;
    private const double Length = 0.5;
    private const double PoleMassLength = MassPole * Length;
    private const double ForceMagnitude = 10.0;
    private const double Tau = 0.02;
    private const double XThreshold = 2.4;

    /// <summary>The pole angle beyond which the episode terminates: 12° in radians.</summary>
    public const double ThetaThresholdRadians = 12 * 2 * Math.PI / 360;

    private readonly CartPoleIntegrator _integrator;

    /// <summary>Creates the task with Gymnasium's defaults, or another integrator or time limit.</summary>
    public CartPole(CartPoleIntegrator integrator = CartPoleIntegrator.Euler, int maxEpisodeSteps = DefaultMaxEpisodeSteps)
        : base(
            "cartpole",
            new BoxSpace(
                [-(float)(XThreshold * 2), float.NegativeInfinity, -(float)(ThetaThresholdRadians * 2), float.NegativeInfinity],
                [(float)(XThreshold * 2), float.PositiveInfinity, (float)(ThetaThresholdRadians * 2), float.PositiveInfinity]),
            new DiscreteSpace(2),
            stateSize: 4,
            maxEpisodeSteps)
    {
        if (!Enum.IsDefined(integrator))
        {
            throw new ArgumentOutOfRangeException(nameof(integrator), integrator, "Unknown CartPole integrator.");
        }

        _integrator = integrator;
    }

    private protected override string StateLayout => "x, x_dot, theta, theta_dot";

    private protected override void SampleInitialState(Rng rng, Span<double> state)
    {
        for (int i = 0; i < 4; i++)
        {
            state[i] = Uniform(rng, -0.05, 0.05);
        }
    }

    private protected override void Observe(Span<float> observation)
    {
        var s = State;
        for (int i = 0; i < 4; i++)
        {
            observation[i] = (float)s[i];
        }
    }

    private protected override double Dynamics(int discreteAction, ReadOnlySpan<float> boxAction, out bool terminated)
    {
        var s = State;
        double x = s[0], xDot = s[1], theta = s[2], thetaDot = s[3];
        double force = discreteAction == 1 ? ForceMagnitude : -ForceMagnitude;
        double cosTheta = Math.Cos(theta);
        double sinTheta = Math.Sin(theta);

        double temp = (force + (PoleMassLength * (thetaDot * thetaDot) * sinTheta)) / TotalMass;
        double thetaAcc = ((Gravity * sinTheta) - (cosTheta * temp))
            / (Length * ((4.0 / 3.0) - (MassPole * (cosTheta * cosTheta) / TotalMass)));
        double xAcc = temp - (PoleMassLength * thetaAcc * cosTheta / TotalMass);

        if (_integrator == CartPoleIntegrator.Euler)
        {
            x += Tau * xDot;
            xDot += Tau * xAcc;
            theta += Tau * thetaDot;
            thetaDot += Tau * thetaAcc;
        }
        else
        {
            xDot += Tau * xAcc;
            x += Tau * xDot;
            thetaDot += Tau * thetaAcc;
            theta += Tau * thetaDot;
        }

        s[0] = x;
        s[1] = xDot;
        s[2] = theta;
        s[3] = thetaDot;
        terminated = x < -XThreshold || x > XThreshold || theta < -ThetaThresholdRadians || theta > ThetaThresholdRadians;
        return 1.0;
    }
}
