using System.Diagnostics;
using System.Numerics.Tensors;
using Helmholtz.Data;
using Helmholtz.Distributed;
using Helmholtz.Graphs;
using Helmholtz.Optim;
using Helmholtz.Tensors;

namespace Helmholtz.Training;

/// <summary>Thrown when a loss, value or error becomes NaN or infinite during training.</summary>
public sealed class TrainingDivergedException(string message) : Exception(message);

/// <summary>Runs epochs of an <see cref="ITrainingAlgorithm"/> over a dataset and evaluates on a held-out split.</summary>
/// <remarks>
/// The batch order of epoch e is a pure function of (seed, e), so a run resumed at an epoch boundary visits exactly
/// the batches an uninterrupted run would.
/// With an <see cref="ICommunicator"/> of P ranks (data parallel), every rank draws the same global batch of
/// <see cref="TrainingConfig.BatchSize"/> rows and trains on its rows <see cref="DataParallel.Rows"/>: the algorithm's
/// executor holds that many rows, its optimiser is a <see cref="GradientAllReduce"/>, and the reported loss is the
/// global batch's (each rank's weighted by its rows / B and summed), so every rank sees the same numbers.
/// </remarks>
public sealed class Trainer
{
    private readonly Model _model;
    private readonly ITrainingAlgorithm _algorithm;
    private readonly IOptimizer _optimizer;
    private readonly BatchIterator _batches;
    private readonly int[] _labels;
    private readonly OpContext _context;
    private readonly Dictionary<int, Executor> _evaluators = [];
    private readonly ICommunicator? _communicator;
    private readonly float[] _batchImages = [], _batchTargets = [];
    private readonly int _rowStart, _rows, _batchSize;
    private readonly double[] _loss = new double[1];

    /// <summary>Prepares training of <paramref name="model"/> on <paramref name="train"/>.</summary>
    public Trainer(Model model, ITrainingAlgorithm algorithm, IOptimizer optimizer, Dataset train, TrainingConfig config)
        : this(model, algorithm, optimizer, train, config, null)
    {
    }

