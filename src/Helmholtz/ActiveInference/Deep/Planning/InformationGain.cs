namespace Helmholtz.ActiveInference.Deep.Planning;

/// <summary>
/// Information gain of an ensemble's one-step prediction: the entropy of the equal-weight mixture of the members'
/// diagonal Gaussians minus the members' mean entropy, IG = H[(1/E)Σ_e N(μ_e, diag σ_e²)] − (1/E)Σ_e H[N(μ_e, diag σ_e²)].
/// </summary>
/// <remarks>
/// <para>IG is the mutual information I(o; θ) between the predicted outcome o and the member index θ (uniform): the
/// expected reduction of parameter uncertainty from observing o, the epistemic term of Tschantz et al. (2020), Eq. 9.
/// The mixture's entropy has no closed form, so it is estimated; both estimators here are deterministic and exact at
/// the two extremes: identical members give 0, and members whose distributions do not overlap give ln E
/// (pairwise) — the mixture of E well-separated components has exactly H̄ + ln E.</para>
/// <para>The reference code estimates the mixture entropy by a k-nearest-neighbour (Kozachenko–Leonenko, k = 3) estimate
/// from one sample per member, which with E = 5 samples is noisy and not zero for identical members; we use
/// closed-form estimates instead. Both are invariant to an affine change of units per dimension (KL divergences and
/// log-variance ratios are), so computing them on normalised deltas, as the reference does, changes nothing.</para>
/// </remarks>
public static class InformationGain
{
    /// <summary>ln(2πe): the entropy of a standard normal is ½ of it.</summary>
    public const double LogTwoPiE = 2.8378770664093453;

    /// <summary>Estimates IG for one prediction from the members' means and log-variances, each [E, d] row-major.</summary>
    /// <param name="estimator">Which estimate of the mixture entropy.</param>
    /// <param name="means">μ_e,j, member-major.</param>
    /// <param name="logVariances">ℓ_e,j = ln σ²_e,j.</param>
    /// <param name="members">E.</param>
    /// <param name="dims">d.</param>
    /// <param name="scratch">At least 2·E·d doubles.</param>
    public static double Estimate(
        InfoGainEstimator estimator, ReadOnlySpan<float> means, ReadOnlySpan<float> logVariances, int members, int dims, Span<double> scratch) =>
        estimator switch
        {
            InfoGainEstimator.PairwiseKl => PairwiseKl(means, logVariances, members, dims, scratch),
            InfoGainEstimator.MomentMatched => MomentMatched(means, logVariances, members, dims),
            _ => throw new ArgumentOutOfRangeException(nameof(estimator), estimator, "Unknown estimator."),
        };

    /// <summary>The pairwise-distance estimate with D = KL (Kolchinsky &amp; Tracey 2017, "Estimating mixture entropy with pairwise distances", Eq. 10).</summary>
    /// <remarks>
    /// H[mix] ≈ H̄ − (1/E)Σ_i ln (1/E)Σ_j e^{−KL(p_i‖p_j)}, so IG ≈ −(1/E)Σ_i ln (1/E)Σ_j e^{−KL(p_i‖p_j)}, an upper bound on
    /// the true mixture entropy, in [0, ln E]. KL(p_i‖p_j) = ½Σ_k [ℓ_j − ℓ_i + (σ_i² + (μ_i − μ_j)²)/σ_j² − 1].
    /// </remarks>
    public static double PairwiseKl(ReadOnlySpan<float> means, ReadOnlySpan<float> logVariances, int members, int dims, Span<double> scratch)
    {
        Check(means, logVariances, members, dims);
        int n = members * dims;
        var variance = scratch.Slice(0, n);
        var precision = scratch.Slice(n, n);
        for (int i = 0; i < n; i++)
        {
            variance[i] = Math.Exp(logVariances[i]);
            precision[i] = 1.0 / variance[i];
        }

        double total = 0;
        for (int i = 0; i < members; i++)
        {
            double sum = 1; // j = i: KL = 0
            for (int j = 0; j < members; j++)
            {
                if (j == i)
                {
                    continue;
                }

                double kl = 0;
                for (int k = 0; k < dims; k++)
                {
                    int a = (i * dims) + k, b = (j * dims) + k;
                    double diff = means[a] - means[b];
                    kl += logVariances[b] - logVariances[a] + ((variance[a] + (diff * diff)) * precision[b]) - 1;
                }

                sum += Math.Exp(-0.5 * kl);
            }

            total += Math.Log(sum / members);
        }

        return Math.Max(0, -total / members);
    }

    /// <summary>The moment-matched estimate: IG ≈ ½Σ_k [ln v_k − (1/E)Σ_e ℓ_e,k], v_k = (1/E)Σ_e (σ²_e,k + μ²_e,k) − μ̄_k².</summary>
    /// <remarks>
    /// The mixture's entropy is replaced by that of the Gaussian with the same (diagonal) variance, which bounds it from
    /// above; the result is ≥ 0 by Jensen's inequality and 0 exactly when the members agree. Unlike the pairwise
    /// estimate it is not bounded by ln E: it grows like ln(spread/σ) as members move apart.
    /// </remarks>
    public static double MomentMatched(ReadOnlySpan<float> means, ReadOnlySpan<float> logVariances, int members, int dims)
    {
        Check(means, logVariances, members, dims);
        double total = 0;
        for (int k = 0; k < dims; k++)
        {
            double m = 0, m2 = 0, v = 0, lv = 0;
            for (int e = 0; e < members; e++)
            {
                double mu = means[(e * dims) + k], l = logVariances[(e * dims) + k];
                m += mu;
                m2 += mu * mu;
                v += Math.Exp(l);
                lv += l;
            }

            m /= members;
            double mixture = (v / members) + Math.Max(0, (m2 / members) - (m * m));
            total += Math.Log(mixture) - (lv / members);
        }

        return Math.Max(0, 0.5 * total);
    }

    /// <summary>The members' mean entropy H̄ = (1/E)Σ_e ½Σ_k (ln 2πe + ℓ_e,k) (nats).</summary>
    public static double MeanEntropy(ReadOnlySpan<float> logVariances, int members, int dims)
    {
        double sum = 0;
        for (int i = 0; i < members * dims; i++)
        {
            sum += logVariances[i];
        }

        return 0.5 * ((dims * LogTwoPiE) + (sum / members));
    }

    private static void Check(ReadOnlySpan<float> means, ReadOnlySpan<float> logVariances, int members, int dims)
    {
        if (members <= 0 || dims <= 0 || means.Length < members * dims || logVariances.Length < members * dims)
        {
            throw new ArgumentException($"Information gain needs {members}×{dims} means and log-variances; got {means.Length} and {logVariances.Length}.");
        }
    }
}
