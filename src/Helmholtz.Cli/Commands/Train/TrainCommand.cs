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
        var result = TrainingSession.Run(config, runDirectory, settings.Resume, quiet: false, cancellationToken);
        var results = Infrastructure.Cli.Results(settings.Json);
        results.Write(TrainingSession.MetricsTable(result.Metrics));
        results.MarkupLineInterpolated($"Run folder: [blue]{Path.GetFullPath(runDirectory)}[/]");
        if (settings.Json)
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

        return ExitCode.Ok;
    }
}
