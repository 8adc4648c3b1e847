using System.Globalization;
using System.Text;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Cli.Plots;
using Helmholtz.Data;
using Helmholtz.Graphs;
using Helmholtz.Graphs.Builders;
using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;
using Helmholtz.Training;
using Spectre.Console;

namespace Helmholtz.Cli.Commands.Pc;

/// <summary><c>helmholtz pc depth --residual</c>: test accuracy of residual MLPs by depth, parametrisation, method and seed; per-layer errors and gradients.</summary>
/// <remarks>
/// Writes residual-depth.csv (one row per run; a run whose loss or PC inference became NaN or infinite is marked diverged and
/// counted at chance accuracy), residual-summary.csv (mean and sample s.d. over seeds, and the diverged runs), layers.csv (per value
/// node, at initialisation and after training, on the first test batch: error norm after T steps, energy, PC and backprop
/// gradient norms) and the figures residual-accuracy, residual-errors and residual-gradients (PNG and SVG).
/// </remarks>
internal static class PcResidualDepthStudy
{
    internal sealed record Param(Parametrisation Kind, string Name, float LearningRate);

    private sealed record StudyRun(int Depth, Param Param, string Algorithm, int Steps, float EtaV, ulong Seed, TrainingConfig Config)
    {
        public string Series => Algorithm == "bp" ? $"BP {Param.Name}" : $"{Algorithm} {Param.Name} η_v={EtaV.ToString(CultureInfo.InvariantCulture)}";
    }

