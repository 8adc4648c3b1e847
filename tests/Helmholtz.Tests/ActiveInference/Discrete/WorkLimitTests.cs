using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Discrete;

/// <summary>Discrete active inference refuses nonsense and unbounded work before it starts (issue 15, items 4, 5 and 7).</summary>
public sealed class WorkLimitTests
{
    private const string TwoStates = """{"A": [[[1, 0], [0, 1]]], "B": [[[[1, 0], [0, 1]], [[0, 1], [1, 0]]]]""";

    [Theory]
    [InlineData("gamma", "-1", "gamma = -1: must be a finite number ≥ 0")]
    [InlineData("alpha", "-16", "alpha = -16: must be a finite number ≥ 0")]
    [InlineData("si_gamma", "-2", "si_gamma = -2: must be a finite number ≥ 0")]
    [InlineData("si_prune_penalty", "-1", "si_prune_penalty = -1: must be a finite number ≥ 0")]
    [InlineData("lr_pA", "-0.5", "lr_pA = -0.5: must be a finite number ≥ 0")]
    [InlineData("lr_pB", "-1", "lr_pB = -1: must be a finite number ≥ 0")]
    [InlineData("lr_pD", "-1", "lr_pD = -1: must be a finite number ≥ 0")]
    [InlineData("dF_tol", "-0.001", "dF_tol = -0.001: must be a finite number ≥ 0")]
    [InlineData("mmp_tau", "0", "mmp_tau = 0: must be a finite number > 0")]
    [InlineData("num_iter", "1000000", "num_iter = 1000000: must be 1…10000")]
    [InlineData("inference_horizon", "5000", "inference_horizon = 5000: must be 1…1000")]
    public void ModelFileRefusesNegativeRatesAndPrecisionsNamingTheField(string key, string value, string message)
    {
        string json = TwoStates + $", \"{key}\": {value}}}";
        var ex = Assert.Throws<ModelException>(() => ModelFile.Parse(json, "m.json"));
        Assert.Equal("m.json: " + message, ex.Message);
    }

    [Fact]
    public void ZeroPrecisionsAndRatesStayValid()
    {
        var m = ModelFile.Parse(TwoStates + """, "gamma": 0, "alpha": 0, "lr_pA": 0, "si_gamma": 0}""");
        Assert.Equal(0, m.Options.Gamma);
    }

    [Fact]
    public void NodeBoundFollowsFromThePruneThresholds()
    {
        // Hand calculation: 2 joint actions and 2 outcomes, thresholds 1/16 keep at most 15 of each, so b = 2 × 2 = 4;
        // horizon 3: 1 + 4 + 16 = 21 nodes. Threshold 0.5 keeps at most ⌈1/0.5⌉ − 1 = 1 action: b = 1 × 2, 1 + 2 + 4 = 7.
        var m = ModelFile.Parse(TwoStates + """, "planner": "sophisticated", "si_horizon": 3}""");
        Assert.Equal(21, Agent.SophisticatedNodeBound(m));
        var pruned = ModelFile.Parse(TwoStates + """, "planner": "sophisticated", "si_horizon": 3, "si_policy_prune_threshold": 0.5}""");
        Assert.Equal(7, Agent.SophisticatedNodeBound(pruned));
    }

