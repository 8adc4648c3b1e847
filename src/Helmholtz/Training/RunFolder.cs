using System.Text.Json;
using Helmholtz.Data;
using Helmholtz.Distributed;
using Helmholtz.Graphs;

namespace Helmholtz.Training;

/// <summary>
/// A run folder: <c>config.json</c>, <c>metrics.csv</c> (rewritten after every epoch) and <c>checkpoint.safetensors</c>
/// (weights, optimiser state, config and metrics after the last epoch), every write atomic.
/// </summary>
/// <remarks>
/// A run owns its folder through <see cref="Lock"/> (a <c>run.lock</c> file), so that a second run into the same
/// folder is refused. After each epoch the checkpoint is written before <c>metrics.csv</c>: a run killed between the
/// two leaves metrics.csv one epoch behind, never ahead, and a resumed run rewrites it from the checkpoint at once.
/// </remarks>
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

    /// <summary>Whether this instance holds the folder's lock (<see cref="Lock"/>).</summary>
    public bool IsLocked => _lock is { IsHeld: true };

    private RunFolderLock? _lock;

    /// <summary>
    /// Takes the folder's lock for a run described by <paramref name="command"/> (creating the folder), then deletes the
    /// hidden temporary files that a killed atomic write left there; dispose the result to release the lock.
    /// </summary>
    /// <exception cref="RunFolderLockedException">Another live run holds the folder.</exception>
    public RunFolderLock Lock(string command)
    {
        var held = RunFolderLock.Acquire(Directory, command);
        _lock = held;
        RemoveStaleTemporaries(Directory);
        return held;
    }

    /// <summary>
    /// Deletes the hidden temporaries (<c>.NAME.XXXXXXXXXXXX.tmp</c>, 12 hex digits) of atomic writes in <paramref name="directory"/> (not below);
    /// call it only while owning the folder, when no write of this run is under way. Returns the names deleted.
    /// </summary>
    public static IReadOnlyList<string> RemoveStaleTemporaries(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        var removed = new List<string>();
        if (!System.IO.Directory.Exists(directory))
        {
            return removed;
        }

        foreach (string file in System.IO.Directory.EnumerateFiles(directory, ".*.tmp"))
        {
            if (!IsAtomicTemporary(Path.GetFileName(file)))
            {
                continue; // someone else's hidden file
            }

            try
            {
                File.Delete(file);
                removed.Add(Path.GetFileName(file));
            }
            catch (IOException)
            {
                // A leftover temporary is harmless; failing the run over it would not be.
            }
        }

        return removed;
    }

    // AtomicFile's temporary names: "." + the target's name + "." + 12 lowercase hex digits + ".tmp".
    private static bool IsAtomicTemporary(string name) =>
        name.Length > 1 + 1 + 13 + 4 && name[0] == '.' && name.EndsWith(".tmp", StringComparison.Ordinal) && name[^17] == '.'
        && name[^16..^4].All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    /// <summary>Writes <c>config.json</c>.</summary>
    public void WriteConfig(TrainingConfig config)
    {
        System.IO.Directory.CreateDirectory(Directory);
        AtomicFile.WriteAllText(ConfigPath, JsonSerializer.Serialize(config, Checkpoint.JsonOptions));
    }

    /// <summary>Writes <c>metrics.csv</c> with every epoch so far.</summary>
    public void WriteMetrics(IEnumerable<EpochMetrics> metrics) => AtomicFile.WriteAllText(MetricsPath, MetricsLog.ToCsv(metrics));

    /// <summary>Writes the checkpoint and then the metrics after <paramref name="epoch"/> (this order keeps metrics.csv from running ahead of the checkpoint).</summary>
    public void EndEpoch(int epoch, TrainingConfig config, IReadOnlyList<EpochMetrics> metrics, Graph graph, Optim.IOptimizer optimizer)
    {
        new Checkpoint(epoch, config, metrics).Save(CheckpointPath, graph, optimizer);
        WriteMetrics(metrics);
    }
}

/// <summary>What <see cref="SupervisedTraining.Train"/> tells its caller as a run goes on; every member is optional.</summary>
public sealed record TrainingProgress
{
    /// <summary>Called with each epoch number (1-based) before it trains.</summary>
    public Action<int>? EpochStarted { get; init; }

    /// <summary>Called after each batch with (epoch, batch).</summary>
    public Action<int, int>? BatchDone { get; init; }

    /// <summary>Receives the number of batches per epoch once, before the first epoch.</summary>
    public Action<int>? BatchesPerEpoch { get; init; }

    /// <summary>Called after each epoch's evaluation and checkpoint with the metrics of every epoch so far.</summary>
    public Action<IReadOnlyList<EpochMetrics>>? EpochEnded { get; init; }
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
    /// <param name="progress">What the caller is told as the run goes on (progress bars, live figures), or null.</param>
    /// <param name="communicator">The ranks of a data-parallel run (null: this process alone). Every rank calls this method with the same
    /// config and resume file; parameters start from rank 0's, and only rank 0 writes <paramref name="folder"/> (the others ignore it), so a
    /// checkpoint does not depend on the number of ranks and a run may resume with another.</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <exception cref="ArgumentException">The config is invalid, the init file does not fit, or Epochs does not exceed the checkpoint's epochs.</exception>
    public static IReadOnlyList<EpochMetrics> Train(TrainingConfig config, RunFolder? folder = null, string? resumeFile = null,
        TrainingProgress? progress = null, ICommunicator? communicator = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        bool parallel = communicator is { Size: > 1 };
        if (parallel && communicator!.Rank != 0)
        {
            folder = null;
        }

        var data = DatasetCatalog.Load(config.Dataset, config.DataDirectory);
        var run = parallel ? TrainingSetup.Create(config, data.Train, communicator!) : TrainingSetup.Create(config, data.Train);
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

        if (parallel)
        {
            // Every rank built the same parameters from the seed or read the same file; rank 0's are made the truth anyway.
            foreach (var p in run.Model.Graph.Parameters)
            {
                communicator!.Broadcast(p.Value.Span, root: 0);
            }
        }

        // A library caller that did not lock the folder gets a lock for the duration of this call.
        using var ownLock = folder is { IsLocked: false } ? folder.Lock($"{nameof(SupervisedTraining)}.{nameof(Train)}") : null;
        folder?.WriteConfig(config);
        if (resumeFile is not null)
        {
            // metrics.csv may be an epoch behind the checkpoint (killed between the two writes): make it agree now.
            folder?.WriteMetrics(metrics);
        }

        var trainer = new Trainer(run.Model, run.Algorithm, run.Optimizer, data.Train, config, communicator);
        progress?.BatchesPerEpoch?.Invoke(trainer.BatchesPerEpoch);
        for (int epoch = startEpoch; epoch <= config.Epochs; epoch++)
        {
            progress?.EpochStarted?.Invoke(epoch);
            int e = epoch;
            var (batches, loss, seconds) = trainer.TrainEpoch(epoch, (b, _) => progress?.BatchDone?.Invoke(e, b), cancellationToken);
            var (testLoss, accuracy) = trainer.Evaluate(data.Test);
            metrics.Add(new EpochMetrics(epoch, batches, loss, testLoss, accuracy, seconds));
            folder?.EndEpoch(epoch, config, metrics, run.Model.Graph, run.Optimizer);
            progress?.EpochEnded?.Invoke(metrics);
        }

        if (metrics.Count == 0)
        {
            throw new ArgumentException("Epochs must exceed the epochs already in the checkpoint: no epoch was run.");
        }

        return metrics;
    }
}
