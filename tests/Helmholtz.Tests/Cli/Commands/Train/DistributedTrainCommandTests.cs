using Helmholtz.Tests.Cli.Infrastructure;

namespace Helmholtz.Tests.Cli.Commands.Train;

/// <summary><c>train --distributed</c> outside <c>mpirun</c> is refused before any work, with the command to use instead (tools/mpi-check.sh runs it under mpirun).</summary>
public sealed class DistributedTrainCommandTests
{
    [Fact]
    public void DistributedWithoutMpirunExitsTwoNamingMpirunAndLeavesNoFolder()
    {
        Assert.Null(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE"));
        string dir = Path.Combine(Path.GetTempPath(), "helmholtz-dist-" + Guid.NewGuid().ToString("N"));
        var (code, _, stderr) = CliInProcess.Run("train", "--epochs", "1", "--max-batches", "1", "--out", dir, "--distributed");
        Assert.Equal(2, code);
        Assert.Contains("--distributed runs only under Open MPI's mpirun", stderr);
        Assert.False(Directory.Exists(dir));
    }
}
