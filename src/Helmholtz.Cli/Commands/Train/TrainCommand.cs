using Helmholtz.Cli.Infrastructure;
using Helmholtz.Training;
using Spectre.Console;

namespace Helmholtz.Cli.Commands.Train;

/// <summary><c>helmholtz train</c>: trains a network and keeps a run folder.</summary>
internal sealed class TrainCommand : HelmholtzCommand<TrainSettings>
{
    protected override int Run(TrainSettings settings, CancellationToken cancellationToken)
    {
        var config = settings.ToConfig();
        string? runDirectory = settings.Out;
        if (settings.Resume is not null)
        {
            // The checkpoint's configuration defines the run; only the epoch budget and threads may change.
            var saved = Checkpoint.ReadMetadata(settings.Resume).Config;
            config = saved with { Epochs = Math.Max(saved.Epochs, settings.Epochs), Threads = config.Threads };
            runDirectory ??= Path.GetDirectoryName(Path.GetFullPath(settings.Resume));
        }

        runDirectory ??= Path.Combine("runs", $"{config.Algorithm}-{config.Model}-{config.Dataset}");
        if (settings.Distributed)
        {
            return DistributedTraining.Run(config, runDirectory, settings.Resume, settings.Json, cancellationToken);
        }

        var result = TrainingSession.Run(config, runDirectory, settings.Resume, quiet: false, cancellationToken);
        Report(result, runDirectory, settings.Json);
        return ExitCode.Ok;
    }

    /// <summary>The metrics table, the run folder and (with --json) the result object.</summary>
    internal static void Report(SessionResult result, string runDirectory, bool json)
    {
        var results = Infrastructure.Cli.Results(json);
        results.Write(TrainingSession.MetricsTable(result.Metrics));
        results.MarkupLineInterpolated($"Run folder: [blue]{Path.GetFullPath(runDirectory)}[/]");
        if (json)
        {
            var last = result.Last;
            Infrastructure.Cli.WriteJson(new
            {
                epochs = last.Epoch,
                train_loss = last.TrainLoss,
                test_loss = last.TestLoss,
                test_accuracy = last.TestAccuracy,
                epoch_seconds = last.EpochSeconds,
                run_dir = Path.GetFullPath(runDirectory),
            });
        }
    }
}
