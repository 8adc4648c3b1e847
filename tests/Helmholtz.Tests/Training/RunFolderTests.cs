using Helmholtz.Training;
using Helmholtz.Tests.Data;

namespace Helmholtz.Tests.Training;

/// <summary>The library's training run with a run folder: the files it keeps, and exact resume.</summary>
public sealed class RunFolderTests
{
    private static TrainingConfig Small(int epochs) => new()
    {
        Hidden = [16], Epochs = epochs, BatchSize = 32, MaxBatches = 5, Dataset = "digits", LearningRate = 0.05f,
    };

    [Fact]
    public void ResumingFromTheCheckpointGivesTheUninterruptedMetrics()
    {
        using var dir = new TempDirectory();
        var whole = SupervisedTraining.Train(Small(3), new RunFolder(dir.File("whole")));
        var split = new RunFolder(dir.File("split"));
        SupervisedTraining.Train(Small(1), split);
        var resumed = SupervisedTraining.Train(Small(3), split, split.CheckpointPath);
        Assert.Equal([1, 2, 3], resumed.Select(m => m.Epoch));
        Assert.Equal(whole.Select(m => (m.TrainLoss, m.TestLoss, m.TestAccuracy)), resumed.Select(m => (m.TrainLoss, m.TestLoss, m.TestAccuracy)));
        Assert.True(File.Exists(split.ConfigPath));
        Assert.Equal(4, File.ReadAllLines(split.MetricsPath).Length);
    }

    [Fact]
    public void AnInvalidConfigNamesThePropertyAndWritesNothing()
    {
        using var dir = new TempDirectory();
        var folder = new RunFolder(dir.File("bad"));
        var e = Assert.Throws<ArgumentException>(() => SupervisedTraining.Train(Small(0), folder));
        Assert.StartsWith("Epochs must be positive", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(folder.Directory));
    }

    [Fact]
    public void ProgressHearsEveryBatchAndEpochWithTheMetricsSoFar()
    {
        using var dir = new TempDirectory();
        var folder = new RunFolder(dir.File("run"));
        var started = new List<int>();
        var ended = new List<(int Count, int MetricsLines)>();
        int batches = 0, perEpoch = 0;
        var progress = new TrainingProgress
        {
            EpochStarted = started.Add,
            BatchDone = (_, _) => batches++,
            BatchesPerEpoch = n => perEpoch = n,
            // When an epoch has ended, its checkpoint and metrics.csv row are already on disk.
            EpochEnded = m => ended.Add((m.Count, File.ReadAllLines(folder.MetricsPath).Length - 1)),
        };
        SupervisedTraining.Train(Small(3), folder, progress: progress);
        Assert.Equal([1, 2, 3], started);
        Assert.Equal([(1, 1), (2, 2), (3, 3)], ended);
        Assert.Equal(5, perEpoch);
        Assert.Equal(3 * 5, batches);
    }
}
