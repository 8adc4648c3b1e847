using Helmholtz.Data;
using Helmholtz.Distributed;
using Helmholtz.Graphs;
using Helmholtz.Graphs.Builders;
using Helmholtz.Optim;
using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;

namespace Helmholtz.Training;

/// <summary>The pieces of a training run built from a <see cref="TrainingConfig"/>.</summary>
/// <param name="Model">The network with its loss.</param>
/// <param name="Algorithm">Backprop or a predictive-coding schedule over the network's graph.</param>
/// <param name="Optimizer">The parameter update rule.</param>
public sealed record TrainingRun(Model Model, ITrainingAlgorithm Algorithm, IOptimizer Optimizer);

/// <summary>Builds models, optimisers and algorithms from a <see cref="TrainingConfig"/>.</summary>
public static class TrainingSetup
{
    /// <summary>The algorithms <see cref="Create(TrainingConfig, Dataset)"/> knows.</summary>
    public static IReadOnlyList<string> Algorithms { get; } = ["bp", "pc-fixed", "pc-standard", "pc-incremental", "relaxed", "activation-relaxation"];

    /// <summary>Builds the model (initialised from the config's seed), the optimiser and the algorithm.</summary>
    /// <exception cref="ArgumentException">An option names something unknown or does not fit the data.</exception>
    public static TrainingRun Create(TrainingConfig config, Dataset train)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(train);
        config.Validate();
        var (model, algorithm) = CreateAlgorithm(config, train, config.BatchSize);
        return new TrainingRun(model, algorithm, CreateOptimizer(config));
    }

    /// <summary>
    /// This rank's part of data-parallel training over <paramref name="communicator"/>: the same model on every rank
    /// (the seed's initial parameters), an algorithm for the rank's rows of each batch (<see cref="DataParallel.Rows"/>),
    /// and the config's optimiser behind a <see cref="GradientAllReduce"/>. One rank gives <see cref="Create(TrainingConfig, Dataset)"/>'s run.
    /// </summary>
    /// <exception cref="ArgumentException">An option is invalid, BatchSize is below the number of ranks, or the config learns state outside
    /// the optimiser (LearnPrecision, the backward-weights or error-connections relaxation), which ranks would learn apart.</exception>
    public static TrainingRun Create(TrainingConfig config, Dataset train, ICommunicator communicator)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(communicator);
        if (communicator.Size == 1)
        {
            return Create(config, train);
        }

        config.Validate();
        if (config.LearnPrecision || config.Relaxations.Any(r => r is "backward-weights" or "error-connections"))
        {
            throw new ArgumentException("LearnPrecision and the backward-weights and error-connections Relaxations learn outside the optimiser and cannot be trained data-parallel.");
        }

        var (_, rows) = DataParallel.Rows(config.BatchSize, communicator.Rank, communicator.Size);
        var (model, algorithm) = CreateAlgorithm(config, train, rows);
        return new TrainingRun(model, algorithm, new GradientAllReduce(CreateOptimizer(config), communicator, (float)rows / config.BatchSize));
    }

    private static (Model Model, ITrainingAlgorithm Algorithm) CreateAlgorithm(TrainingConfig config, Dataset train, int rows)
    {
        var rng = new Rng(config.Seed);
        var model = CreateModel(config, train, rng.Fork());
        var context = new OpContext(config.Threads);
        ITrainingAlgorithm algorithm = config.Algorithm switch
        {
            "bp" => new Backprop(model, rows, context),
            _ when Algorithms.Contains(config.Algorithm) => new PredictiveCodingTrainer(model, rows, PcOptionsOf(config), context),
            _ => throw new ArgumentException($"Algorithm must be one of {string.Join(", ", Algorithms)} (got '{config.Algorithm}')."),
        };
        return (model, algorithm);
    }

    /// <summary>The predictive-coding options the config describes (validated before any work starts).</summary>
    public static PcOptions PcOptionsOf(TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = new PcOptions
        {
            Algorithm = PcOptions.ParseAlgorithm(config.Algorithm),
            Iterations = config.InferenceSteps,
            EtaV = config.InferenceRate,
            Relaxations = PcOptions.ParseRelaxations(string.Join(',', config.Relaxations)),
            LearnPrecision = config.LearnPrecision,
            OutputVariance = config.OutputVariance,
            Seed = config.Seed,
        };
        options.Validate();
        return options;
    }

    /// <summary>The network the config describes, for images of <paramref name="train"/>'s size and classes.</summary>
    /// <remarks>
    /// <see cref="TrainingConfig.Hidden"/> lists the MLP's hidden sizes, the CNN's fully connected sizes (LeNet: 120,84), or, first entry
    /// only, the RNN/LSTM hidden state size. Recurrent models read the image row by row (one row per time step).
    /// </remarks>
    public static Model CreateModel(TrainingConfig config, Dataset train, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(train);
        WorkLimits.Default.CheckBytes(EstimateBytes(config, train.Features, train.ClassCount),
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"A {config.Model} with Hidden {string.Join(",", config.Hidden)} and BatchSize {config.BatchSize}"), "lower Hidden or BatchSize");
        return config.Model switch
        {
            "mlp" => Mlp.Build(new MlpOptions(train.Features, config.Hidden, train.ClassCount, config.Activation, config.Loss), rng),
            "cnn" => Cnn.Build(new CnnOptions(Height: train.Height, Width: train.Width, HiddenSizes: config.Hidden, OutputSize: train.ClassCount, Activation: config.Activation, Loss: config.Loss), rng),
            "rnn" => Rnn.Build(Recurrent(config, train), rng),
            "lstm" => Lstm.Build(Recurrent(config, train), rng),
            "residual-mlp" => ResidualMlp.Build(
                new ResidualMlpOptions(train.Features, config.Hidden[0], config.Depth, train.ClassCount, config.Activation, config.Loss, config.Parametrisation), rng),
            "residual-cnn" => ResidualCnn.Build(new ResidualCnnOptions(Height: train.Height, Width: train.Width, Filters: config.Hidden[0], Depth: config.Depth,
                PoolSize: train.Height % 2 == 0 && train.Width % 2 == 0 ? 2 : 1, OutputSize: train.ClassCount, Activation: config.Activation, Loss: config.Loss,
                Parametrisation: config.Parametrisation), rng),
            _ => throw new ArgumentException($"Model must be mlp, cnn, rnn, lstm, residual-mlp or residual-cnn (got '{config.Model}')."),
        };
    }

    /// <summary>The optimiser the config describes.</summary>
    public static IOptimizer CreateOptimizer(TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Optimizer switch
        {
            "sgd" => new Sgd(new SgdOptions(config.LearningRate, config.Momentum, config.WeightDecay)),
            "adam" => new Adam(new AdamOptions(config.LearningRate, WeightDecay: config.WeightDecay)),
            _ => throw new ArgumentException($"Optimizer must be sgd or adam (got '{config.Optimizer}')."),
        };
    }

    /// <summary>
    /// Estimated bytes of a network of <paramref name="config"/> on inputs of <paramref name="features"/> values: its
    /// parameters four times (weights, gradients, two optimiser moments) and a batch's activations five times (values,
    /// predictions, errors, gradients and scratch of every layer). Fully connected layers dominate; a CNN's convolutions
    /// and a recurrent model's unrolled steps are counted as layers of the input's size.
    /// </summary>
    public static double EstimateBytes(TrainingConfig config, int features, int classes)
    {
        ArgumentNullException.ThrowIfNull(config);
        double parameters = 0, activations = features;
        double width = features;
        if (config.Model is "rnn" or "lstm")
        {
            double h = config.Hidden.Length > 0 ? config.Hidden[0] : 0, gates = config.Model == "lstm" ? 4 : 1;
            double steps = Math.Sqrt(features);
            parameters = gates * h * (steps + h + 1) + h * classes;
            activations = steps * (gates + 2) * h + classes;
        }
        else
        {
            var hidden = config.Model is "residual-mlp" or "residual-cnn" && config.Hidden.Length > 0 ? Enumerable.Repeat(config.Hidden[0], Math.Max(1, config.Depth - 1)) : config.Hidden;
            foreach (int h in hidden)
            {
                parameters += (width + 1) * h;
                activations += h;
                width = h;
            }

            parameters += (width + 1) * classes;
            activations += classes + (config.Model == "cnn" ? 16.0 * features : 0)
                + (config.Model == "residual-cnn" && config.Hidden.Length > 0 ? 3.0 * config.Depth * config.Hidden[0] * features / 4 : 0);
        }

        return 4 * (4 * parameters + 5 * activations * config.BatchSize);
    }

    private static RecurrentOptions Recurrent(TrainingConfig config, Dataset train) =>
        new(InputSize: train.Width, SequenceLength: train.Height, HiddenSize: config.Hidden[0], OutputSize: train.ClassCount, Loss: config.Loss);
}
