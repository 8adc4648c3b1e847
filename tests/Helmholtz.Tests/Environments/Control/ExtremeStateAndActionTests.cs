using System.Text.Json;
using Helmholtz.Environments;
using Helmholtz.Environments.Control;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Environments.Control;

/// <summary>
/// Extreme finite states end every step in bounded time, non-finite states and actions are refused, and out-of-box
/// continuous actions follow Gymnasium (clipped) unless <see cref="ControlEnvironmentOptions.StrictActions"/> is set.
/// </summary>
public sealed class ExtremeStateAndActionTests
{
    /// <summary>A step takes microseconds; a generous bound that a hang (the old angle-wrapping loop) cannot meet.</summary>
    private static readonly TimeSpan StepBound = TimeSpan.FromSeconds(10);

    public static TheoryData<string, double[]> ExtremeStates => new()
    {
        { "acrobot", [1e20, 0, 0, 0] },
        { "acrobot", [0, 0, 1e30, 1e30] },
        { "acrobot", [1e300, -1e300, 0, 0] },
        { "acrobot", [double.MaxValue, double.MinValue, double.MaxValue, double.MinValue] },
        { "acrobot", [1e16, 1e17, 4 * Math.PI, -9 * Math.PI] },
        { "cartpole", [1e20, 1e20, 1e20, 1e20] },
        { "cartpole", [0, 1e200, 0, 1e200] },
        { "mountaincar", [1e300, -1e300] },
        { "mountaincar-continuous", [double.MaxValue, double.MaxValue] },
        { "sparse-mountaincar", [-1e300, 1e300] },
        { "pendulum", [1e300, 0] },
        { "pendulum", [0, 1e200] },
    };

    [Theory]
    [MemberData(nameof(ExtremeStates))]
    public async Task ExtremeFiniteStatesEndEachStepInBoundedTime(string name, double[] state)
    {
        // Each step either completes (finite state) or ends with the overflow error; neither may hang.
        var run = Task.Run(() =>
        {
            var env = EnvironmentCatalog.Create(name);
            var obs = new float[env.ObservationSpace.Size];
            env.SetState(state, obs);
            for (int t = 0; t < 20 && !env.NeedsReset; t++)
            {
                try
                {
                    _ = env.ActionSpace is DiscreteSpace ? env.Step(t % 2, obs) : env.Step([t % 2 == 0 ? 1f : -1f], obs);
                }
                catch (EnvironmentOverflowException ex)
                {
                    Assert.Contains(name, ex.Message);
                    Assert.True(env.NeedsReset);
                    return;
                }

                Assert.All(env.GetState(), v => Assert.True(double.IsFinite(v), $"{name}: state {v} after step {t + 1}"));
            }
        });
        // WaitAsync throws TimeoutException if the steps hang.
        await run.WaitAsync(StepBound);
    }

    [Fact]
    public void AcrobotFromHugeAnglesWrapsThemIntoMinusPiToPi()
    {
        // θ₁ = 1e20 is an exact double; the step moves it by far less than its ulp (16384), so the new angle is
        // exactly 1e20 mod 2π, wrapped: the remainder is exact, so compare with C#'s (IEEE, exact) % directly.
        var env = new Acrobot();
        var obs = new float[6];
        env.SetState([1e20, 0, 0, 0], obs);
        env.Step(1, obs);
        double[] s = env.GetState();
        double expected = 1e20 % (2 * Math.PI);
        expected = expected > Math.PI ? expected - (2 * Math.PI) : expected;
        Assert.Equal(expected, s[0]);
        Assert.InRange(s[1], -Math.PI, Math.PI);
    }

