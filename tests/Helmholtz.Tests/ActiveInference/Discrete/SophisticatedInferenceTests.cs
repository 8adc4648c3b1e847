using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Discrete;

/// <summary>Sophisticated inference (recursive tree search): reduces to one-step EFE, solves the T-maze, prunes.</summary>
public sealed class SophisticatedInferenceTests
{
    /// <summary>Both planners sum the same float64 terms in the same order; only softmax rounding can differ.</summary>
    private const double SamePlannerTolerance = 1e-12;

    private static GenerativeModel WithOptions(GenerativeModel m, AgentOptions o) => new(m.A, m.B, m.C, m.D, null, m.PA, m.PB, m.PD, o);

    [Theory]
    [InlineData("fpi_2f_2m_both_controlled")]
    [InlineData("fpi_1f_3m_len3")]
    [InlineData("fpi_2f_param_gain")]
    public void HorizonOneEqualsOneStepPolicyEnumeration(string name)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "TestData", "pymdp", name);
        var model = ModelFile.Load(Path.Combine(dir, "model.json"));
        var (obs, actions) = Trajectories.Read(Path.Combine(dir, "trajectory.json"));
        var efe = new Agent(WithOptions(model, model.Options with { PolicyLength = 1 }));
        var si = new Agent(WithOptions(model, model.Options with { Planner = Planner.Sophisticated, SophisticatedHorizon = 1 }));
        for (int t = 0; t < obs.Length; t++)
        {
            efe.InferStates(obs[t]);
            si.InferStates(obs[t]);
            efe.InferPolicies();
            si.InferPolicies();
            for (int p = 0; p < efe.QPi.Length; p++)
            {
                Assert.True(Math.Abs(efe.QPi[p] - si.QPi[p]) <= SamePlannerTolerance, $"{name} t={t} q(π)[{p}]: EFE {efe.QPi[p]:R}, SI {si.QPi[p]:R}");
                Assert.True(Math.Abs(efe.NegEfe[p] - si.NegEfe[p]) <= SamePlannerTolerance, $"{name} t={t} −G[{p}]: EFE {efe.NegEfe[p]:R}, SI {si.NegEfe[p]:R}");
            }

            if (t < actions.Length)
            {
                efe.TakeAction(actions[t]);
                si.TakeAction(actions[t]);
            }
        }
    }

    private static TMazeModelOptions Sophisticated(bool infoGain) => new()
    {
        Agent = new AgentOptions { PolicyLength = 1, Planner = Planner.Sophisticated, SophisticatedHorizon = 2, UseStatesInfoGain = infoGain },
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)] // the cue is worth visiting for the reward it leads to, even without the information-gain term
    public void TMazeAgentGoesToTheCueFirst(bool infoGain)
    {
        var env = new TMaze();
        var trials = TrialRunnerTests.RunMaze(env, Sophisticated(infoGain), 100);
        double cueFirst = TrialRunnerTests.CueFirstRate(env, trials);
        double paid = TrialRunnerTests.RewardRate(env, trials);
        Assert.True(cueFirst >= 0.95, $"cue-first rate {cueFirst}");
        Assert.True(paid >= 0.90, $"reward rate {paid}");
    }

    [Fact]
    public void AtTheCueItValuesTheArmTheCueShows()
    {
        // After the cue says "arm 2" (context 1), −G of going to arm 2 beats arm 1 by about the utility difference of
        // reward vs loss, ≈ 0.96·(ln σ(C)[reward] − ln σ(C)[loss]) = 0.96·6 nats.
        var env = new TMaze();
        var agent = new Agent(TaskModels.ForTMaze(env, Sophisticated(infoGain: true)));
        agent.InferStates([0, 0, 0]);
        agent.InferPolicies();
        agent.TakeAction([env.CueLocation, 0]);
        agent.InferStates([env.CueLocation, 0, 1]);
        agent.InferPolicies();
        Assert.True(agent.NegEfe[2] - agent.NegEfe[1] > 5, $"−G(arm 2) − −G(arm 1) = {agent.NegEfe[2] - agent.NegEfe[1]}");
        Assert.Equal(2, agent.SampleAction(new Rng(1))[0]);
    }

    [Fact]
    public void PruningExpandsFewerNodesAndKeepsTheChoice()
    {
        var baseOptions = new AgentOptions { PolicyLength = 1, Planner = Planner.Sophisticated, SophisticatedHorizon = 3 };
        var full = new Agent(TaskModels.ForTMaze(new TMaze(), new() { Agent = baseOptions with { SophisticatedPolicyPruneThreshold = 0, SophisticatedObservationPruneThreshold = 0 } }));
        var pruned = new Agent(TaskModels.ForTMaze(new TMaze(), new() { Agent = baseOptions }));
        foreach (var a in new[] { full, pruned })
        {
            a.InferStates([0, 0, 0]);
            a.InferPolicies();
        }

        Assert.True(pruned.SophisticatedNodes < full.SophisticatedNodes, $"pruned {pruned.SophisticatedNodes} vs full {full.SophisticatedNodes} nodes");
        Assert.Equal(Array.IndexOf(full.QPi, full.QPi.Max()), Array.IndexOf(pruned.QPi, pruned.QPi.Max()));
    }

    [Fact]
    public void ModelFileSelectsThePlanner()
    {
        const string json = """{"A": [[[1, 0], [0, 1]]], "B": [[[[1, 0], [0, 1]], [[0, 1], [1, 0]]]], "planner": "sophisticated", "si_horizon": 4, "si_policy_prune_threshold": 0.1, "si_gamma": 2}""";
        var m = ModelFile.Parse(json);
        Assert.Equal(Planner.Sophisticated, m.Options.Planner);
        Assert.Equal(4, m.Options.SophisticatedHorizon);
        Assert.Equal(0.1, m.Options.SophisticatedPolicyPruneThreshold);
        Assert.Equal(2, m.Options.SophisticatedGamma);
        Assert.Equal(1, m.Policies.Length);
        var ex = Assert.Throws<ModelException>(() => ModelFile.Parse(json.Replace("\"sophisticated\"", "\"tree\"")));
        Assert.Contains("planner = \"tree\": must be \"efe\" or \"sophisticated\"", ex.Message);
        ex = Assert.Throws<ModelException>(() => ModelFile.Parse(json.Replace("\"si_horizon\": 4", "\"si_horizon\": 0")));
        Assert.Contains("si_horizon = 0: must be 1…64", ex.Message);
    }
}