    /// <summary>Prepares this rank's part of data-parallel training over <paramref name="communicator"/> (see remarks of the class; one rank is the same as no communicator).</summary>
    /// <remarks>Build the algorithm for this rank's rows and the optimiser with <see cref="TrainingSetup.Create(TrainingConfig, Dataset, ICommunicator)"/>.</remarks>
    /// <exception cref="ArgumentException">The algorithm's executor does not hold this rank's rows of the batch.</exception>
    public Trainer(Model model, ITrainingAlgorithm algorithm, IOptimizer optimizer, Dataset train, TrainingConfig config, ICommunicator? communicator)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(algorithm);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(config);
        _model = model;
        _algorithm = algorithm;
        _optimizer = optimizer;
        _context = algorithm.Executor.Context;
        _batches = new BatchIterator(train, new BatchOptions(config.BatchSize, config.Seed, config.Shuffle, DropLast: true, config.MaxBatches));
        _labels = new int[config.BatchSize];
        if (communicator is { Size: > 1 })
        {
            _communicator = communicator;
            _batchSize = config.BatchSize;
            (_rowStart, _rows) = DataParallel.Rows(config.BatchSize, communicator.Rank, communicator.Size);
            int inputWidth = algorithm.Executor.Value(model.Input).Length / algorithm.Executor.BatchSize;
            int targetWidth = algorithm.Executor.Value(model.Target).Length / algorithm.Executor.BatchSize;
            if (algorithm.Executor.BatchSize != _rows)
            {
                throw new ArgumentException($"The algorithm holds {algorithm.Executor.BatchSize} rows; rank {communicator.Rank} of {communicator.Size} trains on {_rows} of BatchSize {config.BatchSize}.");
            }

            _batchImages = new float[config.BatchSize * inputWidth];
            _batchTargets = new float[config.BatchSize * targetWidth];
        }
    }

    /// <summary>Batches in one epoch.</summary>
    public int BatchesPerEpoch => _batches.BatchesPerEpoch;

    /// <summary>Trains one epoch; reports each finished batch to <paramref name="onBatch"/>.</summary>
    /// <param name="epoch">The epoch number, 1-based as everywhere in Training (metrics.csv, checkpoints, <see cref="EpochMetrics"/>): epoch e visits <see cref="BatchIterator"/>'s epoch index e − 1.</param>
    /// <returns>The number of batches, the mean training loss, and the elapsed seconds.</returns>
    /// <exception cref="TrainingDivergedException">The loss became NaN or infinite.</exception>
    public (int Batches, double MeanLoss, double Seconds) TrainEpoch(int epoch, Action<int, float>? onBatch = null, CancellationToken cancellationToken = default)
    {
        var executor = _algorithm.Executor;
        FloatTensor x = executor.Value(_model.Input), y = executor.Value(_model.Target);
        var xFlat = _communicator is null ? x.Span : _batchImages;
        var yFlat = _communicator is null ? y.Span : _batchTargets;
        _batches.BeginEpoch(epoch);
        double lossSum = 0;
        int batches = 0;
        var clock = Stopwatch.StartNew();
        while (_batches.Next(xFlat, yFlat, _labels, out _))
        {
            cancellationToken.ThrowIfCancellationRequested();
            float loss = _communicator is null ? _algorithm.TrainStep(_optimizer) : DataParallelStep(x, y);
            if (!float.IsFinite(loss))
            {
                throw new TrainingDivergedException(
                    $"The training loss became {loss} at epoch {epoch}, batch {batches + 1} ({_algorithm.Name}); lower LearningRate{(_algorithm.Name.StartsWith("pc", StringComparison.Ordinal) ? " or InferenceRate" : "")}.");
            }

            lossSum += loss;
            batches++;
            onBatch?.Invoke(batches, loss);
        }

        return (batches, batches == 0 ? double.NaN : lossSum / batches, clock.Elapsed.TotalSeconds);
    }

    /// <summary>This rank's rows of the global batch into the executor, one step, and the global batch's loss.</summary>
    private float DataParallelStep(FloatTensor x, FloatTensor y)
    {
        int inputWidth = x.Length / _rows, targetWidth = y.Length / _rows;
        _batchImages.AsSpan(_rowStart * inputWidth, _rows * inputWidth).CopyTo(x.Span);
        _batchTargets.AsSpan(_rowStart * targetWidth, _rows * targetWidth).CopyTo(y.Span);
        float local = _algorithm.TrainStep(_optimizer);
        _loss[0] = (double)local * _rows / _batchSize;
        _communicator!.AllReduceSum(_loss);
        return (float)_loss[0];
    }

    /// <summary>Mean loss and accuracy (argmax of the output against the label) over every example of <paramref name="data"/> (no partial batch is dropped).</summary>
    /// <exception cref="TrainingDivergedException">The loss was NaN or infinite (the parameters diverged).</exception>
    public (double Loss, double Accuracy) Evaluate(Dataset data)
    {
        ArgumentNullException.ThrowIfNull(data);
        const int EvalBatch = 500;
        int features = data.Features, classes = data.ClassCount;
        double lossSum = 0;
        int correct = 0;
        for (int start = 0; start < data.Count; start += EvalBatch)
        {
            int n = Math.Min(EvalBatch, data.Count - start);
            var ex = Evaluator(n);
            var x = ex.Value(_model.Input).Span;
            var y = ex.Value(_model.Target).Span;
            y.Clear();
            data.Images.ReadOnlySpan.Slice(start * features, n * features).CopyTo(x);
            for (int i = 0; i < n; i++)
            {
                y[i * classes + data.Label(start + i)] = 1f;
            }

            ex.Forward();
            lossSum += (double)ex.Value(_model.Loss).Span[0] * n;
            var output = ex.Value(_model.Output).ReadOnlySpan;
            int width = output.Length / n;
            for (int i = 0; i < n; i++)
            {
                if (TensorPrimitives.IndexOfMax(output.Slice(i * width, width)) == data.Label(start + i))
                {
                    correct++;
                }
            }
        }

        if (!double.IsFinite(lossSum))
        {
            throw new TrainingDivergedException(
                $"The evaluation loss became {lossSum / data.Count} on {data.Count} held-out examples ({_algorithm.Name}); lower LearningRate{(_algorithm.Name.StartsWith("pc", StringComparison.Ordinal) ? " or InferenceRate" : "")}.");
        }

        return (lossSum / data.Count, (double)correct / data.Count);
    }

    private Executor Evaluator(int batch)
    {
        if (!_evaluators.TryGetValue(batch, out var ex))
        {
            ex = new Executor(_model.Graph, batch, _context);
            _evaluators[batch] = ex;
        }

        return ex;
    }
}
