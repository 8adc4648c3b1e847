using Helmholtz.Environments;
using Helmholtz.Environments.Control;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Environments.Control;

/// <summary>Single steps worked out by hand from each environment's equations (arithmetic in the comments).</summary>
public sealed class HandComputedStepTests
{
    /// <summary>Hand arithmetic carried to 8–9 significant digits; observations are float32.</summary>
    private const double HandTolerance = 1e-7;

    [Fact]
    public void CartPolePushRightFromRest()
    {
        // sin θ = 0, cos θ = 1, F = 10: temp = 10/1.1 = 100/11; θ̈ = −temp / (0.5·(4/3 − 0.1/1.1)) = −(100/11)/(41/66)
        // = −600/41; ẍ = temp − 0.05·θ̈/1.1 = 100/11 + 300/451 = 4400/451. Euler with τ = 0.02 from zero velocities:
        // x' = 0, ẋ' = 88/451 = 0.195121951, θ' = 0, θ̇' = −12/41 = −0.292682927.
        var env = new CartPole();
        var obs = new float[4];
        env.SetState([0, 0, 0, 0], obs);
        var r = env.Step(1, obs);
        Assert.Equal(new StepResult(1.0, false, false), r);
        AssertClose([0, 88.0 / 451, 0, -12.0 / 41], obs);
    }

    [Fact]
    public void CartPoleTerminatesPastTwelveDegrees()
    {
        // θ = 0.2094 rad, θ̇ = 0.1: θ' = 0.2094 + 0.02·0.1 = 0.2114 > 12° = 0.20944 rad → terminated, reward still 1.
        var env = new CartPole();
        var obs = new float[4];
        env.SetState([0, 0, 0.2094, 0.1], obs);
        Assert.Equal(new StepResult(1.0, true, false), env.Step(0, obs));
        Assert.Equal(0.2114, obs[2], 6);
    }

    [Fact]
    public void CartPoleBalancedByFeedbackIsTruncatedAtStep500()
    {
        // Closed loop (push toward the side the pole leans to, with damping) keeps |θ| small: 500 rewards of 1, then truncation.
        var env = new CartPole();
        var obs = env.Reset(11UL);
        double total = 0;
        StepResult r;
        do
        {
            r = env.Step(obs[2] + (0.3f * obs[3]) + (0.01f * obs[0]) + (0.05f * obs[1]) > 0 ? 1 : 0, obs);
            total += r.Reward;
        }
        while (!r.Done);
        Assert.Equal((false, true, 500, 500.0), (r.Terminated, r.Truncated, env.ElapsedSteps, total));
    }

    [Fact]
    public void MountainCarPushRight()
    {
        // v' = 0 + (2 − 1)·0.001 − 0.0025·cos(−1.5) = 0.001 − 0.0025·0.0707372017 = 0.000823156996;
        // x' = −0.5 + v' = −0.499176843.
        var env = new MountainCar();
        var obs = new float[2];
        env.SetState([-0.5, 0], obs);
        Assert.Equal(new StepResult(-1.0, false, false), env.Step(2, obs));
        AssertClose([-0.499176843, 0.000823156996], obs);
    }

    [Fact]
    public void MountainCarStopsAtTheLeftWall()
    {
        // v' = −0.07 (clipped from −0.07 − 0.001 − 0.0025·cos(−3.57)); x' = clip(−1.19 − 0.07) = −1.2 and v' < 0 → v' = 0.
        var env = new MountainCar();
        var obs = new float[2];
        env.SetState([-1.19, -0.07], obs);
        env.Step(0, obs);
        Assert.Equal([-1.2f, 0f], obs);
    }

    [Fact]
    public void ContinuousMountainCarFullThrottleAndGoal()
    {
        // v' = 0.0015·1 − 0.0025·cos(−1.5) = 0.0015 − 0.000176843004 = 0.001323157; x' = −0.498676843; reward −0.1·1².
        var env = new ContinuousMountainCar();
        var obs = new float[2];
        env.SetState([-0.5, 0], obs);
        var r = env.Step([1f], obs);
        Assert.Equal(-0.1, r.Reward, 12);
        AssertClose([-0.498676843, 0.001323157], obs);

        // At x = 0.449, v = 0.01, a = 0.5: v' = 0.01 + 0.00075 − 0.0025·cos(1.347) > 0, x' > 0.45 → reward 100 − 0.1·0.25 = 99.975.
        env.SetState([0.449, 0.01], obs);
        r = env.Step([0.5f], obs);
        Assert.True(r.Terminated);
        Assert.Equal(99.975, r.Reward, 12);
    }

