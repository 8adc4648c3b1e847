using Helmholtz.Environments.Discrete;
using ScottPlot;

namespace Helmholtz.Cli.Commands.Aif;

/// <summary>Figures of the T-maze/bandit and grid runs (PNG and SVG, headless ScottPlot 5).</summary>
internal static class MazeFigures
{
    private static void Save(Plot plot, string dir, string name) => Plots.Figures.Save(plot, Path.Combine(dir, name), 800, 500);

    public static void Write(TMaze env, List<StepTrace> traces, List<TrialRecord> records, List<double[]> history, string learn, string dir)
    {
        // Belief over the context during the first trial.
        var belief = new Plot();
        int k = traces[0].Context.Length;
        for (int c = 0; c < k; c++)
        {
            var sc = belief.Add.Scatter(Enumerable.Range(0, traces.Count).Select(x => (double)x).ToArray(), traces.Select(t => t.Context[c]).ToArray());
            sc.LegendText = $"q(rewarded arm = {c + 1})";
        }

        belief.Title($"Trial 1: belief about the rewarded arm (true: arm {records[0].Context + 1})");
        belief.XLabel("step (observation index)");
        belief.YLabel("probability");
        belief.ShowLegend();
        Save(belief, dir, "belief");

        // Policy posterior per step of the first trial, grouped by first action.
        var policy = new Plot();
        var steps = traces.Where(t => t.QPi.Length > 0).ToList();
        for (int t = 0; t < steps.Count; t++)
        {
            var bars = policy.Add.Bars(steps[t].QPi.Select((v, i) => new Bar { Position = i + t * 0.3, Value = v, Size = 0.3 }).ToArray());
            bars.LegendText = $"step {t}";
        }

        policy.Title("Trial 1: policy posterior q(π) per step");
        policy.XLabel("policy (first move = policy / locations; pymdp order)");
        policy.YLabel("q(π)");
        policy.ShowLegend();
        Save(policy, dir, "policy_posterior");

        // EFE split at the first step: expected utility and information gain per policy.
        var efe = new Plot();
        var first = steps[0];
        var u = efe.Add.Bars(first.Utility.Select((v, i) => new Bar { Position = i - 0.2, Value = v, Size = 0.4, FillColor = Colors.SteelBlue }).ToArray());
        u.LegendText = "expected utility";
        var ig = efe.Add.Bars(first.InfoGain.Select((v, i) => new Bar { Position = i + 0.2, Value = v, Size = 0.4, FillColor = Colors.DarkOrange }).ToArray());
        ig.LegendText = "information gain";
        efe.Title("Trial 1, step 0: −G = utility + information gain per policy");
        efe.XLabel("policy");
        efe.YLabel("nats");
        efe.ShowLegend();
        Save(efe, dir, "efe_split");

        // Across trials: rewarded arm entered, cue visited first, and (with learning) D.
        var trialsPlot = new Plot();
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

        trialsPlot.Title("Across trials");
        trialsPlot.XLabel("trial");
        trialsPlot.ShowLegend();
        Save(trialsPlot, dir, "trials");

        if (learn == "A")
        {
            // The learned contingency: P(reward | arm, context) after each trial; the truth is reward probability on the
            // diagonal (arm i pays in context i) and its complement elsewhere.
            var contingency = new Plot();
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
            contingency.YLabel("probability");
            contingency.Axes.SetLimitsY(-0.02, 1.02);
            contingency.ShowLegend(Alignment.MiddleRight);
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
        var plot = new Plot();
        var sc = plot.Add.Scatter(path.Select(p => (double)(p % n)).ToArray(), path.Select(p => (double)(n - 1 - p / n)).ToArray());
        sc.LegendText = "trial 1 path";
        plot.Add.Marker(goal % n, n - 1 - goal / n).LegendText = "goal";
        plot.Title($"{n}×{n} grid: path of the first trial");
        plot.ShowLegend();
        Save(plot, dir, "grid_path");
    }

    /// <summary>Unknown-layout grid: steps to the goal per trial, paths of the first and last trial, and the learned goal map.</summary>
    public static void WriteUnknownGrid(int n, GridWorld env, List<GridTrial> trials, double[] learnedGoal, int shortest, string dir)
    {
        var steps = new Plot();
        var xs = trials.Select(t => (double)(t.Trial + 1)).ToArray();
        var sc = steps.Add.Scatter(xs, trials.Select(t => (double)t.Steps).ToArray());
        sc.LegendText = "steps to the goal";
        var best = steps.Add.HorizontalLine(shortest);
        best.LegendText = $"shortest path ({shortest})";
        best.LinePattern = LinePattern.Dashed;
        steps.Title($"{n}×{n} grid, unknown layout: steps per trial");
        steps.XLabel("trial");
        steps.YLabel("steps");
        steps.Axes.SetLimitsY(0, trials.Max(t => t.Steps) + 1);
        steps.ShowLegend();
        Save(steps, dir, "grid_unknown_steps");

        var map = new Plot();
        var cells = new double[n, n];
        for (int i = 0; i < n * n; i++)
        {
            cells[i / n, i % n] = env.IsWall(i) ? double.NaN : learnedGoal[i];
        }

        var hm = map.Add.Heatmap(cells);
        hm.Colormap = new ScottPlot.Colormaps.Viridis();
        map.Add.ColorBar(hm);
        // The two paths are drawn a little apart so that where they share cells both stay visible.
        foreach (var (t, label, shift) in new[] { (trials[0], "trial 1", -0.1), (trials[^1], $"trial {trials.Count}", 0.1) })
        {
            var path = map.Add.Scatter(t.Path.Select(p => p % n + shift).ToArray(), t.Path.Select(p => n - 1 - p / n + shift).ToArray());
            path.LegendText = $"{label} path ({t.Steps} steps)";
        }

        map.Title("learned P(goal | cell) after the last trial (walls white), with paths");
        map.ShowLegend();
        Save(map, dir, "grid_unknown_map");
    }
}
