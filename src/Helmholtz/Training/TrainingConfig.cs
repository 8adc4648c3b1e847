using Helmholtz.Graphs;
using Helmholtz.Tensors;

namespace Helmholtz.Training;

/// <summary>Everything that defines a supervised training run; stored as <c>config.json</c> in the run folder.</summary>
/// <remarks>Two runs with equal configs (and equal thread counts) produce bit-identical metrics and weights.</remarks>
public sealed record TrainingConfig
{
    /// <summary>Learning algorithm: <c>bp</c> or a predictive-coding schedule (<c>pc-fixed</c>, <c>pc-standard</c>, …).</summary>
    public string Algorithm { get; init; } = "bp";

    /// <summary>Network family: <c>mlp</c>, <c>cnn</c>, <c>rnn</c>, <c>lstm</c>, <c>residual-mlp</c> or <c>residual-cnn</c>.</summary>
    public string Model { get; init; } = "mlp";

    /// <summary>Hidden layer sizes (MLP, CNN) or the one hidden state size (RNN/LSTM: exactly one entry).</summary>
    public int[] Hidden { get; init; } = [128, 128];

    /// <summary>Residual MLP and CNN: weight layers H (input projection or stem, H − 2 blocks of width or filters <see cref="Hidden"/>[0], readout); 0 for other models.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public int Depth { get; init; }

    /// <summary>Residual MLP and CNN: multipliers and initialisation (standard, μPC or NTK).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public Graphs.Builders.Parametrisation Parametrisation { get; init; }

    /// <summary>Hidden nonlinearity.</summary>
    public Activation Activation { get; init; } = Activation.Tanh;

    /// <summary>Training loss.</summary>
    public LossKind Loss { get; init; } = LossKind.Mse;

    /// <summary>Dataset name: <c>digits</c>, <c>mnist</c> or <c>fashion-mnist</c>.</summary>
    public string Dataset { get; init; } = "digits";

    /// <summary>Folder holding the IDX files, or null for the dataset's default location.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Number of passes over the training set.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Optimiser step size.</summary>
    public float LearningRate { get; init; } = 0.02f;

    /// <summary>Optimiser: <c>sgd</c> or <c>adam</c>.</summary>
    public string Optimizer { get; init; } = "sgd";

    /// <summary>SGD momentum (0 = plain SGD).</summary>
    public float Momentum { get; init; }

    /// <summary>L2 weight decay added to the gradient.</summary>
    public float WeightDecay { get; init; }

    /// <summary>Seed of the initial weights and of the data order.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Threads for matrix products (results do not depend on it).</summary>
    public int Threads { get; init; } = 1;

    /// <summary>Shuffle the training set each epoch (false: file order).</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Stop each epoch after this many batches (0 = all).</summary>
    public int MaxBatches { get; init; }

    /// <summary>Initial parameters (safetensors with PyTorch-compatible names), or null for the seeded initialisation.</summary>
    public string? InitFile { get; init; }

    /// <summary>Predictive coding: inference steps per batch.</summary>
    public int InferenceSteps { get; init; } = 20;

    /// <summary>Predictive coding: inference step size η_v.</summary>
    public float InferenceRate { get; init; } = 0.1f;

    /// <summary>Relaxed predictive coding: the constraints removed (<c>backward-weights</c>, <c>no-derivative</c>, <c>error-connections</c>).</summary>
    public string[] Relaxations { get; init; } = [];

    /// <summary>Predictive coding: learn per-layer precisions.</summary>
    public bool LearnPrecision { get; init; }

    /// <summary>Predictive coding: variance of the output (target) node, or null for a hard clamp; &gt; 1 clamps weakly.</summary>
    public float? OutputVariance { get; init; }

    /// <summary>Most epochs accepted.</summary>
    public const int MaxEpochs = 100_000;

    /// <summary>Most threads accepted (each is a worker of the matrix products).</summary>
    public const int MaxThreads = 1_024;

