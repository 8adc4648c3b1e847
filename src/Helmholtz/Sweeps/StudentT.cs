namespace Helmholtz.Sweeps;

/// <summary>Student's t distribution with an integer number of degrees of freedom: the two-sided probability and quantiles.</summary>
/// <remarks>
/// A(t | ν) = P(|T| ≤ t) by the finite series of Abramowitz &amp; Stegun 26.7.3 (ν odd) and 26.7.4 (ν even) with
/// θ = atan(t/√ν); a quantile is found by bisection on A, which is increasing in t, to double precision.
/// </remarks>
internal static class StudentT
{
    /// <summary>P(|T| ≤ t) for T with <paramref name="df"/> degrees of freedom (t ≥ 0).</summary>
    public static double TwoSided(double t, int df)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(df, 1);
        double theta = Math.Atan(t / Math.Sqrt(df));
        double s = Math.Sin(theta);
        double c2 = Math.Cos(theta) * Math.Cos(theta);
        if (df % 2 == 0)
        {
            // sin θ · (1 + ½cos²θ + (1·3)/(2·4)cos⁴θ + … + (1·3…(ν−3))/(2·4…(ν−2))cos^(ν−2)θ)
            double term = 1, sum = 1;
            for (int k = 2; k <= df - 2; k += 2)
            {
                term *= c2 * (k - 1) / k;
                sum += term;
            }

            return s * sum;
        }

        if (df == 1)
        {
            return 2 * theta / Math.PI;
        }

        // (2/π)(θ + sin θ cos θ · (1 + (2/3)cos²θ + … + (2·4…(ν−3))/(3·5…(ν−2))cos^(ν−3)θ))
        double t2 = 1, sum2 = 1;
        for (int k = 3; k <= df - 2; k += 2)
        {
            t2 *= c2 * (k - 1) / k;
            sum2 += t2;
        }

        return 2 / Math.PI * (theta + (s * Math.Cos(theta) * sum2));
    }

    /// <summary>The <paramref name="p"/>-quantile (0.5 &lt; p &lt; 1) of T with <paramref name="df"/> degrees of freedom.</summary>
    public static double Quantile(double p, int df)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(p, 0.5);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(p, 1.0);
        double target = (2 * p) - 1;
        double lo = 0, hi = 1;
        while (TwoSided(hi, df) < target)
        {
            lo = hi;
            hi *= 2;
        }

        for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (TwoSided(mid, df) < target)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return 0.5 * (lo + hi);
    }
}
