using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Helmholtz.Data;

namespace Helmholtz.Reproduction;

/// <summary>One row of a finished report: the comparison, our number and the verdict.</summary>
/// <param name="Comparison">The published side and the rule.</param>
/// <param name="Ours">Our number (NaN: not reached).</param>
/// <param name="Verdict">The rule applied to both.</param>
public sealed record ComparisonResult(PublishedResult Comparison, double Ours, Verdict Verdict);

/// <summary>What a run of a reproduction produced.</summary>
/// <param name="Reproduction">What was run.</param>
/// <param name="Size">How big the run was.</param>
/// <param name="Seeds">The seeds.</param>
/// <param name="Measurements">Every number of every unit.</param>
/// <param name="Rows">The report's rows.</param>
/// <param name="Seconds">Wall time of all units, those an earlier call finished included (each unit's time is kept as its <c>unit_seconds</c> measurement).</param>
/// <param name="UnitsRun">Units run by this call.</param>
/// <param name="UnitsResumed">Units whose numbers were taken from the folder (finished by an earlier call).</param>
public sealed record ReproductionOutcome(Reproduction Reproduction, ReproductionSize Size, IReadOnlyList<ulong> Seeds, IReadOnlyList<Measurement> Measurements,
    IReadOnlyList<ComparisonResult> Rows, double Seconds, int UnitsRun, int UnitsResumed)
{
    /// <summary>How many rows got each verdict.</summary>
    public int Count(Verdict verdict) => Rows.Count(r => r.Verdict == verdict);
}

/// <summary>The short record of a finished run that the results page is made from (<c>summary.json</c>).</summary>
/// <param name="Id">The reproduction's id.</param>
/// <param name="Title">Its title.</param>
/// <param name="Source">Thesis part and paper.</param>
/// <param name="Figure">The paper's figure or table.</param>
/// <param name="Data">The data and what could not be obtained.</param>
/// <param name="Size">quick, full, or another size's name.</param>
/// <param name="Seeds">The seeds.</param>
/// <param name="Seconds">Wall time of the run (the last call).</param>
/// <param name="Command">The command that made it, as the caller wrote it (may be empty).</param>
/// <param name="FigureFile">The figure's file name (PNG) in the run folder, or empty.</param>
/// <param name="Rows">The report's rows, as printed.</param>
public sealed record ReproductionSummary(string Id, string Title, string Source, string Figure, string Data, string Size, IReadOnlyList<ulong> Seeds,
    double Seconds, string Command, string FigureFile, IReadOnlyList<SummaryRow> Rows);

/// <summary>One row of <see cref="ReproductionSummary"/>, as printed in the report.</summary>
/// <param name="Quantity">What is compared.</param>
/// <param name="Published">The published number or claim.</param>
/// <param name="Ours">Our number, formatted.</param>
/// <param name="Verdict">The verdict's word (matches, better, worse, not reached).</param>
/// <param name="Criterion">The rule in words.</param>
/// <param name="Source">Where the published number comes from.</param>
public sealed record SummaryRow(string Quantity, string Published, string Ours, string Verdict, string Criterion, string Source);

/// <summary>
/// Runs a <see cref="Reproduction"/> unit by unit into a folder: each finished unit leaves <c>units/NAME.csv</c> (its
/// numbers, the completion marker), so a run that is stopped and started again with resume runs only the rest. At the end
/// it writes <c>measurements.csv</c> (every number), <c>report.md</c> (published | Helmholtz | verdict) and <c>summary.json</c>.
/// </summary>
public static class ReproductionRunner
{
    /// <summary>The verdict's word in reports.</summary>
    public static string Word(Verdict verdict) => verdict switch
    {
        Verdict.Matches => "matches",
        Verdict.Better => "better",
        Verdict.Worse => "worse",
        _ => "not reached",
    };

    /// <summary>The seeds 1…<paramref name="count"/>.</summary>
    public static IReadOnlyList<ulong> DefaultSeeds(int count) => Enumerable.Range(1, Math.Max(1, count)).Select(i => (ulong)i).ToArray();

