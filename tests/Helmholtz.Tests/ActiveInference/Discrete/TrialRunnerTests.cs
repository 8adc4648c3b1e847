using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Discrete;

/// <summary>The trial runner with its learning schedules: the issue's behavioural bar for the epistemic T-maze (100 trials, seed 1), learning an unknown reward location, and learning an unknown grid layout.</summary>
public sealed class TrialRunnerTests
{
    internal static IReadOnlyList<DiscreteTrial> RunMaze(TMaze maze, TMazeModelOptions model, int trials, LearningSchedule? schedule = null) =>
        new TrialRunner(maze, new Agent(TaskModels.ForTMaze(maze, model)), schedule).Run(trials, new Rng(1));

    internal static double CueFirstRate(TMaze maze, IReadOnlyList<DiscreteTrial> trials) =>
        trials.Count(t => t.Actions[0][0] == maze.CueLocation) / (double)trials.Count;

    internal static double RewardRate(TMaze maze, IReadOnlyList<DiscreteTrial> trials) =>
        (double)trials.Count(t => t.FinalObservation[1] == 1) / trials.Count(t => maze.IsArm(t.FinalState[0]));

    [Fact]
    public void AgentVisitsCueFirstAndEntersThePayingArm()
    {
        var maze = new TMaze();
        var trials = RunMaze(maze, new TMazeModelOptions(), 100);
        Assert.True(CueFirstRate(maze, trials) >= 0.95, $"cue-first rate {CueFirstRate(maze, trials)}");
        Assert.True(RewardRate(maze, trials) >= 0.90, $"reward rate {RewardRate(maze, trials)}");
    }

    [Fact]
    public void WithoutInformationGainTheCueIsIgnored()
    {
        var maze = new TMaze();
        var trials = RunMaze(maze, new TMazeModelOptions { Agent = new AgentOptions { PolicyLength = 2, UseStatesInfoGain = false } }, 100);
        Assert.True(CueFirstRate(maze, trials) <= 0.05, $"cue-first rate {CueFirstRate(maze, trials)}");
    }

    [Fact]
    public void LearningDFindsTheFixedRewardLocation()
    {
        var maze = new TMaze(new TMazeOptions { FixedContext = 0 });
        var runner = new TrialRunner(maze, new Agent(TaskModels.ForTMaze(maze, new TMazeModelOptions { LearnD = true })), new LearningSchedule(LearnD: true));
        var dHistory = new List<double>();
        var trials = runner.Run(20, new Rng(1), t => dHistory.Add(runner.Agent.D[1][t.FinalState[1]]));
        Assert.True(dHistory[^1] > 0.9, $"D(rewarded arm) after 20 trials {dHistory[^1]}");
        // Once the contingency is learned the agent goes straight to the arm (no cue needed).
        Assert.All(trials.Skip(5), t => Assert.Equal(1, t.Actions[0][0]));
    }

    [Fact]
    public void LearnsTheRewardContingencyFromAFlatPrior()
    {
        // `helmholtz aif run tmaze --learn`: pA over the reward outcome of each (arm, context) starts flat (counts 1),
        // the context is drawn each trial, and learning goes through the reward modality only.
        var maze = new TMaze();
        var model = TaskModels.ForTMaze(maze, new TMazeModelOptions
        {
            LearnRewardMapping = true,
            TerminalAfterArm = true,
            Agent = new AgentOptions { PolicyLength = 2, UseParamInfoGain = true },
        });
        Assert.Equal(0.5, TaskModels.TMazeRewardContingency(model.A)[0, 0]);
        var runner = new TrialRunner(maze, new Agent(model), new LearningSchedule([TaskModels.TMazeRewardModality]));
        var trials = runner.Run(100, new Rng(1));
        double lateReward = trials.Skip(80).Count(t => t.FinalObservation[1] == 1) / 20.0;
        Assert.True(CueFirstRate(maze, trials) >= 0.95, $"cue-first rate {CueFirstRate(maze, trials)}");
        Assert.True(lateReward >= 0.9, $"reward rate in trials 81–100 {lateReward}");

        // The learned P(reward | arm i, context i) approaches the true 0.98; the wrong arm is rarely entered, so its
        // probability stays nearer the prior, but below the right one.
        var last = TaskModels.TMazeRewardContingency(runner.Agent.A);
        Assert.True(last[0, 0] > 0.9 && last[1, 1] > 0.9, $"learned P(reward | right arm) = {last[0, 0]}, {last[1, 1]}");
        Assert.True(last[0, 1] < last[0, 0] && last[1, 0] < last[1, 1], $"learned contingency [{string.Join(", ", last.Cast<double>())}]");
    }

