using Helmholtz.Tensors;

namespace Helmholtz.Environments.Control;

/// <summary>Acrobot-v1: swing a two-link pendulum, actuated only at the elbow, until its tip rises one link length above the base (Sutton 1996).</summary>
/// <remarks>
/// <para>State [θ₁, θ₂, θ̇₁, θ̇₂] (float64; θ₁ from hanging down, θ₂ relative to link 1). Observation
/// [cos θ₁, sin θ₁, cos θ₂, sin θ₂, θ̇₁, θ̇₂] cast to float32. Actions 0, 1, 2 apply torque −1, 0, +1 at the joint
/// (no torque noise).</para>
/// <para>Dynamics: the "book" equations of Sutton and Barto (1998) with link masses 1, lengths 1, centres of mass
/// 0.5, moments of inertia 1, g = 9.8, integrated with one classical fourth-order Runge–Kutta step of
/// dt = 0.2 s (torque held constant). Afterwards θ₁ and θ₂ are wrapped into [−π, π] and θ̇₁, θ̇₂ clipped to
/// ±4π and ±9π.</para>
/// <para>Reward −1 per step and 0 on the terminating step. Terminated when −cos θ₁ − cos(θ₁ + θ₂) &gt; 1.
/// Truncated at 500 steps. Reset: each state element ~ U(−0.1, 0.1), rounded to float32 as Gymnasium does.</para>
/// </remarks>
public sealed class Acrobot : ControlEnvironment
{
    /// <summary>Goal: success: the tip swung above the bar; solved at −100 (Gymnasium registers no threshold).</summary>
    public override TaskGoal Goal { get; } = new(SuccessRule.Terminated, -100);

    /// <summary>Gymnasium's time limit for Acrobot-v1.</summary>
    public const int DefaultMaxEpisodeSteps = 500;

    private const double Dt = 0.2;
    private const double LinkLength1 = 1.0;
    private const double LinkMass1 = 1.0;
    private const double LinkMass2 = 1.0;
    private const double LinkComPos1 = 0.5;
    private const double LinkComPos2 = 0.5;
    private const double LinkMoi = 1.0;
    private const double G = 9.8;
    private const double MaxVel1 = 4 * Math.PI;
    private const double MaxVel2 = 9 * Math.PI;

    /// <summary>Creates the task with Gymnasium's defaults, or another time limit.</summary>
    public Acrobot(int maxEpisodeSteps = DefaultMaxEpisodeSteps)
        : base(
            "acrobot",
            new BoxSpace([-1f, -1f, -1f, -1f, -(float)MaxVel1, -(float)MaxVel2], [1f, 1f, 1f, 1f, (float)MaxVel1, (float)MaxVel2]),
            new DiscreteSpace(3),
            stateSize: 4,
            maxEpisodeSteps)
    {
    }

    private protected override string StateLayout => "theta1, theta2, theta1_dot, theta2_dot";

    private protected override void SampleInitialState(Rng rng, Span<double> state)
    {
        for (int i = 0; i < 4; i++)
        {
            // Gymnasium stores the reset state as float32; later states are float64.
            state[i] = (float)Uniform(rng, -0.1, 0.1);
        }
    }

    private protected override void Observe(Span<float> observation)
    {
        var s = State;
        observation[0] = (float)Math.Cos(s[0]);
        observation[1] = (float)Math.Sin(s[0]);
        observation[2] = (float)Math.Cos(s[1]);
        observation[3] = (float)Math.Sin(s[1]);
        observation[4] = (float)s[2];
        observation[5] = (float)s[3];
    }