    /// <summary>Most hidden layers accepted in <see cref="Hidden"/>.</summary>
    public const int MaxLayers = 1_000;

    /// <summary>Widest hidden layer accepted in <see cref="Hidden"/>.</summary>
    public const int MaxWidth = 65_536;

    /// <summary>Largest <see cref="BatchSize"/> accepted (a batch's activations are held for every layer).</summary>
    public const int MaxBatchSize = 65_536;

    /// <summary>Throws <see cref="ArgumentException"/> whose message starts with the name of the first invalid property (e.g. "Epochs must be positive (got 0).").</summary>
    public void Validate()
    {
        Require(Epochs is > 0 and <= MaxEpochs, nameof(Epochs), $"must be positive, 1…{MaxEpochs} (got {Epochs})");
        Require(BatchSize is > 0 and <= MaxBatchSize, nameof(BatchSize), $"must be positive, 1…{MaxBatchSize} (got {BatchSize})");
        Require(LearningRate > 0 && float.IsFinite(LearningRate), nameof(LearningRate), $"must be a positive number (got {LearningRate})");
        Require(Threads is > 0 and <= MaxThreads, nameof(Threads), $"must be positive, 1…{MaxThreads} (got {Threads})");
        Require(MaxBatches >= 0, nameof(MaxBatches), $"must be zero or positive (got {MaxBatches})");
        Require(Hidden.Length is > 0 and <= MaxLayers && Hidden.All(h => h is > 0 and <= MaxWidth), nameof(Hidden),
            $"must list 1…{MaxLayers} layer sizes, each 1…{MaxWidth}, e.g. 128,128");
        Require(Model is not ("rnn" or "lstm") || Hidden.Length == 1, nameof(Hidden),
            $"must be one hidden state size for {Model} (one recurrent layer; got {string.Join(",", Hidden)})");
        Require(Momentum is >= 0 and < 1, nameof(Momentum), $"must be in [0, 1) (got {Momentum})");
        Require(WeightDecay >= 0, nameof(WeightDecay), $"must be zero or positive (got {WeightDecay})");
        Require(InferenceSteps is > 0 and <= PredictiveCoding.PcOptions.MaxIterations, nameof(InferenceSteps),
            $"must be positive, 1…{PredictiveCoding.PcOptions.MaxIterations} (got {InferenceSteps})");
        Require(InferenceRate > 0 && float.IsFinite(InferenceRate), nameof(InferenceRate), $"must be a positive number (got {InferenceRate})");
        Require(OutputVariance is null || (OutputVariance > 0 && float.IsFinite(OutputVariance.Value)), nameof(OutputVariance), $"must be a positive number (got {OutputVariance})");
        Require(Optimizer is "sgd" or "adam", nameof(Optimizer), $"must be sgd or adam (got '{Optimizer}')");
        Require(Model is "mlp" or "cnn" or "rnn" or "lstm" or "residual-mlp" or "residual-cnn", nameof(Model), $"must be mlp, cnn, rnn, lstm, residual-mlp or residual-cnn (got '{Model}')");
        bool residual = Model is "residual-mlp" or "residual-cnn";
        Require(!residual || Hidden.Length == 1, nameof(Hidden), $"must be one width for {Model} (got {string.Join(",", Hidden)})");
        Require(!residual || Depth is >= 2 and <= MaxLayers, nameof(Depth), $"must be 2…{MaxLayers} weight layers for {Model} (got {Depth})");
        Require(residual || Depth == 0, nameof(Depth), $"applies to residual-mlp and residual-cnn only (got {Depth} for {Model})");
        Require(residual || Parametrisation == Graphs.Builders.Parametrisation.Standard, nameof(Parametrisation),
            $"applies to residual-mlp and residual-cnn only (got {Parametrisation} for {Model})");
    }

    private static void Require(bool ok, string property, string message)
    {
        if (!ok)
        {
            throw new ArgumentException($"{property} {message}.");
        }
    }
}
