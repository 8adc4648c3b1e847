namespace Helmholtz.Reproduction;

/// <summary>Reads the numbers a comparison needs from a run's measurements; units are named <c>VARIANT-sSEED</c>.</summary>
public static class Pick
{
    /// <summary>The unit name of <paramref name="variant"/> at <paramref name="seed"/>.</summary>
    public static string Unit(string variant, ulong seed) => $"{variant}-s{seed}";

    /// <summary>The single numbers (no X) of <paramref name="metric"/> of every seed of <paramref name="variant"/>.</summary>
    public static double[] PerSeed(IReadOnlyList<Measurement> all, string variant, string metric)
    {
        ArgumentNullException.ThrowIfNull(all);
        string prefix = variant + "-s";
        return all.Where(m => m.Metric == metric && double.IsNaN(m.X) && m.Unit.StartsWith(prefix, StringComparison.Ordinal)
            && m.Unit.Length > prefix.Length && char.IsAsciiDigit(m.Unit[prefix.Length]) && m.Unit[prefix.Length..].All(char.IsAsciiDigit)).Select(m => m.Value).ToArray();
    }

    /// <summary>The mean over seeds of a single number (NaN if no seed has it, or any seed's is NaN).</summary>
    public static double Mean(IReadOnlyList<Measurement> all, string variant, string metric)
    {
        var v = PerSeed(all, variant, metric);
        return v.Length == 0 ? double.NaN : v.Average();
    }

    /// <summary>The median over the seeds whose number is not NaN (NaN if none).</summary>
    public static double Median(IReadOnlyList<Measurement> all, string variant, string metric)
    {
        var v = PerSeed(all, variant, metric).Where(x => !double.IsNaN(x)).Order().ToArray();
        return v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
    }

    /// <summary>The fraction of seeds whose number is not NaN and satisfies <paramref name="test"/> (NaN if no seed ran).</summary>
    public static double Fraction(IReadOnlyList<Measurement> all, string variant, string metric, Func<double, bool> test)
    {
        ArgumentNullException.ThrowIfNull(test);
        var v = PerSeed(all, variant, metric);
        return v.Length == 0 ? double.NaN : v.Count(x => !double.IsNaN(x) && test(x)) / (double)v.Length;
    }

    /// <summary>Mean over seeds of (a − b) for the same metric of two variants at the same seeds, times <paramref name="scale"/>.</summary>
    public static double Gap(IReadOnlyList<Measurement> all, string variant, string reference, string metric, double scale = 1)
    {
        double a = Mean(all, variant, metric), b = Mean(all, reference, metric);
        return scale * (a - b);
    }
}
