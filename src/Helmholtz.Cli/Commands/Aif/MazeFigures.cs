using Helmholtz.Environments.Discrete;
using Helmholtz.Cli.Plots;
using ScottPlot;

namespace Helmholtz.Cli.Commands.Aif;

/// <summary>Figures of the T-maze/bandit and grid runs (PNG and SVG, headless ScottPlot 5).</summary>
internal static class MazeFigures
{
    private static void Save(Plot plot, string dir, string name) => Plots.Figures.Save(plot, Path.Combine(dir, name), 800, 500);

    public static void Write(TMaze env, List<StepTrace> traces, List<TrialRecord> records, List<double[]> history, string learn, string dir)
    {
        // Belief over the context during the first trial.
        var belief = FigureStyle.NewPlot();
        int k = traces[0].Context.Length;
        for (int c = 0; c < k; c++)
        {
            var sc = belief.Add.Scatter(Enumerable.Range(0, traces.Count).Select(x => (double)x).ToArray(), traces.Select(t => t.Context[c]).ToArray());
            sc.LegendText = $"q(rewarded arm = {c + 1})";
        }

        belief.Title($"Trial 1: belief about the rewarded arm (true: arm {records[0].Context + 1})");
        belief.XLabel("step (observation index)");
        FigureStyle.IntegerTicks(belief.Axes.Bottom);
        belief.YLabel("probability");
        FigureStyle.LegendOutside(belief);
        Save(belief, dir, "belief");

        // Policy posterior per step of the first trial, grouped by first action.
        var policy = FigureStyle.NewPlot();
        var steps = traces.Where(t => t.QPi.Length > 0).ToList();
        for (int t = 0; t < steps.Count; t++)
        {
            var color = FigureStyle.Category(t);
            var bars = policy.Add.Bars(steps[t].QPi.Select((v, i) => new Bar { Position = i + t * 0.3, Value = v, Size = 0.3, FillColor = color }).ToArray());
            bars.LegendText = $"step {t}";
        }

        policy.Title("Trial 1: policy posterior q(π) per step");
        policy.XLabel("policy index (first move = index / locations; pymdp order)");
        FigureStyle.IntegerTicks(policy.Axes.Bottom);
        policy.YLabel("q(π) (probability)");
        FigureStyle.LegendOutside(policy);
        Save(policy, dir, "policy_posterior");

        // EFE split at the first step: expected utility and information gain per policy.
        var efe = FigureStyle.NewPlot();
        var first = steps[0];
        var u = efe.Add.Bars(first.Utility.Select((v, i) => new Bar { Position = i - 0.2, Value = v, Size = 0.4, FillColor = FigureStyle.Category(0) }).ToArray());
        u.LegendText = "expected utility";
        var ig = efe.Add.Bars(first.InfoGain.Select((v, i) => new Bar { Position = i + 0.2, Value = v, Size = 0.4, FillColor = FigureStyle.Category(1) }).ToArray());
        ig.LegendText = "information gain";
        efe.Title("Trial 1, step 0: −G = utility + information gain per policy");
        efe.XLabel("policy index (pymdp order)");
        FigureStyle.IntegerTicks(efe.Axes.Bottom);
        efe.YLabel("nats");
        FigureStyle.LegendOutside(efe);
        Save(efe, dir, "efe_split");

        // Across trials: rewarded arm entered, cue visited first, and (with learning) D.
        var trialsPlot = FigureStyle.NewPlot();
        double[] x = records.Select(r => (double)r.Trial).ToArray();
        var cue = trialsPlot.Add.Scatter(x, Running(records.Select(r => r.Moves[0] == env.CueLocation ? 1.0 : 0.0)));
        cue.LegendText = "cue first (running mean)";
        var rew = trialsPlot.Add.Scatter(x, Running(records.Select(r => r.Rewarded ? 1.0 : 0.0)));
        rew.LegendText = "rewarded (running mean)";
        if (learn == "D")
        {
            var d = trialsPlot.Add.Scatter(x, history.Select(h => h[0]).ToArray());
            d.LegendText = "D(rewarded arm)";
        }

        trialsPlot.Title("Across trials: cue first, reward" + (learn == "D" ? " and learned D" : string.Empty));
        trialsPlot.XLabel("trial");
        FigureStyle.IntegerTicks(trialsPlot.Axes.Bottom);
        trialsPlot.YLabel("fraction of trials / probability");
        FigureStyle.LegendOutside(trialsPlot);
        Save(trialsPlot, dir, "trials");

        if (learn == "A")
        {
            // The learned contingency: P(reward | arm, context) after each trial; the truth is reward probability on the
            // diagonal (arm i pays in context i) and its complement elsewhere.
            var contingency = FigureStyle.NewPlot();
            int arms = env.Arms;
            for (int arm = 0; arm < arms; arm++)
            {
                for (int c = 0; c < arms; c++)
                {
                    int idx = arm * arms + c;
                    var line = contingency.Add.Scatter(x, history.Select(h => h[idx]).ToArray());
                    line.LegendText = $"P(reward | arm {arm + 1}, context {c + 1})";
                    line.MarkerSize = 3;
                }
            }

            var rate = contingency.Add.Scatter(x, RunningWindow(records.Select(r => r.Rewarded ? 1.0 : 0.0).ToArray(), 10));
            rate.LegendText = "reward rate (last 10 trials)";
            rate.Color = Colors.Black;
            rate.MarkerSize = 0;
            contingency.Title("Learning the reward contingency (pA) from a flat prior");
            contingency.XLabel("trial");
            FigureStyle.IntegerTicks(contingency.Axes.Bottom);
            contingency.YLabel("probability");
            contingency.Axes.SetLimitsY(-0.02, 1.02);
            FigureStyle.LegendOutside(contingency);
            Save(contingency, dir, "contingency");
        }
    }

