using Helmholtz.ActiveInference.Discrete;
using Helmholtz.ActiveInference.Fitting;

namespace Helmholtz.Tests.ActiveInference.Fitting;

/// <summary>The designs of the recovery tasks: the learning memory that ties ω to η, and small recovery studies of γ and η under the default designs.</summary>
public sealed class RecoveryDesignTests
{
    [Fact]
    public void ALearningMemoryTiesTheForgettingRateToTheLearningRate()
    {
        const double Eta = 4, Memory = 16;
        var tied = BehaviourTask.Bandit(new BehaviourTaskDesign { LearningMemory = Memory });
        Assert.Equal(Eta / (Eta + Memory), tied.Model.Build(new AgentParameters(1, 1, 1, Eta, 0.3)).Options.ForgettingRate, 15);
        var untied = BehaviourTask.Bandit(new BehaviourTaskDesign { LearningMemory = 0 });
        Assert.Equal(0.3, untied.Model.Build(new AgentParameters(1, 1, 1, Eta, 0.3)).Options.ForgettingRate);
        Assert.Throws<ArgumentException>(() => BehaviourTask.Bandit(new BehaviourTaskDesign { LearningMemory = -1 }));
        Assert.Throws<ArgumentException>(() => BehaviourTask.TMaze(new BehaviourTaskDesign { RewardPriorConcentration = 0 }));
    }

    [Fact]
    public void TiedCountsSettleWhereForgettingBalancesLearning()
    {
        // n bandit trials that choose arm 0 and see reward: two updates a trial (the start, then the arm), each forgets
        // first, and only the second adds η to the count of reward in arm 0. Its excess over p₀ is then
        // e_n = (1 − ω)² e_{n−1} + η, so e_n = η (1 − k^n) / (1 − k), k = (1 − ω)², ω = η / (η + M); the loss count stays at p₀.
        const double Eta = 2.5, Memory = 16, P0 = 0.5;
        const int N = 40;
        var task = BehaviourTask.Bandit(new BehaviourTaskDesign { LearningMemory = Memory, RewardPriorConcentration = P0 });
        var trial = new BehaviourTrial([[0, 0], [1, 1]], [[0]]);
        var session = new BehaviourSession("s", Enumerable.Repeat(trial, N).ToArray());
        var agent = new AgentChoiceLikelihood(task.Model).Replay(session, new AgentParameters(1, 1, 1, Eta, 0));

        double omega = Eta / (Eta + Memory), k = (1 - omega) * (1 - omega);
        var counts = agent.PA![TaskModels.BanditRewardModality].Data;
        const int Locations = 3, Arm0 = 1;
        Assert.Equal(P0 + (Eta * (1 - Math.Pow(k, N)) / (1 - k)), counts[(1 * Locations) + Arm0], 1e-9);
        Assert.Equal(P0, counts[(2 * Locations) + Arm0], 1e-12);
    }

    [Theory]
    [InlineData("bandit", 24, 0.85)]
    [InlineData("tmaze", 12, 0.85)]
    public void RecoveryOfGammaAndEtaUnderTheDefaultDesignReachesWhatItsStandardErrorsPredict(string name, int subjects, double informed)
    {
        var task = BehaviourTask.ByName(name)!;
        Assert.Equal([FitParameter.Gamma, FitParameter.LearningRate], task.Priors.Select(p => p.Parameter));
        var result = ParameterRecovery.Run(task, new RecoveryOptions { Subjects = subjects, Trials = 100, Seed = 11 });

        // corr(z, ẑ) = √(1 − E[s²]/σ²) for a normal prior and the posterior mean (s² from the Laplace SEs); Fisher's
        // atanh r of n subjects scatters by 1/√(n − 3) around atanh ρ, and 3 of those is the bound. The design has to make
        // the choices inform both parameters: the predicted ρ is at least `informed`.
        for (int j = 0; j < task.Priors.Count; j++)
        {
            var prior = task.Priors[j];
            double meanVariance = result.Fit.Subjects.Average(s => s.TransformedSe[j] * s.TransformedSe[j]);
            double rho = Math.Sqrt(Math.Max(0, 1 - (meanVariance / (prior.Sd * prior.Sd))));
            double r = result.Correlations[prior.Parameter];
            Assert.True(rho >= informed, $"{name} {prior.Parameter}: the fits' standard errors predict ρ = {rho:F3} < {informed}");
            Assert.True(Math.Atanh(r) >= Math.Atanh(rho) - (3 / Math.Sqrt(subjects - 3)), $"{name} {prior.Parameter}: r = {r:F3}, predicted ρ = {rho:F3}");
        }
    }
}
