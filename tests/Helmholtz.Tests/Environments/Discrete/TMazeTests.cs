using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Cli.Commands.Aif;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Environments.Discrete;

/// <summary>The issue's behavioural bar for the epistemic T-maze (100 trials, seed 1), and learning of an unknown reward location.</summary>
public sealed class TMazeTests
{
    [Fact]
    public void AgentVisitsCueFirstAndEntersThePayingArm()
    {
        var env = new TMaze(new TMazeOptions());
        var (records, _, _) = AifRunCommand.RunMaze(env, 100, learn: false, new Rng(1));
        double cueFirst = records.Count(r => r.Moves[0] == env.CueLocation) / 100.0;
        double paid = (double)records.Count(r => r.Rewarded) / records.Count(r => r.EnteredArm);
        Assert.True(cueFirst >= 0.95, $"cue-first rate {cueFirst}");
        Assert.True(paid >= 0.90, $"reward rate {paid}");
    }

    [Fact]
    public void WithoutInformationGainTheCueIsIgnored()
    {
        var env = new TMaze(new TMazeOptions { Agent = new AgentOptions { PolicyLength = 2, UseStatesInfoGain = false } });
        var (records, _, _) = AifRunCommand.RunMaze(env, 100, learn: false, new Rng(1));
        double cueFirst = records.Count(r => r.Moves[0] == env.CueLocation) / 100.0;
        Assert.True(cueFirst <= 0.05, $"cue-first rate {cueFirst}");
    }

    [Fact]
    public void LearningDFindsTheFixedRewardLocation()
    {
        var env = new TMaze(new TMazeOptions { FixedContext = 0, LearnD = true });
        var (records, _, dHistory) = AifRunCommand.RunMaze(env, 20, learn: true, new Rng(1));
        Assert.True(dHistory[^1][0] > 0.9, $"D(rewarded arm) after 20 trials {dHistory[^1][0]}");
        // Once the contingency is learned the agent goes straight to the arm (no cue needed).
        Assert.All(records.Skip(5), r => Assert.Equal(1, r.Moves[0]));
    }

    [Fact]
    public void LearnsTheRewardContingencyFromAFlatPrior()
    {
        // `helmholtz aif run tmaze --learn`: pA over the reward outcome of each (arm, context) starts flat (counts 1),
        // the context is drawn each trial, and learning goes through the reward modality only.
        var env = new TMaze(new TMazeOptions
        {
            LearnRewardMapping = true,
            TerminalAfterArm = true,
            Agent = new AgentOptions { PolicyLength = 2, UseParamInfoGain = true },
        });
        Assert.Equal(0.5, env.RewardContingency(env.Model.A)[0, 0]);
        var (records, _, history) = AifRunCommand.RunMaze(env, 100, learn: true, new Rng(1));
        double cueFirst = records.Count(r => r.Moves[0] == env.CueLocation) / 100.0;
        double lateReward = records.Skip(80).Count(r => r.Rewarded) / 20.0;
        Assert.True(cueFirst >= 0.95, $"cue-first rate {cueFirst}");
        Assert.True(lateReward >= 0.9, $"reward rate in trials 81–100 {lateReward}");

        // The learned P(reward | arm i, context i) approaches the true 0.98; the wrong arm is rarely entered, so its
        // probability stays nearer the prior, but below the right one.
        var last = history[^1];
        Assert.True(last[0] > 0.9 && last[3] > 0.9, $"learned P(reward | right arm) = {last[0]}, {last[3]}");
        Assert.True(last[1] < last[0] && last[2] < last[3], $"learned contingency [{string.Join(", ", last)}]");
    }

    [Fact]
    public void GridAgentReachesTheGoal()
    {
        var env = new GridWorld(new GridWorldOptions { Size = 5 });
        var agent = new Agent(env.Model);
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
