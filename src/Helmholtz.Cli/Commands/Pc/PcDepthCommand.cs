using System.ComponentModel;
using System.Globalization;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Cli.Plots;
using Helmholtz.Data;
using Helmholtz.Graphs;
using Helmholtz.Training;
using ScottPlot;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Pc;

/// <summary>Options of <c>helmholtz pc depth</c>.</summary>
internal sealed class PcDepthSettings : CommandSettings
{
    [CommandOption("--depths <LIST>")]
    [Description("Numbers of hidden layers, comma-separated.")]
    [DefaultValue("2,4,8")]
    public string Depths { get; init; } = "2,4,8";

    [CommandOption("--width <N>")]
    [Description("Width of every hidden layer.")]
    [DefaultValue(128)]
    public int Width { get; init; } = 128;

    [CommandOption("--variants <LIST>")]
    [Description("PC variants ALGO:T:ETA_V, comma-separated; T = 'depth' means one more step than the net has layers. BP always runs as the reference.")]
    [DefaultValue("pc-fixed:20:0.1,pc-standard:20:0.1")]
    public string Variants { get; init; } = "pc-fixed:20:0.1,pc-standard:20:0.1";

    [CommandOption("--dataset <NAME>")]
    [DefaultValue("fashion-mnist")]
    public string Dataset { get; init; } = "fashion-mnist";

    [CommandOption("--epochs <N>")]
    [DefaultValue(3)]
    public int Epochs { get; init; } = 3;

    [CommandOption("--optimizer <NAME>")]
    [DefaultValue("adam")]
    public string Optimizer { get; init; } = "adam";

    [CommandOption("--lr <RATE>")]
    [DefaultValue(1e-3f)]
    public float LearningRate { get; init; } = 1e-3f;

    [CommandOption("--loss <LOSS>")]
    [DefaultValue("cross-entropy")]
    public string Loss { get; init; } = "cross-entropy";

    [CommandOption("--seed <S>")]
    [DefaultValue(1UL)]
    public ulong Seed { get; init; } = 1;

    [CommandOption("--out <DIR>")]
    [DefaultValue("runs/pc-depth")]
    public string Out { get; init; } = "runs/pc-depth";

    [CommandOption("--json")]
    public bool Json { get; init; }

    [CommandOption("--residual")]
    [Description("Study residual MLPs instead: --depths are weight layers H (input projection, H − 2 blocks, readout); writes residual-depth.csv, residual-summary.csv, layers.csv and figures.")]
    public bool Residual { get; init; }

    [CommandOption("--params <LIST>")]
    [Description("With --residual: parametrisations sp, mupc, ntk, each optionally :LR (its learning rate), comma-separated.")]
    [DefaultValue("sp,mupc")]
    public string Params { get; init; } = "sp,mupc";

    [CommandOption("--seeds <LIST>")]
    [Description("With --residual: seeds, comma-separated (mean and s.d. over them).")]
    [DefaultValue("1")]
    public string Seeds { get; init; } = "1";

    [CommandOption("--max-batches <N>")]
    [Description("With --residual: stop each epoch after N batches (0: all).")]
    [DefaultValue(0)]
    public int MaxBatches { get; init; }

    [CommandOption("--activation <F>")]
    [Description("With --residual: the blocks' nonlinearity, relu or tanh.")]
    [DefaultValue("relu")]
    public string Activation { get; init; } = "relu";

    [CommandOption("--threads <N>")]
    [Description("With --residual: threads for matrix products (default: all cores).")]
    public int? Threads { get; init; }

    public override ValidationResult Validate() =>
        OptionParsing.FirstError(
            OptionParsing.InRange("--width", Width, 1, TrainingConfig.MaxWidth),
            OptionParsing.Positive("--epochs", Epochs),
            OptionParsing.Positive("--lr", LearningRate),
            OptionParsing.InRange("--max-batches", MaxBatches, 0, int.MaxValue));
}

/// <summary><c>helmholtz pc depth</c>: the PC − BP test-accuracy gap of MLPs of growing depth, as CSV and a figure.</summary>
internal sealed class PcDepthCommand : HelmholtzCommand<PcDepthSettings>
{
    internal sealed record Variant(string Algorithm, string Steps, float EtaV)
    {
        public string Label => $"{Algorithm} T={Steps} η={EtaV.ToString(CultureInfo.InvariantCulture)}";

        public int StepsFor(int depth) => Steps == "depth" ? depth + 1 : int.Parse(Steps, CultureInfo.InvariantCulture);

        /// <summary>T for a residual network of <paramref name="weightLayers"/> layers: 'depth' means one step per weight layer.</summary>
        public int StepsForWeightLayers(int weightLayers) => Steps == "depth" ? weightLayers : int.Parse(Steps, CultureInfo.InvariantCulture);
    }