    /// <summary>Runs <paramref name="reproduction"/> at <paramref name="size"/> over <paramref name="seeds"/>; writes into <paramref name="directory"/> when it is not null.</summary>
    /// <param name="reproduction">What to run.</param>
    /// <param name="size">How big (its <see cref="Reproduction.Quick"/>, <see cref="Reproduction.Full"/> or a smaller one for tests).</param>
    /// <param name="seeds">The seeds (null: 1…<see cref="ReproductionSize.Seeds"/>).</param>
    /// <param name="directory">The run folder, or null to keep nothing.</param>
    /// <param name="resume">Keep the units an earlier call finished in <paramref name="directory"/>; false refuses a folder that holds any.</param>
    /// <param name="command">What the caller ran, recorded in the report as given (may be empty).</param>
    /// <param name="unitDone">Told each unit's name and whether it was resumed, as it finishes.</param>
    /// <param name="cancellationToken">Stops between (and inside) units; finished units stay.</param>
    /// <exception cref="InvalidOperationException">The folder holds finished units of another run (resume off, or another reproduction, size or seeds).</exception>
    public static ReproductionOutcome Run(Reproduction reproduction, ReproductionSize size, IReadOnlyList<ulong>? seeds, string? directory, bool resume,
        string command = "", Action<string, bool>? unitDone = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reproduction);
        ArgumentNullException.ThrowIfNull(size);
        seeds ??= DefaultSeeds(size.Seeds);
        var units = reproduction.Units(size, seeds);
        string? unitDir = directory is null ? null : Path.Combine(directory, "units");
        if (directory is not null)
        {
            CheckFolder(reproduction, size, seeds, directory, unitDir!, resume);
        }

        var all = new List<Measurement>();
        int run = 0, resumed = 0;
        foreach (var unit in units)
        {
            cancellationToken.ThrowIfCancellationRequested();
            string? marker = unitDir is null ? null : Path.Combine(unitDir, unit.Name + ".csv");
            if (marker is not null && File.Exists(marker))
            {
                all.AddRange(ReadCsv(File.ReadAllText(marker)));
                resumed++;
                unitDone?.Invoke(unit.Name, true);
                continue;
            }

            var unitClock = Stopwatch.StartNew();
            var numbers = unit.Run(cancellationToken).Append(new Measurement(unit.Name, "unit_seconds", double.NaN, 0)).ToList();
            numbers[^1] = numbers[^1] with { Value = unitClock.Elapsed.TotalSeconds };
            if (marker is not null)
            {
                AtomicFile.WriteAllText(marker, ToCsv(numbers));
            }

            all.AddRange(numbers);
            run++;
            unitDone?.Invoke(unit.Name, false);
        }

        var rows = reproduction.Comparisons.Select(c =>
        {
            double ours = c.Ours(all);
            return new ComparisonResult(c, ours, c.Criterion.Judge(c.PublishedValue, ours));
        }).ToList();
        double seconds = all.Where(m => m.Metric == "unit_seconds").Sum(m => m.Value);
        var outcome = new ReproductionOutcome(reproduction, size, seeds, all, rows, seconds, run, resumed);
        if (directory is not null)
        {
            AtomicFile.WriteAllText(Path.Combine(directory, "measurements.csv"), ToCsv(all));
            AtomicFile.WriteAllText(Path.Combine(directory, "report.md"), Report(outcome, command, reproduction.Id + ".png"));
            AtomicFile.WriteAllText(Path.Combine(directory, "summary.json"), JsonSerializer.Serialize(Summarise(outcome, command, reproduction.Id + ".png"), JsonOptions));
        }

