using Helmholtz.ActiveInference.Deep.Planning;
using Helmholtz.Environments.Control;

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
}
