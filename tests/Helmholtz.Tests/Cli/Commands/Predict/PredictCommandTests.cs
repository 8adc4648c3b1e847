using System.Numerics.Tensors;
using Helmholtz.Cli.Commands.Train;
using Helmholtz.Data;
using Helmholtz.Training;

namespace Helmholtz.Tests.Cli.Commands.Predict;

/// <summary><c>helmholtz predict</c>: the outputs it writes are the trained network's, on the test set's first examples.</summary>
public sealed class PredictCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("helmholtz-predict-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void WritesTheTestImagesLabelsAndTheOutputsThatGiveTheReportedAccuracy()
    {
        var config = new TrainingConfig
        {
            Algorithm = "bp", Model = "mlp", Hidden = [16], Dataset = "digits", Epochs = 1, BatchSize = 32, MaxBatches = 10,
            LearningRate = 0.1f, Seed = 3, Threads = 1,
        };
        string run = Path.Combine(_root, "run"), output = Path.Combine(_root, "pred.safetensors");
        TrainingSession.Run(config, run, null, quiet: true, CancellationToken.None);

        var (code, stdout, stderr) = CliProcess.Run("predict", "--checkpoint", Path.Combine(run, "checkpoint.safetensors"), "--count", "40", "--out", output, "--json");

        Assert.True(code == 0, stderr);
        var file = SafetensorsFile.Read(output);
        var test = DatasetCatalog.LoadEmbeddedDigits().Test;
        Assert.Equal([40, test.Features], file.Get("x").Shape.ToArray());
        Assert.Equal(test.Images.ReadOnlySpan[..(40 * test.Features)].ToArray(), file.Get("x").ReadOnlySpan.ToArray());
        var labels = file.Get("label").ReadOnlySpan;
        var outputs = file.Get("output");
        Assert.Equal([40, 10], outputs.Shape.ToArray());
        int correct = 0;
        for (int i = 0; i < 40; i++)
        {
            Assert.Equal(test.Label(i), (int)labels[i]);
            correct += TensorPrimitives.IndexOfMax(outputs.ReadOnlySpan.Slice(i * 10, 10)) == test.Label(i) ? 1 : 0;
        }

        Assert.Contains($"\"correct\":{correct},", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingCheckpointIsBadInput()
    {
        var (code, _, stderr) = CliProcess.Run("predict", "--checkpoint", Path.Combine(_root, "none.safetensors"));
        Assert.Equal(2, code);
        Assert.StartsWith("error:", stderr, StringComparison.Ordinal);
    }
}
