using System.ComponentModel;
using System.Globalization;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Data;
using Helmholtz.Optim;
using Helmholtz.PredictiveCoding;
using Helmholtz.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Pc;

/// <summary>Options of <c>helmholtz pc generative</c>.</summary>
internal sealed class PcGenerativeSettings : CommandSettings
{
    [CommandOption("--latent <D>")]
    [Description("Size of the top latent.")]
    [DefaultValue(32)]
    public int Latent { get; init; } = 32;

    [CommandOption("--hidden <SIZES>")]
    [Description("Hidden tanh layers between latent and image, comma-separated.")]
    [DefaultValue("256")]
    public string Hidden { get; init; } = "256";

    [CommandOption("--epochs <N>")]
    [DefaultValue(10)]
    public int Epochs { get; init; } = 10;

    [CommandOption("--batch <N>")]
    [DefaultValue(64)]
    public int Batch { get; init; } = 64;

    [CommandOption("--lr <RATE>")]
    [Description("Adam learning rate of the weights.")]
    [DefaultValue(1e-3f)]
    public float LearningRate { get; init; } = 1e-3f;

    [CommandOption("--weight-decay <W>")]
    [Description("Decoupled weight decay (AdamW: w ← w(1 − lr·W) each step); counters the growth of the weights that a Gaussian latent prior invites.")]
    [DefaultValue(0f)]
    public float WeightDecay { get; init; }

    [CommandOption("--hidden-variance <VAR>")]
    [Description("Variance of the hidden layers around their predictions (latent prior and pixel noise: 1). Small values make the latent explain the image.")]
    [DefaultValue(1f)]
    public float HiddenVariance { get; init; } = 1f;

    [CommandOption("--pixel-variance <VAR>")]
    [Description("Pixel noise variance of the image model (latent prior: 1). Values near the real residual variance keep completions from shrinking to the mean.")]
    [DefaultValue(1f)]
    public float PixelVariance { get; init; } = 1f;

    [CommandOption("--normalise-steps <BOOL>")]
    [Description("Precondition inference: each node steps by min(eta-v, 1/R) with R its curvature bound from the weights' spectral norms, so inference stays stable as the weights grow.")]
    [DefaultValue(true)]
    public bool NormaliseSteps { get; init; } = true;

    [CommandOption("-T|--inference-steps <T>")]
    [DefaultValue(50)]
    public int Iterations { get; init; } = 50;

    [CommandOption("--eta-v <RATE>")]
    [DefaultValue(0.1f)]
    public float EtaV { get; init; } = 0.1f;

    [CommandOption("--seed <S>")]
    [DefaultValue(1UL)]
    public ulong Seed { get; init; } = 1;

    [CommandOption("--out <DIR>")]
    [DefaultValue("runs/pc-generative")]
    public string Out { get; init; } = "runs/pc-generative";

    [CommandOption("--json")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        OptionParsing.FirstError(
            OptionParsing.InRange("--latent", Latent, 1, TrainingConfig.MaxWidth),
            OptionParsing.InRange("--epochs", Epochs, 1, TrainingConfig.MaxEpochs),
            OptionParsing.InRange("--batch", Batch, 1, TrainingConfig.MaxBatchSize),
            OptionParsing.Positive("--lr", LearningRate),
            OptionParsing.Positive("--hidden-variance", HiddenVariance),
            OptionParsing.Positive("--pixel-variance", PixelVariance),
            WeightDecay >= 0 && float.IsFinite(WeightDecay) ? null : OptionParsing.Invalid("--weight-decay", WeightDecay, "a finite number ≥ 0"));

    public int[] HiddenSizes() => OptionParsing.SizeList(Hidden, "--hidden");
}

/// <summary><c>helmholtz pc generative</c>: trains generative PC (latent at the top, image at the bottom) on the embedded digits.</summary>
internal sealed class PcGenerativeCommand : HelmholtzCommand<PcGenerativeSettings>
{
    protected override int Run(PcGenerativeSettings settings, CancellationToken cancellationToken)
    {
        using var runFolder = RunFolderGuard.Take(OutPath.Folder(settings.Out));
        var data = DatasetCatalog.LoadEmbeddedDigits();
        var options = new PcOptions { Algorithm = PcAlgorithm.Standard, Iterations = settings.Iterations, EtaV = settings.EtaV };
        var model = new PcGenerative(settings.Latent, settings.HiddenSizes(), data.Train.Features, settings.Batch, options, settings.Seed, settings.NormaliseSteps, settings.HiddenVariance, settings.PixelVariance);
        var optimizer = new Adam(new AdamOptions(settings.LearningRate, WeightDecay: settings.WeightDecay, DecoupledWeightDecay: true));
        IReadOnlyList<GenerativeEpoch> epochs = [];
        Infrastructure.Cli.Stderr.Progress().Start(ctx =>
        {
            var task = ctx.AddTask("generative PC on digits", maxValue: settings.Epochs * GenerativeTraining.BatchesPerEpoch(data.Train.Count, settings.Batch));
            epochs = GenerativeTraining.Train(model, optimizer, data.Train, settings.Epochs, settings.Batch, settings.Seed, () => task.Increment(1), cancellationToken);
        });
        var losses = epochs.Select(e => e.ReconstructionError).ToList();
        var curvatures = epochs.Select(e => e.Curvature).ToList();
        var steps = epochs.Select(e => e.StepSize).ToList();

        string checkpoint = Path.Combine(settings.Out, "checkpoint.safetensors");
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "helmholtz-pc-generative-1",
            ["latent"] = settings.Latent.ToString(CultureInfo.InvariantCulture),
            ["hidden"] = string.Join(',', settings.HiddenSizes()),
            ["inference_steps"] = settings.Iterations.ToString(CultureInfo.InvariantCulture),
            ["eta_v"] = settings.EtaV.ToString("R", CultureInfo.InvariantCulture),
            ["normalise_steps"] = settings.NormaliseSteps ? "true" : "false",
            ["hidden_variance"] = settings.HiddenVariance.ToString("R", CultureInfo.InvariantCulture),
            ["pixel_variance"] = settings.PixelVariance.ToString("R", CultureInfo.InvariantCulture),
        };
        SafetensorsFile.Write(checkpoint, model.Model.Graph.ParameterValues(), metadata);
        AtomicFile.WriteAllText(Path.Combine(settings.Out, "metrics.csv"),
            "epoch,reconstruction_error,curvature,step_size\n" + string.Concat(losses.Select((l, i) => string.Create(CultureInfo.InvariantCulture, $"{i + 1},{l:R},{curvatures[i]:R},{steps[i]:R}\n"))));
        Infrastructure.Cli.Stderr.MarkupLine(CultureInfo.InvariantCulture, $"reconstruction error ½‖x − μ‖² per image: {losses[0]:F3} (epoch 1) → {losses[^1]:F3} (epoch {losses.Count}); checkpoint [blue]{Markup.Escape(Path.GetFullPath(checkpoint))}[/]");
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(new { reconstruction_error = losses, curvature = curvatures, step_size = steps, checkpoint = Path.GetFullPath(checkpoint) });
        }

        return ExitCode.Ok;
    }
}
