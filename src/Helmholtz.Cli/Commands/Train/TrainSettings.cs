using System.ComponentModel;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Graphs.Builders;
using Helmholtz.Tensors;
using Helmholtz.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Train;

/// <summary>Options shared by <c>train</c> and <c>bench train</c>.</summary>
internal class TrainingSettings : CommandSettings
{
    [CommandOption("--algo <ALGO>")]
    [Description("Learning algorithm: bp, pc-fixed, pc-standard, pc-incremental, relaxed, activation-relaxation.")]
    [DefaultValue("bp")]
    public string Algorithm { get; init; } = "bp";

    [CommandOption("--model <MODEL>")]
    [Description("Network: mlp, cnn, rnn, lstm, residual-mlp or residual-cnn.")]
    [DefaultValue("mlp")]
    public string Model { get; init; } = "mlp";

    [CommandOption("--hidden <SIZES>")]
    [Description("Hidden layer sizes, comma-separated (MLP, CNN; default 128,128), or the one hidden state size (RNN, LSTM; default 128).")]
    public string? Hidden { get; init; }

    [CommandOption("--depth <L>")]
    [Description("Residual MLP/CNN: weight layers (input projection or stem, L − 2 residual blocks, readout; default 8).")]
    public int? Depth { get; init; }

    [CommandOption("--width <N>")]
    [Description("Residual MLP/CNN: width (filters) of the residual stream (default 128; same as --hidden N).")]
    public int? Width { get; init; }

    [CommandOption("--param <P>")]
    [Description("Residual MLP/CNN parametrisation: sp (standard), mupc (μPC, Depth-μP) or ntk.")]
    [DefaultValue("sp")]
    public string Param { get; init; } = "sp";

    [CommandOption("--activation <F>")]
    [Description("Hidden nonlinearity: tanh, relu or sigmoid.")]
    [DefaultValue("tanh")]
    public string Activation { get; init; } = "tanh";

    [CommandOption("--loss <LOSS>")]
    [Description("Loss: cross-entropy (softmax outputs) or mse (½‖ŷ − y‖² summed over outputs, averaged over the batch).")]
    [DefaultValue("cross-entropy")]
    public string Loss { get; init; } = "cross-entropy";

    [CommandOption("--dataset <NAME>")]
    [Description("Dataset: digits (embedded), mnist or fashion-mnist.")]
    [DefaultValue("digits")]
    public string Dataset { get; init; } = "digits";

    [CommandOption("--data <DIR>")]
    [Description("Folder with the dataset's IDX files (default: where Debian installs it).")]
    public string? DataDirectory { get; init; }

    [CommandOption("--epochs <N>")]
    [Description("Passes over the training set.")]
    [DefaultValue(1)]
    public int Epochs { get; init; } = 1;

    [CommandOption("--batch <N>")]
    [Description("Examples per batch.")]
    [DefaultValue(64)]
    public int Batch { get; init; } = 64;

    [CommandOption("--lr <RATE>")]
    [Description("Learning rate (0.001 suits adam; plain sgd wants about 0.02).")]
    [DefaultValue(0.001f)]
    public float LearningRate { get; init; } = 0.001f;

    [CommandOption("--optimizer <NAME>")]
    [Description("adam or sgd.")]
    [DefaultValue("adam")]
    public string Optimizer { get; init; } = "adam";

    [CommandOption("--momentum <M>")]
    [Description("SGD momentum.")]
    [DefaultValue(0f)]
    public float Momentum { get; init; }

    [CommandOption("--weight-decay <W>")]
    [Description("L2 weight decay added to the gradient.")]
    [DefaultValue(0f)]
    public float WeightDecay { get; init; }

    [CommandOption("--seed <S>")]
    [Description("Seed of the initial weights and the data order.")]
    [DefaultValue(1UL)]
    public ulong Seed { get; init; } = 1;

    [CommandOption("--threads <N>")]
    [Description("Threads for matrix products (default: all cores). Results do not depend on it.")]
    public int? Threads { get; init; }

    [CommandOption("--shuffle <BOOL>")]
    [Description("Shuffle the training set each epoch (false: file order).")]
    [DefaultValue(true)]
    public bool Shuffle { get; init; } = true;

    [CommandOption("--max-batches <N>")]
    [Description("Stop each epoch after N batches (0: all).")]
    [DefaultValue(0)]
    public int MaxBatches { get; init; }

