using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;
using Helmholtz.Training;

namespace Helmholtz.Tests.Training;

/// <summary>Training configurations with unbounded work or a recurrent depth that is not built are refused with the accepted range.</summary>
public sealed class TrainingConfigLimitTests
{
    [Fact]
    public void InferenceStepsHaveAnUpperBound()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TrainingConfig { InferenceSteps = 2_000_000_000 }.Validate());
        Assert.Equal($"InferenceSteps must be positive, 1…{PcOptions.MaxIterations} (got 2000000000).", ex.Message);
        new TrainingConfig { InferenceSteps = PcOptions.MaxIterations }.Validate();
        Assert.Throws<ArgumentException>(() => new PcOptions { Iterations = PcOptions.MaxIterations + 1 }.Validate());
    }

    [Fact]
    public void LayerCountsWidthsAndBatchesHaveUpperBounds()
    {
        Assert.StartsWith("Hidden must list 1…1000 layer sizes", Assert.Throws<ArgumentException>(() => new TrainingConfig { Hidden = new int[100_000] }.Validate()).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new TrainingConfig { Hidden = [TrainingConfig.MaxWidth + 1] }.Validate());
        Assert.Throws<ArgumentException>(() => new TrainingConfig { BatchSize = TrainingConfig.MaxBatchSize + 1 }.Validate());
    }

    [Theory]
    [InlineData("rnn")]
    [InlineData("lstm")]
    public void RecurrentModelsTakeOneHiddenSize(string model)
    {
        // The builders have one recurrent layer: three sizes would train one layer and record three.
        var ex = Assert.Throws<ArgumentException>(() => new TrainingConfig { Model = model, Hidden = [8, 8, 8] }.Validate());
        Assert.Equal($"Hidden must be one hidden state size for {model} (one recurrent layer; got 8,8,8).", ex.Message);
        new TrainingConfig { Model = model, Hidden = [8] }.Validate();
    }

    [Fact]
    public void NetworkMemoryIsEstimatedBeforeBuilding()
    {
        // 1000 layers of 65536: 4.3e12 parameters, far beyond 4 GiB.
        var config = new TrainingConfig { Hidden = Enumerable.Repeat(TrainingConfig.MaxWidth, 1000).ToArray() };
        config.Validate();
        var data = Helmholtz.Data.DatasetCatalog.LoadEmbeddedDigits().Train;
        var ex = Assert.Throws<WorkLimitException>(() => TrainingSetup.CreateModel(config, data, new Rng(1)));
        Assert.Contains("the limit is 4 GiB", ex.Message, StringComparison.Ordinal);
        Assert.True(TrainingSetup.EstimateBytes(new TrainingConfig(), 784, 10) < 10e6); // the default MLP: a few MB
    }
}
