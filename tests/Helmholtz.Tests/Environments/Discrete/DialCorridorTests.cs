using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Environments.Discrete;

/// <summary>The two-factor dial corridor used by <c>helmholtz bench aif --env dial</c> (and bench/pymdp/speed.py).</summary>
public sealed class DialCorridorTests
{
    [Fact]
    public void BenchmarkModelHas200JointStatesAnd729Policies()
    {
        var env = new DialCorridor();
        var model = TaskModels.ForDialCorridor(env);
        Assert.Equal(200, model.NumJointStates);
        Assert.Equal([20, 10, 2], model.NumObs);
        Assert.Equal([3, 3], model.NumControls);
        Assert.Equal(729, model.Policies.Count); // (3 × 3)^3
        // Target cell = round(setting · 19 / 9): by hand 0 → 0, 4 → 8.44 → 8, 5 → 10.56 → 11, 9 → 19.
        Assert.Equal([0, 8, 11, 19], new[] { 0, 4, 5, 9 }.Select(env.Target).ToArray());
        // Reading noise: 0.8 on the setting, 0.1 to each neighbour, 0.2 to the one neighbour at an end.
        Assert.Equal(0.1, env.ReadingProbability(3, 4), 12);
        Assert.Equal(0.2, env.ReadingProbability(1, 0), 12);
        Assert.Equal(0, env.ReadingProbability(6, 4));
    }

    [Fact]
    public void AgentFindsTheRewardInMostTrials()
    {
        var env = new DialCorridor(new DialCorridorOptions { Cells = 8, Settings = 4 });
        var agent = new Agent(TaskModels.ForDialCorridor(env, new DialCorridorModelOptions { Agent = new AgentOptions { PolicyLength = 3 } }));
        var rng = new Rng(1);
        int rewarded = 0;
        for (int trial = 0; trial < 10; trial++)
        {
            agent.Reset();
            var obs = env.Reset(rng);
            bool done = false;
            while (!done)
            {
                agent.InferStates(obs);
                agent.InferPolicies();
                (obs, done) = env.Step(agent.SampleAction(rng), rng);
            }

            rewarded += obs[2];
        }

        // Seed 1 gives 10 of 10; every target is within 7 moves of cell 0 (and the dial can be turned), well inside 40 steps.
        Assert.True(rewarded >= 8, $"{rewarded} of 10 trials rewarded");
    }
}