    [Fact]
    public void SparseMountainCarRewardsOnlyTheGoal()
    {
        // v' = 0.01 − 0.0025·cos(1.347) = 0.01 − 0.0025·0.221932867 = 0.00944516783; x' = 0.458445168 ≥ 0.45 → reward 1, terminated.
        var env = new SparseMountainCar();
        var obs = new float[2];
        env.SetState([0.449, 0.01], obs);
        Assert.Equal(new StepResult(1.0, true, false), env.Step([0f], obs));
        AssertClose([0.458445168, 0.00944516783], obs);

        // Away from the goal, full throttle costs nothing: reward 0.
        env.SetState([-0.5, 0], obs);
        Assert.Equal(new StepResult(0.0, false, false), env.Step([1f], obs));
    }

    [Fact]
    public void PendulumFromUpright()
    {
        // θ = 0, θ̇ = 0, u = 1: cost = 0 + 0 + 0.001·1 → reward −0.001; θ̇' = (15·sin 0 + 3·1)·0.05 = 0.15; θ' = 0.15·0.05 = 0.0075.
        var env = new Pendulum();
        var obs = new float[3];
        env.SetState([0, 0], obs);
        var r = env.Step([1f], obs);
        Assert.Equal(-0.001, r.Reward, 15);
        AssertClose([Math.Cos(0.0075), Math.Sin(0.0075), 0.15], obs);
    }

    [Fact]
    public void PendulumNormalizesTheAngleInTheCost()
    {
        // θ = 4: θ_n = ((4 + π) mod 2π) − π = 4 − 2π = −2.28318531; θ = −4: θ_n = 2.28318531 (floored modulo).
        Assert.Equal(4 - (2 * Math.PI), Pendulum.NormalizeAngle(4), 14);
        Assert.Equal((2 * Math.PI) - 4, Pendulum.NormalizeAngle(-4), 14);
        Assert.Equal(-Math.PI, Pendulum.NormalizeAngle(Math.PI), 14);

        // Cost at θ = 4, θ̇ = 2, u = 0: 2.28318531² + 0.1·4 = 5.212935147 + 0.4 = 5.612935147.
        var env = new Pendulum();
        var obs = new float[3];
        env.SetState([4, 2], obs);
        Assert.Equal(-5.612935147, env.Step([0f], obs).Reward, tolerance: 1e-9);
    }

    [Fact]
    public void AcrobotHangingAtRestStaysAndUprightTerminates()
    {
        // Hanging down with no torque is an equilibrium (cos(θ − π/2) ≈ 6e-17 leaves only rounding): reward −1.
        var env = new Acrobot();
        var obs = new float[6];
        env.SetState([0, 0, 0, 0], obs);
        Assert.Equal(new StepResult(-1.0, false, false), env.Step(1, obs));
        AssertClose([1, 0, 1, 0, 0, 0], obs);

        // Upright (θ₁ = π, θ₂ = 0) is also an equilibrium: −cos θ₁ − cos(θ₁ + θ₂) = 2 > 1 → terminated, reward 0.
        env.SetState([Math.PI, 0, 0, 0], obs);
        Assert.Equal(new StepResult(0.0, true, false), env.Step(1, obs));
        Assert.Equal(-1f, obs[0], 6);
    }

    [Fact]
    public void AcrobotResetObservationIsCosSinOfTheState()
    {
        var env = new Acrobot();
        var obs = env.Reset(new Rng(9));
        var s = env.GetState();
        AssertClose([Math.Cos(s[0]), Math.Sin(s[0]), Math.Cos(s[1]), Math.Sin(s[1]), s[2], s[3]], obs);
    }

    private static void AssertClose(double[] expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= HandTolerance, $"element {i}: expected {expected[i]:R}, got {actual[i]:R}.");
        }
    }
}