        return outcome;
    }

    /// <summary>The JSON options of <c>summary.json</c> and <c>run.json</c>.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new() { WriteIndented = true };

    /// <summary>The short record of <paramref name="outcome"/> (the contents of <c>summary.json</c>).</summary>
    public static ReproductionSummary Summarise(ReproductionOutcome outcome, string command, string figureFile)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var r = outcome.Reproduction;
        return new ReproductionSummary(r.Id, r.Title, r.Source, r.Figure, r.Data, outcome.Size.Name, outcome.Seeds, outcome.Seconds, command, figureFile,
            outcome.Rows.Select(x => new SummaryRow(x.Comparison.Quantity, x.Comparison.Published, FormatOurs(x), Word(x.Verdict),
                x.Comparison.Criterion.Describe(), x.Comparison.Source)).ToList());
    }

    /// <summary>The text of <c>report.md</c>: what was run, then the table "published | Helmholtz | verdict".</summary>
    public static string Report(ReproductionOutcome outcome, string command, string figureFile)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var r = outcome.Reproduction;
        var s = new StringBuilder();
        s.Append(CultureInfo.InvariantCulture, $"# {r.Id}: {r.Title}\n\n");
        s.Append(CultureInfo.InvariantCulture, $"- Source: {r.Source}; {r.Figure}.\n");
        s.Append(CultureInfo.InvariantCulture, $"- Data: {r.Data}\n");
        s.Append(CultureInfo.InvariantCulture, $"- Run: {outcome.Size.Name} size, seeds {string.Join(",", outcome.Seeds)}; {outcome.UnitsRun} units run, {outcome.UnitsResumed} resumed; {outcome.Seconds:F1} s.\n");
        if (command.Length > 0)
        {
            s.Append(CultureInfo.InvariantCulture, $"- Command: `{command}`\n");
        }

        if (outcome.Size.Name != "full")
        {
            s.Append("- This is not a full run: its numbers show that the pipeline works, not the published result.\n");
        }

        s.Append(CultureInfo.InvariantCulture, $"\n![{r.Id}]({figureFile})\n\n");
        s.Append(Table(outcome.Rows));
        s.Append(CultureInfo.InvariantCulture, $"\nVerdicts: {outcome.Count(Verdict.Matches)} matches, {outcome.Count(Verdict.Better)} better, {outcome.Count(Verdict.Worse)} worse, {outcome.Count(Verdict.NotReached)} not reached.\n");
        s.Append("\nEvery number is in measurements.csv (unit, metric, x, value); units/ holds one file per finished unit.\n");
        return s.ToString();
    }

    /// <summary>The markdown table "quantity | published | Helmholtz | verdict | criterion | source" of <paramref name="rows"/>.</summary>
    public static string Table(IEnumerable<ComparisonResult> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var s = new StringBuilder("| quantity | published | Helmholtz | verdict | criterion | source |\n|---|---|---|---|---|---|\n");
        foreach (var x in rows)
        {
            var c = x.Comparison;
            s.Append(CultureInfo.InvariantCulture,
                $"| {Cell(c.Quantity)} | {Cell(c.Published)} | {Cell(FormatOurs(x))} | {Word(x.Verdict)} | {Cell(c.Criterion.Describe())} | {Cell(c.Source)} |\n");
        }

        return s.ToString();
    }

    private static string FormatOurs(ComparisonResult x) => double.IsNaN(x.Ours) ? "not reached" : Format(x.Ours, x.Comparison.Format);

    /// <summary><paramref name="value"/> in <paramref name="format"/>, invariant culture.</summary>
    public static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>The CSV of <paramref name="measurements"/>: <c>unit,metric,x,value</c>, numbers round-trip exact ("R"), x empty for none.</summary>
    public static string ToCsv(IEnumerable<Measurement> measurements)
    {
        ArgumentNullException.ThrowIfNull(measurements);
        var s = new StringBuilder("unit,metric,x,value\n");
        foreach (var m in measurements)
        {
            s.Append(CultureInfo.InvariantCulture, $"{m.Unit},{m.Metric},{(double.IsNaN(m.X) ? "" : m.X.ToString("R", CultureInfo.InvariantCulture))},{m.Value.ToString("R", CultureInfo.InvariantCulture)}\n");
        }

        return s.ToString();
    }

    /// <summary>Reads the CSV that <see cref="ToCsv"/> writes.</summary>
    /// <exception cref="InvalidDataException">A line does not have four fields or a number does not parse.</exception>
    public static IReadOnlyList<Measurement> ReadCsv(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var list = new List<Measurement>();
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
        {
            var f = line.Split(',');
            if (f.Length != 4 || !double.TryParse(f[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
                || !(f[2].Length == 0 || double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                throw new InvalidDataException($"Not a measurement line (unit,metric,x,value): '{line}'.");
            }

            list.Add(new Measurement(f[0], f[1], f[2].Length == 0 ? double.NaN : double.Parse(f[2], CultureInfo.InvariantCulture), v));
        }

        return list;
    }

    private sealed record RunRecord(string Id, ReproductionSize Size, IReadOnlyList<ulong> Seeds);

    private static void CheckFolder(Reproduction reproduction, ReproductionSize size, IReadOnlyList<ulong> seeds, string directory, string unitDir, bool resume)
    {
        string recordPath = Path.Combine(directory, "run.json");
        bool hasUnits = Directory.Exists(unitDir) && Directory.EnumerateFiles(unitDir, "*.csv").Any();
        if (hasUnits && !resume)
        {
            throw new InvalidOperationException($"{directory} already holds finished units of a run; resume it, or choose another folder.");
        }

        if (hasUnits && File.Exists(recordPath))
        {
            var old = JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(recordPath), JsonOptions);
            if (old is null || old.Id != reproduction.Id || old.Size != size || !old.Seeds.SequenceEqual(seeds))
            {
                throw new InvalidOperationException(
                    $"{directory} holds a run of {old?.Id} ({old?.Size.Name} size, seeds {string.Join(",", old?.Seeds ?? [])}); resuming needs the same reproduction, size and seeds.");
            }
        }

        Directory.CreateDirectory(unitDir);
        AtomicFile.WriteAllText(recordPath, JsonSerializer.Serialize(new RunRecord(reproduction.Id, size, seeds), JsonOptions));
    }
}
