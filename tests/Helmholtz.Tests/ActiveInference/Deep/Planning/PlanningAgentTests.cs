using Helmholtz.ActiveInference.Deep.Planning;
using Helmholtz.Environments.Control;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Deep.Planning;

public sealed class PlanningAgentTests
{
    // A small configuration so that a planned episode of sparse mountain car takes about a second.
    private static readonly PlannerOptions Small = PlannerOptions.CpuDefault with
    {
        Model = new DynamicsModelOptions(EnsembleSize: 2, HiddenSize: 16, Epochs: 5),
        Cem = new CemOptions(Horizon: 8, Candidates: 30, Elites: 5, Iterations: 2),
    };

    [Fact]
    public void RunsSparseMountainCarDeterministically()
    {
        var (first, second) = (Run(Small, 17), Run(Small, 17));
        Assert.Equal(first.Length, second.Length);
        for (int i = 0; i < first.Length; i++)
        {
            Assert.Equal(first[i].Return, second[i].Return);
            Assert.Equal(first[i].Steps, second[i].Steps);
            Assert.Equal(first[i].States, second[i].States);
        }

        Assert.Equal(0, first[0].Diagnostics["planned"]);
        Assert.Equal(1, first[1].Diagnostics["planned"]);
        Assert.True(first[1].Diagnostics["transitions"] > 0);

        // Action repeat 3 and the 500-step limit: a seed episode that does not reach the goal takes ⌈500/3⌉ = 167 decisions.
        if (!first[0].Terminated)
        {
            Assert.Equal(500, first[0].Steps);
            Assert.Equal(167, first[0].Diagnostics["decisions"]);
        }
    }

    [Fact]
    public void ThreadCountDoesNotChangeResults()
    {
        var one = Run(Small with { Threads = 1 }, 5);
        var two = Run(Small with { Threads = 2 }, 5);
        Assert.Equal(one[1].States, two[1].States);
    }

    [Theory]
    [InlineData("reward")]
    [InlineData("infogain")]
    [InlineData("efe")]
    [InlineData("fef")]
    [InlineData("divergence")]
    public void EveryObjectivePlans(string name)
    {
        var options = Small with { Objective = new Objective(Objective.Parse(name)) };
        var env = EnvironmentCatalog.Create("sparse-mountaincar");
        var agent = new PlanningAgent(env, options, 3);
        var rng = new Rng(4);
        agent.RunEpisode(env, rng);
        var action = new float[1];
        agent.Plan(Helmholtz.Environments.ControlEnvironmentExtensions.Reset(env, rng), action);
        Assert.InRange(action[0], -1f, 1f);
    }

    [Fact]
    public void RejectsDiscreteActions()
    {
        var ex = Assert.Throws<ArgumentException>(() => new PlanningAgent(EnvironmentCatalog.Create("cartpole"), Small, 1));
        Assert.Contains("box", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ObjectiveWeights()
    {
        // (w_U, w_IG, w_H) per objective as documented on Objective.Weights, with β = 2 and reward scale 1.
        Assert.Equal((1.0, 0.0, 0.0), new Objective(ObjectiveKind.Reward, 2).Weights());
        Assert.Equal((0.0, 2.0, 0.0), new Objective(ObjectiveKind.InfoGain, 2).Weights());
        Assert.Equal((1.0, 2.0, 0.0), new Objective(ObjectiveKind.Feef, 2).Weights());
        Assert.Equal((1.0, 2.0, -2.0), new Objective(ObjectiveKind.Efe, 2).Weights());
        Assert.Equal((1.0, -2.0, 0.0), new Objective(ObjectiveKind.Fef, 2).Weights());
        Assert.Equal((1.0, 2.0, 2.0), new Objective(ObjectiveKind.Divergence, 2).Weights());
        Assert.Equal((1.0, 0.0, 0.0), new Objective(ObjectiveKind.Feef, 2, IncludeInfoGain: false).Weights());
        Assert.Equal((1.0, 0.0, 2.0), new Objective(ObjectiveKind.Divergence, 2, IncludeInfoGain: false).Weights());
        var ex = Assert.Throws<ArgumentException>(() => Objective.Parse("curiosity"));
        Assert.Contains("reward, infogain, feef, efe, fef, divergence", ex.Message, StringComparison.Ordinal);
    }

    private static Helmholtz.ActiveInference.Deep.EpisodeResult[] Run(PlannerOptions options, ulong seed)
    {
        var env = EnvironmentCatalog.Create("sparse-mountaincar");
        var agent = new PlanningAgent(env, options, seed);
        var rng = new Rng(seed + 100);
        return [agent.RunEpisode(env, rng), agent.RunEpisode(env, rng)];
    }
}
