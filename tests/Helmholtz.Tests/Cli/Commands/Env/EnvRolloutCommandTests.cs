using System.Text.Json;
using Helmholtz.Cli.Commands.Env;
using Helmholtz.Tests.Environments.Control;
using Spectre.Console.Cli;

namespace Helmholtz.Tests.Cli.Commands.Env;

/// <summary><c>helmholtz env rollout</c> run in-process: golden output, agreement with Gymnasium, bad input.</summary>
public sealed class EnvRolloutCommandTests
{
    /// <summary>The printed float32 values are shortest round-trip strings, so they parse back to the same float32.</summary>
    private const double ObservationTolerance = 1e-5;

    [Fact]
    public void JsonOutputMatchesGoldenFileAndGymnasium()
    {
        // Golden: TestData/cli/env-rollout-cartpole.json, this command's reviewed output. The same state and actions
        // form the "pole-falls" case of TestData/gymnasium/cartpole.json (Gymnasium 1.4.0), checked below.
        var (code, stdout) = Run(new EnvRolloutSettings
        {
            Env = "cartpole",
            State = "[0.0, 0.0, 0.1, 0.5]",
            Actions = "[0,0,0,0,0,0,0,0,0,0]",
            Json = true,
        });
        Assert.Equal(0, code);
        string golden = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "cli", "env-rollout-cartpole.json"));
        Assert.Equal(golden.TrimEnd(), stdout.TrimEnd());

        var reference = GymnasiumReference.Load("cartpole").Single(c => c.Name == "pole-falls");
        AssertMatches(reference, stdout);
    }

    [Fact]
    public void StopsAtTheStandardTimeLimitCountedFromTheGivenState()
    {
        // Acrobot "small-oscillation-until-time-limit": 510 actions, Gymnasium truncates after 500.
        var reference = GymnasiumReference.Load("acrobot").Single(c => c.Name == "small-oscillation-until-time-limit");
        var (code, stdout) = Run(new EnvRolloutSettings
        {
            Env = "acrobot",
            State = JsonSerializer.Serialize(reference.State),
            Actions = JsonSerializer.Serialize(reference.Actions.Select(a => (int)a[0])),
            Json = true,
        });
        Assert.Equal(0, code);
        AssertMatches(reference, stdout);
    }

    [Fact]
    public void ContinuousActionsMayBeNumbersOrOneElementArrays()
    {
        var reference = GymnasiumReference.Load("pendulum").Single(c => c.Name == "speed-clip");
        string mixed = "[" + string.Join(",", reference.Actions.Select((a, i) =>
            (i % 2 == 0 ? a[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture) : $"[{a[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture)}]"))) + "]";
        var (code, stdout) = Run(new EnvRolloutSettings
        {
            Env = "pendulum", State = JsonSerializer.Serialize(reference.State), Actions = mixed, Json = true,
        });
        Assert.Equal(0, code);
        AssertMatches(reference, stdout);
    }

    [Theory]
    [InlineData("cartpol", "[0,0,0,0]", "[1]", "Known environments: cartpole, acrobot")]
    [InlineData("cartpole", "[0,0,0]", "[1]", "4 numbers (x, x_dot, theta, theta_dot)")]
    [InlineData("cartpole", "[0,0,0,0]", "[1, 2]", "--actions[1]: action 2 is outside the cartpole action space Discrete(2)")]
    [InlineData("mountaincar-continuous", "[-0.5,0]", "[[1.5, 0]]", "action [1.5, 0] is outside the mountaincar-continuous action space Box(-1, 1, (1,))")]
    [InlineData("pendulum", "[0,0]", "[1e39]", "--actions[0]: action 1e39 is beyond the float32 range")]
    [InlineData("acrobot", "[1e400,0,0,0]", "[1]", "--state[0]: 1e400 is beyond the float64 range")]
    [InlineData("cartpole", "[0,0,0,1e200]", "[1]", "--state [0,0,0,1e200]: The cartpole dynamics overflowed in step 1")]
    [InlineData("pendulum", "[0,0]", "[1,", "--actions is not valid JSON")]
    [InlineData("pendulum", "{\"theta\": 0}", "[1]", "--state for pendulum must be a JSON array")]
    [InlineData("acrobot", "[0,0,0,0]", "[0.5]", "outside the acrobot action space Discrete(3)")]
    public void BadInputGivesOneMessageAndExitCode2(string env, string state, string actions, string message)
    {
        var settings = new EnvRolloutSettings { Env = env, State = state, Actions = actions, Json = true };
        var (code, stdout) = Run(settings);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        var ex = Assert.ThrowsAny<Exception>(() => EnvRolloutCommand.Rollout(env, state, actions));
        Assert.Contains(message, ex.Message);
        Assert.DoesNotContain("(Parameter", ex.Message);
    }

    [Theory]
    [InlineData("[1e20,0,0,0]")]
    [InlineData("[0,0,1e30,1e30]")]
    public async Task AcrobotFromHugeStatesReturnsPromptly(string state)
    {
        // These once looped forever in the angle wrapping; now one step is constant time.
        var run = Task.Run(() => Run(new EnvRolloutSettings { Env = "acrobot", State = state, Actions = "[1, 1]", Json = true }));
        var (code, stdout) = await run.WaitAsync(TimeSpan.FromSeconds(10)); // TimeoutException if it hangs
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(2, doc.RootElement.GetProperty("rewards").GetArrayLength());
    }

    [Fact]
    public void OutOfBoxContinuousActionsAreClippedAsInGymnasiumUnlessStrict()
    {
        // Pendulum "out-of-box-random" (Gymnasium 1.4.0 clips each torque into [-2, 2]): replayed through the command.
        var reference = GymnasiumReference.Load("pendulum").Single(c => c.Name == "out-of-box-random");
        string actions = JsonSerializer.Serialize(reference.Actions);
        var (code, stdout) = Run(new EnvRolloutSettings
        {
            Env = "pendulum", State = JsonSerializer.Serialize(reference.State), Actions = actions, Json = true,
        });
        Assert.Equal(0, code);
        AssertMatches(reference, stdout);

        var strict = new EnvRolloutSettings
        {
            Env = "pendulum", State = JsonSerializer.Serialize(reference.State), Actions = actions, Json = true, StrictActions = true,
        };
        Assert.Equal((2, string.Empty), Run(strict));
        var ex = Assert.Throws<ArgumentException>(() => EnvRolloutCommand.Rollout("pendulum", strict.State, actions, strictActions: true));
        Assert.Contains("is outside the pendulum action space Box(-2, 2, (1,)) (--strict-actions)", ex.Message);
    }

    [Fact]
    public void MissingOptionsFailValidation()
    {
        Assert.False(new EnvRolloutSettings { State = "[0]", Actions = "[]" }.Validate().Successful);
        Assert.False(new EnvRolloutSettings { Env = "cartpole", Actions = "[]" }.Validate().Successful);
        Assert.False(new EnvRolloutSettings { Env = "cartpole", State = "[0]" }.Validate().Successful);
        Assert.True(new EnvRolloutSettings { Env = "cartpole", State = "[0]", Actions = "[]" }.Validate().Successful);
    }

    private static (int Code, string Stdout) Run(EnvRolloutSettings settings)
    {
        var writer = new StringWriter();
        var command = new EnvRolloutCommand(writer);
        var context = new CommandContext([], new NoRemainingArguments(), "rollout", null);
        int code = command.Execute(context, settings, CancellationToken.None);
        return (code, writer.ToString());
    }

    private static void AssertMatches(ReferenceCase reference, string stdout)
    {
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(
            ["observations", "rewards", "terminated", "truncated"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        var observations = root.GetProperty("observations").EnumerateArray().ToArray();
        Assert.Equal(reference.Rewards.Length, observations.Length);
        for (int t = 0; t < observations.Length; t++)
        {
            var o = observations[t].EnumerateArray().Select(v => v.GetDouble()).ToArray();
            for (int i = 0; i < o.Length; i++)
            {
                Assert.True(
                    Math.Abs(o[i] - reference.Observations[t][i]) <= ObservationTolerance * Math.Max(1, Math.Abs(reference.Observations[t][i])),
                    $"step {t + 1} observation[{i}]: expected {reference.Observations[t][i]:R}, got {o[i]:R}.");
            }
        }

        Assert.Equal(reference.Rewards, root.GetProperty("rewards").EnumerateArray().Select(v => v.GetDouble()).ToArray(), new ToleranceComparer(1e-9));
        Assert.Equal(reference.Terminated, root.GetProperty("terminated").EnumerateArray().Select(v => v.GetBoolean()).ToArray());
        Assert.Equal(reference.Truncated, root.GetProperty("truncated").EnumerateArray().Select(v => v.GetBoolean()).ToArray());
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));

        public int GetHashCode(double obj) => 0;
    }

    private sealed class NoRemainingArguments : IRemainingArguments
    {
        public ILookup<string, string?> Parsed { get; } = Array.Empty<string>().ToLookup(s => s, s => (string?)s);

        public IReadOnlyList<string> Raw { get; } = [];
    }
}
