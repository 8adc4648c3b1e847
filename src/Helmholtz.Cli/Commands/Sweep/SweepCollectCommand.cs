using System.ComponentModel;
using System.Globalization;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Cli.Plots;
using Helmholtz.Data;
using Helmholtz.Sweeps;
using ScottPlot;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Sweep;

/// <summary>Options of <c>helmholtz sweep collect</c>.</summary>
internal sealed class SweepCollectSettings : CommandSettings
{
    [CommandArgument(0, "<DIR>")]
    [Description("The sweep's output root (one run folder per run).")]
    public string Directory { get; init; } = "";

    [CommandOption("--out <DIR>")]
    [Description("Where sweep.csv, summary.csv and the figures go (default: DIR).")]
    public string? Out { get; init; }

    [CommandOption("--json")]
    [Description("Print what was written as one JSON object.")]
    public bool Json { get; init; }
}

/// <summary>
/// <c>helmholtz sweep collect</c>: every run's config and metrics in one tidy CSV, a summary over seeds (mean and 95 %
/// interval) and one figure per metric.
/// </summary>
internal sealed class SweepCollectCommand : HelmholtzCommand<SweepCollectSettings>
{
    protected override int Run(SweepCollectSettings settings, CancellationToken cancellationToken)
    {
        var table = SweepTable.Read(settings.Directory);
        string outDir = settings.Out ?? settings.Directory;
        System.IO.Directory.CreateDirectory(outDir);
        string tidy = Path.Combine(outDir, "sweep.csv");
        string summary = Path.Combine(outDir, "summary.csv");
        var series = table.Summarize();
        AtomicFile.WriteAllText(tidy, table.ToCsv());
        AtomicFile.WriteAllText(summary, table.SummaryCsv(series));
        var figures = new List<string>();
        foreach (string metric in table.MetricColumns.Where(m => !SweepTable.IsWallClock(m)))
        {
            var curves = series.Where(s => s.Metric == metric).ToList();
            if (curves.SelectMany(c => c.Points).Select(p => p.Mean).Distinct().Count() < 2)
            {
                continue; // a constant (the batch count) says nothing as a curve
            }

            string basePath = Path.Combine(outDir, "sweep-" + Safe(metric));
            Draw(table, curves, metric, basePath);
            figures.Add(basePath + ".png");
        }

        foreach (string run in table.Unfinished)
        {
            Console.Error.WriteLine($"left out (no completion marker): {run}");
        }

        int seeds = table.Rows.Select(r => r.Seed).Distinct().Count();
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{table.Runs.Count} runs ({table.Rows.Count} rows; swept: {(table.OptionColumns.Count == 0 ? "nothing" : string.Join(", ", table.OptionColumns))}; {seeds} seed(s)) → {tidy}, {summary}"));
        foreach (string f in figures)
        {
            Console.Error.WriteLine($"figure: {f}");
        }

        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(new { runs = table.Runs.Count, rows = table.Rows.Count, unfinished = table.Unfinished, csv = Path.GetFullPath(tidy), summary = Path.GetFullPath(summary), figures = figures.Select(Path.GetFullPath) });
        }

        return ExitCode.Ok;
    }

    /// <summary>One line per option combination (mean over seeds) with its 95 % interval as a band.</summary>
    private static void Draw(SweepTable table, IReadOnlyList<SweepSeries> curves, string metric, string basePath)
    {
        var plot = new Plot();
        int k = 0;
        foreach (var c in curves)
        {
            var color = plot.Add.Palette.GetColor(k++);
            double[] x = c.Points.Select(p => p.X).ToArray();
            var band = c.Points.Where(p => p.Count > 1).ToArray();
            if (band.Length > 1)
            {
                var fill = plot.Add.FillY(band.Select(p => p.X).ToArray(), band.Select(p => p.Lower).ToArray(), band.Select(p => p.Upper).ToArray());
                fill.FillStyle.Color = color.WithAlpha(0.2);
                fill.LineStyle.Width = 0;
            }

            var line = plot.Add.Scatter(x, c.Points.Select(p => p.Mean).ToArray());
            line.Color = color;
            line.LegendText = table.Label(c.Group);
        }

        int maxSeeds = curves.SelectMany(c => c.Points).Select(p => p.Count).DefaultIfEmpty(0).Max();
        plot.Axes.Bottom.Label.Text = table.XColumn;
        plot.Axes.Left.Label.Text = metric;
        plot.Title(maxSeeds > 1 ? $"{metric}: mean and 95 % interval over {maxSeeds} seeds" : metric);
        // Epochs and episodes are whole numbers; the legend goes beside the plot so that it hides no curve.
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(Edge.Right);
        Figures.Save(plot, basePath);
    }

    private static string Safe(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '-').ToArray());
}