    private static double[] RunningWindow(double[] values, int window)
    {
        var result = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            int from = Math.Max(0, i - window + 1);
            double sum = 0;
            for (int j = from; j <= i; j++)
            {
                sum += values[j];
            }

            result[i] = sum / (i - from + 1);
        }

        return result;
    }

    private static double[] Running(IEnumerable<double> values)
    {
        var list = new List<double>();
        double sum = 0;
        foreach (var v in values)
        {
            sum += v;
            list.Add(sum / (list.Count + 1));
        }

        return list.ToArray();
    }

    public static void WriteGridPath(int n, int goal, List<int> path, string dir)
    {
        var plot = FigureStyle.NewPlot();
        var sc = plot.Add.Scatter(path.Select(p => (double)(p % n)).ToArray(), path.Select(p => (double)(n - 1 - p / n)).ToArray());
        sc.LegendText = "trial 1 path";
        plot.Add.Marker(goal % n, n - 1 - goal / n).LegendText = "goal";
        plot.Title($"{n}×{n} grid: path of the first trial");
        plot.XLabel("column (cell)");
        plot.YLabel("row from the bottom (cell)");
        FigureStyle.IntegerTicks(plot.Axes.Bottom);
        FigureStyle.IntegerTicks(plot.Axes.Left);
        FigureStyle.LegendOutside(plot);
        Save(plot, dir, "grid_path");
    }

    /// <summary>Unknown-layout grid: steps to the goal per trial, paths of the first and last trial, and the learned goal map.</summary>
    public static void WriteUnknownGrid(int n, GridWorld env, List<GridTrial> trials, double[] learnedGoal, int shortest, string dir)
    {
        var steps = FigureStyle.NewPlot();
        var xs = trials.Select(t => (double)(t.Trial + 1)).ToArray();
        var sc = steps.Add.Scatter(xs, trials.Select(t => (double)t.Steps).ToArray());
        sc.LegendText = "steps to the goal";
        var best = steps.Add.HorizontalLine(shortest);
        best.LegendText = $"shortest path ({shortest})";
        best.LinePattern = LinePattern.Dashed;
        steps.Title($"{n}×{n} grid, unknown layout: steps per trial");
        steps.XLabel("trial");
        steps.YLabel("steps to the goal");
        FigureStyle.IntegerTicks(steps.Axes.Bottom);
        FigureStyle.IntegerTicks(steps.Axes.Left);
        steps.Axes.SetLimitsY(0, trials.Max(t => t.Steps) + 1);
        FigureStyle.LegendOutside(steps);
        Save(steps, dir, "grid_unknown_steps");

        var map = FigureStyle.NewPlot();
        var cells = new double[n, n];
        for (int i = 0; i < n * n; i++)
        {
            cells[i / n, i % n] = env.IsWall(i) ? double.NaN : learnedGoal[i];
        }

        var hm = map.Add.Heatmap(cells);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        map.Add.ColorBar(hm).Label = "P(goal | cell)";
        // The two paths are drawn a little apart so that where they share cells both stay visible.
        // Sky blue and orange stay visible on both ends of viridis.
        foreach (var (t, label, shift, color) in new[] { (trials[0], "trial 1", -0.1, FigureStyle.Category(4)), (trials[^1], $"trial {trials.Count}", 0.1, FigureStyle.Category(1)) })
        {
            var path = map.Add.Scatter(t.Path.Select(p => p % n + shift).ToArray(), t.Path.Select(p => n - 1 - p / n + shift).ToArray());
            path.LegendText = $"{label} path ({t.Steps} steps)";
            path.Color = color;
            path.LineWidth = 2;
        }

        map.Title("Learned P(goal | cell) after the last trial, with paths");
        map.XLabel("column (cell; walls white)");
        map.YLabel("row from the bottom (cell)");
        FigureStyle.IntegerTicks(map.Axes.Bottom);
        FigureStyle.IntegerTicks(map.Axes.Left);
        FigureStyle.LegendOutside(map);
        Save(map, dir, "grid_unknown_map");
    }
}
