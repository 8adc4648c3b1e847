using System.ComponentModel;
using System.Globalization;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Cli.Plots;
using Helmholtz.Data;
using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;
using Helmholtz.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Pc;

/// <summary>Options of <c>helmholtz pc agreement</c>.</summary>
internal sealed class PcAgreementSettings : CommandSettings
{
    [CommandOption("--model <MODEL>")]
    [Description("mlp, cnn, rnn or lstm (the train command's builders, on the embedded digits).")]
    [DefaultValue("mlp")]
    public string Model { get; init; } = "mlp";

    [CommandOption("--iterations|--inference-steps <T>")]
    [Description("Inference steps T of the compared PC run (also accepted as --T).")]
    [DefaultValue(200)]
    public int Iterations { get; init; } = 200;

    [CommandOption("--eta-v <RATE>")]
    [Description("Inference step size η_v. With η_v = 1 and fixed predictions, errors are exact after as many steps as the graph is deep.")]
    [DefaultValue(1f)]
    public float EtaV { get; init; } = 1f;

    [CommandOption("--algo <ALGO>")]
    [Description("The PC schedule compared with backprop (pc-fixed, pc-standard, …).")]
    [DefaultValue("pc-fixed")]
    public string Algorithm { get; init; } = "pc-fixed";

    [CommandOption("--batch <N>")]
    [DefaultValue(16)]
    public int Batch { get; init; } = 16;

    [CommandOption("--hidden <SIZES>")]
    [Description("Hidden sizes, as for train (default: 128,128 for the MLP, 120,84 for the CNN, 64 for RNN/LSTM).")]
    public string? Hidden { get; init; }

    [CommandOption("--loss <LOSS>")]
    [DefaultValue("mse")]
    public string Loss { get; init; } = "mse";

    [CommandOption("--seed <S>")]
    [DefaultValue(1UL)]
    public ulong Seed { get; init; } = 1;

    [CommandOption("--out <DIR>")]
    [Description("Folder for agreement.png/.svg and agreement.csv (default: runs/pc-agreement-<model>).")]
    public string? Out { get; init; }

    [CommandOption("--json")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (Iterations is <= 0 or > PcOptions.MaxIterations)
        {
            return ValidationResult.Error($"--iterations {Iterations}: must be 1…{PcOptions.MaxIterations}.");
        }

        if (!(EtaV > 0) || !float.IsFinite(EtaV))
        {
            return ValidationResult.Error($"--eta-v must be a positive number (got {EtaV.ToString(CultureInfo.InvariantCulture)}).");
        }

        return Batch is > 0 and <= TrainingConfig.MaxBatchSize ? ValidationResult.Success()
            : ValidationResult.Error($"--batch {Batch}: must be 1…{TrainingConfig.MaxBatchSize}.");
    }
}

