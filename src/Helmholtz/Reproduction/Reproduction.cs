namespace Helmholtz.Reproduction;

/// <summary>Which way a quantity improves.</summary>
public enum Direction
{
    /// <summary>Larger values are better (accuracy, return, coverage).</summary>
    HigherIsBetter,

    /// <summary>Smaller values are better (error, divergence, episodes to solve).</summary>
    LowerIsBetter,
}

/// <summary>How one of our numbers compares with a published one.</summary>
public enum Verdict
{
    /// <summary>Within the criterion's tolerance of the published number.</summary>
    Matches,

    /// <summary>Beyond the tolerance, on the better side.</summary>
    Better,

    /// <summary>Beyond the tolerance, on the worse side.</summary>
    Worse,

    /// <summary>Not measured in this run (the event did not happen, or the data were missing).</summary>
    NotReached,
}

/// <summary>The rule that turns (published, ours) into a <see cref="Verdict"/>: |ours − published| ≤ Tolerance matches; otherwise the side decides.</summary>
/// <param name="Tolerance">The largest difference that still matches (in the quantity's own unit; ≥ 0).</param>
/// <param name="Direction">Which side of the published number is better.</param>
public sealed record Criterion(double Tolerance, Direction Direction)
{
    /// <summary>The verdict for <paramref name="ours"/> against <paramref name="published"/>; NaN in either gives <see cref="Verdict.NotReached"/>.</summary>
    public Verdict Judge(double published, double ours)
    {
        if (double.IsNaN(published) || double.IsNaN(ours))
        {
            return Verdict.NotReached;
        }

        double d = ours - published;
        if (Math.Abs(d) <= Tolerance * (1 + 1e-12))
        {
            return Verdict.Matches;
        }

        return (d > 0) == (Direction == Direction.HigherIsBetter) ? Verdict.Better : Verdict.Worse;
    }

    /// <summary>The rule in words, for the report (e.g. "matches if within ±0.01; higher is better").</summary>
    public string Describe() =>
        $"matches if within ±{Tolerance.ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}; {(Direction == Direction.HigherIsBetter ? "higher" : "lower")} is better";
}

/// <summary>One number a run produced: <paramref name="Value"/> of <paramref name="Metric"/> for one unit, at <paramref name="X"/> on a curve (NaN for a single number).</summary>
/// <param name="Unit">The configuration it belongs to (e.g. <c>mlp-bp-seed1</c>).</param>
/// <param name="Metric">What was measured (e.g. <c>test_accuracy</c>).</param>
/// <param name="X">The curve's abscissa (epoch, inference steps, episode), or NaN.</param>
/// <param name="Value">The number.</param>
public sealed record Measurement(string Unit, string Metric, double X, double Value);

/// <summary>One resumable piece of a reproduction: a configuration and seed whose numbers are kept once it finishes.</summary>
/// <param name="Name">A name unique within the reproduction, usable as a file name (letters, digits, '-', '_', '.').</param>
/// <param name="Run">Runs the piece and returns its numbers (every <see cref="Measurement.Unit"/> equal to <paramref name="Name"/>).</param>
public sealed record ReproductionUnit(string Name, Func<CancellationToken, IReadOnlyList<Measurement>> Run);

/// <summary>How big a run of a reproduction is; each reproduction reads the fields it needs.</summary>
/// <param name="Name"><c>quick</c>, <c>full</c> or a caller's name (tests use <c>tiny</c>).</param>
/// <param name="Seeds">The number of seeds (1…Seeds) when the caller names none.</param>
/// <param name="Epochs">Training epochs.</param>
/// <param name="MaxBatches">Batches per epoch (0: all).</param>
/// <param name="Episodes">Episodes (control) or trials (discrete tasks).</param>
/// <param name="Steps">Inference steps, or the largest T of a sweep.</param>
/// <param name="Variants">How many of the reproduction's variants to run (0: all; depths, objectives, models).</param>
/// <param name="UseFullData">Use the full data set where one is installed (Fashion-MNIST); otherwise the embedded digits.</param>
public sealed record ReproductionSize(string Name, int Seeds = 1, int Epochs = 1, int MaxBatches = 0, int Episodes = 0, int Steps = 0,
    int Variants = 0, bool UseFullData = false);

/// <summary>One row of the report: a published number, the source that gives it, and how ours is read from the measurements.</summary>
/// <param name="Quantity">What is compared, in words (e.g. "PC − BP test accuracy, CNN (pp)").</param>
/// <param name="Published">The published number or claim as the source states it.</param>
/// <param name="PublishedValue">The number the criterion compares with.</param>
/// <param name="Source">Paper, figure or table, or the docs page that cites it.</param>
/// <param name="Criterion">The rule of the verdict.</param>
/// <param name="Ours">Our number from all the run's measurements (NaN: not reached).</param>
/// <param name="Format">How numbers of this row are printed (a .NET numeric format).</param>
public sealed record PublishedResult(string Quantity, string Published, double PublishedValue, string Source, Criterion Criterion,
    Func<IReadOnlyList<Measurement>, double> Ours, string Format = "G4");

/// <summary>The figure a reproduction draws: one line per unit of <paramref name="Metric"/> against X (a bar per unit when it has no X).</summary>
/// <param name="Metric">The measured quantity drawn.</param>
/// <param name="Title">The figure's title.</param>
/// <param name="XLabel">The horizontal axis.</param>
/// <param name="YLabel">The vertical axis.</param>
/// <param name="LogX">Draw X as log10.</param>
/// <param name="LogY">Draw Y as log10.</param>
public sealed record FigureSpec(string Metric, string Title, string XLabel, string YLabel, bool LogX = false, bool LogY = false);

/// <summary>A result of the thesis that Helmholtz re-runs: where it was published, what it claims, how we run it and how we judge ours.</summary>
/// <param name="Id">The command's name for it (e.g. <c>pc-backprop-agreement</c>).</param>
/// <param name="Title">One line saying what is reproduced.</param>
/// <param name="Source">Thesis part and paper.</param>
/// <param name="Figure">The paper's figure or table it corresponds to.</param>
/// <param name="Data">The data it runs on, with their source, and what the paper used that we cannot obtain here.</param>
/// <param name="Quick">The size of a quick run (at most two minutes on two cores).</param>
/// <param name="Full">The size of a full run.</param>
/// <param name="Units">The units of a run of the given size and seeds.</param>
/// <param name="Comparisons">The rows of the report.</param>
/// <param name="Plot">The figure.</param>
/// <param name="Seconds">Wall time of a quick and a full run on two cores; <see cref="RunTime.FullMeasured"/> says whether the full time was measured or scaled from the quick run.</param>
public sealed record Reproduction(string Id, string Title, string Source, string Figure, string Data, ReproductionSize Quick, ReproductionSize Full,
    Func<ReproductionSize, IReadOnlyList<ulong>, IReadOnlyList<ReproductionUnit>> Units, IReadOnlyList<PublishedResult> Comparisons, FigureSpec Plot,
    RunTime Seconds);

/// <summary>Wall times of a reproduction on two cores.</summary>
/// <param name="Quick">A quick run, measured.</param>
/// <param name="Full">A full run: measured, or the quick run's time per unit of work scaled to the full size.</param>
/// <param name="FullMeasured">Whether <paramref name="Full"/> was measured.</param>
public sealed record RunTime(double Quick, double Full, bool FullMeasured);
