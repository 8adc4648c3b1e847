using Helmholtz.ActiveInference.Fitting;

namespace Helmholtz.Tests.ActiveInference.Fitting;

/// <summary>The MAP fit and its Laplace standard errors on a likelihood whose posterior is known in closed form, and a small recovery study.</summary>
public sealed class BehaviourFitterTests
{
    // A likelihood that is Gaussian on the transformed scales: ln L = −½ (z − m)ᵀ P (z − m).
    private sealed class GaussianLikelihood(FitParameter[] parameters, double[] m, double[,] p) : IChoiceLikelihood
    {
        public void LogLikelihoods(BehaviourSession session, ReadOnlySpan<AgentParameters> values, Span<double> destination, CancellationToken cancellationToken = default)
        {
            for (int i = 0; i < values.Length; i++)
            {
                var v = values[i];
                var d = parameters.Select((q, k) => ParameterScale.ToTransformed(q, v.Get(q)) - m[k]).ToArray();
                double s = 0;
                for (int a = 0; a < d.Length; a++)
                {
                    for (int b = 0; b < d.Length; b++)
                    {
                        s += d[a] * p[a, b] * d[b];
                    }
                }

                destination[i] = -0.5 * s;
            }
        }
    }

    [Fact]
    public void MapAndLaplaceErrorsOfAGaussianCaseAreTheClosedForm()
    {
        FitParameter[] parameters = [FitParameter.Gamma, FitParameter.ForgettingRate];
        double[] m = [1.2, -2.0];
        double[,] precision = { { 4, 1 }, { 1, 2 } };
        var priors = new[] { new ParameterPrior(FitParameter.Gamma, 0, 1), new ParameterPrior(FitParameter.ForgettingRate, -3, 0.5) };
        var fitter = new BehaviourFitter(new GaussianLikelihood(parameters, m, precision), new AgentParameters(1, 1, 1, 1, 0.02), new FitOptions { Priors = priors });

        var fit = fitter.Fit([new BehaviourSession("s", [])]).Subjects[0];

        // Posterior precision H = P + diag(1/σ²) = [[5, 1], [1, 6]]; mode = H⁻¹ (P m + diag(1/σ²) μ); covariance H⁻¹.
        double h11 = 5, h12 = 1, h22 = 6, det = (h11 * h22) - (h12 * h12);
        double b1 = (4 * m[0]) + (1 * m[1]) + (1 * 0.0), b2 = (1 * m[0]) + (2 * m[1]) + (4 * -3.0);
        double z1 = ((h22 * b1) - (h12 * b2)) / det, z2 = ((h11 * b2) - (h12 * b1)) / det;
        // Nelder–Mead then BFGS on central differences reach the mode of a quadratic to ~1e-6; the Hessian of a quadratic
        // by central differences is exact up to rounding (~1e-16 / h² = 1e-10).
        Assert.Equal(z1, fit.Transformed[0], 1e-5);
        Assert.Equal(z2, fit.Transformed[1], 1e-5);
        Assert.Equal(Math.Sqrt(h22 / det), fit.TransformedSe[0], 1e-6);
        Assert.Equal(Math.Sqrt(h11 / det), fit.TransformedSe[1], 1e-6);
        Assert.Equal(Math.Exp(z1), fit.Estimates.Gamma, 1e-4);
        Assert.Equal(fit.Estimates.Gamma * fit.TransformedSe[0], fit.NaturalSe[0], 1e-12);
    }

    [Fact]
    public void GroupPriorIsTheMeanAndSpreadOfTheSubjects()
    {
        // One parameter, a Gaussian likelihood of precision 100 around m_i: the EM fixed point is the marginal maximum
        // likelihood of m_i ~ N(μ, σ² + 1/100), so μ = mean(m) and σ² = var(m) − 1/100.
        double[] ms = [-1, -0.5, 0, 0.5, 1.5];
        var sessions = ms.Select((x, i) => new BehaviourSession($"s{i}", [])).ToArray();
        var likelihood = new PerSubjectGaussian(ms, 100);
        var fit = new BehaviourFitter(likelihood, new AgentParameters(1, 1, 1, 1, 0.02),
            new FitOptions { Priors = [new ParameterPrior(FitParameter.Gamma, 0, 1)], GroupIterations = 30 }).Fit(sessions);
        double mean = ms.Average(), variance = ms.Average(x => (x - mean) * (x - mean));
        Assert.Equal(mean, fit.Priors[0].Mean, 1e-3);
        Assert.Equal(variance - 0.01, fit.Priors[0].Sd * fit.Priors[0].Sd, 1e-3);
    }

    private sealed class PerSubjectGaussian(double[] ms, double precision) : IChoiceLikelihood
    {
        public void LogLikelihoods(BehaviourSession session, ReadOnlySpan<AgentParameters> values, Span<double> destination, CancellationToken cancellationToken = default)
        {
            double m = ms[int.Parse(session.Subject[1..], System.Globalization.CultureInfo.InvariantCulture)];
            for (int i = 0; i < values.Length; i++)
            {
                double d = Math.Log(values[i].Gamma) - m;
                destination[i] = -0.5 * precision * d * d;
            }
        }
    }

    [Fact]
    public void RecoveryOnASmallBanditStudyReachesTheCorrelationItsStandardErrorsPredict()
    {
        var task = BehaviourTask.Bandit();
        var priors = new[] { BehaviourTask.DefaultPrior(FitParameter.Gamma) };
        const int Subjects = 16;
        var result = ParameterRecovery.Run(task, new RecoveryOptions { Subjects = Subjects, Trials = 60, Seed = 7, Priors = priors });

        // For a normal prior z ~ N(μ, σ²) and an estimate that is the posterior mean, corr(z, ẑ) = √(1 − E[s²]/σ²),
        // s² the posterior variance; the Laplace SEs estimate E[s²]. With n subjects a sample r scatters by about
        // (1 − ρ²)/√(n − 1) around ρ; 3 of those is the bound.
        double meanVariance = result.Fit.Subjects.Average(s => s.TransformedSe[0] * s.TransformedSe[0]);
        double rho = Math.Sqrt(Math.Max(0, 1 - (meanVariance / (priors[0].Sd * priors[0].Sd))));
        double r = result.Correlations[FitParameter.Gamma];
        Assert.True(rho > 0.6, $"the fits' standard errors predict ρ = {rho:F3}: the data should inform γ");
        Assert.True(r >= rho - (3 * (1 - (rho * rho)) / Math.Sqrt(Subjects - 1)), $"r = {r:F3}, predicted ρ = {rho:F3}");
    }
}
