using Helmholtz.ActiveInference;
using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Discrete;

/// <summary>A batch of agents gives, agent for agent, the bits of single <see cref="Agent"/>s with the same parameters.</summary>
public sealed class BatchedAgentTests
{
    private static GenerativeModel LearningTMaze(double gamma, double alpha, double lr, double forgetting, double reward, bool paramInfoGain) =>
        TaskModels.ForTMaze(new TMaze(), new TMazeModelOptions
        {
            LearnRewardMapping = true,
            RewardPreference = reward,
            Agent = new AgentOptions
            {
                PolicyLength = 2,
                Gamma = gamma,
                Alpha = alpha,
                LearningRateA = lr,
                ForgettingRate = forgetting,
                UseParamInfoGain = paramInfoGain,
                ActionSelection = ActionSelection.Stochastic,
            },
        });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void EachAgentOfABatchIsBitIdenticalToASingleAgentOverTrialsWithLearning(bool share)
    {
        // Five agents with different γ, α, learning rate, forgetting and preferences; two share one model instance.
        var shared = LearningTMaze(16, 16, 1, 0, 3, false);
        GenerativeModel[] models =
        [
            shared,
            LearningTMaze(2, 4, 0.5, 0.1, 3, true),
            LearningTMaze(8, 1, 0.25, 0, 6, false),
            shared,
            LearningTMaze(32, 16, 2, 0.3, 1, true),
        ];
        int n = models.Length;
        var batch = new BatchedAgent(models, share);
        var singles = models.Select(m => new Agent(m)).ToArray();
        var batchRngs = Enumerable.Range(0, n).Select(i => new Rng((ulong)(100 + i))).ToArray();
        var singleRngs = Enumerable.Range(0, n).Select(i => new Rng((ulong)(100 + i))).ToArray();
        var envs = Enumerable.Range(0, n).Select(_ => new TMaze()).ToArray();
        var envRngs = Enumerable.Range(0, n).Select(i => new Rng((ulong)(7 + i))).ToArray();
        var obs = new int[n * batch.NumModalities];

        for (int trial = 0; trial < 6; trial++)
        {
            for (int i = 0; i < n; i++)
            {
                envs[i].Reset(envRngs[i]).CopyTo(obs, i * batch.NumModalities);
                singles[i].Reset();
            }

            batch.Reset();
            var done = new bool[n];
            for (int t = 0; t < 3 && !done.All(d => d); t++)
            {
                var actions = batch.Step(obs, batchRngs).ToArray();
                for (int i = 0; i < n; i++)
                {
                    var o = obs.AsSpan(i * batch.NumModalities, batch.NumModalities).ToArray();
                    var qs = singles[i].InferStates(o);
                    var qPi = singles[i].InferPolicies();
                    var a = singles[i].SampleAction(singleRngs[i]);
                    for (int f = 0; f < batch.NumFactors; f++)
                    {
                        Assert.True(qs[f].AsSpan().SequenceEqual(batch.Qs(i, f)), $"agent {i} trial {trial} step {t} q(s) factor {f}");
                        Assert.Equal(a[f], actions[i * batch.NumFactors + f]);
                    }

                    Assert.True(qPi.AsSpan().SequenceEqual(batch.QPi(i)), $"agent {i} trial {trial} step {t} q(π)");
                    Assert.True(singles[i].NegEfe.AsSpan().SequenceEqual(batch.NegEfe(i)), $"agent {i} step {t} −G");
                }

                // Learn after every step from the observation just seen.
                batch.UpdateA(obs);
                for (int i = 0; i < n; i++)
                {
                    singles[i].UpdateA(obs.AsSpan(i * batch.NumModalities, batch.NumModalities));
                    var (next, end) = envs[i].Step(actions.AsSpan(i * batch.NumFactors, batch.NumFactors), envRngs[i]);
                    next.CopyTo(obs, i * batch.NumModalities);
                    done[i] |= end;
                }
            }
        }

        for (int i = 0; i < n; i++)
        {
            for (int m = 0; m < batch.NumModalities; m++)
            {
                Assert.True(singles[i].PA![m].Data.AsSpan().SequenceEqual(batch.PA(i)![m].Data), $"agent {i} pA[{m}]");
                Assert.True(singles[i].A[m].Data.AsSpan().SequenceEqual(batch.A(i)[m].Data), $"agent {i} A[{m}]");
            }
        }

        // The two agents that started from one model instance learned separately (their environments differ).
        Assert.False(batch.PA(0)![TaskModels.TMazeRewardModality].Data.AsSpan().SequenceEqual(batch.PA(3)![TaskModels.TMazeRewardModality].Data));
    }

