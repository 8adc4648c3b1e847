using System.ComponentModel;
using System.Globalization;
using System.Text;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Cli.Plots;
using Helmholtz.Data;
using Helmholtz.Training;
using ScottPlot;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Pc;

/// <summary>Options of <c>helmholtz pc transfer</c>.</summary>
internal sealed class PcTransferSettings : CommandSettings
{
    [CommandOption("--widths <LIST>")]
    [Description("Widths N of the residual stream, comma-separated; the first (with the first depth) is where the learning rate is tuned.")]
    [DefaultValue("64,128,512")]
    public string Widths { get; init; } = "64,128,512";

    [CommandOption("--depths <LIST>")]
    [Description("Depths H (weight layers), comma-separated.")]
    [DefaultValue("8,32,128")]
    public string Depths { get; init; } = "8,32,128";

    [CommandOption("--lrs <LIST>")]
    [Description("Adam learning rates, comma-separated.")]
    [DefaultValue("0.001,0.003,0.01,0.03,0.1,0.3")]
    public string LearningRates { get; init; } = "0.001,0.003,0.01,0.03,0.1,0.3";

    [CommandOption("--params <LIST>")]
    [Description("Parametrisations: sp, mupc, ntk, comma-separated.")]
    [DefaultValue("mupc")]
    public string Params { get; init; } = "mupc";

    [CommandOption("--variant <ALGO:T:ETA_V>")]
    [Description("The PC variant; T = 'depth' means T = H. Empty: backprop only.")]
    [DefaultValue("pc-standard:32:0.1")]
    public string Variant { get; init; } = "pc-standard:32:0.1";

    [CommandOption("--no-bp")]
    [Description("Do not run backprop beside the PC variant.")]
    public bool NoBackprop { get; init; }

    [CommandOption("--dataset <NAME>")]
    [DefaultValue("fashion-mnist")]
    public string Dataset { get; init; } = "fashion-mnist";

    [CommandOption("--epochs <N>")]
    [DefaultValue(1)]
    public int Epochs { get; init; } = 1;

    [CommandOption("--max-batches <N>")]
    [Description("Stop each epoch after N batches (0: all).")]
    [DefaultValue(100)]
    public int MaxBatches { get; init; } = 100;

    [CommandOption("--loss <LOSS>")]
    [DefaultValue("mse")]
    public string Loss { get; init; } = "mse";

    [CommandOption("--activation <F>")]
    [Description("The blocks' nonlinearity, relu or tanh.")]
    [DefaultValue("relu")]
    public string Activation { get; init; } = "relu";

    [CommandOption("--seed <S>")]
    [DefaultValue(1UL)]
    public ulong Seed { get; init; } = 1;

    [CommandOption("--threads <N>")]
    [Description("Threads for matrix products (default: all cores).")]
    public int? Threads { get; init; }

    [CommandOption("--out <DIR>")]
    [DefaultValue("runs/pc-transfer")]
    public string Out { get; init; } = "runs/pc-transfer";

    [CommandOption("--from <DIR>")]
    [Description("Redraw the summary and figures from DIR/transfer.csv (a finished grid) into --out, without training.")]
    public string? From { get; init; }

    [CommandOption("--json")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        OptionParsing.FirstError(
            OptionParsing.Positive("--epochs", Epochs),
            OptionParsing.InRange("--max-batches", MaxBatches, 0, int.MaxValue),
            NoBackprop && string.IsNullOrWhiteSpace(Variant) ? "--no-bp with an empty --variant leaves nothing to run." : null);
}

/// <summary>
/// <c>helmholtz pc transfer</c>: does a learning rate tuned on a small residual MLP stay best on wide and deep ones? Trains every
/// (width, depth, parametrisation, method, learning rate) once and writes transfer.csv, transfer-summary.csv (per cell: the best
/// rate, and what the rate that was best in the first cell loses there) and one figure per parametrisation and method of the final
/// test loss against the learning rate, one line per (width, depth): the μP "aligned minima" picture.
/// </summary>
internal sealed class PcTransferCommand : HelmholtzCommand<PcTransferSettings>
{
    private const string Header = "width,depth,param,method,lr,seed,dataset,epochs,max_batches,test_accuracy,test_loss,train_loss,epoch_seconds,diverged";

