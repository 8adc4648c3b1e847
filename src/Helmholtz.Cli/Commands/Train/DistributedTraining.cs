using System.Globalization;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Distributed;
using Helmholtz.Training;

namespace Helmholtz.Cli.Commands.Train;

/// <summary><c>helmholtz train --distributed</c>: one rank of an <c>mpirun</c> job (docs/scale.md).</summary>
internal static class DistributedTraining
{
    /// <summary>Initialises MPI, trains this rank's share (rank 0 keeps the run folder and prints), and finalises; a failure on any rank aborts the job.</summary>
    public static int Run(TrainingConfig config, string runDirectory, string? resumeFile, bool json, CancellationToken cancellationToken)
    {
        if (!MpiCommunicator.LaunchedByMpirun)
        {
            throw new BadInputException("--distributed runs only under Open MPI's mpirun: mpirun -np P helmholtz train … --distributed.");
        }

        MpiCommunicator mpi;
        try
        {
            mpi = MpiCommunicator.Initialize();
        }
        catch (MpiUnavailableException ex)
        {
            Infrastructure.Cli.Error(ex.Message);
            return ExitCode.Failure;
        }

        SessionResult result;
        try
        {
            bool root = mpi.Rank == 0;
            result = TrainingSession.Run(config, root ? runDirectory : null, resumeFile, quiet: !root, cancellationToken, mpi);
        }
        catch (Exception ex)
        {
            // The other ranks may be waiting in a collective for this one: end the whole job instead of finalising.
            Infrastructure.Cli.Error($"rank {mpi.Rank} of {mpi.Size}: {PropertyFlags.Describe(ex, typeof(TrainSettings))}");
            int code = HelmholtzCommand<Spectre.Console.Cli.CommandSettings>.IsBadInput(ex) ? ExitCode.BadInput : ExitCode.Failure;
            mpi.Abort(code);
            return code;
        }

        if (mpi.Rank == 0)
        {
            TrainCommand.Report(result, runDirectory, json);
        }

        int firstEpoch = resumeFile is null ? 1 : Checkpoint.ReadMetadata(resumeFile).Epoch + 1;
        int steps = result.Metrics.Where(m => m.Epoch >= firstEpoch).Sum(m => m.Batches);
        if (steps > 0 && mpi.AllReduceCalls > 0)
        {
            // Every rank reports its own all-reduce time (it includes waiting for slower ranks).
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rank {mpi.Rank}/{mpi.Size}: all-reduce {1000 * mpi.AllReduceSeconds / steps:0.000} ms per step ({mpi.AllReduceBytes / steps} bytes in {mpi.AllReduceCalls / steps} calls per step, {steps} steps)"));
        }

        mpi.Dispose();
        return ExitCode.Ok;
    }
}
