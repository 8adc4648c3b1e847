using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Environments.Discrete;

/// <summary>The T-maze and grid tasks themselves (the agent behaviour in them is in ActiveInference/Discrete/TrialRunnerTests).</summary>
public sealed class TMazeTests
{
    [Fact]
    public void EnteringAnArmEndsTheTrialWithRewardOrLoss()
    {
        var maze = new TMaze(new TMazeOptions { FixedContext = 1, RewardProbability = 1 });
        var rng = new Rng(1);
        Assert.Equal([0, 0], maze.Reset(rng).Take(2));
        Assert.Equal([0, 1], maze.State);
        var (cue, done) = maze.Step([maze.CueLocation], rng);
        Assert.False(done);
        Assert.Equal(1, cue[2]); // a valid cue shows the rewarded arm (context 1)
        var (arm, end) = maze.Step([2], rng);
        Assert.True(end);
        Assert.Equal([2, 1], arm.Take(2)); // arm 2 is context 1's arm: reward
    }

    [Fact]
    public void AReversalScheduleMakesTheCueShowTheOtherArmInEverySecondBlock()
    {
        var maze = new TMaze(new TMazeOptions { FixedContext = 0, RewardProbability = 1, ReversalEvery = 2 });
        var rng = new Rng(1);
        var shown = new List<int>();
        var paid = new List<int>();
        for (int trial = 0; trial < 8; trial++)
        {
            maze.Reset(rng);
            var (cue, _) = maze.Step([maze.CueLocation], rng);
            shown.Add(cue[2]);
            var (arm, _) = maze.Step([1], rng);
            paid.Add(arm[1]);
        }

        // Blocks of 2 trials: the cue shows the rewarded arm (0), then the other (1); arm 1 (context 0's arm) pays throughout.
        Assert.Equal([0, 0, 1, 1, 0, 0, 1, 1], shown);
        Assert.All(paid, r => Assert.Equal(1, r));
        Assert.Throws<ArgumentException>(() => new TMaze(new TMazeOptions { ReversalEvery = -1 }));
    }

    [Fact]
    public void GridAgentReachesTheGoal()
    {
        var env = new GridWorld(new GridWorldOptions { Size = 5 });
        var agent = new Agent(TaskModels.ForGridWorld(env));
        var rng = new Rng(1);
        var obs = env.Reset(rng);
        bool done = false;
        int steps = 0;
        while (!done)
        {
            agent.InferStates(obs);
            agent.InferPolicies();
            (obs, done) = env.Step(agent.SampleAction(rng), rng);
            steps++;
        }

        Assert.Equal(env.Goal, env.Location);
        Assert.Equal(8, steps); // the Manhattan distance from corner to corner of a 5×5 grid
    }
}
