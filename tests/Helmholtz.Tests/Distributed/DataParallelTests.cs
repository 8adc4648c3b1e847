using Helmholtz.Data;
using Helmholtz.Distributed;
using Helmholtz.Training;
using Xunit.Abstractions;

namespace Helmholtz.Tests.Distributed;

/// <summary>
/// Data-parallel training with two ranks on threads (<see cref="InProcessGroup"/>) ends with the parameters of one
/// process on the full batch, for backprop and the PC schedules (incremental PC sums at every inference step). Not bit for bit: each rank sums its
/// rows' contributions to a weight gradient (and the 1/b scale of its loss is a power of two, exact), then the two
/// halves are added, while one process sums all B rows in one matrix product; the orders differ, so each gradient
/// entry may differ by a few ε₃₂ relative, and the parameters by about steps · lr · that.
/// </summary>
public sealed class DataParallelTests(ITestOutputHelper output)
{
    private static readonly Dataset Train = DatasetCatalog.LoadEmbeddedDigits().Train;

    private static TrainingConfig Config(string algorithm) => new()
    {
        Algorithm = algorithm, Model = "mlp", Hidden = [16], Dataset = "digits", BatchSize = 32, MaxBatches = 6, Seed = 5, Threads = 1,
        LearningRate = 0.05f, InferenceSteps = 8,
    };

    private static float[][] TrainOneEpoch(TrainingConfig config, ICommunicator? communicator, out float loss)
    {
        var run = communicator is null ? TrainingSetup.Create(config, Train) : TrainingSetup.Create(config, Train, communicator);
        var trainer = new Trainer(run.Model, run.Algorithm, run.Optimizer, Train, config, communicator);
        loss = (float)trainer.TrainEpoch(1).MeanLoss;
        return run.Model.Graph.Parameters.Select(p => p.Value.ReadOnlySpan.ToArray()).ToArray();
    }

    private static double MaxAbsDifference(float[][] a, float[][] b) =>
        a.Zip(b).Max(pair => pair.First.Zip(pair.Second).Max(x => Math.Abs((double)x.First - x.Second)));

    [Theory]
    [InlineData("bp")]
    [InlineData("pc-fixed")]
    [InlineData("pc-standard")]
    [InlineData("pc-incremental")]
    [InlineData("activation-relaxation")]
    public void TwoRanksOnHalfBatchesEndWithTheParametersOfOneProcessOnTheWholeBatch(string algorithm)
    {
        var config = Config(algorithm);
        var single = TrainOneEpoch(config, null, out float singleLoss);
        var initial = TrainingSetup.Create(config, Train).Model.Graph.Parameters.Select(p => p.Value.ReadOnlySpan.ToArray()).ToArray();
        var group = new InProcessGroup(2);
        var ranks = group.Run(c => (Parameters: TrainOneEpoch(config, c, out float loss), Loss: loss));
        var alone = TrainOneEpoch(config, new UnreducedHalf(), out _);

        // Every rank steps with the same summed gradient: their parameters agree bit for bit.
        Assert.Equal(0, MaxAbsDifference(ranks[0].Parameters, ranks[1].Parameters));
        Assert.Equal(ranks[0].Loss, ranks[1].Loss);

        // Against one process: 6 steps of lr 0.05 on gradients that differ by float32 summation order only.
        double difference = MaxAbsDifference(single, ranks[0].Parameters);
        output.WriteLine($"{algorithm}: max |θ(2 ranks) − θ(1 process)| = {difference:e3}, bit-identical: {difference == 0}; losses {singleLoss:R} vs {ranks[0].Loss:R}");
        Assert.True(difference <= Tolerance.Float32Accumulated, $"{algorithm}: 2 ranks vs 1 process differ by {difference:e3}.");
        Assert.Equal(singleLoss, ranks[0].Loss, Tolerance.Float32Accumulated);

        // The comparison can fail: training moved the parameters, and a rank that skips the sum ends elsewhere.
        Assert.True(MaxAbsDifference(single, initial) > 1000 * Tolerance.Float32Accumulated);
        Assert.True(MaxAbsDifference(single, alone) > 100 * Tolerance.Float32Accumulated);
    }

    [Fact]
    public void OneRankIsTheSingleProcessRunBitForBit()
    {
        var config = Config("pc-standard");
        var plain = TrainOneEpoch(config, null, out float plainLoss);
        var one = TrainOneEpoch(config, new SingleProcessCommunicator(), out float oneLoss);
        Assert.Equal(0, MaxAbsDifference(plain, one));
        Assert.Equal(plainLoss, oneLoss);
    }

    [Theory]
    [InlineData(64, 2, 1, 32, 32)]
    [InlineData(10, 3, 0, 0, 3)]
    [InlineData(10, 3, 1, 3, 3)]
    [InlineData(10, 3, 2, 6, 4)]
    public void RanksTakeContiguousRowsCoveringTheBatch(int batch, int size, int rank, int start, int count) =>
        Assert.Equal((start, count), DataParallel.Rows(batch, rank, size));

    [Fact]
    public void ABatchSmallerThanTheRanksIsRefusedNamingBatchSize()
    {
        var ex = Assert.Throws<ArgumentException>(() => DataParallel.Rows(2, 0, 3));
        Assert.Contains("BatchSize", ex.Message);
    }

    [Fact]
    public void StateLearnedOutsideTheOptimiserIsRefused()
    {
        var config = Config("pc-fixed") with { LearnPrecision = true };
        var ex = Assert.Throws<ArgumentException>(() => TrainingSetup.Create(config, Train, new UnreducedHalf()));
        Assert.Contains("LearnPrecision", ex.Message);
    }

    [Fact]
    public void SupervisedTrainingOnTwoRanksWritesTheFolderFromRankZeroOnlyAndResumesOnOne()
    {
        string dir = Path.Combine(Path.GetTempPath(), "helmholtz-dp-" + Guid.NewGuid().ToString("N"));
        try
        {
            var config = Config("bp") with { Epochs = 1 };
            var group = new InProcessGroup(2);
            var metrics = group.Run(c => SupervisedTraining.Train(config, new RunFolder(dir), communicator: c));
            Assert.Equal(metrics[0][0].TrainLoss, metrics[1][0].TrainLoss);
            Assert.True(File.Exists(Path.Combine(dir, "checkpoint.safetensors")));

            // The checkpoint does not know how many ranks wrote it: one process continues it, like a run of 2 epochs on one.
            var resumed = SupervisedTraining.Train(config with { Epochs = 2 }, new RunFolder(dir), Path.Combine(dir, "checkpoint.safetensors"));
            var straight = SupervisedTraining.Train(config with { Epochs = 2 });
            Assert.Equal(straight[1].TrainLoss, resumed[1].TrainLoss, Tolerance.Float32Accumulated);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
