using Helmholtz.Environments;
using Helmholtz.Environments.Control;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Environments.Control;

/// <summary>The interface contract: catalogue, spaces, argument checks, time limit, reset distributions.</summary>
public sealed class ControlEnvironmentTests
{
    [Fact]
    public void CatalogCreatesEveryNameAndGymnasiumAlias()
    {
        foreach (var name in EnvironmentCatalog.Names)
        {
            Assert.Equal(name, EnvironmentCatalog.Create(name).Name);
        }

        Assert.IsType<CartPole>(EnvironmentCatalog.Create("CartPole-v1"));
        Assert.IsType<ContinuousMountainCar>(EnvironmentCatalog.Create("mountaincarcontinuous-v0"));
        Assert.IsType<Pendulum>(EnvironmentCatalog.Create("PENDULUM"));
    }

    [Fact]
    public void UnknownNameListsKnownNames()
    {
        var ex = Assert.Throws<ArgumentException>(() => EnvironmentCatalog.Create("cart-pole"));
        Assert.Contains("'cart-pole'", ex.Message);
        foreach (var name in EnvironmentCatalog.Names)
        {
            Assert.Contains(name, ex.Message);
        }
    }

    [Theory]
    [InlineData("cartpole", 500, "Discrete(2)", 4, 4)]
    [InlineData("acrobot", 500, "Discrete(3)", 6, 4)]
    [InlineData("mountaincar", 200, "Discrete(3)", 2, 2)]
    [InlineData("mountaincar-continuous", 999, "Box(-1, 1, (1,))", 2, 2)]
    [InlineData("sparse-mountaincar", 500, "Box(-1, 1, (1,))", 2, 2)]
    [InlineData("pendulum", 200, "Box(-2, 2, (1,))", 3, 2)]
    public void SpacesAndTimeLimitsAreGymnasiums(string name, int maxSteps, string actionSpace, int observationSize, int stateSize)
    {
        // Values from gymnasium/envs/__init__.py (max_episode_steps) and each environment's __init__ (spaces).
        var env = EnvironmentCatalog.Create(name);
        Assert.Equal(maxSteps, env.MaxEpisodeSteps);
        Assert.Equal(actionSpace, env.ActionSpace.ToString());
        Assert.Equal(observationSize, env.ObservationSpace.Size);
        Assert.Equal(stateSize, env.StateSize);
    }

    [Fact]
    public void ObservationBoundsAreGymnasiumsFloat32Values()
    {
        // CartPole: [4.8, inf, 2·12°, inf] as float32; Acrobot: [1, 1, 1, 1, 4π, 9π]; MountainCar: [-1.2, -0.07]..[0.6, 0.07].
        Assert.Equal([4.8f, float.PositiveInfinity, (float)(24 * Math.PI / 180), float.PositiveInfinity], new CartPole().ObservationSpace.High.ToArray());
        Assert.Equal([1f, 1f, 1f, 1f, (float)(4 * Math.PI), (float)(9 * Math.PI)], new Acrobot().ObservationSpace.High.ToArray());
        Assert.Equal([-1.2f, -0.07f], new MountainCar().ObservationSpace.Low.ToArray());
        Assert.Equal([1f, 1f, 8f], new Pendulum().ObservationSpace.High.ToArray());
    }

    [Fact]
    public void DiscreteActionOutsideSpaceNamesActionAndSpace()
    {
        var env = new CartPole();
        var obs = new float[4];
        env.Reset(new Rng(1), obs);
        var ex = Assert.Throws<ArgumentException>(() => env.Step(2, obs));
        Assert.Contains("Action 2", ex.Message);
        Assert.Contains("Discrete(2)", ex.Message);
        Assert.Throws<ArgumentException>(() => env.Step(-1, obs));
        ex = Assert.Throws<ArgumentException>(() => env.Step([0.5f], obs));
        Assert.Contains("[0.5]", ex.Message);

        // A one-element float action holding an index is accepted.
        Assert.Equal(1.0, env.Step([1f], obs).Reward);
    }

    [Fact]
    public void BoxActionOutsideSpaceNamesActionAndSpace()
    {
        // Outside the box is clipped by default (Gymnasium) and refused under StrictActions; see ExtremeStateAndActionTests.
        var env = new Pendulum { Options = new ControlEnvironmentOptions { StrictActions = true } };
        var obs = new float[3];
        env.Reset(new Rng(1), obs);
        var ex = Assert.Throws<ArgumentException>(() => env.Step([2.5f], obs));
        Assert.Contains("[2.5]", ex.Message);
        Assert.Contains("Box(-2, 2, (1,))", ex.Message);
        Assert.Throws<ArgumentException>(() => env.Step([float.NaN], obs));
        Assert.Throws<ArgumentException>(() => env.Step([0f, 0f], obs));
        ex = Assert.Throws<ArgumentException>(() => env.Step(1, obs));
        Assert.Contains("integer", ex.Message);
        Assert.Equal(0, env.ElapsedSteps);
    }

