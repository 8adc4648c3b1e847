using Helmholtz.Cli.Plots;
using Helmholtz.Reproduction;

namespace Helmholtz.Cli.Commands.Reproduce;

/// <summary>The figure of a reproduction run (<see cref="FigureSpec"/>): one line per unit against X, or one bar per unit for single numbers.</summary>
internal static class ReproduceFigures
{
    public static void Draw(ReproductionOutcome outcome, string basePath)
    {
        var spec = outcome.Reproduction.Plot;
        var plot = FigureStyle.NewPlot();
        var points = outcome.Measurements.Where(m => m.Metric == spec.Metric).ToList();
        var units = points.Select(m => m.Unit).Distinct().ToList();
        bool curves = points.Any(m => !double.IsNaN(m.X)) && units.All(u => points.Count(m => m.Unit == u) > 1 || !double.IsNaN(points.First(m => m.Unit == u).X));
        static double Log(double v, bool log) => log ? Math.Log10(Math.Max(Math.Abs(v), 1e-12)) : v;
        if (curves)
        {
            int i = 0;
            foreach (string unit in units)
            {
                var line = points.Where(m => m.Unit == unit && !double.IsNaN(m.X)).OrderBy(m => m.X).ToList();
                var scatter = plot.Add.Scatter(line.Select(m => Log(m.X, spec.LogX)).ToArray(), line.Select(m => Log(m.Value, spec.LogY)).ToArray());
                scatter.LegendText = unit;
                scatter.Color = FigureStyle.Category(i++);
                scatter.MarkerSize = line.Count > 60 ? 0 : 5;
            }

            if (units.Count <= 16)
            {
                FigureStyle.LegendOutside(plot);
            }

            plot.Axes.Bottom.Label.Text = spec.XLabel + (spec.LogX ? " (log10)" : "");
        }
        else
        {
            var values = units.Select(u => points.Where(m => m.Unit == u).Average(m => m.Value)).ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                var bar = plot.Add.Bar(i, Log(values[i], spec.LogY));
                bar.Color = FigureStyle.Category(i);
            }

            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(Enumerable.Range(0, units.Count).Select(i => (double)i).ToArray(), units.ToArray());
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 10 + (7 * units.Max(u => u.Length)); // room for the rotated unit names
            plot.Axes.Bottom.Label.Text = "";
        }

        plot.Axes.Left.Label.Text = spec.YLabel;
        plot.Title($"{spec.Title} · {outcome.Size.Name}");
        Figures.Save(plot, basePath);
    }
}
