using Helmholtz.ActiveInference.Deep.Planning;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Deep.Planning;

public sealed class InformationGainTests
{
    // Double arithmetic on a handful of terms from float32 inputs that are exact in binary: ~1e-15 relative.
    private const double Exact = 1e-12;

    public static TheoryData<InfoGainEstimator> Estimators() => new() { InfoGainEstimator.PairwiseKl, InfoGainEstimator.MomentMatched };

    [Theory]
    [MemberData(nameof(Estimators))]
    public void IdenticalMembersGainNothing(InfoGainEstimator estimator)
    {
        // Every member predicts N((0.3, −1.2), diag(e^−2, e^−4.5)): the mixture is that Gaussian, so IG = 0 exactly.
        float[] mean = [0.3f, -1.2f, 0.3f, -1.2f, 0.3f, -1.2f, 0.3f, -1.2f];
        float[] logVar = [-2f, -4.5f, -2f, -4.5f, -2f, -4.5f, -2f, -4.5f];
        Assert.Equal(0, InformationGain.Estimate(estimator, mean, logVar, 4, 2, new double[16]), Exact);
    }

    [Fact]
    public void TwoGaussiansPairwiseMatchesClosedForm()
    {
        // Members N(±m, σ²) in 1-D: KL(p1‖p2) = KL(p2‖p1) = (2m)²/(2σ²) = 2m²/σ², so by the estimator's definition
        // IG = −ln((1 + e^{−2m²/σ²})/2). m = 0.5, σ² = e^{−1}: 2m²/σ² = 0.5e.
        float[] mean = [0.5f, -0.5f];
        float[] logVar = [-1f, -1f];
        double kl = 0.5 * Math.E;
        double expected = -Math.Log((1 + Math.Exp(-kl)) / 2);
        Assert.Equal(expected, InformationGain.PairwiseKl(mean, logVar, 2, 1, new double[4]), 1e-6);
    }

    [Fact]
    public void TwoGaussiansMomentMatchedMatchesClosedForm()
    {
        // Mixture variance σ² + m² (equal weights, means ±m), so IG = ½ ln((σ² + m²)/σ²); m = 0.5, σ² = e^{−1}.
        float[] mean = [0.5f, -0.5f];
        float[] logVar = [-1f, -1f];
        double s2 = Math.Exp(-1);
        Assert.Equal(0.5 * Math.Log((s2 + 0.25) / s2), InformationGain.MomentMatched(mean, logVar, 2, 1), 1e-6);
    }

    [Fact]
    public void SeparatedMembersGainLogE()
    {
        // Five members 100σ apart: every cross term e^{−KL} underflows to 0, so the pairwise estimate is ln 5 exactly,
        // which is also the true mixture information gain for non-overlapping components.
        float[] mean = [0f, 100f, 200f, 300f, 400f];
        float[] logVar = [0f, 0f, 0f, 0f, 0f];
        Assert.Equal(Math.Log(5), InformationGain.PairwiseKl(mean, logVar, 5, 1, new double[10]), Exact);
    }

    [Fact]
    public void PairwiseIsBetweenZeroAndLogE()
    {
        var rng = new Rng(7);
        var mean = new float[6 * 3];
        var logVar = new float[6 * 3];
        for (int trial = 0; trial < 200; trial++)
        {
            rng.FillGaussian(mean);
            rng.FillUniform(logVar, -5f, -1f);
            double ig = InformationGain.PairwiseKl(mean, logVar, 6, 3, new double[36]);
            Assert.InRange(ig, 0, Math.Log(6) + Exact);
            Assert.InRange(InformationGain.MomentMatched(mean, logVar, 6, 3), 0, double.MaxValue);
        }
    }

    [Fact]
    public void MeanEntropyIsTheGaussianEntropy()
    {
        // H[N(μ, σ²)] = ½ ln(2πeσ²); two members with ℓ = 0 and ℓ = −2 in one dimension: ½(ln 2πe + (0 − 2)/2).
        float[] logVar = [0f, -2f];
        Assert.Equal(0.5 * (Math.Log(2 * Math.PI * Math.E) - 1), InformationGain.MeanEntropy(logVar, 2, 1), Exact);
    }

    [Fact]
    public void InvariantToUnitsPerDimension()
    {
        // Scaling dimension k by c multiplies its means by c and adds 2 ln c to its log-variances; KL divergences and
        // variance ratios do not change, so neither estimate does (why normalised deltas are as good as raw ones).
        float[] mean = [0.1f, 2f, -0.4f, 1.5f, 0.3f, 2.2f];
        float[] logVar = [-2f, -3f, -2.5f, -1f, -4f, -2f];
        float c = 8f;
        var scaledMean = (float[])mean.Clone();
        var scaledLogVar = (float[])logVar.Clone();
        for (int e = 0; e < 3; e++)
        {
            scaledMean[e * 2] *= c;
            scaledLogVar[e * 2] += 2 * MathF.Log(c);
        }

        foreach (var estimator in new[] { InfoGainEstimator.PairwiseKl, InfoGainEstimator.MomentMatched })
        {
            Assert.Equal(
                InformationGain.Estimate(estimator, mean, logVar, 3, 2, new double[12]),
                InformationGain.Estimate(estimator, scaledMean, scaledLogVar, 3, 2, new double[12]),
                1e-5);
        }
    }
}