    [Fact]
    public void StepBeforeResetOrAfterEpisodeEndThrows()
    {
        var env = new MountainCar();
        var obs = new float[2];
        Assert.Throws<InvalidOperationException>(() => env.Step(1, obs));
        env.SetState([0.49, 0.02], obs);
        var r = env.Step(1, obs);
        Assert.True(r.Terminated);
        Assert.True(env.NeedsReset);
        var ex = Assert.Throws<InvalidOperationException>(() => env.Step(1, obs));
        Assert.Contains("after 1 steps", ex.Message);
    }

    [Fact]
    public void TimeLimitTruncatesAtMaxEpisodeStepsCountedFromSetState()
    {
        var env = new Pendulum(maxEpisodeSteps: 3);
        var obs = new float[3];
        env.SetState([1.0, 0.0], obs);
        Assert.False(env.Step([0f], obs).Truncated);
        Assert.False(env.Step([0f], obs).Truncated);
        var last = env.Step([0f], obs);
        Assert.True(last.Truncated);
        Assert.False(last.Terminated);
        Assert.True(last.Done);
        Assert.Equal(3, env.ElapsedSteps);

        env.SetState([1.0, 0.0], obs);
        Assert.Equal(0, env.ElapsedSteps);
        Assert.False(env.Step([0f], obs).Truncated);
    }

    [Fact]
    public void TerminatedAndTruncatedCanCoincide()
    {
        // Gymnasium's TimeLimit sets truncated on the last allowed step whatever terminated says.
        var env = new MountainCar(maxEpisodeSteps: 1);
        var obs = new float[2];
        env.SetState([0.49, 0.02], obs);
        Assert.Equal(new StepResult(-1.0, Terminated: true, Truncated: true), env.Step(2, obs));
    }

    [Fact]
    public void BadStateOrBufferIsRejected()
    {
        var env = new CartPole();
        var ex = Assert.Throws<ArgumentException>(() => env.SetState([0.0, 0.0], new float[4]));
        Assert.Contains("x, x_dot, theta, theta_dot", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => env.SetState([0.0, double.NaN, 0.0, 0.0], new float[4]));
        Assert.Contains("element 1", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => env.Reset(new Rng(0), new float[3]));
        Assert.Contains("buffer has 3", ex.Message);
    }

    [Fact]
    public void SeededResetIsDeterministicAndStateRoundTrips()
    {
        foreach (var name in EnvironmentCatalog.Names)
        {
            var a = EnvironmentCatalog.Create(name);
            var b = EnvironmentCatalog.Create(name);
            Assert.Equal(a.Reset(7UL), b.Reset(7UL));
            Assert.NotEqual(a.GetState(), EnvironmentCatalog.Create(name).Let(e => e.Reset(8UL)).GetState());

            var state = a.GetState();
            var c = EnvironmentCatalog.Create(name);
            Assert.Equal(a.Reset(new Rng(3)).Length, c.SetState(state).Length);
        }
    }

    [Fact]
    public void ResetDrawsFromGymnasiumsInitialDistributions()
    {
        // Ranges from each reset(): CartPole U(−0.05, 0.05)⁴, Acrobot U(−0.1, 0.1)⁴ rounded to float32,
        // MountainCar x ~ U(−0.6, −0.4) and v = 0, Pendulum θ ~ U(−π, π), θ̇ ~ U(−1, 1).
        const int n = 2000;
        var rng = new Rng(2024);
        double sumTheta = 0;
        var cart = new CartPole();
        var acrobot = new Acrobot();
        var car = new MountainCar();
        var pendulum = new Pendulum();
        for (int i = 0; i < n; i++)
        {
            Assert.All(cart.Reset(rng), v => Assert.InRange(v, -0.05f, 0.05f));
            acrobot.Reset(rng);
            Assert.All(acrobot.GetState(), v => { Assert.InRange(v, -0.1, 0.1); Assert.Equal(v, (double)(float)v); });
            car.Reset(rng);
            var s = car.GetState();
            Assert.InRange(s[0], -0.6, -0.4);
            Assert.Equal(0.0, s[1]);
            pendulum.Reset(rng);
            s = pendulum.GetState();
            Assert.InRange(s[0], -Math.PI, Math.PI);
            Assert.InRange(s[1], -1.0, 1.0);
            sumTheta += s[0];
        }

        // Mean of U(−π, π) is 0 with standard error π/√(3n); allow 4 standard errors.
        Assert.InRange(sumTheta / n, -4 * Math.PI / Math.Sqrt(3.0 * n), 4 * Math.PI / Math.Sqrt(3.0 * n));
    }

    [Fact]
    public void StepAllocatesNothing()
    {
        var env = new Acrobot();
        var obs = new float[6];
        env.Reset(new Rng(5), obs);
        env.Step(2, obs);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100 && !env.NeedsReset; i++)
        {
            env.Step(i % 3, obs);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

internal static class LetExtension
{
    public static T Let<T>(this T value, Action<T> action)
    {
        action(value);
        return value;
    }
}