    /// <summary>Where a run sits in the grid, and how it was trained (for the figure titles).</summary>
    private sealed record Point(int Width, int Depth, string Param, string Method, float LearningRate, ulong Seed, string Dataset, int Epochs, int MaxBatches);

    private sealed record Cell(Point Point, TrainingConfig Config);

    private sealed record Outcome(Point Cell, double Accuracy, double TestLoss, double TrainLoss, double EpochSeconds, bool Diverged);

    protected override int Run(PcTransferSettings settings, CancellationToken cancellationToken)
    {
        if (settings.From is { } from)
        {
            var read = ReadOutcomes(Path.Combine(from, "transfer.csv"));
            using var redraw = RunFolderGuard.Take(OutPath.Folder(settings.Out));
            return Report(read, settings);
        }

        int[] widths = OptionParsing.SizeList(settings.Widths, "--widths");
        int[] depths = OptionParsing.SizeList(settings.Depths, "--depths");
        float[] rates = settings.LearningRates.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(t => float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) && v > 0 && float.IsFinite(v) ? v
                : throw new ArgumentException($"--lrs must list positive learning rates, e.g. 0.01,0.1 (got '{settings.LearningRates}').")).ToArray();
        if (widths.Length == 0 || depths.Length == 0 || rates.Length == 0)
        {
            throw new ArgumentException("--widths, --depths and --lrs must each list at least one value.");
        }

        var parameters = settings.Params.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Contains(':', StringComparison.Ordinal)
                ? throw new ArgumentException($"--params takes sp, mupc or ntk without a rate; the rates come from --lrs (got '{p}').")
                : PcResidualDepthStudy.ParseParam(p, 1e-3f)).ToList();
        var variant = string.IsNullOrWhiteSpace(settings.Variant) ? null : PcDepthCommand.ParseVariant(settings.Variant);
        var loss = OptionParsing.Loss(settings.Loss);
        var activation = PcResidualDepthStudy.ParseActivation(settings.Activation);
        using var runFolder = RunFolderGuard.Take(OutPath.Folder(settings.Out));

        var cells = new List<Cell>();
        foreach (var p in parameters)
        {
            foreach (int width in widths)
            {
                foreach (int depth in depths)
                {
                    foreach (float lr in rates)
                    {
                        var bp = new TrainingConfig
                        {
                            Algorithm = "bp", Model = "residual-mlp", Hidden = [width], Depth = depth, Parametrisation = p.Kind, Activation = activation, Loss = loss,
                            Dataset = settings.Dataset, Epochs = settings.Epochs, Optimizer = "adam", LearningRate = lr, Seed = settings.Seed, MaxBatches = settings.MaxBatches,
                            Threads = settings.Threads ?? Environment.ProcessorCount,
                        };
                        if (!settings.NoBackprop)
                        {
                            cells.Add(new Cell(new Point(width, depth, p.Name, "bp", lr, settings.Seed, settings.Dataset, settings.Epochs, settings.MaxBatches), bp));
                        }

                        if (variant is not null)
                        {
                            int t = variant.StepsForWeightLayers(depth);
                            cells.Add(new Cell(new Point(width, depth, p.Name, variant.Label, lr, settings.Seed, settings.Dataset, settings.Epochs, settings.MaxBatches),
                                bp with { Algorithm = variant.Algorithm, InferenceSteps = t, InferenceRate = variant.EtaV }));
                        }
                    }
                }
            }
        }

        foreach (var c in cells)
        {
            c.Config.Validate(); // every bad option is reported before any training
        }

