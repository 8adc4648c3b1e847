using System.ComponentModel;
using System.Globalization;
using System.Text;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Cli.Plots;
using ScottPlot;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Control;

/// <summary>Settings of <c>helmholtz aif exploration</c>.</summary>
internal sealed class ExplorationSettings : CommandSettings
{
    [CommandOption("--table <CSV>")]
    [Description("Results, one run a line: objective,info_gain,seed,first_success,coverage (info_gain: with|without; first_success: planned episode or empty)")]
    public string? Table { get; init; }

    [CommandOption("--out <BASE>")]
    [Description("Figure path without extension; writes BASE.png and BASE.svg (default exploration)")]
    public string Out { get; init; } = "exploration";

    [CommandOption("--title <TEXT>")]
    [Description("Figure title")]
    public string? Title { get; init; }

    [CommandOption("--within <N>")]
    [Description("Count a run as reaching the goal when its first success is at most this planned episode (default: any)")]
    public int? Within { get; init; }

    [CommandOption("--baseline <COVERAGE>")]
    [Description("Draw this coverage as a dashed line (e.g. the random seed episode's alone, mean over seeds)")]
    public double? Baseline { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object on the last line of stdout")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Table) ? ValidationResult.Error("--table is required (a CSV of objective,info_gain,seed,first_success,coverage)")
        : Within is < 0 ? ValidationResult.Error($"--within {Within}: must be ≥ 0")
        : Baseline is { } b && !(b >= 0 && b <= 1) ? ValidationResult.Error($"--baseline {b.ToString(CultureInfo.InvariantCulture)}: must be a coverage in [0, 1]")
        : ValidationResult.Success();
}

/// <summary><c>helmholtz aif exploration</c>: the exploration experiment's figure and table (coverage per objective, with and without its information gain).</summary>
internal sealed class ExplorationCommand : HelmholtzCommand<ExplorationSettings>
{
    /// <summary>One run of the experiment.</summary>
    internal sealed record Row(string Objective, bool WithInfoGain, ulong Seed, int? FirstSuccess, double Coverage);

    /// <summary>One objective arm over its seeds.</summary>
    internal sealed record Arm(string Objective, string InfoGain, int Runs, int Succeeded, double MeanCoverage, double MinCoverage, double MaxCoverage);

    protected override int Run(ExplorationSettings settings, CancellationToken cancellationToken)
    {
        var rows = Parse(settings.Table!);
        var arms = Summarise(rows, settings.Within);
        string figure = OutPath.FigureBase(settings.Out, "exploration");
        Draw(rows, settings.Title ?? "state coverage by objective, with and without its information-gain term", figure, settings.Within, settings.Baseline);
        (settings.Json ? Console.Error : Console.Out).Write(Markdown(rows, settings.Within));
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(new { Arms = arms, Figure = figure + ".png" });
        }

        return ExitCode.Ok;
    }

    /// <summary>Reads the results CSV (header line first); InvalidDataException names the line and the rule broken.</summary>
    internal static List<Row> Parse(string path)
    {
        var lines = Helmholtz.Tensors.WorkLimits.Default.ReadAllText(path, "--table").Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        if (lines.Length > 0 && lines[^1].Length == 0)
        {
            lines = lines[..^1];
        }

        if (lines.Length < 2 || lines[0].Trim() != "objective,info_gain,seed,first_success,coverage")
        {
            throw new InvalidDataException($"--table '{path}': expected the header 'objective,info_gain,seed,first_success,coverage' and at least one row.");
        }

        var rows = new List<Row>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim().Length == 0)
            {
                continue;
            }