    private protected override double Dynamics(int discreteAction, ReadOnlySpan<float> boxAction, out bool terminated)
    {
        var s = State;
        double torque = discreteAction - 1;
        Span<double> y = [s[0], s[1], s[2], s[3]];
        Span<double> k1 = stackalloc double[4];
        Span<double> k2 = stackalloc double[4];
        Span<double> k3 = stackalloc double[4];
        Span<double> k4 = stackalloc double[4];
        Span<double> tmp = stackalloc double[4];

        // One RK4 step over [0, dt], evaluated in the same order as Gymnasium's rk4 so the results agree to rounding.
        const double dt2 = Dt / 2.0;
        Derivatives(y, torque, k1);
        for (int i = 0; i < 4; i++)
        {
            tmp[i] = y[i] + (dt2 * k1[i]);
        }

        Derivatives(tmp, torque, k2);
        for (int i = 0; i < 4; i++)
        {
            tmp[i] = y[i] + (dt2 * k2[i]);
        }

        Derivatives(tmp, torque, k3);
        for (int i = 0; i < 4; i++)
        {
            tmp[i] = y[i] + (Dt * k3[i]);
        }

        Derivatives(tmp, torque, k4);
        for (int i = 0; i < 4; i++)
        {
            s[i] = y[i] + (Dt / 6.0 * (k1[i] + (2 * k2[i]) + (2 * k3[i]) + k4[i]));
        }

        s[0] = WrapAngle(s[0]);
        s[1] = WrapAngle(s[1]);
        s[2] = Math.Min(Math.Max(s[2], -MaxVel1), MaxVel1);
        s[3] = Math.Min(Math.Max(s[3], -MaxVel2), MaxVel2);
        terminated = -Math.Cos(s[0]) - Math.Cos(s[1] + s[0]) > 1.0;
        return terminated ? 0.0 : -1.0;
    }

    /// <summary>The book dynamics: d/dt [θ₁, θ₂, θ̇₁, θ̇₂] under joint torque <paramref name="a"/>.</summary>
    private static void Derivatives(ReadOnlySpan<double> s, double a, Span<double> ds)
    {
        const double m1 = LinkMass1, m2 = LinkMass2, l1 = LinkLength1, lc1 = LinkComPos1, lc2 = LinkComPos2;
        const double i1 = LinkMoi, i2 = LinkMoi;
        double theta1 = s[0], theta2 = s[1], dtheta1 = s[2], dtheta2 = s[3];
        double cos2 = Math.Cos(theta2);
        double sin2 = Math.Sin(theta2);
        double d1 = (m1 * (lc1 * lc1)) + (m2 * ((l1 * l1) + (lc2 * lc2) + (2 * l1 * lc2 * cos2))) + i1 + i2;
        double d2 = (m2 * ((lc2 * lc2) + (l1 * lc2 * cos2))) + i2;
        double phi2 = m2 * lc2 * G * Math.Cos(theta1 + theta2 - (Math.PI / 2.0));
        double phi1 = (-m2 * l1 * lc2 * (dtheta2 * dtheta2) * sin2)
            - (2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin2)
            + (((m1 * lc1) + (m2 * l1)) * G * Math.Cos(theta1 - (Math.PI / 2)))
            + phi2;
        double ddtheta2 = (a + (d2 / d1 * phi1) - (m2 * l1 * lc2 * (dtheta1 * dtheta1) * sin2) - phi2)
            / ((m2 * (lc2 * lc2)) + i2 - (d2 * d2 / d1));
        double ddtheta1 = -((d2 * ddtheta2) + phi1) / d1;
        ds[0] = dtheta1;
        ds[1] = dtheta2;
        ds[2] = ddtheta1;
        ds[3] = ddtheta2;
    }

    /// <summary>Maps an angle into [−π, π] by whole periods 2π (Gymnasium's <c>wrap(x, −π, π)</c>), in constant time.</summary>
    /// <remarks>
    /// Gymnasium subtracts (or adds) 2π in a loop, which takes time proportional to |x| and never ends once 2π is below
    /// half an ulp of x (|x| ≳ 1e16) or x is infinite. The remainder here is exact (IEEE fmod, then one exact ±2π by
    /// Sterbenz's lemma), so it is the exact x − k·2π. Every subtraction of the loop is exact too while |x| &lt; 64 + 2π
    /// (2π is a multiple of 2⁻⁴⁷, and so is every double in [8, 64)), so both give the same double there — which
    /// covers every state the dynamics reach from the observation box; beyond it the loop's own roundings add up and
    /// this gives the exact angle instead. Zero keeps the loop's sign (+0 unless x is −0); non-finite x gives NaN.
    /// </remarks>
    internal static double WrapAngle(double x)
    {
        const double period = 2 * Math.PI;
        double r = x % period;
        if (r == 0)
        {
            // fmod keeps x's sign (−2π gives −0); the loop's last addition gives +0. Only x = −0 itself stays −0.
            return x == 0 ? x : 0.0;
        }

        if (r > Math.PI)
        {
            r -= period;
        }
        else if (r < -Math.PI)
        {
            r += period;
        }

        return r;
    }
}