    [Fact]
    public void SophisticatedSearchBeyondTheNodeLimitIsRefusedAtConstruction()
    {
        // The T-maze's search at depth 4 expands hundreds of nodes; with a limit of 50 the agent is refused up front.
        var maze = new TMaze();
        var options = new AgentOptions { Planner = Planner.Sophisticated, SophisticatedHorizon = 4, Limits = new WorkLimits(MaxTreeNodes: 50) };
        var model = TaskModels.ForTMaze(maze, new TMazeModelOptions { Agent = options });
        Assert.True(Agent.SophisticatedNodeBound(model) > 50);
        var ex = Assert.Throws<ModelException>(() => new Agent(model));
        Assert.Contains("si_horizon = 4", ex.Message, StringComparison.Ordinal);
        Assert.Contains("more than 50 belief nodes", ex.Message, StringComparison.Ordinal);
        Assert.Contains("WorkLimits.MaxTreeNodes", ex.Message, StringComparison.Ordinal);

        // Within the limit the same model runs, and no search exceeds it.
        var agent = new Agent(TaskModels.ForTMaze(maze, new TMazeModelOptions { Agent = options with { Limits = WorkLimits.Default } }));
        agent.InferStates(maze.Reset(new Rng(1)));
        agent.InferPolicies();
        Assert.InRange(agent.SophisticatedNodes, 2, WorkLimits.Default.MaxTreeNodes);
    }

    [Fact]
    public void CancellationReachesTheTreeSearch()
    {
        var maze = new TMaze();
        var model = TaskModels.ForTMaze(maze, new TMazeModelOptions { Agent = new AgentOptions { Planner = Planner.Sophisticated, SophisticatedHorizon = 3 } });
        var agent = new Agent(model);
        agent.InferStates(maze.Reset(new Rng(1)));
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => agent.InferPolicies(cts.Token));
        Assert.Throws<OperationCanceledException>(() => new TrialRunner(maze, agent).RunTrial(0, new Rng(1), cts.Token));
    }

    [Fact]
    public void GridSizesAreCheckedBeforeAllocating()
    {
        var ex = Assert.Throws<ArgumentException>(() => new GridWorld(new GridWorldOptions { Size = 100_000 }));
        Assert.Contains($"Size = 100000: must be 2…{GridWorld.MaxSize}", ex.Message, StringComparison.Ordinal);

        // Size 150 is a valid environment, but its model (B alone 22,500² × 5 float64 = 20 GB) is refused with the range.
        int max = TaskModels.MaxGridWorldSize(unknownLayout: false);
        Assert.True(TaskModels.EstimateGridWorldBytes(max, false) <= WorkLimits.Default.MaxBytes);
        Assert.True(TaskModels.EstimateGridWorldBytes(max + 1, false) > WorkLimits.Default.MaxBytes);
        var big = new GridWorld(new GridWorldOptions { Size = 150 });
        var limit = Assert.Throws<WorkLimitException>(() => TaskModels.ForGridWorld(big));
        Assert.Contains("Size 150", limit.Message, StringComparison.Ordinal);
        Assert.Contains($"Size must be 2…{max}", limit.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DialCorridorSizesAreCheckedBeforeAllocating()
    {
        var ex = Assert.Throws<WorkLimitException>(() => TaskModels.ForDialCorridor(new DialCorridor(new DialCorridorOptions { Cells = 1_000_000, Settings = 1_000_000 })));
        Assert.Contains("Cells 1000000 × Settings 1000000", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the limit is 4 GiB", ex.Message, StringComparison.Ordinal);
        var some = Assert.Throws<WorkLimitException>(() => TaskModels.ForDialCorridor(new DialCorridor(new DialCorridorOptions { Cells = 100_000, Settings = 10 })));
        Assert.Matches(@"with Settings 10, Cells must be 2…\d+", some.Message);
        Assert.Throws<ArgumentException>(() => new DialCorridor(new DialCorridorOptions { Cells = 2_000_000 }));
    }

    [Fact]
    public void UnreachableGoalIsRefused()
    {
        // 3×3 grid, walls at cells 1 and 3 enclose the start (cell 0): the goal (cell 8) cannot be reached.
        var ex = Assert.Throws<ArgumentException>(() => new GridWorld(new GridWorldOptions { Size = 3, Walls = [1, 3], GoalSensor = true }));
        Assert.Contains("Goal 8: unreachable from the start (cell 0)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(4, new GridWorld(new GridWorldOptions { Size = 3, Walls = [1] }).ShortestPath());
    }
}
