using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Environments.Discrete;

/// <summary>The grid world: layout mechanics, and the model an agent that does not know the layout builds of it (learning it is in TrialRunnerTests).</summary>
public sealed class GridWorldTests
{
    // 4×4 grid, cells row-major:  0  1  2  3 /  4  5  6  7 /  8  9 10 11 / 12 13 14 15.
    private static GridWorld Grid(int? goal = null, int[]? walls = null) =>
        new(new GridWorldOptions { Size = 4, MaxSteps = 48, Goal = goal, Walls = walls ?? [], GoalSensor = true });

    private static GenerativeModel Unknown(GridWorld grid) => TaskModels.ForGridWorld(grid, new GridWorldModelOptions { UnknownLayout = true });

    [Fact]
    public void WallsBlockMovesAndShortestPathGoesAround()
    {
        var env = Grid(goal: 9, walls: [4, 5]);
        var rng = new Rng(1);
        env.Reset(rng);
        var (obs, done) = env.Step([2], rng); // down from 0 into the wall at 4: stays
        Assert.Equal([0, 0], obs);
        Assert.False(done);
        // By hand: 0 → 1 → 2 → 6 → 10 → 9 (the Manhattan route 0 → 4 → 8 → 9 is walled off).
        Assert.Equal(5, env.ShortestPath());
        Assert.Equal(6, Grid().ShortestPath());
    }

    [Fact]
    public void UnknownLayoutModelKnowsOnlyTheGeometry()
    {
        var open = Unknown(Grid());
        Assert.Equal([16, 2], open.NumObs);
        Assert.Null(open.PB); // no walls: the moves are known
        Assert.All(open.A[GridWorld.GoalModality].Data, p => Assert.Equal(0.5, p)); // flat prior over the goal sensor

        var walled = Unknown(Grid(goal: 9, walls: [4, 5]));
        var b = walled.B[0];
        // Down from 0 (action 2): prior counts MovePrior = 1 to reach 4 and BlockPrior = 0.25 to stay, so 0.8 / 0.2.
        Assert.Equal(0.8, b.Data[(4 * 16 + 0) * 5 + 2], 12);
        Assert.Equal(0.2, b.Data[(0 * 16 + 0) * 5 + 2], 12);
        Assert.NotNull(walled.PB);
    }

    [Fact]
    public void UnknownLayoutNeedsTheGoalSensor()
    {
        var e = Assert.Throws<ArgumentException>(() => TaskModels.ForGridWorld(new GridWorld(new GridWorldOptions { Size = 4 }), new GridWorldModelOptions { UnknownLayout = true }));
        Assert.Contains("GoalSensor", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GoalOnAWallIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Grid(goal: 5, walls: [5]));
        Assert.Contains("goal 5", e.Message);
    }
}
