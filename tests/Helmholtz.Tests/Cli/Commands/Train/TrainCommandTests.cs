using Helmholtz.Cli.Commands.Train;
using Helmholtz.Data;
using Helmholtz.Tests.Cli.Infrastructure;
using Helmholtz.Training;

namespace Helmholtz.Tests.Cli.Commands.Train;

/// <summary>Training runs end to end: determinism, resume, the run folder, and bad input.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("helmholtz-train-").FullName;

    private static TrainingConfig Small(string algorithm = "bp", int epochs = 2) => new()
    {
        Algorithm = algorithm,
        Model = "mlp",
        Hidden = [24],
        Dataset = "digits",
        Epochs = epochs,
        BatchSize = 32,
        MaxBatches = 15,
        LearningRate = 0.1f,
        Optimizer = "sgd",
        Momentum = 0.5f,
        Seed = 7,
        Threads = 2,
        InferenceSteps = 5,
    };

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("bp")]
    [InlineData("pc-fixed")]
    public void SameSeedGivesBitIdenticalMetricsAndWeights(string algorithm)
    {
        var a = TrainingSession.Run(Small(algorithm), Path.Combine(_root, "a"), null, quiet: true, CancellationToken.None);
        var b = TrainingSession.Run(Small(algorithm), Path.Combine(_root, "b"), null, quiet: true, CancellationToken.None);
        Assert.Equal(a.Metrics.Select(WithoutTiming), b.Metrics.Select(WithoutTiming));
        AssertSameParameters(Path.Combine(_root, "a"), Path.Combine(_root, "b"));
    }

    [Fact]
    public void ResumingFromACheckpointContinuesToTheSameWeights()
    {
        string whole = Path.Combine(_root, "whole"), split = Path.Combine(_root, "split");
        TrainingSession.Run(Small(epochs: 3), whole, null, quiet: true, CancellationToken.None);

        // Stop after one epoch, then resume twice more from the checkpoint (as a killed run would be).
        TrainingSession.Run(Small(epochs: 1), split, null, quiet: true, CancellationToken.None);
        string checkpoint = Path.Combine(split, "checkpoint.safetensors");
        var resumed = TrainingSession.Run(Small(epochs: 3), split, checkpoint, quiet: true, CancellationToken.None);

        Assert.Equal([1, 2, 3], resumed.Metrics.Select(m => m.Epoch));
        AssertSameParameters(whole, split);
        var metricsWhole = MetricsLog.Parse(File.ReadAllText(Path.Combine(whole, "metrics.csv")));
        var metricsSplit = MetricsLog.Parse(File.ReadAllText(Path.Combine(split, "metrics.csv")));
        Assert.Equal(metricsWhole.Select(WithoutTiming), metricsSplit.Select(WithoutTiming));
    }

    [Fact]
    public void RunFolderHoldsConfigMetricsCheckpointAndCurves()
    {
        string dir = Path.Combine(_root, "run");
        TrainingSession.Run(Small(epochs: 1), dir, null, quiet: true, CancellationToken.None);
        foreach (var file in new[] { "config.json", "metrics.csv", "checkpoint.safetensors", "curves.png", "curves.svg" })
        {
            Assert.True(File.Exists(Path.Combine(dir, file)), $"{file} is missing from the run folder");
        }

        // The checkpoint's parameters carry PyTorch's names for an MLP.
        var names = SafetensorsFile.Read(Path.Combine(dir, "checkpoint.safetensors")).Tensors.Keys.Where(k => !k.StartsWith("optimizer.", StringComparison.Ordinal));
        Assert.Equal(["layers.0.bias", "layers.0.weight", "layers.1.bias", "layers.1.weight"], names.Order());
        Assert.Empty(Directory.GetFiles(dir, "*.tmp*"));
    }

    [Theory]
    [InlineData("--algo", "sideways")]
    [InlineData("--model", "transformer")]
    [InlineData("--loss", "hinge")]
    [InlineData("--epochs", "0")]
    [InlineData("--T", "0")]
    [InlineData("--eta-v", "-1")]
    [InlineData("--hidden", "12,x")]
    [InlineData("--no-such-option", "1")]
    public void InvalidOptionsExitWithCodeTwoBeforeAnyWork(string option, string value)
    {
        string dir = Path.Combine(_root, "bad");
        var (code, _, stderr) = CliInProcess.Run("train", "--dataset", "digits", "--max-batches", "1", "--out", dir, option, value);
        Assert.True(code == 2, $"exit code {code}; stderr: {stderr}");
        Assert.False(Directory.Exists(dir), "a rejected run must not create its run folder");
    }

    [Fact]
    public void MissingOrCorruptInitFileExitsWithCodeTwoAndWritesNothing()
    {
        string dir = Path.Combine(_root, "bad-init");
        AssertBadInput("train", "--max-batches", "1", "--out", dir, "--init", Path.Combine(_root, "nope.safetensors"));
        string corrupt = Path.Combine(_root, "corrupt.safetensors");
        File.WriteAllBytes(corrupt, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
        AssertBadInput("train", "--max-batches", "1", "--out", dir, "--init", corrupt);
        Assert.False(Directory.Exists(dir));
    }

    private static void AssertBadInput(params string[] args)
    {
        var (code, _, stderr) = CliInProcess.Run(args);
        Assert.True(code == 2, $"exit code {code}; stderr: {stderr}");
    }

    [Fact]
    public void InitFileWithWrongShapesIsRejectedNamingTheTensor()
    {
        string init = Path.Combine(_root, "init.safetensors");
        SafetensorsFile.Write(init, new Dictionary<string, Helmholtz.Tensors.FloatTensor> { ["layers.0.weight"] = new(3, 3) });
        var ex = Assert.Throws<InvalidDataException>(() =>
            TrainingSession.Run(Small() with { InitFile = init }, null, null, quiet: true, CancellationToken.None));
        Assert.Contains("layers.0.bias", ex.Message);
    }

    private static EpochMetrics WithoutTiming(EpochMetrics m) => m with { EpochSeconds = 0 };

    private static void AssertSameParameters(string runA, string runB)
    {
        var a = SafetensorsFile.Read(Path.Combine(runA, "checkpoint.safetensors")).Tensors;
        var b = SafetensorsFile.Read(Path.Combine(runB, "checkpoint.safetensors")).Tensors;
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (name, tensor) in a)
        {
            Assert.True(tensor.ReadOnlySpan.SequenceEqual(b[name].ReadOnlySpan), $"tensor {name} differs between {runA} and {runB}");
        }
    }
}
