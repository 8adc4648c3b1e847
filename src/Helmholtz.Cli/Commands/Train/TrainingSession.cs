using Helmholtz.Cli.Infrastructure;
using Helmholtz.Cli.Plots;
using Helmholtz.Distributed;
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
    /// <summary>Trains according to <paramref name="config"/> (<see cref="SupervisedTraining"/>) with a progress bar; with a run directory, also draws the curves there.</summary>
    /// <remarks>With a communicator of several ranks (<c>--distributed</c>) give the run directory on rank 0 only, and quiet on the others.</remarks>
    public static SessionResult Run(TrainingConfig config, string? runDirectory, string? resumeFile, bool quiet, CancellationToken cancellationToken, ICommunicator? communicator = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.Validate();
        var folder = runDirectory is null ? null : new RunFolder(OutPath.Folder(runDirectory));
        using var guard = folder is null ? null : RunFolderGuard.Take(folder);
        string title = $"{config.Algorithm} · {config.Model} · {config.Dataset}";
        IReadOnlyList<EpochMetrics> metrics;
        int startEpoch = resumeFile is null ? 1 : Checkpoint.ReadMetadata(resumeFile).Epoch + 1;
        if (quiet || startEpoch > config.Epochs)
        {
            metrics = SupervisedTraining.Train(config, folder, resumeFile, cancellationToken: cancellationToken, communicator: communicator);
        }
        else
        {
            metrics = [];
            Infrastructure.Cli.Stderr.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask($"[green]{Markup.Escape(title)}[/]", maxValue: 1);
                    int done = 0;
                    metrics = SupervisedTraining.Train(config, folder, resumeFile,
                        e => task.Description = $"[green]{Markup.Escape(title)}[/] epoch {e}/{config.Epochs}",
                        (_, _) => task.Value = ++done,
                        perEpoch => task.MaxValue = Math.Max(1, (config.Epochs - startEpoch + 1) * perEpoch),
                        cancellationToken,
                        communicator);
                    task.Value = task.MaxValue;
                });
        }

        if (runDirectory is not null)
        {
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
