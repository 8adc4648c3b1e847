using System.Text.Json;
using Helmholtz.Cli.Commands.Control;
using Helmholtz.Tests.Data;
using Spectre.Console.Cli;

namespace Helmholtz.Tests.Cli.Commands.Control;

/// <summary><c>helmholtz aif control</c> in-process on a few episodes: exit codes, run folder, JSON keys, bad input.</summary>
public sealed class ControlCommandTests
{
    [Fact]
    public void AShortRunWritesMetricsFiguresAndTheSummary()
    {
        using var dir = new TempDirectory();
        var settings = new ControlSettings { Env = "cartpole", Agent = "dqn", Episodes = 3, Warmup = 5, BatchSize = 4, Hidden = "8", Out = dir.Path, Quiet = true };
        var (environment, objective) = ControlAgents.Check(settings);
        var summary = ControlCommand.RunOne(settings, environment, objective, dir.Path, CancellationToken.None);

        Assert.Equal(3, summary.Returns.Length);
        var lines = File.ReadAllLines(dir.File("metrics.csv"));
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("episode,return,steps,terminated,truncated,success,mean_100,seconds,", lines[0]);
        foreach (var f in new[] { "config.json", "returns.png", "returns.svg" })
        {
            Assert.True(File.Exists(dir.File(f)), f);
        }

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(summary, Helmholtz.Cli.Infrastructure.Cli.JsonOptions));
        var names = json.RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        Assert.Equal(["returns", "first_success_episode", "solved_episode"], names[..3]);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("solved_episode").ValueKind);
    }

    [Fact]
    public void ConfigJsonWritesEnumsAsNamesAndPropertiesInSnakeCase()
    {
        using var dir = new TempDirectory();
        var settings = new ControlSettings
        {
            Env = "sparse-mountaincar", Agent = "planner", Objective = "feef", Episodes = 1, Ensemble = 2, Horizon = 3, Candidates = 20,
            Elites = 2, Iterations = 1, Epochs = 1, Hidden = "8", Out = dir.Path, Quiet = true,
        };
        Assert.Equal(0, Execute(settings));
        using var config = JsonDocument.Parse(File.ReadAllText(dir.File("config.json")));
        var objective = config.RootElement.GetProperty("options").GetProperty("objective");
        Assert.Equal("feef", objective.GetProperty("kind").GetString());
        Assert.Equal(JsonValueKind.String, objective.GetProperty("estimator").ValueKind);
    }

    [Fact]
    public void MountainCarRunsGetACoveragePlot()
    {
        using var dir = new TempDirectory();
        var settings = new ControlSettings { Env = "mountaincar", Agent = "deep-aif", Episodes = 1, Warmup = 20, BatchSize = 4, Hidden = "8", Out = dir.Path, Quiet = true };
        Assert.Equal(0, Execute(settings));
        Assert.True(File.Exists(dir.File("coverage.png")));
        Assert.True(File.Exists(dir.File("coverage.svg")));
        Assert.Equal(2, File.ReadAllLines(dir.File("metrics.csv")).Length);
    }

    [Theory]
    [InlineData("cartpol", "dqn", null, null, "Known environments: cartpole")]
    [InlineData("cartpole", "ppo", null, null, "Unknown agent 'ppo'. Known agents: deep-aif, dqn")]
    [InlineData("cartpole", "dqn", "feef", null, "Unknown objective 'feef' for agent 'dqn'")]
    [InlineData("pendulum", "deep-aif", null, null, "needs a discrete action space; pendulum has Box(-2, 2, (1,))")]
    [InlineData("cartpole", "dqn", null, "5-1", "--seeds '5-1'")]
    [InlineData("cartpole", "dqn", null, "1,x", "'x' is not a seed")]
    public void BadInputExitsWithCode2(string env, string agent, string? objective, string? seeds, string message)
    {
        var settings = new ControlSettings { Env = env, Agent = agent, Objective = objective, Seeds = seeds, Episodes = 1, Quiet = true, Out = Path.GetTempPath() };
        Assert.Equal(2, Execute(settings));
        var ex = Assert.ThrowsAny<Exception>(() =>
        {
            ControlAgents.Check(settings);
            ControlSettings.ParseSeeds(seeds ?? "1");
        });
        Assert.Contains(message, ex.Message);
    }

    [Fact]
    public void OptionRulesAndSeedLists()
    {
        Assert.False(new ControlSettings { Env = "cartpole", Episodes = 0 }.Validate().Successful);
        Assert.False(new ControlSettings().Validate().Successful);
        Assert.Equal([1UL, 2, 3, 4, 5], ControlSettings.ParseSeeds("1-5"));
        Assert.Equal([3UL, 7, 8], ControlSettings.ParseSeeds("3,7-8"));
        Assert.Throws<FormatException>(() => ControlSettings.ParseSeeds("1,1"));
        Assert.Equal(
            ["aif", "control", "--env", "cartpole", "--episodes", "9"],
            ControlCommand.ForwardedArguments(["aif", "control", "--env", "cartpole", "--seeds", "1-5", "--out=x", "--episodes", "9", "--json", "--parallel", "2"]));
    }

    private static int Execute(ControlSettings settings)
    {
        var context = new CommandContext([], new NoArguments(), "control", null);
        return new ControlCommand().Execute(context, settings, CancellationToken.None);
    }

    private sealed class NoArguments : IRemainingArguments
    {
        public ILookup<string, string?> Parsed { get; } = Array.Empty<string>().ToLookup(s => s, s => (string?)s);

        public IReadOnlyList<string> Raw { get; } = [];
    }
}
