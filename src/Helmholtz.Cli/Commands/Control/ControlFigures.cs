using Helmholtz.Cli.Plots;
using ScottPlot;

namespace Helmholtz.Cli.Commands.Control;

/// <summary>The figures of <c>aif control</c>: return curves and the mountain-car state coverage.</summary>
internal static class ControlFigures
{
    /// <summary>The trailing mean of the last min(window, k) returns at every episode k.</summary>
    public static double[] TrailingMean(IReadOnlyList<double> returns, int window)
    {
        var mean = new double[returns.Count];
        double sum = 0;
        for (int k = 0; k < returns.Count; k++)
        {
            sum += returns[k];
            if (k >= window)
            {
                sum -= returns[k - window];
            }

            mean[k] = sum / Math.Min(k + 1, window);
        }

        return mean;
    }

    /// <summary>Returns per episode (thin) and their moving mean (thick), with the solve threshold when there is one.</summary>
    public static void ReturnCurve(IReadOnlyList<double> returns, int window, double? threshold, string title, string basePath)
    {
        var plot = FigureStyle.NewPlot();
        double[] episodes = Enumerable.Range(0, returns.Count).Select(e => (double)e).ToArray();
        var raw = plot.Add.ScatterLine(episodes, returns.ToArray());
        raw.LegendText = "return";
        raw.LineWidth = 1;
        raw.Color = FigureStyle.Category(0).WithAlpha(0.45);
        var mean = plot.Add.ScatterLine(episodes, TrailingMean(returns, window));
        mean.LegendText = $"{window}-episode mean";
        mean.LineWidth = 2.5f;
        mean.Color = FigureStyle.Category(0);
        AddThreshold(plot, threshold);
        plot.Axes.Bottom.Label.Text = "episode (numbered as in metrics.csv)";
        FigureStyle.IntegerTicks(plot.Axes.Bottom);
        plot.Axes.Left.Label.Text = "return (summed reward per episode)";
        plot.Title(title);
        FigureStyle.LegendOutside(plot);
        Figures.Save(plot, basePath);
    }

    /// <summary>The moving mean of every seed (thin) and their average (thick).</summary>
    public static void SeedCurves(IReadOnlyList<(ulong Seed, IReadOnlyList<double> Returns)> runs, int window, double? threshold, string title, string basePath)
    {
        var plot = FigureStyle.NewPlot();
        int longest = runs.Max(r => r.Returns.Count);
        var sum = new double[longest];
        var count = new int[longest];
        foreach (var (seed, returns) in runs)
        {
            var mean = TrailingMean(returns, window);
            var line = plot.Add.ScatterLine(Enumerable.Range(0, mean.Length).Select(e => (double)e).ToArray(), mean);
            line.LegendText = $"seed {seed}";
            line.LineWidth = 1;
            for (int k = 0; k < mean.Length; k++)
            {
                sum[k] += mean[k];
                count[k]++;
            }
        }

        var average = plot.Add.ScatterLine(
            Enumerable.Range(0, longest).Select(e => (double)e).ToArray(), sum.Select((s, k) => s / count[k]).ToArray());
        average.LegendText = "mean over seeds";
        average.LineWidth = 3;
        average.Color = Colors.Black;
        AddThreshold(plot, threshold);
        plot.Axes.Bottom.Label.Text = "episode (numbered as in metrics.csv)";
        FigureStyle.IntegerTicks(plot.Axes.Bottom);
        plot.Axes.Left.Label.Text = $"{window}-episode mean return (summed reward)";
        plot.Title(title);
        FigureStyle.LegendOutside(plot);
        Figures.Save(plot, basePath);
    }

    /// <summary>Every visited (position, velocity) of a mountain car run, with the goal position.</summary>
    public static void Coverage(IReadOnlyList<double> positions, IReadOnlyList<double> velocities, string title, string basePath)
    {
        var plot = FigureStyle.NewPlot();
        var points = plot.Add.ScatterPoints(positions.ToArray(), velocities.ToArray());
        points.MarkerSize = 1.5f;
        points.Color = FigureStyle.Category(3).WithAlpha(0.5);
        points.LegendText = "visited state";
        var goal = plot.Add.VerticalLine(title.Contains("sparse", StringComparison.Ordinal) || title.Contains("continuous", StringComparison.Ordinal) ? 0.45 : 0.5);
        goal.LegendText = "goal";
        goal.Color = FigureStyle.Category(2);
        plot.Axes.SetLimits(-1.2, 0.6, -0.07, 0.07);
        plot.Axes.Bottom.Label.Text = "position (m)";
        plot.Axes.Left.Label.Text = "velocity (m per step)";
        FigureStyle.LegendOutside(plot);
        plot.Title(title);
        Figures.Save(plot, basePath);
    }

    /// <summary>Appends the (position, velocity) of every state of a mountain car episode (its first two state components).</summary>
    public static void CollectStates(ActiveInference.Deep.EpisodeResult episode, int stateSize, List<double> positions, List<double> velocities)
    {
        for (int i = 0; i + 1 < episode.States.Length; i += stateSize)
        {
            positions.Add(episode.States[i]);
            velocities.Add(episode.States[i + 1]);
        }
    }

    /// <summary>The fraction of a <paramref name="cells"/> × <paramref name="cells"/> grid over the mountain car's state box (position [−1.2, 0.6] × velocity [−0.07, 0.07]) that the run visited.</summary>
    public static double CoverageFraction(IReadOnlyList<double> positions, IReadOnlyList<double> velocities, int cells = 30)
    {
        var seen = new bool[cells * cells];
        for (int i = 0; i < positions.Count; i++)
        {
            int px = Math.Clamp((int)((positions[i] + 1.2) / 1.8 * cells), 0, cells - 1);
            int vy = Math.Clamp((int)((velocities[i] + 0.07) / 0.14 * cells), 0, cells - 1);
            seen[(px * cells) + vy] = true;
        }

        return seen.Count(s => s) / (double)seen.Length;
    }

    private static void AddThreshold(Plot plot, double? threshold)
    {
        if (threshold is { } t)
        {
            var line = plot.Add.HorizontalLine(t);
            line.LegendText = "solve threshold";
            line.Color = FigureStyle.Category(2);
            line.LinePattern = LinePattern.Dashed;
        }
    }
}
