using System.Text.Json;
using Helmholtz.Data;
using Helmholtz.Graphs;

namespace Helmholtz.Training;

/// <summary>
/// A run folder: <c>config.json</c>, <c>metrics.csv</c> (rewritten after every epoch) and <c>checkpoint.safetensors</c>
/// (weights, optimiser state, config and metrics after the last epoch), every write atomic.
/// </summary>
public sealed class RunFolder
{
    /// <summary>Names the run folder at <paramref name="directory"/>; it is created by the first write (<see cref="WriteConfig"/>), so a run rejected before it starts leaves nothing.</summary>
    public RunFolder(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = directory;
    }

    /// <summary>The folder's path.</summary>
    public string Directory { get; }

    /// <summary>The path of <c>config.json</c>.</summary>
    public string ConfigPath => Path.Combine(Directory, "config.json");

    /// <summary>The path of <c>metrics.csv</c>.</summary>
    public string MetricsPath => Path.Combine(Directory, "metrics.csv");

    /// <summary>The path of <c>checkpoint.safetensors</c>.</summary>
    public string CheckpointPath => Path.Combine(Directory, "checkpoint.safetensors");

    /// <summary>Writes <c>config.json</c>.</summary>
    public void WriteConfig(TrainingConfig config)
    {
        System.IO.Directory.CreateDirectory(Directory);
        AtomicFile.WriteAllText(ConfigPath, JsonSerializer.Serialize(config, Checkpoint.JsonOptions));
    }

    /// <summary>Writes <c>metrics.csv</c> with every epoch so far.</summary>
    public void WriteMetrics(IEnumerable<EpochMetrics> metrics) => AtomicFile.WriteAllText(MetricsPath, MetricsLog.ToCsv(metrics));

    /// <summary>Writes the metrics and the checkpoint after <paramref name="epoch"/>.</summary>
    public void EndEpoch(int epoch, TrainingConfig config, IReadOnlyList<EpochMetrics> metrics, Graph graph, Optim.IOptimizer optimizer)
    {
        WriteMetrics(metrics);
        new Checkpoint(epoch, config, metrics).Save(CheckpointPath, graph, optimizer);
    }
}

/// <summary>
/// A supervised training run from a <see cref="TrainingConfig"/>: data, model, algorithm and optimiser from the config,
/// epochs 1…<see cref="TrainingConfig.Epochs"/> (1-based), each followed by an evaluation on every test example, with
/// an optional run folder and exact resume from a checkpoint (the batch order of epoch e depends only on the seed and e).
/// </summary>
/// <example><code>var metrics = SupervisedTraining.Train(new TrainingConfig { Epochs = 3 }, new RunFolder("runs/mine"));</code></example>
public static class SupervisedTraining
{
    /// <summary>Trains according to <paramref name="config"/>; returns the metrics of every epoch (a resumed run's earlier ones included).</summary>
    /// <param name="config">The run's configuration (validated first).</param>
    /// <param name="folder">The run folder to keep up to date, or null for none.</param>
    /// <param name="resumeFile">A checkpoint to continue from (its epochs are kept), or null to start afresh.</param>
    /// <param name="onEpochStart">Called with each epoch number before it trains.</param>
    /// <param name="onBatch">Called after each batch with (epoch, batch).</param>
    /// <param name="batchesPerEpoch">Receives the number of batches per epoch before the first epoch (for progress).</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <exception cref="ArgumentException">The config is invalid, the init file does not fit, or Epochs does not exceed the checkpoint's epochs.</exception>
    public static IReadOnlyList<EpochMetrics> Train(TrainingConfig config, RunFolder? folder = null, string? resumeFile = null,
        Action<int>? onEpochStart = null, Action<int, int>? onBatch = null, Action<int>? batchesPerEpoch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var data = DatasetCatalog.Load(config.Dataset, config.DataDirectory);
        var run = TrainingSetup.Create(config, data.Train);
        var metrics = new List<EpochMetrics>();
        int startEpoch = 1;
        if (resumeFile is not null)
        {
            var checkpoint = Checkpoint.Load(resumeFile, run.Model.Graph, run.Optimizer);
            metrics.AddRange(checkpoint.Metrics);
            startEpoch = checkpoint.Epoch + 1;
        }
        else if (config.InitFile is not null)
        {
            var init = Checkpoint.ReadTensors(config.InitFile);
            try
            {
                run.Model.Graph.LoadParameters(init.Tensors);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidDataException($"{config.InitFile}: {ex.Message}", ex);
            }
        }

        folder?.WriteConfig(config);
        var trainer = new Trainer(run.Model, run.Algorithm, run.Optimizer, data.Train, config);
        batchesPerEpoch?.Invoke(trainer.BatchesPerEpoch);
        for (int epoch = startEpoch; epoch <= config.Epochs; epoch++)
        {
            onEpochStart?.Invoke(epoch);
            int e = epoch;
            var (batches, loss, seconds) = trainer.TrainEpoch(epoch, (b, _) => onBatch?.Invoke(e, b), cancellationToken);
            var (testLoss, accuracy) = trainer.Evaluate(data.Test);
            metrics.Add(new EpochMetrics(epoch, batches, loss, testLoss, accuracy, seconds));
            folder?.EndEpoch(epoch, config, metrics, run.Model.Graph, run.Optimizer);
        }

        if (metrics.Count == 0)
        {
            throw new ArgumentException("Epochs must exceed the epochs already in the checkpoint: no epoch was run.");
        }

        if (startEpoch > config.Epochs)
        {
            // metrics.csv was written after every epoch; a resumed run with no epoch left writes the one it inherited.
            folder?.WriteMetrics(metrics);
        }

        return metrics;
    }
}
