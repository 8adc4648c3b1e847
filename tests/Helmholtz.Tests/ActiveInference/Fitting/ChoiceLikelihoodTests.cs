using Helmholtz.ActiveInference;
using Helmholtz.ActiveInference.Discrete;
using Helmholtz.ActiveInference.Fitting;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Fitting;

/// <summary>The choice likelihood: a hand-computed two-trial case with learning and forgetting, agreement with the trial runner, and the agent's action probabilities against its own draws.</summary>
public sealed class ChoiceLikelihoodTests
{
    // Sums of a few logs and softmaxes of O(1) numbers: float64 rounding is ~1e-15; 1e-12 leaves room and still catches any wrong term.
    private const double HandTolerance = 1e-12;

    [Fact]
    public void TwoBanditTrialsMatchAHandCalculation()
    {
        var bandit = new TwoArmedBandit();
        var model = TaskModels.ForTwoArmedBandit(bandit, new TwoArmedBanditModelOptions
        {
            RewardPreference = 2, LossPreference = -2, RewardPriorConcentration = 1,
            Agent = new AgentOptions { UseStatesInfoGain = false, UseParamInfoGain = false },
        });
        var likelihood = new AgentChoiceLikelihood(new BehaviourModel(model, new LearningSchedule([TaskModels.BanditRewardModality])));
        double gamma = 1.5, alpha = 2, kappa = 0.5, eta = 0.7, omega = 0.1;
        var parameters = new AgentParameters(gamma, alpha, kappa, eta, omega);

        // Trial 0: start, choose arm 0, reward. Trial 1: start, choose arm 1, loss.
        var session = new BehaviourSession("s", [new BehaviourTrial([[0, 0], [1, 1]], [[0]]), new BehaviourTrial([[0, 0], [2, 2]], [[1]])]);
        var each = likelihood.ChoiceLogProbabilities(session, parameters);

        // By hand. Choice 1: both arms have counts (reward 1, loss 1), the same expected utility, so q(π) = (½, ½) and
        // P(u) = softmax(α ln q) = ½. Learning after trial 0: arm 0's reward count 1 + η; at trial 1's first observation
        // forgetting pulls it back to 1 + (1 − ω)η (pA ← pA₀ + (1 − ω)(pA − pA₀)) before the second choice.
        double r0 = 1 + ((1 - omega) * eta);
        double[] a0 = [0, r0 / (r0 + 1), 1 / (r0 + 1)];
        double[] a1 = [0, 0.5, 0.5];
        double[] c = [0, 2 * kappa, -2 * kappa];
        double z = Math.Log(Math.Exp(c[0]) + Math.Exp(c[1]) + Math.Exp(c[2]));
        double U(double[] a) => (a[1] * (c[1] - z)) + (a[2] * (c[2] - z));
        double q0 = 1 / (1 + Math.Exp(gamma * (U(a1) - U(a0))));
        double q1 = 1 - q0;
        double p1 = Math.Exp(alpha * Math.Log(q1)) / (Math.Exp(alpha * Math.Log(q0)) + Math.Exp(alpha * Math.Log(q1)));

        Assert.Equal(2, each.Length);
        Assert.Equal(Math.Log(0.5), each[0], HandTolerance);
        Assert.Equal(Math.Log(p1), each[1], HandTolerance);
        Assert.Equal(each[0] + each[1], likelihood.LogLikelihood(session, parameters), HandTolerance);
    }

    [Fact]
    public void ReplayLearnsExactlyWhatTheTrialRunnerLearned()
    {
        var task = BehaviourTask.TMaze();
        var parameters = new AgentParameters(2, 1.5, 1.2, 0.8, 0.05);
        var runner = new TrialRunner(task.NewEnvironment(), new Agent(task.Model.Build(parameters)), task.Model.Schedule);
        var trials = runner.Run(8, new Rng(3));
        var session = new BehaviourSession("s", trials.Select(BehaviourTrial.From).ToArray());

        var replayed = new AgentChoiceLikelihood(task.Model).Replay(session, parameters);

        for (int m = 0; m < runner.Agent.PA!.Count; m++)
        {
            Assert.Equal(runner.Agent.PA[m].Data, replayed.PA![m].Data);
        }
    }

    [Fact]
    public void ActionProbabilitiesAreTheOnesSampleActionDrawsFrom()
    {
        var maze = new TMaze();
        var model = TaskModels.ForTMaze(maze, new TMazeModelOptions
        {
            Agent = new AgentOptions { PolicyLength = 2, Gamma = 1.3, Alpha = 0.7, ActionSelection = ActionSelection.Stochastic },
        });
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var agent = new Agent(model);
            agent.InferStates([0, 0, (int)(seed % 2)]);
            agent.InferPolicies();
            var p = agent.ActionProbabilities();

            // SampleAction draws factor by factor with one uniform each, by the inverse CDF; replay its draws.
            var copy = new Rng(seed);
            var expected = new int[p.Length];
            for (int f = 0; f < p.Length; f++)
            {
                double r = copy.NextDouble(), cumulative = 0;
                expected[f] = p[f].Length - 1;
                for (int u = 0; u < p[f].Length; u++)
                {
                    cumulative += p[f][u];
                    if (r < cumulative)
                    {
                        expected[f] = u;
                        break;
                    }
                }
            }

            Assert.Equal(expected, agent.SampleAction(new Rng(seed)));
        }
    }
}
