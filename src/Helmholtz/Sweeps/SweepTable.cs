using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Helmholtz.Sweeps;

/// <summary>One row of a collected sweep: one run at one epoch or episode.</summary>
/// <param name="Run">The run folder's name.</param>
/// <param name="Options">The run's value of each of <see cref="SweepTable.OptionColumns"/> ("" where it has none).</param>
/// <param name="Seed">The run's seed ("" where it has none).</param>
/// <param name="X">The first metrics column's value (the epoch or episode), as written.</param>
/// <param name="Metrics">The run's value of each of <see cref="SweepTable.MetricColumns"/>, as written ("" where it has none).</param>
public sealed record SweepTableRow(string Run, IReadOnlyList<string> Options, string Seed, string X, IReadOnlyList<string> Metrics);

/// <summary>One point of a summarised curve: the runs of one option combination at one epoch or episode.</summary>
/// <param name="X">The epoch or episode.</param>
/// <param name="Count">Runs (seeds) with a finite value here.</param>
/// <param name="Mean">Their mean.</param>
/// <param name="StandardDeviation">Their sample standard deviation (n − 1); NaN for one run.</param>
/// <param name="Lower">Mean − t(0.975, n − 1)·sd/√n; NaN for one run.</param>
/// <param name="Upper">Mean + t(0.975, n − 1)·sd/√n; NaN for one run.</param>
public readonly record struct SweepPoint(double X, int Count, double Mean, double StandardDeviation, double Lower, double Upper);

/// <summary>The curve of one metric for one combination of the swept options (seeds pooled).</summary>
/// <param name="Group">The combination: one value per <see cref="SweepTable.OptionColumns"/>.</param>
/// <param name="Metric">The metric column.</param>
/// <param name="Points">One point per epoch or episode, in increasing order.</param>
public sealed record SweepSeries(IReadOnlyList<string> Group, string Metric, IReadOnlyList<SweepPoint> Points);

/// <summary>
/// The runs of a sweep merged into one tidy table: one row per run × epoch (or episode), the swept options and the seed
/// as columns, then the run's <c>metrics.csv</c> columns.
/// </summary>
/// <remarks>
/// A run is a direct subfolder of the collected folder holding <c>metrics.csv</c>. When any run has a
/// <see cref="SweepMarker"/>, only marked (finished) runs are taken and their swept options and seed come from the
/// marker; otherwise (folders not made by a sweep) every run is taken and the options are the fields of its
/// <c>config.json</c> (nested objects flattened to dotted names) whose values differ between runs, the seed its
/// <c>seed</c> field. Runs are ordered by their sweep index, then by name.
/// </remarks>
public sealed class SweepTable
{
    private const string ConfigFileName = "config.json";
    private const string MetricsFileName = "metrics.csv";

    private SweepTable(IReadOnlyList<string> optionColumns, string xColumn, IReadOnlyList<string> metricColumns, IReadOnlyList<SweepTableRow> rows,
        IReadOnlyList<string> runs, IReadOnlyList<string> unfinished)
    {
        OptionColumns = optionColumns;
        XColumn = xColumn;
        MetricColumns = metricColumns;
        Rows = rows;
        Runs = runs;
        Unfinished = unfinished;
    }

    /// <summary>The swept options (names without leading dashes), in sweep order; the seed is not one of them.</summary>
    public IReadOnlyList<string> OptionColumns { get; }

    /// <summary>The first column of the runs' metrics (<c>epoch</c> or <c>episode</c>).</summary>
    public string XColumn { get; }

    /// <summary>The other metrics columns, the union over runs in order of first appearance.</summary>
    public IReadOnlyList<string> MetricColumns { get; }

    /// <summary>The rows, run by run.</summary>
    public IReadOnlyList<SweepTableRow> Rows { get; }

    /// <summary>The names of the runs collected.</summary>
    public IReadOnlyList<string> Runs { get; }

    /// <summary>The names of run folders left out because they have metrics but no completion marker.</summary>
    public IReadOnlyList<string> Unfinished { get; }

