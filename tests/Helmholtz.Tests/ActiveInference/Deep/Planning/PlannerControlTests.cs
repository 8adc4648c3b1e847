using Helmholtz.ActiveInference.Deep.Planning;
using Helmholtz.Cli.Commands.Control;
using Helmholtz.Environments.Control;
using Helmholtz.Tests.Data;

namespace Helmholtz.Tests.ActiveInference.Deep.Planning;

/// <summary>The planner's episode numbering (Tschantz et al. 2020: the random seed episode is episode 0).</summary>
public sealed class PlannerControlTests
{
    [Fact]
    public void EpisodeNumbersFollowThePaper()
    {
        var env = EnvironmentCatalog.Create("sparse-mountaincar");
        var one = new PlanningAgent(env, PlannerOptions.CpuDefault, 1);
        Assert.Equal([0, 1, 2], new[] { 1, 2, 3 }.Select(one.EpisodeNumber));
        var two = new PlanningAgent(env, PlannerOptions.CpuDefault with { SeedEpisodes = 2 }, 1);
        Assert.Equal([-1, 0, 1], new[] { 1, 2, 3 }.Select(two.EpisodeNumber));
    }

    [Fact]
    public void AifControlNumbersTheSeedEpisodeZero()
    {
        using var dir = new TempDirectory();
        var settings = new ControlSettings
        {
            Env = "sparse-mountaincar", Agent = "planner", Objective = "feef", Episodes = 3, Seed = 2, Out = dir.Path, Quiet = true,
            Ensemble = 2, Hidden = "8", Horizon = 4, Candidates = 10, Elites = 2, Iterations = 1, Epochs = 2,
        };
        var (environment, objective) = ControlAgents.Check(settings);
        var summary = ControlCommand.RunOne(settings, environment, objective, dir.Path, CancellationToken.None);

        var rows = File.ReadAllLines(dir.File("metrics.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(["0", "1", "2"], rows.Select(r => r[0]));
        int? firstSuccess = rows.Where(r => r[5] == "1").Select(r => (int?)int.Parse(r[0], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
        Assert.Equal(firstSuccess, summary.FirstSuccessEpisode);
        Assert.Equal(3, summary.Returns.Length);
    }
}