    [Fact]
    public void RecordsEveryStepAndTheFinalState()
    {
        var maze = new TMaze();
        var trial = RunMaze(maze, new TMazeModelOptions(), 1)[0];
        Assert.Equal(trial.Actions.Length + 1, trial.Observations.Length);
        Assert.Equal(trial.FinalObservation[0], trial.FinalState[0]); // location is observed exactly
        Assert.Equal(maze.Context, trial.FinalState[1]);
        Assert.Equal(1.0, trial.FinalBeliefs[1].Sum(), 12);
    }

    [Fact]
    public void ScheduleThatLearnsWhatTheModelLacksIsRejected()
    {
        var maze = new TMaze();
        var agent = new Agent(TaskModels.ForTMaze(maze));
        var e = Assert.Throws<ArgumentException>(() => new TrialRunner(maze, agent, new LearningSchedule(LearnD: true)));
        Assert.Contains("LearnD", e.Message, StringComparison.Ordinal);
    }

    // 4×4 grid, cells row-major:  0  1  2  3 /  4  5  6  7 /  8  9 10 11 / 12 13 14 15.
    private static (GridWorld Grid, TrialRunner Runner) UnknownGrid(int? goal = null, int[]? walls = null)
    {
        var grid = new GridWorld(new GridWorldOptions { Size = 4, MaxSteps = 48, Goal = goal, Walls = walls ?? [], GoalSensor = true });
        var model = TaskModels.ForGridWorld(grid, new GridWorldModelOptions
        {
            UnknownLayout = true,
            Agent = new AgentOptions { PolicyLength = 5, UseParamInfoGain = true, LearningRateB = TaskModels.UnknownLayoutLearningRateB },
        });
        return (grid, new TrialRunner(grid, new Agent(model), new LearningSchedule([GridWorld.GoalModality], LearnB: model.PB is not null)));
    }

    [Fact]
    public void LearnsWhereTheGoalIsAndThenWalksStraightThere()
    {
        // Seed 1 (the environment and argmax action selection are deterministic, so any seed gives this run).
        var (grid, runner) = UnknownGrid();
        var trials = runner.Run(8, new Rng(1));
        Assert.All(trials, t => Assert.Equal(grid.Goal, t.FinalState[0]));
        // Trial 1 has to search (this run, policy_len 5: 18 steps); afterwards every trial takes the shortest path of 6 steps.
        Assert.True(trials[0].Steps > 6, $"first trial {trials[0].Steps} steps");
        Assert.All(trials.Skip(1), t => Assert.Equal(6, t.Steps));
        // Learned P(goal | cell): highest at the goal; one visit per trial with η = 1 from counts (1, 1) gives (1 + 8)/(2 + 8) = 0.9.
        var learned = runner.Agent.A[GridWorld.GoalModality].Data.AsSpan(grid.Cells, grid.Cells).ToArray();
        Assert.Equal(0.9, learned[grid.Goal], 12);
        Assert.Equal(grid.Goal, Array.IndexOf(learned, learned.Max()));
    }

    [Fact]
    public void LearnsTheWallsAndTheStepsFallToTheShortestPath()
    {
        var (grid, runner) = UnknownGrid(goal: 9, walls: [4, 5]);
        var trials = runner.Run(12, new Rng(1));
        Assert.All(trials, t => Assert.Equal(grid.Goal, t.FinalState[0]));
        // This run (seed 1, policy_len 5): 7, 10, 6, 9, 7, 6, 6, 5, 5, 5, 5, 5 — once the goal is known the agent tries the Manhattan
        // route, bumps into the walls, learns them (pB) and settles on the 5-step detour.
        Assert.True(trials.Take(4).Average(t => t.Steps) > 5.5, "early trials should be longer than the shortest path");
        Assert.All(trials.Skip(7), t => Assert.Equal(5, t.Steps));
    }
}
