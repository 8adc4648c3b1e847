namespace Helmholtz.ActiveInference.Discrete;

/// <summary>Categorical and Dirichlet utilities in float64, with pymdp 0.0.7.1's log floor.</summary>
/// <remarks>
/// Every logarithm of a probability is taken as ln(x + <see cref="LogFloor"/>) (pymdp's <c>EPS_VAL</c>), so a zero
/// probability gives ln(1e-16) ≈ −36.84 instead of −∞, and 0·ln 0 terms come out as 0, never NaN. Degenerate inputs
/// are documented per member: a normalised all-zero vector stays at zero; a softmax of equal values is uniform.
/// </remarks>
public static class Categorical
{
    /// <summary>The floor added before every logarithm of a probability (pymdp's <c>EPS_VAL</c> = 1e-16).</summary>
    public const double LogFloor = 1e-16;

    /// <summary>The threshold below which a joint state is ignored by the state information gain (exp(−16), as SPM's and pymdp's spm_MDP_G).</summary>
    public static readonly double JointStateThreshold = Math.Exp(-16);

    /// <summary>ln(x + 1e-16): the floored logarithm used for every probability.</summary>
    public static double SafeLog(double x) => Math.Log(x + LogFloor);

    /// <summary>Writes destination[i] = ln(source[i] + 1e-16); source and destination may alias.</summary>
    public static void SafeLog(ReadOnlySpan<double> source, Span<double> destination)
    {
        CheckLengths(source, destination);
        for (int i = 0; i < source.Length; i++)
        {
            destination[i] = Math.Log(source[i] + LogFloor);
        }
    }

    /// <summary>Scales <paramref name="values"/> in place to sum to 1; an all-zero vector is left at zero.</summary>
    /// <remarks>destination[i] = x[i] / Σ x. Negative entries are the caller's error and are not checked here.</remarks>
    public static void Normalise(Span<double> values)
    {
        double sum = 0;
        foreach (double v in values)
        {
            sum += v;
        }

        if (sum <= 0)
        {
            return;
        }

        double inv = 1.0 / sum;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] *= inv;
        }
    }

    /// <summary>Writes destination = softmax(source); source and destination may alias.</summary>
    /// <remarks>softmax(x)[i] = exp(x[i] − max x) / Σ_j exp(x[j] − max x). Subtracting the maximum avoids overflow; a
    /// −∞ entry gets probability 0; an empty span is left empty.</remarks>
    public static void Softmax(ReadOnlySpan<double> source, Span<double> destination)
    {
        CheckLengths(source, destination);
        if (source.Length == 0)
        {
            return;
        }

        double max = double.NegativeInfinity;
        foreach (double v in source)
        {
            max = Math.Max(max, v);
        }

        double sum = 0;
        for (int i = 0; i < source.Length; i++)
        {
            double e = Math.Exp(source[i] - max);
            destination[i] = e;
            sum += e;
        }

        double inv = 1.0 / sum;
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] *= inv;
        }
    }

    /// <summary>ln Σ exp(x[i]), computed stably.</summary>
    public static double LogSumExp(ReadOnlySpan<double> x)
    {
        double max = double.NegativeInfinity;
        foreach (double v in x)
        {
            max = Math.Max(max, v);
        }

        if (double.IsNegativeInfinity(max))
        {
            return max;
        }

        double sum = 0;
        foreach (double v in x)
        {
            sum += Math.Exp(v - max);
        }

        return max + Math.Log(sum);
    }

    /// <summary>Shannon entropy H[p] = −Σ p ln(p + 1e-16) in nats.</summary>
    /// <remarks>Zero entries contribute exactly 0. With the floor, H of a point mass is 0 and H ≥ 0 for any normalised p.</remarks>
    public static double Entropy(ReadOnlySpan<double> p)
    {
        double h = 0;
        foreach (double v in p)
        {
            h -= v * Math.Log(v + LogFloor);
        }

        return h;
    }

    /// <summary>Kullback–Leibler divergence KL[p‖q] = Σ p (ln(p + 1e-16) − ln(q + 1e-16)) in nats.</summary>
    /// <remarks>Zero entries of p contribute 0; a zero of q under mass of p contributes about p·36.8 instead of ∞.</remarks>
    public static double KullbackLeibler(ReadOnlySpan<double> p, ReadOnlySpan<double> q)
    {
        if (p.Length != q.Length)
        {
            throw new ArgumentException($"KL needs two distributions of one length; got {p.Length} and {q.Length}.");
        }

        double kl = 0;
        for (int i = 0; i < p.Length; i++)
        {
            kl += p[i] * (Math.Log(p[i] + LogFloor) - Math.Log(q[i] + LogFloor));
        }

        return kl;
    }

    /// <summary>Expected log of a Dirichlet: destination[i] = ψ(α[i]) − ψ(Σ_j α[j]).</summary>
    /// <remarks>E_{Dir(α)}[ln θ_i] = ψ(α_i) − ψ(α_0) (Da Costa et al. 2020, appendix on Dirichlet learning). α must be &gt; 0.</remarks>
    public static void DirichletExpectedLog(ReadOnlySpan<double> alpha, Span<double> destination)
    {
        CheckLengths(alpha, destination);
        double sum = 0;
        foreach (double a in alpha)
        {
            if (!(a > 0))
            {
                throw new ArgumentException($"Dirichlet concentrations must be > 0; got {a}.");
            }

            sum += a;
        }

        double psiSum = Digamma(sum);
        for (int i = 0; i < alpha.Length; i++)
        {
            destination[i] = Digamma(alpha[i]) - psiSum;
        }
    }

    /// <summary>The digamma function ψ(x) = d ln Γ(x)/dx for x &gt; 0, accurate to about 1e-13.</summary>
    /// <remarks>Shifts x above 12 with ψ(x) = ψ(x + 1) − 1/x, then uses the asymptotic series to x^−10
    /// ln x − 1/(2x) − Σ B_{2k}/(2k x^{2k}) (Abramowitz &amp; Stegun 6.3.18).</remarks>
    public static double Digamma(double x)
    {
        if (!(x > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "digamma is evaluated for x > 0 only");
        }

        double result = 0;
        while (x < 12)
        {
            result -= 1 / x;
            x += 1;
        }

        double inv = 1 / x;
        double inv2 = inv * inv;
        result += Math.Log(x) - 0.5 * inv
            - inv2 * (1.0 / 12 - inv2 * (1.0 / 120 - inv2 * (1.0 / 252 - inv2 * (1.0 / 240 - inv2 * (1.0 / 132)))));
        return result;
    }

    private static void CheckLengths(ReadOnlySpan<double> source, Span<double> destination)
    {
        if (destination.Length != source.Length)
        {
            throw new ArgumentException($"destination has length {destination.Length}, source {source.Length}; they must match.");
        }
    }
}
