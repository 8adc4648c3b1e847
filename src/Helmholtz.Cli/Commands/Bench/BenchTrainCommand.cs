using Helmholtz.Cli.Commands.Train;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Tensors;

namespace Helmholtz.Cli.Commands.Bench;

/// <summary><c>helmholtz bench train</c>: epoch time and accuracy of a training run, without a run folder.</summary>
internal sealed class BenchTrainCommand : HelmholtzCommand<TrainingSettings>
{
    protected override int Run(TrainingSettings settings, CancellationToken cancellationToken)
    {
        var config = settings.ToConfig();
        var result = TrainingSession.Run(config, runDirectory: null, resumeFile: null, quiet: settings.Json, cancellationToken);
        var metrics = result.Metrics;
        var last = result.Last;
        double[] seconds = metrics.Select(m => m.EpochSeconds).Order().ToArray();
        double median = seconds[seconds.Length / 2];
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(new
            {
                algo = config.Algorithm,
                model = config.Model,
                dataset = config.Dataset,
                epochs = metrics.Count,
                batches = last.Batches,
                epoch_seconds = median,
                seconds_per_batch = median / Math.Max(1, last.Batches),
                train_loss = last.TrainLoss,
                test_accuracy = last.TestAccuracy,
                threads = config.Threads,
                gemm_kernel = Gemm.KernelName,
            });
        }
        else
        {
            Infrastructure.Cli.Results(json: false).Write(TrainingSession.MetricsTable(metrics));
        }

        return ExitCode.Ok;
    }
}
