using Helmholtz.Tests.Data;
using Helmholtz.Training;

namespace Helmholtz.Tests.Training;

/// <summary>metrics.csv and the checkpoint agree after a run is stopped between the two writes, and after its resume.</summary>
public sealed class RunFolderOrderTests
{
    private static TrainingConfig Small(int epochs) => new()
    {
        Hidden = [16], Epochs = epochs, BatchSize = 32, MaxBatches = 5, Dataset = "digits", LearningRate = 0.05f,
    };

    [Fact]
    public void TheCheckpointIsWrittenBeforeTheMetrics()
    {
        // A metrics.csv that cannot be written (a folder in its place) stands for a kill between the two writes.
        using var dir = new TempDirectory();
        var folder = new RunFolder(dir.File("run"));
        Directory.CreateDirectory(folder.MetricsPath);
        Assert.Throws<IOException>(() => SupervisedTraining.Train(Small(2), folder));
        Assert.Equal(1, Checkpoint.ReadMetadata(folder.CheckpointPath).Epoch);
        Assert.False(File.Exists(Path.Combine(folder.Directory, RunFolderLock.FileName)), "the lock outlived the failed run");
    }

    [Fact]
    public void AResumeAfterAKillBetweenTheWritesAgreesWithTheUninterruptedRun()
    {
        using var dir = new TempDirectory();
        var whole = new RunFolder(dir.File("whole"));
        SupervisedTraining.Train(Small(3), whole);

        // Two epochs, then put metrics.csv back to epoch 1: the state a kill after epoch 2's checkpoint leaves.
        var split = new RunFolder(dir.File("split"));
        var two = SupervisedTraining.Train(Small(2), split);
        File.WriteAllText(split.MetricsPath, MetricsLog.ToCsv(two.Take(1)));
        File.WriteAllText(Path.Combine(split.Directory, ".checkpoint.safetensors.0123456789ab.tmp"), "torn");
        Assert.Equal(2, Checkpoint.ReadMetadata(split.CheckpointPath).Epoch);

        // Resume with no epoch left: metrics.csv is made to agree with the checkpoint at once, and the temporary goes.
        SupervisedTraining.Train(Small(2), split, split.CheckpointPath);
        Assert.Equal([1, 2], MetricsLog.Parse(File.ReadAllText(split.MetricsPath)).Select(m => m.Epoch));
        Assert.Empty(Directory.GetFiles(split.Directory, ".*.tmp"));

        SupervisedTraining.Train(Small(3), split, split.CheckpointPath);
        var expected = MetricsLog.Parse(File.ReadAllText(whole.MetricsPath)).Select(m => (m.Epoch, m.TrainLoss, m.TestLoss, m.TestAccuracy));
        var actual = MetricsLog.Parse(File.ReadAllText(split.MetricsPath)).Select(m => (m.Epoch, m.TrainLoss, m.TestLoss, m.TestAccuracy));
        Assert.Equal(expected, actual);
        Assert.Equal(3, Checkpoint.ReadMetadata(split.CheckpointPath).Epoch);
    }
}
