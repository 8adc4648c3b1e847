using Helmholtz.Data;
using Helmholtz.Graphs;
using Helmholtz.Graphs.Ops;
using Helmholtz.Optim;
using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;
using Tensor = Helmholtz.Tensors.Tensor;

namespace Helmholtz.Training;

/// <summary>The pieces of a training run built from a <see cref="TrainingConfig"/>.</summary>
/// <param name="Model">The network with its loss.</param>
/// <param name="Algorithm">Backprop or a predictive-coding schedule over the network's graph.</param>
/// <param name="Optimizer">The parameter update rule.</param>
public sealed record TrainingRun(Model Model, ITrainingAlgorithm Algorithm, IOptimizer Optimizer);

/// <summary>Builds models, optimisers and algorithms from a <see cref="TrainingConfig"/>.</summary>
public static class TrainingSetup
{
    /// <summary>The algorithms <see cref="Create"/> knows.</summary>
    public static IReadOnlyList<string> Algorithms { get; } = ["bp", "pc-fixed", "pc-standard", "pc-incremental", "relaxed", "activation-relaxation"];

    /// <summary>Builds the model (initialised from the config's seed), the optimiser and the algorithm.</summary>
    /// <exception cref="ArgumentException">An option names something unknown or does not fit the data.</exception>
    public static TrainingRun Create(TrainingConfig config, Dataset train)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(train);
        config.Validate();
        var rng = new Rng(config.Seed);
        var model = CreateModel(config, train, rng.Fork());
        var context = new OpContext(config.Threads);
        ITrainingAlgorithm algorithm = config.Algorithm switch
        {
            "bp" => new Backprop(model, config.BatchSize, context),
            _ when Algorithms.Contains(config.Algorithm) => new PredictiveCodingTrainer(model, config.BatchSize, PcOptionsOf(config), context),
            _ => throw new ArgumentException($"--algo must be one of {string.Join(", ", Algorithms)} (got '{config.Algorithm}')."),
        };
        return new TrainingRun(model, algorithm, CreateOptimizer(config));
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
            Seed = config.Seed,
        };
        options.Validate();
        return options;
    }

    /// <summary>The network the config describes, for images of <paramref name="train"/>'s size and classes.</summary>
    public static Model CreateModel(TrainingConfig config, Dataset train, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(train);
        return config.Model switch
        {
            "mlp" => BuildMlp(train.Features, config.Hidden, train.ClassCount, config.Activation, config.Loss, rng),
            _ => throw new ArgumentException($"--model '{config.Model}' is not available yet."),
        };
    }

    /// <summary>The optimiser the config describes.</summary>
    public static IOptimizer CreateOptimizer(TrainingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return config.Optimizer switch
        {
            "sgd" => new PlainSgd(config.LearningRate),
            _ => throw new ArgumentException($"--optimizer '{config.Optimizer}' is not available yet."),
        };
    }

    private static Model BuildMlp(int inputs, int[] hidden, int outputs, Activation activation, LossKind loss, Rng rng)
    {
        var g = new GraphBuilder();
        var x = g.Input("input", inputs);
        var h = x;
        int[] sizes = [inputs, .. hidden, outputs];
        for (int i = 0; i < sizes.Length - 1; i++)
        {
            float bound = 1f / MathF.Sqrt(sizes[i]);
            var w = new Tensor(sizes[i + 1], sizes[i]);
            rng.FillUniform(w.Span, -bound, bound);
            var b = new Tensor(sizes[i + 1]);
            rng.FillUniform(b.Span, -bound, bound);
            bool last = i == sizes.Length - 2;
            h = g.Apply(new DenseOp(last ? Activation.Identity : activation), $"layers.{i}", h, g.Parameter($"layers.{i}.weight", w), g.Parameter($"layers.{i}.bias", b));
        }

        var target = g.Input("target", outputs);
        var lossNode = g.Apply(loss == LossKind.Mse ? new MseLossOp() : new CrossEntropyLossOp(), "loss", h, target);
        return new Model(g.Build(), x, h, target, lossNode, loss);
    }

    private sealed class PlainSgd(float lr) : IOptimizer
    {
        public void Step(IReadOnlyList<Parameter> parameters, IReadOnlyList<Tensor> gradients)
        {
            for (int i = 0; i < parameters.Count; i++)
            {
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(gradients[i].ReadOnlySpan, -lr, parameters[i].Value.ReadOnlySpan, parameters[i].Value.Span);
            }
        }

        public IReadOnlyDictionary<string, Tensor> State() => new Dictionary<string, Tensor>();

        public void LoadState(IReadOnlyDictionary<string, Tensor> state)
        {
        }
    }
}
