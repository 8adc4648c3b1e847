using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Cli.Commands.Aif;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Environments.Discrete;

/// <summary>The grid world: layout mechanics, and learning an unknown layout (goal through pA, walls through pB) across trials.</summary>
public sealed class GridWorldTests
{
    // 4×4 grid, cells row-major:  0  1  2  3 /  4  5  6  7 /  8  9 10 11 / 12 13 14 15.
    private static GridWorld Unknown(int? goal = null, int[]? walls = null, int policyLength = 5) => new(new GridWorldOptions
    {
        Size = 4,
        MaxSteps = 48,
        Goal = goal,
        Walls = walls ?? [],
        UnknownLayout = true,
        Agent = new AgentOptions { PolicyLength = policyLength, UseParamInfoGain = true, LearningRateB = AifRunCommand.GridLearningRateB },
    });

    [Fact]
    public void WallsBlockMovesAndShortestPathGoesAround()
    {
        var env = Unknown(goal: 9, walls: [4, 5]);
        var rng = new Rng(1);
        env.Reset(rng);
        var (obs, done) = env.Step([2], rng); // down from 0 into the wall at 4: stays
        Assert.Equal([0, 0], obs);
        Assert.False(done);
        // By hand: 0 → 1 → 2 → 6 → 10 → 9 (the Manhattan route 0 → 4 → 8 → 9 is walled off).
        Assert.Equal(5, env.ShortestPath());
        Assert.Equal(6, Unknown().ShortestPath());
    }

    [Fact]
    public void UnknownLayoutModelKnowsOnlyTheGeometry()
    {
        var open = Unknown();
        Assert.Equal([16, 2], open.Model.NumObs);
        Assert.Null(open.Model.PB); // no walls: the moves are known
        Assert.All(open.Model.A[GridWorld.GoalModality].Data, p => Assert.Equal(0.5, p)); // flat prior over the goal sensor

        var walled = Unknown(goal: 9, walls: [4, 5]);
        var b = walled.Model.B[0];
        // Down from 0 (action 2): prior counts MovePrior = 1 to reach 4 and BlockPrior = 0.25 to stay, so 0.8 / 0.2.
        Assert.Equal(0.8, b.Data[(4 * 16 + 0) * 5 + 2], 12);
        Assert.Equal(0.2, b.Data[(0 * 16 + 0) * 5 + 2], 12);
        Assert.NotNull(walled.Model.PB);
    }

    [Fact]
    public void GoalOnAWallIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Unknown(goal: 5, walls: [5]));
        Assert.Contains("goal 5", e.Message);
    }

    [Fact]
    public void LearnsWhereTheGoalIsAndThenWalksStraightThere()
    {
        // Seed 1 (the environment and argmax action selection are deterministic, so any seed gives this run).
        var env = Unknown();
        var (trials, learned) = AifRunCommand.RunUnknownLayout(env, 8, new Rng(1));
        Assert.All(trials, t => Assert.True(t.ReachedGoal));
        // Trial 1 has to search (this run, policy_len 5: 18 steps); afterwards every trial takes the shortest path of 6 steps.
        Assert.True(trials[0].Steps > 6, $"first trial {trials[0].Steps} steps");
        Assert.All(trials.Skip(1), t => Assert.Equal(6, t.Steps));
        // Learned P(goal | cell): highest at the goal; one visit per trial with η = 1 from counts (1, 1) gives (1 + 8)/(2 + 8) = 0.9.
        Assert.Equal(0.9, learned[env.Goal], 12);
        Assert.Equal(env.Goal, Array.IndexOf(learned, learned.Max()));
    }

    [Fact]
    public void LearnsTheWallsAndTheStepsFallToTheShortestPath()
    {
        var env = Unknown(goal: 9, walls: [4, 5]);
        var (trials, _) = AifRunCommand.RunUnknownLayout(env, 12, new Rng(1));
        Assert.All(trials, t => Assert.True(t.ReachedGoal));
        // This run (seed 1, policy_len 5): 7, 10, 6, 9, 7, 6, 6, 5, 5, 5, 5, 5 — once the goal is known the agent tries the Manhattan
        // route, bumps into the walls, learns them (pB) and settles on the 5-step detour.
        Assert.True(trials.Take(4).Average(t => t.Steps) > 5.5, "early trials should be longer than the shortest path");
        Assert.All(trials.Skip(7), t => Assert.Equal(5, t.Steps));
    }
}