    // Three states on a line, controls stay / right; the agent is unsure whether "right" moves (pB), sees its state
    // with 0.8 accuracy and prefers state 2.
    private static GenerativeModel LearningLine(double lrB, double forgetting, double gamma) => new(
        [new ModelArray([3, 3], [0.8, 0.1, 0.1, 0.1, 0.8, 0.1, 0.1, 0.1, 0.8])],
        [new ModelArray([3, 3, 2], [1, 0.5, 0, 0, 0, 0, 0, 0.5, 1, 0.5, 0, 0, 0, 0, 0, 0.5, 1, 1])],
        c: [[0, 0, 2]],
        pB: [new ModelArray([3, 3, 2], [1, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 1])],
        options: new AgentOptions { PolicyLength = 2, LearningRateB = lrB, ForgettingRate = forgetting, Gamma = gamma, Alpha = 3, ActionSelection = ActionSelection.Stochastic });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void BLearningIsBitIdenticalToSingleAgents(bool share)
    {
        GenerativeModel[] models = [LearningLine(1, 0, 16), LearningLine(0.5, 0.2, 4), LearningLine(2, 0.1, 8)];
        int n = models.Length;
        var batch = new BatchedAgent(models, share);
        var singles = models.Select(m => new Agent(m)).ToArray();
        var rb = Enumerable.Range(0, n).Select(i => new Rng((ulong)(50 + i))).ToArray();
        var rs = Enumerable.Range(0, n).Select(i => new Rng((ulong)(50 + i))).ToArray();
        var world = new Rng(9);
        var obs = new int[n];
        for (int t = 0; t < 8; t++)
        {
            var previous = batch.AllQs.ToArray();
            var singlePrevious = singles.Select(a => a.Qs.Select(q => (double[])q.Clone()).ToArray()).ToArray();
            batch.InferStates(obs);
            for (int i = 0; i < n; i++)
            {
                singles[i].InferStates([obs[i]]);
            }

            if (t > 0)
            {
                batch.UpdateB(previous);
                for (int i = 0; i < n; i++)
                {
                    singles[i].UpdateB(singlePrevious[i]);
                    Assert.True(singles[i].PB![0].Data.AsSpan().SequenceEqual(batch.PB(i)![0].Data), $"agent {i} step {t} pB");
                    Assert.True(singles[i].B[0].Data.AsSpan().SequenceEqual(batch.B(i)[0].Data), $"agent {i} step {t} B");
                }
            }

            batch.InferPolicies();
            var actions = batch.SampleActions(rb).ToArray();
            for (int i = 0; i < n; i++)
            {
                Assert.True(singles[i].InferPolicies().AsSpan().SequenceEqual(batch.QPi(i)), $"agent {i} step {t} q(π)");
                Assert.Equal(singles[i].SampleAction(rs[i])[0], actions[i]);
                obs[i] = Math.Min(2, obs[i] + (actions[i] == 1 && world.NextDouble() < 0.7 ? 1 : 0));
            }
        }
    }

    [Fact]
    public void ActionProbabilitiesAreSoftmaxOfAlphaTimesLogMarginals()
    {
        var model = LearningTMaze(4, 2, 1, 0, 3, false);
        var batch = new BatchedAgent(model, 3);
        var single = new Agent(model);
        var obs = new TMaze().Reset(new Rng(1));
        batch.InferStates([.. obs, .. obs, .. obs]);
        batch.InferPolicies();
        single.InferStates(obs);
        single.InferPolicies();
        var marg = single.ActionMarginals()[0];
        var logits = marg.Select(m => Categorical.SafeLog(m) * 2).ToArray();
        var expected = new double[logits.Length];
        Categorical.Softmax(logits, expected);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(expected.AsSpan().SequenceEqual(batch.ActionProbabilities(i, 0)));
            Assert.Equal(1.0, batch.ActionProbabilities(i, 1).ToArray().Sum(), 12);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void GridWorldBatchMatchesSingleAgentsOverARollout(bool share)
    {
        var grid = new GridWorld(new GridWorldOptions { Size = 4, MaxSteps = 8 });
        var model = TaskModels.ForGridWorld(grid, new GridWorldModelOptions { Agent = new AgentOptions { PolicyLength = 2, ActionSelection = ActionSelection.Stochastic, Alpha = 4 } });
        const int n = 40;
        var batch = new BatchedAgent(model, n, share);
        var envs = Enumerable.Range(0, n).Select(_ => (IDiscreteEnvironment)new GridWorld(new GridWorldOptions { Size = 4, MaxSteps = 8 })).ToArray();
        var rollout = batch.Rollout(envs, Enumerable.Range(0, n).Select(i => new Rng((ulong)i)).ToArray(), 12);

        for (int i = 0; i < n; i++)
        {
            var agent = new Agent(model);
            var env = new GridWorld(new GridWorldOptions { Size = 4, MaxSteps = 8 });
            var rng = new Rng((ulong)i);
            var o = env.Reset(rng);
            for (int t = 0; t < 12; t++)
            {
                Assert.Equal(o, rollout.Observations.AsSpan((t * n + i) * o.Length, o.Length).ToArray());
                agent.InferStates(o);
                agent.InferPolicies();
                var a = agent.SampleAction(rng);
                Assert.Equal(a, rollout.Actions.AsSpan((t * n + i) * a.Length, a.Length).ToArray());
                var (next, done) = env.Step(a, rng);
                o = next;
                if (done)
                {
                    agent.Reset();
                    o = env.Reset(rng);
                }
            }
        }
    }

    [Fact]
    public void ModelsOfDifferentShapesAndUnsupportedPlannersAreRefused()
    {
        var tmaze = LearningTMaze(16, 16, 1, 0, 3, false);
        var grid = TaskModels.ForGridWorld(new GridWorld(new GridWorldOptions { Size = 3 }));
        var e = Assert.Throws<ModelException>(() => new BatchedAgent([tmaze, grid]));
        Assert.Contains("models[1]", e.Message);
        var si = TaskModels.ForGridWorld(new GridWorld(new GridWorldOptions { Size = 3 }), new GridWorldModelOptions { Agent = new AgentOptions { Planner = Planner.Sophisticated } });
        Assert.Contains("FPI", Assert.Throws<ModelException>(() => new BatchedAgent(si, 2)).Message);
        var batch = new BatchedAgent(tmaze, 2);
        Assert.Contains("observations", Assert.Throws<ModelException>(() => batch.InferStates([0, 0, 0])).Message);
    }
}