    [CommandOption("--init <FILE>")]
    [Description("Initial parameters: safetensors with PyTorch-compatible names (e.g. layers.0.weight [[out, in]]).")]
    public string? InitFile { get; init; }

    [CommandOption("-T|--inference-steps <STEPS>")]
    [Description("Predictive coding: inference steps per batch (also accepted as --T).")]
    [DefaultValue(20)]
    public int InferenceSteps { get; init; } = 20;

    [CommandOption("--eta-v <RATE>")]
    [Description("Predictive coding: inference step size.")]
    [DefaultValue(0.1f)]
    public float InferenceRate { get; init; } = 0.1f;

    [CommandOption("--relax <LIST>")]
    [Description("Relaxed PC: backward-weights, no-derivative, error-connections (comma-separated).")]
    public string? Relax { get; init; }

    [CommandOption("--learn-precision")]
    [Description("Predictive coding: learn per-layer precisions.")]
    public bool LearnPrecision { get; init; }

    [CommandOption("--output-variance <VAR>")]
    [Description("Predictive coding: variance of the output node (weak clamping of the target when > 1; default: hard clamp).")]
    public float? OutputVariance { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object with the results as the last line of stdout.")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        try
        {
            ToConfig().Validate();
        }
        catch (ArgumentException ex)
        {
            return ValidationResult.Error(Infrastructure.PropertyFlags.Describe(ex));
        }

        return ValidationResult.Success();
    }

    /// <summary>The library configuration these options describe.</summary>
    public TrainingConfig ToConfig() => new()
    {
        Algorithm = Algorithm,
        Model = Model,
        Hidden = Width is { } width ? [width]
            : Hidden is null ? Model is "rnn" or "lstm" or "residual-mlp" or "residual-cnn" ? [128] : [128, 128] : OptionParsing.SizeList(Hidden, "--hidden"),
        Depth = Depth ?? (Model is "residual-mlp" or "residual-cnn" ? 8 : 0),
        Parametrisation = Param switch
        {
            "sp" => Parametrisation.Standard,
            "mupc" => Parametrisation.MuPC,
            "ntk" => Parametrisation.Ntk,
            _ => throw new ArgumentException($"--param must be sp, mupc or ntk (got '{Param}')."),
        },
        Activation = Parse<Activation>(Activation, "--activation", ["tanh", "relu", "sigmoid"]),
        Loss = OptionParsing.Loss(Loss),
        Dataset = Dataset,
        DataDirectory = DataDirectory,
        Epochs = Epochs,
        BatchSize = Batch,
        LearningRate = LearningRate,
        Optimizer = Optimizer,
        Momentum = Momentum,
        WeightDecay = WeightDecay,
        Seed = Seed,
        Threads = Threads ?? Environment.ProcessorCount,
        Shuffle = Shuffle,
        MaxBatches = MaxBatches,
        InitFile = InitFile is null ? null : Path.GetFullPath(InitFile),
        InferenceSteps = InferenceSteps,
        InferenceRate = InferenceRate,
        Relaxations = string.IsNullOrWhiteSpace(Relax) ? [] : Relax.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        LearnPrecision = LearnPrecision,
        OutputVariance = OutputVariance,
    };

    private static T Parse<T>(string text, string option, string[] allowed)
        where T : struct, Enum =>
        allowed.Contains(text) && Enum.TryParse<T>(text, ignoreCase: true, out var value)
            ? value
            : throw new ArgumentException($"{option} must be one of {string.Join(", ", allowed)} (got '{text}').");
}

/// <summary>Options of <c>helmholtz train</c>.</summary>
internal sealed class TrainSettings : TrainingSettings
{
    [CommandOption("--out <DIR>")]
    [Description("Run folder for config.json, metrics.csv, checkpoint.safetensors and the curves (default: runs/<algo>-<model>-<dataset>).")]
    public string? Out { get; init; }

    [CommandOption("--resume <FILE>")]
    [Description("Continue the run saved in this checkpoint (its configuration is used; --epochs may extend it).")]
    public string? Resume { get; init; }

    [CommandOption("--distributed")]
    [Description("Data-parallel over the ranks of mpirun (Open MPI): each rank trains on its share of every batch; rank 0 writes the run folder.")]
    public bool Distributed { get; init; }
}