    public static int Run(PcDepthSettings s, int[] depths, IReadOnlyList<PcDepthCommand.Variant> variants, LossKind loss, CancellationToken cancellationToken)
    {
        var parameters = s.Params.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => ParseParam(p, s.LearningRate)).ToList();
        var seeds = s.Seeds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v) ? v : throw new ArgumentException($"--seeds must list seeds, e.g. 1,2,3 (got '{s.Seeds}').")).ToArray();
        var activation = ParseActivation(s.Activation);
        var runs = new List<StudyRun>();
        foreach (int depth in depths)
        {
            foreach (var p in parameters)
            {
                foreach (ulong seed in seeds)
                {
                    var config = new TrainingConfig
                    {
                        Algorithm = "bp", Model = "residual-mlp", Hidden = [s.Width], Depth = depth, Parametrisation = p.Kind, Activation = activation, Loss = loss,
                        Dataset = s.Dataset, Epochs = s.Epochs, Optimizer = s.Optimizer, LearningRate = p.LearningRate, Seed = seed, MaxBatches = s.MaxBatches,
                        Threads = s.Threads ?? Environment.ProcessorCount,
                    };
                    runs.Add(new StudyRun(depth, p, "bp", 0, 0, seed, config));
                    foreach (var v in variants)
                    {
                        int t = v.StepsForWeightLayers(depth);
                        runs.Add(new StudyRun(depth, p, v.Algorithm, t, v.EtaV, seed, config with { Algorithm = v.Algorithm, InferenceSteps = t, InferenceRate = v.EtaV }));
                    }
                }
            }
        }

        foreach (var r in runs)
        {
            r.Config.Validate();
        }

        var data = DatasetCatalog.Load(s.Dataset, null);
        var (probeX, probeY) = FirstBatch(data.Test, 64);
        var rows = new List<string>();
        var layerRows = new List<string>();
        var accuracy = new Dictionary<(string Series, int Depth), List<double>>();
        var divergedRuns = new Dictionary<(string Series, int Depth), int>();
        Infrastructure.Cli.Stderr.Progress().Start(ctx =>
        {
            foreach (var r in runs)
            {
                var task = ctx.AddTask($"H={r.Depth} · {r.Series} · seed {r.Seed}", maxValue: s.Epochs);
                var run = TrainingSetup.Create(r.Config, data.Train);
                bool probe = r.Algorithm != "bp" && r.Seed == seeds[0];
                var pcOptions = probe ? TrainingSetup.PcOptionsOf(r.Config) : null;
                if (pcOptions is not null)
                {
                    try
                    {
                        layerRows.AddRange(LayerRows(r, "init", PcLayerDiagnostics.Measure(run.Model, probeX, probeY, pcOptions)));
                    }
                    catch (PcDivergenceException)
                    {
                        // Inference that diverges on the probe batch diverges in training too; the run below records it.
                    }
                }

                var (acc, _, trainLoss, seconds, diverged) = TrainOnce(run, r.Config, data, () => task.Increment(1), cancellationToken);

                // A run that diverged counts as chance in the summary (and is counted there), so that it cannot raise a mean.
                if (diverged)
                {
                    acc = 1.0 / data.Train.ClassCount;
                    divergedRuns[(r.Series, r.Depth)] = divergedRuns.GetValueOrDefault((r.Series, r.Depth)) + 1;
                    task.Value = task.MaxValue;
                }
                else if (pcOptions is not null)
                {
                    layerRows.AddRange(LayerRows(r, "trained", PcLayerDiagnostics.Measure(run.Model, probeX, probeY, pcOptions)));
                }

                if (!accuracy.TryGetValue((r.Series, r.Depth), out var list))
                {
                    accuracy[(r.Series, r.Depth)] = list = [];
                }

                list.Add(acc);
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{r.Depth},{s.Width},{r.Param.Name},{r.Algorithm},{r.Steps},{r.EtaV},{r.Param.LearningRate},{r.Seed},{acc:R},{trainLoss:R},{seconds:R},{(diverged ? 1 : 0)}"));
            }
        });

        string outDir = s.Out;
        AtomicFile.WriteAllText(Path.Combine(outDir, "residual-depth.csv"),
            "depth,width,param,algo,T,eta_v,lr,seed,test_accuracy,train_loss,epoch_seconds,diverged\n" + string.Join('\n', rows) + "\n");
        AtomicFile.WriteAllText(Path.Combine(outDir, "layers.csv"),
            "depth,param,algo,T,eta_v,stage,node,error_norm,energy,pc_grad_norm,bp_grad_norm\n" + string.Join('\n', layerRows) + "\n");
        var summary = new StringBuilder("depth,series,runs,diverged,mean_accuracy,sd_accuracy\n");
        var table = new Table().Border(TableBorder.Rounded).AddColumns("depth H", "method", "seeds", "diverged", "test accuracy (mean ± s.d.)");
        var series = runs.Select(r => r.Series).Distinct().ToList();
        foreach (int depth in depths)
        {
            foreach (var name in series)
            {
                var a = accuracy[(name, depth)];
                var (mean, sd) = MeanSd(a);
                int failed = divergedRuns.GetValueOrDefault((name, depth));
                summary.Append(CultureInfo.InvariantCulture, $"{depth},{name},{a.Count},{failed},{mean:R},{sd:R}\n");
                table.AddRow(depth.ToString(CultureInfo.InvariantCulture), Markup.Escape(name), a.Count.ToString(CultureInfo.InvariantCulture), failed.ToString(CultureInfo.InvariantCulture),
                    string.Create(CultureInfo.InvariantCulture, $"{100 * mean:F2} ± {100 * sd:F2} %"));
            }
        }

        AtomicFile.WriteAllText(Path.Combine(outDir, "residual-summary.csv"), summary.ToString());
        string title = string.Create(CultureInfo.InvariantCulture,
            $"{s.Dataset} residual MLP width {s.Width} · {s.Epochs} epoch(s){(s.MaxBatches > 0 ? $" × {s.MaxBatches} batches" : "")} · {s.Optimizer} · {s.Loss} · {seeds.Length} seed(s)");
        AccuracyFigure(depths, series.Select(n => (n, depths.Select(d => MeanSd(accuracy[(n, d)])).ToArray())).ToList(), title, Path.Combine(outDir, "residual-accuracy"));
        LayerFigure(layerRows, "error_norm", "‖ε_l‖ after T steps (mean over the batch)", Path.Combine(outDir, "residual-errors"));
        LayerFigure(layerRows, "pc_grad_norm", "‖PC update of W_l‖", Path.Combine(outDir, "residual-gradients"));
        Infrastructure.Cli.Results(s.Json).Write(table);
        if (s.Json)
        {
            Infrastructure.Cli.WriteJson(new { csv = Path.GetFullPath(Path.Combine(outDir, "residual-depth.csv")), rows });
        }

        return ExitCode.Ok;
    }

    /// <summary>Trains <paramref name="run"/> for the config's epochs and evaluates it on the test set; a run whose loss or PC
    /// inference becomes NaN or infinite is reported as diverged (accuracy and losses NaN) instead of failing the study.</summary>
    internal static (double Accuracy, double TestLoss, double TrainLoss, double EpochSeconds, bool Diverged) TrainOnce(
        TrainingRun run, TrainingConfig config, DatasetSplits data, Action afterEpoch, CancellationToken cancellationToken)
    {
        var trainer = new Trainer(run.Model, run.Algorithm, run.Optimizer, data.Train, config);
        double seconds = 0, trainLoss = double.NaN;
        try
        {
            for (int epoch = 1; epoch <= config.Epochs; epoch++)
            {
                var e = trainer.TrainEpoch(epoch, null, cancellationToken);
                seconds += e.Seconds;
                trainLoss = e.MeanLoss;
                afterEpoch();
            }

            var (testLoss, acc) = trainer.Evaluate(data.Test);
            bool diverged = !double.IsFinite(acc) || !double.IsFinite(testLoss);
            return (diverged ? double.NaN : acc, testLoss, trainLoss, seconds / config.Epochs, diverged);
        }
        catch (Exception ex) when (ex is TrainingDivergedException or PcDivergenceException)
        {
            return (double.NaN, double.NaN, trainLoss, seconds / config.Epochs, true);
        }
    }

    /// <summary>Parses <c>--activation</c>: relu or tanh.</summary>
    internal static Activation ParseActivation(string text) => text switch
    {
        "relu" => Activation.Relu,
        "tanh" => Activation.Tanh,
        _ => throw new ArgumentException($"--activation must be relu or tanh (got '{text}')."),
    };

    /// <summary>Parses a <c>--params</c> entry: sp, mupc or ntk, optionally :LR.</summary>
    internal static Param ParseParam(string text, float defaultRate)
    {
        var parts = text.Split(':');
        var kind = parts[0] switch
        {
            "sp" => Parametrisation.Standard,
            "mupc" => Parametrisation.MuPC,
            "ntk" => Parametrisation.Ntk,
            _ => throw new ArgumentException($"--params entries must be sp, mupc or ntk, each optionally :LR (got '{text}')."),
        };
        float rate = defaultRate;
        if (parts.Length > 2 || (parts.Length == 2 && !(float.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out rate) && rate > 0 && float.IsFinite(rate))))
        {
            throw new ArgumentException($"--params entries must be sp, mupc or ntk, each optionally :LR with a positive LR (got '{text}').");
        }

        return new Param(kind, parts[0], rate);
    }

    private static (FloatTensor X, FloatTensor Y) FirstBatch(Dataset test, int size)
    {
        int n = Math.Min(size, test.Count);
        var x = new FloatTensor(test.Images.ReadOnlySpan[..(n * test.Features)].ToArray(), n, test.Features);
        var y = new FloatTensor(n, test.ClassCount);
        for (int i = 0; i < n; i++)
        {
            y[i, test.Label(i)] = 1f;
        }

        return (x, y);
    }

    private static IEnumerable<string> LayerRows(StudyRun r, string stage, IReadOnlyList<PcLayerState> states) =>
        states.Select(l => string.Create(CultureInfo.InvariantCulture,
            $"{r.Depth},{r.Param.Name},{r.Algorithm},{r.Steps},{r.EtaV},{stage},{l.Name},{l.ErrorNorm:R},{l.Energy:R},{l.PcGradientNorm:R},{l.BackpropGradientNorm:R}"));

    private static (double Mean, double Sd) MeanSd(IReadOnlyList<double> values)
    {
        double mean = values.Average();
        double sd = values.Count > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1)) : 0;
        return (mean, sd);
    }

    private static void AccuracyFigure(int[] depths, IReadOnlyList<(string Label, (double Mean, double Sd)[] Points)> series, string title, string basePath)
    {
        var plot = FigureStyle.NewPlot();
        double[] xs = depths.Select(d => Math.Log2(d)).ToArray();
        foreach (var (label, points) in series)
        {
            double[] ys = points.Select(p => 100 * p.Mean).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = label;
            plot.Add.ErrorBar(xs, ys, points.Select(p => 100 * p.Sd).ToArray()).Color = line.Color;
        }

        FigureStyle.LegendOutside(plot);
        plot.Axes.Bottom.Label.Text = "depth H (weight layers, log₂)";
        plot.Axes.Bottom.SetTicks(xs, depths.Select(d => d.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.Left.Label.Text = "test accuracy (%), mean ± s.d. over seeds";
        plot.Title(title);
        Figures.Save(plot, basePath);
    }

    /// <summary>One line per (depth, parametrisation, method, stage) of a layers.csv column against the layer index (log₁₀ of the value).</summary>
    private static void LayerFigure(IReadOnlyList<string> layerRows, string column, string what, string basePath)
    {
        if (layerRows.Count == 0)
        {
            return;
        }

        int index = "depth,param,algo,T,eta_v,stage,node,error_norm,energy,pc_grad_norm,bp_grad_norm".Split(',').ToList().IndexOf(column);
        var plot = FigureStyle.NewPlot();
        foreach (var group in layerRows.Select(r => r.Split(',')).GroupBy(f => $"H={f[0]} {f[1]} {f[2]} T={f[3]} · {f[5]}"))
        {
            var points = group.Select((f, i) => (Layer: (double)i, Value: double.Parse(f[index], CultureInfo.InvariantCulture))).Where(p => p.Value > 0).ToArray();
            if (points.Length > 0)
            {
                plot.Add.Scatter(points.Select(p => p.Layer).ToArray(), points.Select(p => Math.Log10(p.Value)).ToArray()).LegendText = group.Key;
            }
        }

        FigureStyle.LegendOutside(plot);
        plot.Axes.Bottom.Label.Text = "layer l (0 = input projection, last = readout)";
        plot.Axes.Left.Label.Text = $"log₁₀ {what}";
        plot.Title($"{what} per layer, first test batch (zeros left out)");
        Figures.Save(plot, basePath);
    }
}
