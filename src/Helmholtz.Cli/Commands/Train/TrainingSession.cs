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
    /// <summary>The least time between two drawings of a running training's curves (the last epoch is always drawn).</summary>
    public static readonly TimeSpan CurvesInterval = TimeSpan.FromSeconds(2);

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
        // The curves are redrawn as epochs end, so that a long run can be watched (and a killed one keeps them): after
        // the last epoch, and after any other that ends at least CurvesInterval after the previous drawing.
        string? curves = runDirectory is null ? null : Path.Combine(runDirectory, "curves");
        var sinceDrawn = System.Diagnostics.Stopwatch.StartNew();
        var live = new TrainingProgress
        {
            EpochEnded = curves is null ? null : m =>
            {
                if (m[^1].Epoch == config.Epochs || sinceDrawn.Elapsed >= CurvesInterval)
                {
                    TrainingCurves.Save(m, title, curves);
                    sinceDrawn.Restart();
                }
            },
        };
        if (quiet || startEpoch > config.Epochs)
        {
            metrics = SupervisedTraining.Train(config, folder, resumeFile, live, communicator, cancellationToken);
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
                    metrics = SupervisedTraining.Train(config, folder, resumeFile, live with
                    {
                        EpochStarted = e => task.Description = $"[green]{Markup.Escape(title)}[/] epoch {e}/{config.Epochs}",
                        BatchDone = (_, _) => task.Value = ++done,
                        BatchesPerEpoch = perEpoch => task.MaxValue = Math.Max(1, (config.Epochs - startEpoch + 1) * perEpoch),
                    }, communicator, cancellationToken);
                    task.Value = task.MaxValue;
                });
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