    protected override int Run(PcDepthSettings settings, CancellationToken cancellationToken)
    {
        int[] depths = settings.Depths.Split(',').Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int d) && d is > 0 and <= TrainingConfig.MaxLayers ? d
            : throw new ArgumentException($"--depths must list numbers of hidden layers, each 1…{TrainingConfig.MaxLayers} (got '{settings.Depths}').")).ToArray();
        using var runFolder = RunFolderGuard.Take(OutPath.Folder(settings.Out));
        var variants = settings.Variants.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseVariant).ToList();
        var loss = settings.Loss switch
        {
            "mse" => LossKind.Mse,
            "cross-entropy" => LossKind.CrossEntropy,
            _ => throw new ArgumentException($"--loss must be mse or cross-entropy (got '{settings.Loss}')."),
        };
        if (settings.Residual)
        {
            return PcResidualDepthStudy.Run(settings, depths, variants, loss, cancellationToken);
        }

        var configs = new List<(int Depth, Variant? Variant, TrainingConfig Config)>();
        foreach (int depth in depths)
        {
            var baseConfig = new TrainingConfig
            {
                Algorithm = "bp", Model = "mlp", Hidden = Enumerable.Repeat(settings.Width, depth).ToArray(), Loss = loss, Dataset = settings.Dataset,
                Epochs = settings.Epochs, Optimizer = settings.Optimizer, LearningRate = settings.LearningRate, Seed = settings.Seed,
                Threads = Environment.ProcessorCount,
            };
            configs.Add((depth, null, baseConfig));
            foreach (var v in variants)
            {
                configs.Add((depth, v, baseConfig with { Algorithm = v.Algorithm, InferenceSteps = v.StepsFor(depth), InferenceRate = v.EtaV }));
            }
        }

        foreach (var c in configs)
        {
            c.Config.Validate(); // every bad option is reported before any training
        }

        var data = DatasetCatalog.Load(settings.Dataset, null);
        var accuracy = new Dictionary<(int, string), double>();
        var rows = new List<string>();
        Infrastructure.Cli.Stderr.Progress().Start(ctx =>
        {
            foreach (var (depth, variant, config) in configs)
            {
                string label = variant?.Label ?? "bp";
                var task = ctx.AddTask($"{depth} hidden · {label}", maxValue: settings.Epochs);
                var run = TrainingSetup.Create(config, data.Train);
                var trainer = new Trainer(run.Model, run.Algorithm, run.Optimizer, data.Train, config);
                for (int epoch = 1; epoch <= settings.Epochs; epoch++)
                {
                    trainer.TrainEpoch(epoch, null, cancellationToken);
                    task.Increment(1);
                }

                double acc = trainer.Evaluate(data.Test).Accuracy;
                accuracy[(depth, label)] = acc;
                double gap = 100 * (acc - accuracy[(depth, "bp")]);
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{depth},{config.Algorithm},{(variant is null ? 0 : config.InferenceSteps)},{(variant is null ? 0 : config.InferenceRate)},{acc:R},{gap:R}"));
            }
        });

        AtomicFile.WriteAllText(Path.Combine(settings.Out, "depth.csv"), "hidden_layers,algo,T,eta_v,test_accuracy,gap_pp\n" + string.Join('\n', rows) + "\n");
        DepthFigure(depths, variants.Select(v => (v.Label, depths.Select(d => 100 * (accuracy[(d, v.Label)] - accuracy[(d, "bp")])).ToArray())).ToList(),
            string.Create(CultureInfo.InvariantCulture,
                $"{settings.Dataset} MLP width {settings.Width} · {settings.Epochs} epochs · {settings.Optimizer} lr {settings.LearningRate} · {settings.Loss}"),
            Path.Combine(settings.Out, "depth"));
        var table = new Table().Border(TableBorder.Rounded).AddColumns("hidden layers", "algorithm", "test accuracy", "gap (pp)");
        foreach (var r in rows)
        {
            var f = r.Split(',');
            table.AddRow(f[0], f[1] + (f[2] == "0" ? string.Empty : $" T={f[2]} η={f[3]}"),
                double.Parse(f[4], CultureInfo.InvariantCulture).ToString("P2", CultureInfo.InvariantCulture),
                double.Parse(f[5], CultureInfo.InvariantCulture).ToString("+0.00;-0.00", CultureInfo.InvariantCulture));
        }

        Infrastructure.Cli.Results(settings.Json).Write(table);
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(new { csv = Path.GetFullPath(Path.Combine(settings.Out, "depth.csv")), rows });
        }

        return ExitCode.Ok;
    }

    /// <summary>The PC − BP test-accuracy gap (percentage points) against the number of hidden layers, one line per PC variant.</summary>
    internal static void DepthFigure(int[] depths, IReadOnlyList<(string Label, double[] GapPp)> series, string title, string basePath)
    {
        var plot = FigureStyle.NewPlot();
        double[] xs = depths.Select(d => (double)d).ToArray();
        foreach (var (label, gap) in series)
        {
            plot.Add.Scatter(xs, gap).LegendText = label;
        }

        plot.Add.HorizontalLine(0, color: Colors.Gray).LegendText = "backprop (gap 0)";
        FigureStyle.LegendOutside(plot);
        plot.Axes.Bottom.Label.Text = "hidden layers";
        FigureStyle.IntegerTicks(plot.Axes.Bottom);
        plot.Axes.Left.Label.Text = "PC − BP test accuracy (percentage points)";
        plot.Title(title);
        Figures.Save(plot, basePath);
    }

    internal static Variant ParseVariant(string text)
    {
        var parts = text.Split(':');
        if (parts.Length != 3 || !(parts[1] == "depth" || int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
            || !float.TryParse(parts[2], NumberStyles.Float, CultureInfo.InvariantCulture, out float eta))
        {
            throw new ArgumentException($"--variants entries must be ALGO:T:ETA_V, e.g. pc-fixed:20:0.1 or pc-fixed:depth:1 (got '{text}').");
        }

        return new Variant(parts[0], parts[1], eta);
    }
}
