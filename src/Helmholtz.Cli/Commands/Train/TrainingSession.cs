using System.Text.Json;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Cli.Plots;
using Helmholtz.Data;
using Helmholtz.Graphs;
using Helmholtz.Optim;
using Helmholtz.Training;
using Spectre.Console;

namespace Helmholtz.Cli.Commands.Train;

/// <summary>The result of a training session.</summary>
internal sealed record SessionResult(IReadOnlyList<EpochMetrics> Metrics, string? RunDirectory)
{
    public EpochMetrics Last => Metrics[^1];
}

/// <summary>Builds a run from a config, trains it with a progress bar, and keeps the run folder up to date.</summary>
internal static class TrainingSession
{
    /// <summary>Trains according to <paramref name="config"/>; with a run directory, writes config, metrics, checkpoint and curves there.</summary>
    public static SessionResult Run(TrainingConfig config, string? runDirectory, string? resumeFile, bool quiet, CancellationToken cancellationToken)
    {
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

        string? checkpointPath = null;
        if (runDirectory is not null)
        {
            Directory.CreateDirectory(runDirectory);
            AtomicFile.WriteAllText(Path.Combine(runDirectory, "config.json"), JsonSerializer.Serialize(config, Checkpoint.JsonOptions));
            checkpointPath = Path.Combine(runDirectory, "checkpoint.safetensors");
        }

        var trainer = new Trainer(run.Model, run.Algorithm, run.Optimizer, data.Train, config);
        string title = $"{config.Algorithm} · {config.Model} · {config.Dataset}";
        void TrainEpochs(Action<int>? onEpochStart, Action<int, int>? onBatch)
        {
            for (int epoch = startEpoch; epoch <= config.Epochs; epoch++)
            {
                onEpochStart?.Invoke(epoch);
                var (batches, loss, seconds) = trainer.TrainEpoch(epoch, (b, _) => onBatch?.Invoke(epoch, b), cancellationToken);
                var (testLoss, accuracy) = trainer.Evaluate(data.Test);
                metrics.Add(new EpochMetrics(epoch, batches, loss, testLoss, accuracy, seconds));
                if (runDirectory is not null)
                {
                    AtomicFile.WriteAllText(Path.Combine(runDirectory, "metrics.csv"), MetricsLog.ToCsv(metrics));
                    new Checkpoint(epoch, config, metrics).Save(checkpointPath!, run.Model.Graph, run.Optimizer);
                }
            }
        }

        if (quiet || startEpoch > config.Epochs)
        {
            TrainEpochs(null, null);
        }
        else
        {
            Infrastructure.Cli.Stderr.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    int total = (config.Epochs - startEpoch + 1) * trainer.BatchesPerEpoch;
                    var task = ctx.AddTask($"[green]{Markup.Escape(title)}[/]", maxValue: Math.Max(1, total));
                    int done = 0;
                    TrainEpochs(
                        e => task.Description = $"[green]{Markup.Escape(title)}[/] epoch {e}/{config.Epochs}",
                        (_, _) => task.Value = ++done);
                    task.Value = task.MaxValue;
                });
        }

        if (metrics.Count == 0)
        {
            throw new BadInputException("No epoch was run: --epochs must exceed the epochs already in the checkpoint.");
        }

        if (runDirectory is not null)
        {
            // metrics.csv was written after every epoch; a resumed run with no epoch left writes the one it inherited.
            if (startEpoch > config.Epochs)
            {
                AtomicFile.WriteAllText(Path.Combine(runDirectory, "metrics.csv"), MetricsLog.ToCsv(metrics));
            }

            TrainingCurves.Save(metrics, title, Path.Combine(runDirectory, "curves"));
        }

        return new SessionResult(metrics, runDirectory);
    }

    /// <summary>A table of the per-epoch metrics, for the terminal.</summary>
    public static Table MetricsTable(IReadOnlyList<EpochMetrics> metrics)
    {
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumns("epoch", "train loss", "test loss", "test accuracy", "seconds");
        foreach (var m in metrics)
        {
            table.AddRow(
                m.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                m.TrainLoss.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture),
                m.TestLoss.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture),
                (100 * m.TestAccuracy).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) + " %",
                m.EpochSeconds.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture));
        }

        return table;
    }
}