    /// <summary>True for a wall-clock column (its name ends in <c>seconds</c>): it differs between identical runs.</summary>
    public static bool IsWallClock(string column)
    {
        ArgumentNullException.ThrowIfNull(column);
        return column.EndsWith("seconds", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Collects the runs under <paramref name="directory"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">The folder does not exist.</exception>
    /// <exception cref="InvalidDataException">No run folder has a metrics.csv, or the runs' metrics start with different columns; the message names the file.</exception>
    public static SweepTable Read(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"{directory}: no such folder.");
        }

        var folders = Directory.GetDirectories(directory).Where(d => File.Exists(Path.Combine(d, MetricsFileName))).ToList();
        if (folders.Count == 0)
        {
            throw new InvalidDataException($"{directory}: no run folder with a {MetricsFileName}.");
        }

        var marked = folders.Where(d => File.Exists(Path.Combine(d, SweepMarker.FileName))).ToList();
        var unfinished = marked.Count > 0 ? folders.Except(marked).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList() : [];
        var runs = (marked.Count > 0 ? marked : folders).Select(d => marked.Count > 0 ? FromMarker(d) : FromConfig(d)).ToList();
        if (marked.Count == 0)
        {
            // Only the config fields that differ between runs describe the sweep.
            var keys = runs.SelectMany(r => r.Options.Keys).Distinct(StringComparer.Ordinal).ToList();
            var varying = keys.Where(k => runs.Select(r => r.Options.GetValueOrDefault(k, "")).Distinct(StringComparer.Ordinal).Count() > 1).ToHashSet(StringComparer.Ordinal);
            runs = runs.Select(r => r with { Options = r.Options.Where(kv => varying.Contains(kv.Key)).ToDictionary(StringComparer.Ordinal), Order = keys.Where(varying.Contains).ToList() }).ToList();
        }

        runs = runs.OrderBy(r => r.Index ?? int.MaxValue).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
        var optionColumns = new List<string>();
        foreach (var r in runs)
        {
            optionColumns.AddRange(r.Order.Where(o => !optionColumns.Contains(o)));
        }

        string? xColumn = null;
        var metricColumns = new List<string>();
        var parsed = new List<(RunInfo Run, string[] Header, List<string[]> Lines)>();
        foreach (var r in runs)
        {
            string path = Path.Combine(r.Folder, MetricsFileName);
            var lines = File.ReadAllLines(path).Where(l => l.Length > 0).Select(SplitCsv).ToList();
            if (lines.Count == 0)
            {
                throw new InvalidDataException($"{path}: empty (no header line).");
            }

            var header = lines[0];
            xColumn ??= header[0];
            if (header[0] != xColumn)
            {
                throw new InvalidDataException($"{path}: the first column is '{header[0]}', but other runs have '{xColumn}'.");
            }

            metricColumns.AddRange(header.Skip(1).Where(h => !metricColumns.Contains(h)));
            parsed.Add((r, header, lines.Skip(1).ToList()));
        }

        var rows = new List<SweepTableRow>();
        foreach (var (run, header, lines) in parsed)
        {
            var options = optionColumns.Select(o => run.Options.GetValueOrDefault(o, "")).ToArray();
            var at = metricColumns.Select(m => Array.IndexOf(header, m)).ToArray();
            foreach (var f in lines)
            {
                rows.Add(new SweepTableRow(run.Name, options, run.Seed, f[0], at.Select(j => j >= 0 && j < f.Length ? f[j] : "").ToArray()));
            }
        }

        return new SweepTable(optionColumns, xColumn!, metricColumns, rows, runs.Select(r => r.Name).ToList(), unfinished!);
    }

    /// <summary>The tidy CSV text: <c>run</c>, the option columns, <c>seed</c>, the x column, the metric columns.</summary>
    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', new[] { "run" }.Concat(OptionColumns).Append("seed").Append(XColumn).Concat(MetricColumns).Select(Escape)).Append('\n');
        foreach (var r in Rows)
        {
            sb.AppendJoin(',', new[] { r.Run }.Concat(r.Options).Append(r.Seed).Append(r.X).Concat(r.Metrics).Select(Escape)).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>One curve per metric and option combination: mean and 95 % Student-t interval over the runs (seeds) at each x.</summary>
    /// <remarks>Combinations appear in run order; non-finite or missing values are left out of a point's count.</remarks>
    public IReadOnlyList<SweepSeries> Summarize()
    {
        var groups = Rows.Select(r => r.Options).DistinctBy(Key, StringComparer.Ordinal).ToList();
        var series = new List<SweepSeries>();
        for (int m = 0; m < MetricColumns.Count; m++)
        {
            foreach (var g in groups)
            {
                string key = Key(g);
                var points = Rows.Where(r => Key(r.Options) == key)
                    .Select(r => (X: Number(r.X), Y: Number(r.Metrics[m])))
                    .Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y))
                    .GroupBy(p => p.X)
                    .OrderBy(x => x.Key)
                    .Select(x => Point(x.Key, x.Select(p => p.Y).ToArray()))
                    .ToList();
                if (points.Count > 0)
                {
                    series.Add(new SweepSeries(g, MetricColumns[m], points));
                }
            }
        }