    [Fact]
    public void AcrobotWrapEqualsGymnasiumsLoopBitForBitBelowSixtyFourPlusTwoPi()
    {
        // Gymnasium's wrap (subtract or add 2π until inside [−π, π]) is exact below 64 + 2π (see Acrobot.WrapAngle),
        // so the remainder must give the same double: random angles below it, whole and odd multiples of π, and their neighbours.
        const double limit = 64 + (2 * Math.PI);
        var rng = new Rng(15);
        var xs = new List<double> { 0, -0.0, Math.PI, -Math.PI, 3 * Math.PI, -3 * Math.PI, 2 * Math.PI, -2 * Math.PI, limit, -limit };
        xs.AddRange(Enumerable.Range(1, 10).SelectMany(k => new[] { k * 2 * Math.PI, -k * 2 * Math.PI, (2 * k + 1) * Math.PI, -(2 * k + 1) * Math.PI }));
        xs.AddRange(xs.ToArray().Select(x => Math.BitDecrement(x)));
        xs.AddRange(xs.ToArray().Select(x => Math.BitIncrement(x)));
        for (int i = 0; i < 200_000; i++)
        {
            xs.Add((rng.NextDouble() * 2 * limit) - limit);
        }

        foreach (double x in xs.Where(x => Math.Abs(x) < limit))
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(GymnasiumWrap(x)), BitConverter.DoubleToInt64Bits(Acrobot.WrapAngle(x)));
        }

        Assert.True(double.IsNaN(Acrobot.WrapAngle(double.PositiveInfinity)));
        Assert.True(double.IsNaN(Acrobot.WrapAngle(double.NaN)));
    }

    [Fact]
    public void OverflowEndsTheEpisodeWithAClearError()
    {
        // Pendulum from θ̇ = 1e200: the cost 0.1·θ̇² overflows to +∞ (the state stays finite, θ̇ is clipped to 8).
        var env = new Pendulum();
        var obs = new float[3];
        env.SetState([0, 1e200], obs);
        var ex = Assert.Throws<EnvironmentOverflowException>(() => env.Step([0f], obs));
        Assert.Contains("pendulum reward overflowed in step 1", ex.Message);
        Assert.True(env.NeedsReset);
        Assert.Throws<InvalidOperationException>(() => env.Step([0f], obs));

        // CartPole from θ̇ = 1e200: θ̇² = +∞ and sin 0 = 0 give NaN accelerations; the error names the element.
        var cartPole = new CartPole();
        cartPole.SetState([0, 0, 0, 1e200], new float[4]);
        ex = Assert.Throws<EnvironmentOverflowException>(() => cartPole.Step(1, new float[4]));
        Assert.Contains("cartpole dynamics overflowed in step 1: x_dot became NaN", ex.Message);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NonFiniteStatesAreRefusedByEveryEnvironment(double bad)
    {
        foreach (string name in EnvironmentCatalog.Names)
        {
            var env = EnvironmentCatalog.Create(name);
            var state = new double[env.StateSize];
            state[^1] = bad;
            var ex = Assert.Throws<ArgumentException>(() => env.SetState(state, new float[env.ObservationSpace.Size]));
            Assert.Contains("must be finite", ex.Message);
        }
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void NonFiniteContinuousActionsAreRefusedInBothModes(float bad)
    {
        foreach (bool strict in new[] { false, true })
        {
            foreach (string name in new[] { "mountaincar-continuous", "sparse-mountaincar", "pendulum" })
            {
                var env = EnvironmentCatalog.Create(name, new ControlEnvironmentOptions { StrictActions = strict });
                var obs = env.Reset(1UL);
                var ex = Assert.Throws<ArgumentException>(() => env.Step([bad], obs));
                Assert.Contains("is not finite", ex.Message);
                Assert.Equal(0, env.ElapsedSteps);
            }
        }
    }

    [Theory]
    [InlineData("pendulum", 2.5f, 2f)]
    [InlineData("pendulum", -1e30f, -2f)]
    [InlineData("mountaincar-continuous", 1.0000001f, 1f)]
    [InlineData("mountaincar-continuous", -3.4e38f, -1f)]
    [InlineData("sparse-mountaincar", 7f, 1f)]
    public void OutOfBoxActionMovesTheStateAsTheClippedActionAndStrictModeRefusesIt(string name, float action, float clipped)
    {
        var env = EnvironmentCatalog.Create(name);
        var same = EnvironmentCatalog.Create(name);
        double[] start = name == "pendulum" ? [2.5, -0.5] : [-0.45, 0.01];
        env.SetState(start, new float[env.ObservationSpace.Size]);
        same.SetState(start, new float[env.ObservationSpace.Size]);
        var obs = new float[env.ObservationSpace.Size];
        var clippedObs = new float[env.ObservationSpace.Size];
        var r = env.Step([action], obs);
        var rc = same.Step([clipped], clippedObs);
        Assert.Equal(same.GetState(), env.GetState());
        Assert.Equal(clippedObs, obs);

        // Gymnasium's MountainCarContinuous charges 0.1·a² on the unclipped action; Pendulum's cost uses the clipped u.
        double expectedReward = name == "mountaincar-continuous"
            ? rc.Reward + (0.1 * clipped * clipped) - (0.1 * (double)action * action)
            : rc.Reward;
        // Same terms summed in another order: a few ulps of the largest, far below 1e-12 relative.
        Assert.True(
            Math.Abs(r.Reward - expectedReward) <= 1e-12 * Math.Max(Math.Abs(expectedReward), 1.0),
            $"{name} reward: expected {expectedReward:R}, got {r.Reward:R}");

        var strict = EnvironmentCatalog.Create(name, new ControlEnvironmentOptions { StrictActions = true });
        strict.SetState(start, obs);
        var ex = Assert.Throws<ArgumentException>(() => strict.Step([action], obs));
        Assert.Contains("StrictActions", ex.Message);
        Assert.Contains(strict.ActionSpace.ToString()!, ex.Message);
        Assert.Equal(0, strict.ElapsedSteps);
        Assert.Equal(rc.Reward, strict.Step([clipped], obs).Reward);
    }

    [Fact]
    public void ReferenceOutOfBoxCasesLeaveTheBoxAndStrictModeRefusesTheirFirstSuchAction()
    {
        // The out-of-box-* cases of TestData/gymnasium (Gymnasium 1.4.0 clipping them) are replayed step by step in
        // ReferenceTrajectoryTests; here: they do leave the box, and strict mode stops at the first action that does.
        int cases = 0;
        foreach (string name in new[] { "mountaincar-continuous", "sparse-mountaincar", "pendulum" })
        {
            foreach (var c in GymnasiumReference.Load(name).Where(c => c.Name.StartsWith("out-of-box", StringComparison.Ordinal)))
            {
                cases++;
                var env = EnvironmentCatalog.Create(name, new ControlEnvironmentOptions { StrictActions = true });
                var box = (BoxSpace)env.ActionSpace;
                int first = Array.FindIndex(c.Actions, a => !box.Contains(a));
                Assert.True(first >= 0 && first < c.Rewards.Length, $"{name} {c.Name}: no out-of-box action within the trajectory");
                var obs = new float[env.ObservationSpace.Size];
                env.SetState(c.State, obs);
                for (int t = 0; t < first; t++)
                {
                    env.Step(c.Actions[t], obs);
                }

                Assert.Throws<ArgumentException>(() => env.Step(c.Actions[first], obs));
            }
        }

        Assert.Equal(4, cases);
    }

    [Fact]
    public void DiscreteActionsOutsideTheSpaceAreRefusedWhereGymnasiumRaises()
    {
        // TestData/gymnasium/action-bounds.json (bench/gymnasium/make_reference.py, Gymnasium 1.4.0): CartPole and
        // MountainCar assert the action is in the space; Acrobot indexes its torque table, so −1 and −3 are accepted
        // there (Python's negative indices) and 3, 4 raise IndexError. Helmholtz refuses every out-of-space discrete
        // action, in both modes: an index outside Discrete(3) is a bug, not a torque.
        using var doc = JsonDocument.Parse(File.ReadAllText(GymnasiumReference.PathOf("action-bounds.json")));
        int probes = 0;
        foreach (var env in doc.RootElement.GetProperty("discrete").EnumerateObject())
        {
            foreach (var probe in env.Value.GetProperty("actions").EnumerateArray())
            {
                int action = probe.GetProperty("action").GetInt32();
                bool gymnasiumAccepts = probe.GetProperty("accepted").GetBoolean();
                Assert.Equal(env.Name == "acrobot" && action < 0, gymnasiumAccepts);
                foreach (bool strict in new[] { false, true })
                {
                    var e = EnvironmentCatalog.Create(env.Name, new ControlEnvironmentOptions { StrictActions = strict });
                    var obs = e.Reset(3UL);
                    var ex = Assert.Throws<ArgumentException>(() => e.Step(action, obs));
                    Assert.Contains($"outside the {env.Name} action space", ex.Message);
                    Assert.Throws<ArgumentException>(() => e.Step([action], obs));
                }

                probes++;
            }
        }

        Assert.Equal(10, probes);
    }

    [Fact]
    public void OptionsDefaultToGymnasiumsClippingAndCatalogPassesThemOn()
    {
        Assert.False(new Pendulum().Options.StrictActions);
        Assert.Same(ControlEnvironmentOptions.Default, ((ControlEnvironment)EnvironmentCatalog.Create("acrobot")).Options);
        var options = new ControlEnvironmentOptions { StrictActions = true };
        foreach (string name in EnvironmentCatalog.Names)
        {
            Assert.Same(options, ((ControlEnvironment)EnvironmentCatalog.Create(name, options)).Options);
        }

        Assert.Throws<ArgumentNullException>(() => new Pendulum { Options = null! });
    }

    /// <summary>Gymnasium's acrobot <c>wrap(x, −π, π)</c>, transcribed as a loop (terminates for the |x| tested).</summary>
    private static double GymnasiumWrap(double x)
    {
        const double diff = Math.PI - (-Math.PI);
        while (x > Math.PI)
        {
            x -= diff;
        }

        while (x < -Math.PI)
        {
            x += diff;
        }

        return x;
    }
}