        var data = DatasetCatalog.Load(settings.Dataset, null);
        var outcomes = new List<Outcome>();
        Infrastructure.Cli.Stderr.Progress().Start(ctx =>
        {
            foreach (var c in cells)
            {
                var q = c.Point;
                var task = ctx.AddTask(string.Create(CultureInfo.InvariantCulture, $"{q.Width}×{q.Depth} · {q.Param} {q.Method} · lr {q.LearningRate}"), maxValue: settings.Epochs);
                var run = TrainingSetup.Create(c.Config, data.Train);
                var (acc, testLoss, trainLoss, seconds, diverged) = PcResidualDepthStudy.TrainOnce(run, c.Config, data, () => task.Increment(1), cancellationToken);
                task.Value = task.MaxValue;
                outcomes.Add(new Outcome(q, acc, testLoss, trainLoss, seconds, diverged));
            }
        });

        AtomicFile.WriteAllText(Path.Combine(settings.Out, "transfer.csv"), Header + "\n" + string.Join('\n', outcomes.Select(o => string.Create(CultureInfo.InvariantCulture,
            $"{o.Cell.Width},{o.Cell.Depth},{o.Cell.Param},{o.Cell.Method},{o.Cell.LearningRate},{o.Cell.Seed},{o.Cell.Dataset},{o.Cell.Epochs},{o.Cell.MaxBatches},{o.Accuracy:R},{o.TestLoss:R},{o.TrainLoss:R},{o.EpochSeconds:R},{(o.Diverged ? 1 : 0)}"))) + "\n");
        return Report(outcomes, settings);
    }

    /// <summary>Writes transfer-summary.csv and the figures of <paramref name="outcomes"/> into the run folder and prints the table.</summary>
    private static int Report(IReadOnlyList<Outcome> outcomes, PcTransferSettings settings)
    {
        string outDir = settings.Out;
        var summary = new StringBuilder("param,method,width,depth,best_lr,best_accuracy,reference_lr,accuracy_at_reference_lr,shortfall_pp\n");
        var table = new Table().Border(TableBorder.Rounded).AddColumns("param", "method", "width × depth", "best lr", "best acc.", "acc. at ref. lr", "shortfall (pp)");
        foreach (var group in outcomes.GroupBy(o => (o.Cell.Param, o.Cell.Method)))
        {
            var byCell = group.GroupBy(o => (o.Cell.Width, o.Cell.Depth)).ToList();
            float reference = Best(byCell[0]).Cell.LearningRate;
            foreach (var cell in byCell)
            {
                var best = Best(cell);
                var atReference = cell.Single(o => o.Cell.LearningRate == reference);
                double shortfall = 100 * (Score(best) - Score(atReference));
                summary.Append(CultureInfo.InvariantCulture,
                    $"{group.Key.Param},{group.Key.Method},{cell.Key.Width},{cell.Key.Depth},{best.Cell.LearningRate},{best.Accuracy:R},{reference},{atReference.Accuracy:R},{shortfall:R}\n");
                table.AddRow(group.Key.Param, Markup.Escape(group.Key.Method), $"{cell.Key.Width} × {cell.Key.Depth}",
                    best.Cell.LearningRate.ToString(CultureInfo.InvariantCulture), Percent(best), Percent(atReference),
                    shortfall.ToString("F2", CultureInfo.InvariantCulture));
            }

            var first = group.First().Cell;
            LossFigure(group.ToList(), string.Create(CultureInfo.InvariantCulture,
                    $"{first.Dataset} residual MLP · {group.Key.Param} · {group.Key.Method} · {first.Epochs} epoch(s){(first.MaxBatches > 0 ? $" × {first.MaxBatches} batches" : "")} · seed {first.Seed}"),
                Path.Combine(outDir, $"transfer-{group.Key.Param}-{group.Key.Method.Split(' ')[0]}"));
        }

        AtomicFile.WriteAllText(Path.Combine(outDir, "transfer-summary.csv"), summary.ToString());
        Infrastructure.Cli.Results(settings.Json).Write(table);
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(new { csv = Path.GetFullPath(Path.Combine(outDir, "transfer.csv")), summary = Path.GetFullPath(Path.Combine(outDir, "transfer-summary.csv")) });
        }

        return ExitCode.Ok;
    }

    /// <summary>Reads a transfer.csv written by this command; a missing file or a bad row is named.</summary>
    private static List<Outcome> ReadOutcomes(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"--from: no transfer.csv at {path}.", path);
        }

        var lines = File.ReadAllLines(path);
        if (lines.Length < 2 || lines[0] != Header)
        {
            throw new InvalidDataException($"{path}: not a transfer.csv of this version (expected the header '{Header}' and at least one row).");
        }

        var outcomes = new List<Outcome>();
        var c = CultureInfo.InvariantCulture;
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            if (f.Length != 14 || !int.TryParse(f[0], c, out int width) || !int.TryParse(f[1], c, out int depth) || !float.TryParse(f[4], c, out float lr)
                || !ulong.TryParse(f[5], c, out ulong seed) || !int.TryParse(f[7], c, out int epochs) || !int.TryParse(f[8], c, out int maxBatches)
                || !double.TryParse(f[9], c, out double acc) || !double.TryParse(f[10], c, out double testLoss) || !double.TryParse(f[11], c, out double trainLoss)
                || !double.TryParse(f[12], c, out double seconds) || f[13] is not ("0" or "1"))
            {
                throw new InvalidDataException($"{path}, line {i + 1}: expected 14 fields ({Header}); got '{lines[i]}'.");
            }

            outcomes.Add(new Outcome(new Point(width, depth, f[2], f[3], lr, seed, f[6], epochs, maxBatches), acc, testLoss, trainLoss, seconds, f[13] == "1"));
        }

        return outcomes;
    }

    // A diverged run scores below every finished one, so it is never "best".
    private static double Score(Outcome o) => o.Diverged ? -1 : o.Accuracy;

    private static Outcome Best(IEnumerable<Outcome> cell) => cell.OrderByDescending(Score).ThenBy(o => o.Cell.LearningRate).First();

    private static string Percent(Outcome o) => o.Diverged ? "diverged" : (100 * o.Accuracy).ToString("F2", CultureInfo.InvariantCulture) + " %";

    /// <summary>Final test loss against log₁₀ of the learning rate, one line per (width, depth): the colour says the width, the line
    /// pattern the depth; diverged runs are left out.</summary>
    private static void LossFigure(IReadOnlyList<Outcome> outcomes, string title, string basePath)
    {
        var plot = FigureStyle.NewPlot();
        var widths = outcomes.Select(o => o.Cell.Width).Distinct().ToList();
        var depths = outcomes.Select(o => o.Cell.Depth).Distinct().ToList();
        LinePattern[] patterns = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];
        foreach (var line in outcomes.GroupBy(o => (o.Cell.Width, o.Cell.Depth)))
        {
            var points = line.Where(o => !o.Diverged).OrderBy(o => o.Cell.LearningRate).ToArray();
            if (points.Length > 0)
            {
                var scatter = plot.Add.Scatter(points.Select(o => Math.Log10(o.Cell.LearningRate)).ToArray(), points.Select(o => o.TestLoss).ToArray());
                scatter.LegendText = $"width {line.Key.Width}, depth {line.Key.Depth}";
                scatter.Color = FigureStyle.Category(widths.IndexOf(line.Key.Width));
                scatter.LinePattern = patterns[depths.IndexOf(line.Key.Depth) % patterns.Length];
            }
        }

        FigureStyle.LegendOutside(plot);
        plot.Axes.Bottom.Label.Text = "log₁₀ Adam learning rate";
        plot.Axes.Left.Label.Text = "test loss after training";
        plot.Title(title);
        Figures.Save(plot, basePath);
    }
}