        return series;
    }

    /// <summary>The CSV text of <paramref name="series"/>: the option columns, the x column, <c>metric,n,mean,sd,ci95_low,ci95_high</c>.</summary>
    public string SummaryCsv(IReadOnlyList<SweepSeries> series)
    {
        ArgumentNullException.ThrowIfNull(series);
        var sb = new StringBuilder();
        sb.AppendJoin(',', OptionColumns.Append(XColumn).Concat(["metric", "n", "mean", "sd", "ci95_low", "ci95_high"]).Select(Escape)).Append('\n');
        foreach (var s in series)
        {
            foreach (var p in s.Points)
            {
                sb.AppendJoin(',', s.Group.Select(Escape)).Append(s.Group.Count > 0 ? "," : "")
                    .Append(CultureInfo.InvariantCulture, $"{p.X:R},{Escape(s.Metric)},{p.Count},{p.Mean:R},{Text(p.StandardDeviation)},{Text(p.Lower)},{Text(p.Upper)}\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>A label for a combination: <c>option=value</c> pairs joined by ", " ("all runs" when nothing is swept).</summary>
    public string Label(IReadOnlyList<string> group)
    {
        ArgumentNullException.ThrowIfNull(group);
        return group.Count == 0 ? "all runs" : string.Join(", ", OptionColumns.Zip(group, (o, v) => $"{o}={v}"));
    }

    /// <summary>The point of one x from the values of its runs.</summary>
    internal static SweepPoint Point(double x, IReadOnlyList<double> values)
    {
        int n = values.Count;
        double mean = values.Average();
        if (n < 2)
        {
            return new SweepPoint(x, n, mean, double.NaN, double.NaN, double.NaN);
        }

        double sd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (n - 1));
        double half = StudentT.Quantile(0.975, n - 1) * sd / Math.Sqrt(n);
        return new SweepPoint(x, n, mean, sd, mean - half, mean + half);
    }

    private static string Key(IReadOnlyList<string> values) => string.Join('\u001f', values);

    private static double Number(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;

    private static string Text(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    private static string Escape(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;

    /// <summary>Splits one CSV line (double-quoted fields may hold commas and doubled quotes).</summary>
    internal static string[] SplitCsv(string line)
    {
        var fields = new List<string>();
        var sb = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    sb.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    sb.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(sb.ToString());
                sb.Clear();
            }
            else if (c != '\r')
            {
                sb.Append(c);
            }
        }

        fields.Add(sb.ToString());
        return [.. fields];
    }

    private static RunInfo FromMarker(string folder)
    {
        string path = Path.Combine(folder, SweepMarker.FileName);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            var options = new Dictionary<string, string>(StringComparer.Ordinal);
            var order = new List<string>();
            if (root.TryGetProperty("options", out var o) && o.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in o.EnumerateObject())
                {
                    string name = SweepSpec.Bare(p.Name);
                    options[name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
                    order.Add(name);
                }
            }

            string seed = root.TryGetProperty("seed", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetRawText() : "";
            int? index = root.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : null;
            return new RunInfo(Path.GetFileName(folder), folder, index, options, order, seed);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({ex.Message})", ex);
        }
    }

    private static RunInfo FromConfig(string folder)
    {
        string path = Path.Combine(folder, ConfigFileName);
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        string seed = "";
        if (File.Exists(path))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(path));
                Flatten(doc.RootElement, "", options);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"{path}: not valid JSON ({ex.Message})", ex);
            }

            string? seedKey = options.Keys.FirstOrDefault(k => string.Equals(k, "seed", StringComparison.OrdinalIgnoreCase));
            if (seedKey is not null)
            {
                seed = options[seedKey];
                options.Remove(seedKey);
            }
        }

        return new RunInfo(Path.GetFileName(folder), folder, null, options, [.. options.Keys], seed);
    }

    private static void Flatten(JsonElement e, string prefix, Dictionary<string, string> into)
    {
        if (e.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in e.EnumerateObject())
            {
                Flatten(p.Value, prefix.Length == 0 ? p.Name : prefix + "." + p.Name, into);
            }
        }
        else if (prefix.Length > 0)
        {
            into[prefix] = e.ValueKind switch
            {
                JsonValueKind.String => e.GetString()!,
                JsonValueKind.Null => "",
                JsonValueKind.Array => JsonSerializer.Serialize(e),
                _ => e.GetRawText(),
            };
        }
    }

    private sealed record RunInfo(string Name, string Folder, int? Index, IReadOnlyDictionary<string, string> Options, IReadOnlyList<string> Order, string Seed);
}