/// <summary><c>helmholtz pc agreement</c>: how close PC's parameter updates are to exact backprop gradients on one batch.</summary>
internal sealed class PcAgreementCommand : HelmholtzCommand<PcAgreementSettings>
{
    protected override int Run(PcAgreementSettings settings, CancellationToken cancellationToken)
    {
        string dir = OutPath.Folder(settings.Out ?? Path.Combine("runs", $"pc-agreement-{settings.Model}"));
        using var runFolder = RunFolderGuard.Take(dir);
        var algorithm = PcOptions.ParseAlgorithm(settings.Algorithm);
        var data = DatasetCatalog.LoadEmbeddedDigits().Train;
        var config = new TrainingConfig
        {
            Model = settings.Model,
            Hidden = settings.Hidden is null
                ? settings.Model switch { "cnn" => [120, 84], "rnn" or "lstm" => [64], _ => [128, 128] }
                : OptionParsing.SizeList(settings.Hidden, "--hidden"),
            Loss = OptionParsing.Loss(settings.Loss),
            Seed = settings.Seed,
        };
        config.Validate();
        var model = TrainingSetup.CreateModel(config, data, new Rng(settings.Seed));
        var (x, y) = FirstBatch(data, settings.Batch);

        // The divergence against T: a doubling schedule up to the requested T, so the plot shows the approach.
        var steps = new List<int>();
        for (int t = 1; t < settings.Iterations; t *= 2)
        {
            steps.Add(t);
        }

        steps.Add(settings.Iterations);
        var curve = new List<PcAgreementResult>();
        foreach (int t in steps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            curve.Add(PcAgreement.Measure(model, x, y, t, settings.EtaV, algorithm));
        }

        var final = curve[^1];
        SaveCurve(steps, curve, settings, dir);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("parameter", "relative error", "cosine");
        foreach (var p in final.PerParameter)
        {
            table.AddRow(Markup.Escape(p.Name), p.RelativeError.ToString("E2", CultureInfo.InvariantCulture), p.Cosine.ToString("F6", CultureInfo.InvariantCulture));
        }

        var results = Infrastructure.Cli.Results(settings.Json);
        results.Write(table);
        results.MarkupLine(CultureInfo.InvariantCulture,
            $"{settings.Algorithm} vs backprop on {settings.Model}, T = {settings.Iterations}, η_v = {settings.EtaV}: max relative error {final.MaxRelativeError:E2}, min cosine {final.MinCosine:F6}; figure in [blue]{Markup.Escape(Path.GetFullPath(dir))}[/]");
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(new
            {
                model = settings.Model,
                algo = settings.Algorithm,
                iterations = settings.Iterations,
                eta_v = settings.EtaV,
                max_relative_error = final.MaxRelativeError,
                min_cosine = final.MinCosine,
                per_parameter = final.PerParameter.Select(p => new { name = p.Name, relative_error = p.RelativeError, cosine = p.Cosine }),
            });
        }

        return ExitCode.Ok;
    }

    private static (FloatTensor X, FloatTensor Y) FirstBatch(Dataset data, int batch)
    {
        if (batch > data.Count)
        {
            throw new ArgumentException($"--batch {batch} is larger than the dataset ({data.Count}).");
        }

        // The first examples in file order, one-hot targets: the data layer's own batching.
        var x = new FloatTensor(batch, data.Features);
        var y = new FloatTensor(batch, data.ClassCount);
        var batches = new BatchIterator(data, new BatchOptions(batch, Shuffle: false));
        batches.BeginEpoch(1);
        batches.Next(x, y, [], out _);
        return (x, y);
    }

    /// <summary>Writes agreement.csv and the figure of the largest relative gradient error against T (both axes log10).</summary>
    internal static void SaveCurve(List<int> steps, List<PcAgreementResult> curve, PcAgreementSettings settings, string dir)
    {
        var csv = new System.Text.StringBuilder("iterations,max_relative_error,min_cosine\n");
        for (int i = 0; i < steps.Count; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{steps[i]},{curve[i].MaxRelativeError:R},{curve[i].MinCosine:R}\n");
        }

        AtomicFile.WriteAllText(Path.Combine(dir, "agreement.csv"), csv.ToString());
        var plot = FigureStyle.NewPlot();
        double[] xs = steps.Select(s => Math.Log10(s)).ToArray();
        double[] ys = curve.Select(c => Math.Log10(Math.Max(c.MaxRelativeError, 1e-12))).ToArray();
        plot.Add.Scatter(xs, ys); // one series: the axis label names it, no legend
        plot.Axes.Bottom.Label.Text = "inference steps T (log10 scale)";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(xs, steps.Select(s => s.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.Left.Label.Text = "max over parameters of log10 ‖g_pc − g_bp‖ / ‖g_bp‖";
        plot.Title($"{settings.Algorithm} vs backprop · {settings.Model} · η_v = {settings.EtaV.ToString(CultureInfo.InvariantCulture)}");
        Figures.Save(plot, Path.Combine(dir, "agreement"));
    }
}