            var f = lines[i].Split(',', StringSplitOptions.TrimEntries);
            int k = 0;
            if (f.Length != 5 || f[1] is not ("with" or "without")
                || !ulong.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out ulong seed)
                || (f[3].Length > 0 && (!int.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out k) || k < 1))
                || !double.TryParse(f[4], NumberStyles.Float, CultureInfo.InvariantCulture, out double coverage) || !(coverage >= 0 && coverage <= 1))
            {
                throw new InvalidDataException($"--table '{path}' line {i + 1}: expected objective,with|without,seed,first_success (a planned episode ≥ 1, or empty),coverage in [0, 1]; got '{lines[i]}'.");
            }

            rows.Add(new Row(f[0], f[1] == "with", seed, f[3].Length > 0 ? k : null, coverage));
        }

        return rows;
    }

    /// <summary>The arms in the order of their first appearance: runs, runs that succeeded, coverage mean and range.</summary>
    internal static List<Arm> Summarise(IReadOnlyList<Row> rows, int? within = null) =>
        rows.GroupBy(r => (r.Objective, r.WithInfoGain))
            .Select(g => new Arm(g.Key.Objective, g.Key.WithInfoGain ? "with" : "without", g.Count(), g.Count(r => Reached(r, within)),
                g.Average(r => r.Coverage), g.Min(r => r.Coverage), g.Max(r => r.Coverage)))
            .ToList();

    private static bool Reached(Row r, int? within) => r.FirstSuccess is { } k && (within is null || k <= within);

    /// <summary>A markdown table: one line per arm, "first success (coverage)" per seed.</summary>
    internal static string Markdown(IReadOnlyList<Row> rows, int? within = null)
    {
        var seeds = rows.Select(r => r.Seed).Distinct().Order().ToArray();
        var sb = new StringBuilder("| objective | information gain | ");
        sb.AppendJoin(" | ", seeds.Select(s => $"seed {s}")).Append(within is { } w ? $" | reached ≤ {w} |" : " | reached |").Append(" mean coverage |\n|---|---|");
        sb.Append(string.Concat(Enumerable.Repeat("---|", seeds.Length + 2))).Append('\n');
        foreach (var g in rows.GroupBy(r => (r.Objective, r.WithInfoGain)))
        {
            sb.Append(CultureInfo.InvariantCulture, $"| `{g.Key.Objective}` | {(g.Key.WithInfoGain ? "with" : "without")} | ");
            foreach (var s in seeds)
            {
                var r = g.FirstOrDefault(x => x.Seed == s);
                sb.Append(r is null ? "–" : string.Create(CultureInfo.InvariantCulture, $"{r.FirstSuccess?.ToString(CultureInfo.InvariantCulture) ?? "none"} ({r.Coverage:F3})")).Append(" | ");
            }

            sb.Append(CultureInfo.InvariantCulture, $"{g.Count(r => Reached(r, within))}/{g.Count()} | {g.Average(r => r.Coverage):F3} |\n");
        }

        return sb.ToString();
    }

    /// <summary>Grouped bars of the mean coverage per objective (with / without information gain), every seed as a dot, "reached/runs" above each bar.</summary>
    internal static void Draw(IReadOnlyList<Row> rows, string title, string basePath, int? within = null, double? baseline = null)
    {
        var objectives = rows.Select(r => r.Objective).Distinct().ToArray();
        var plot = FigureStyle.NewPlot();
        var colors = new[] { FigureStyle.Category(0), FigureStyle.Category(1) };
        var bars = new List<Bar>();
        var dots = new List<(double X, double[] Coverage)>();
        double top = 0;
        for (int i = 0; i < objectives.Length; i++)
        {
            for (int arm = 0; arm < 2; arm++)
            {
                bool with = arm == 0;
                var runs = rows.Where(r => r.Objective == objectives[i] && r.WithInfoGain == with).ToArray();
                if (runs.Length == 0)
                {
                    continue;
                }

                double x = (3 * i) + arm;
                double mean = runs.Average(r => r.Coverage);
                bars.Add(new Bar { Position = x, Value = mean, FillColor = colors[arm], Size = 0.9 });
                dots.Add((x, runs.Select(r => r.Coverage).ToArray()));
                double max = runs.Max(r => r.Coverage);
                top = Math.Max(top, max);
                var label = plot.Add.Text($"{runs.Count(r => Reached(r, within))}/{runs.Length}", x, max + 0.01);
                label.LabelFontSize = 11;
                label.LabelAlignment = Alignment.LowerCenter;
            }
        }

        plot.Add.Bars(bars);
        foreach (var (x, coverage) in dots)
        {
            var points = plot.Add.ScatterPoints(coverage.Select(_ => x).ToArray(), coverage);
            points.Color = Colors.Black;
            points.MarkerSize = 5;
        }

        if (baseline is { } b)
        {
            var line = plot.Add.HorizontalLine(b);
            line.LinePattern = LinePattern.Dashed;
            line.Color = Colors.Gray;
            line.LegendText = "random seed episode alone";
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            objectives.Select((_, i) => (3 * i) + 0.5).ToArray(), objectives);
        plot.Axes.SetLimits(-1, (3 * objectives.Length) - 1, 0, (top * 1.15) + 0.02);
        plot.Axes.Left.Label.Text = "coverage (fraction of 20 × 20 state cells)";
        plot.Axes.Bottom.Label.Text = within is { } w
            ? $"objective (dots: seeds; numbers: runs that reached the goal within {w} planned episode{(w == 1 ? "" : "s")})"
            : "objective (dots: seeds; numbers: runs that reached the goal)";
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "with information gain", FillColor = colors[0] });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "without information gain", FillColor = colors[1] });
        FigureStyle.LegendOutside(plot);
        plot.Title(title);
        Figures.Save(plot, basePath, 900, 500);
    }
}
