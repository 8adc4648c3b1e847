using System.Globalization;
using System.Text.Json;
using Helmholtz.Tests.Cli.Infrastructure;

namespace Helmholtz.Tests.Cli.Commands.Pc;

public sealed class PcResidualDepthTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("helmholtz-residual-depth-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void ResidualStudyWritesOneRowPerRunSummariesLayersAndFigures()
    {
        string dir = Path.Combine(_root, "study");
        var (code, _, stderr) = CliInProcess.Run(["pc", "depth", "--residual", "--depths", "3,5", "--width", "8", "--params", "sp:0.01,mupc:0.05",
            "--variants", "pc-standard:depth:0.2", "--loss", "mse", "--epochs", "1", "--max-batches", "3", "--seeds", "1,2", "--dataset", "digits",
            "--threads", "1", "--json", "--out", dir]);
        Assert.True(code == 0, $"exit code {code}; stderr: {stderr}");
        var rows = File.ReadAllLines(Path.Combine(dir, "residual-depth.csv"));
        Assert.Equal("depth,width,param,algo,T,eta_v,lr,seed,test_accuracy,train_loss,epoch_seconds,diverged", rows[0]);
        Assert.Equal(2 * 2 * 2 * 2, rows.Length - 1); // depths × params × seeds × (bp + one PC variant)
        Assert.Contains(rows, r => r.StartsWith("5,8,mupc,pc-standard,5,0.2,0.05,2,", StringComparison.Ordinal)); // T = depth means H steps
        var summary = File.ReadAllLines(Path.Combine(dir, "residual-summary.csv"));
        Assert.Equal(1 + (2 * 4), summary.Length);
        // Layers: the PC runs of the first seed, at init and trained, one row per value node (H of them).
        var layers = File.ReadAllLines(Path.Combine(dir, "layers.csv")).Skip(1).Select(l => l.Split(',')).ToArray();
        Assert.Equal(2 * 2 * (3 + 5), layers.Length);
        Assert.All(layers, f => Assert.True(double.Parse(f[7], CultureInfo.InvariantCulture) >= 0));
        foreach (var name in new[] { "residual-accuracy", "residual-errors", "residual-gradients" })
        {
            Assert.True(File.Exists(Path.Combine(dir, name + ".png")), name);
        }
    }

    [Fact]
    public void ADivergingRunIsRecordedAtChanceAndTheStudyGoesOn()
    {
        string dir = Path.Combine(_root, "diverging");
        // η_v = 10⁶ makes standard PC inference blow up at once; BP with the same weights trains.
        var (code, _, stderr) = CliInProcess.Run(["pc", "depth", "--residual", "--depths", "4", "--width", "8", "--params", "sp:0.01",
            "--variants", "pc-standard:depth:1000000", "--loss", "mse", "--epochs", "1", "--max-batches", "3", "--dataset", "digits", "--threads", "1", "--out", dir]);
        Assert.True(code == 0, $"exit code {code}; stderr: {stderr}");
        var pc = File.ReadAllLines(Path.Combine(dir, "residual-depth.csv")).Single(r => r.Contains(",pc-standard,", StringComparison.Ordinal)).Split(',');
        Assert.Equal("1", pc[^1]);
        Assert.Equal(0.1, double.Parse(pc[8], CultureInfo.InvariantCulture), 12);
        Assert.Contains(File.ReadAllLines(Path.Combine(dir, "residual-summary.csv")), l => l.StartsWith("4,pc-standard sp η_v=1000000,1,1,", StringComparison.Ordinal));
    }

    [Fact]
    public void BadParametrisationIsRejectedBeforeAnyTraining()
    {
        var (code, _, stderr) = CliInProcess.Run(["pc", "depth", "--residual", "--params", "mup", "--dataset", "digits", "--out", Path.Combine(_root, "bad")]);
        Assert.Equal(2, code);
        Assert.Contains("--params entries must be sp, mupc or ntk", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void BenchTrainPrintsEpochSecondsAndAccuracyOfAResidualMlp()
    {
        var (code, stdout, stderr) = CliInProcess.Run(["bench", "train", "--model", "residual-mlp", "--depth", "6", "--width", "16", "--param", "mupc",
            "--algo", "pc-standard", "--T", "6", "--eta-v", "0.5", "--loss", "mse", "--activation", "relu", "--lr", "0.05", "--max-batches", "5", "--threads", "1", "--json"]);
        Assert.True(code == 0, $"exit code {code}; stderr: {stderr}");
        using var json = JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]);
        Assert.Equal("residual-mlp", json.RootElement.GetProperty("model").GetString());
        Assert.True(json.RootElement.GetProperty("epoch_seconds").GetDouble() > 0);
        Assert.InRange(json.RootElement.GetProperty("test_accuracy").GetDouble(), 0, 1);
        Assert.Equal(5, json.RootElement.GetProperty("batches").GetInt32());
    }

    [Fact]
    public void BenchTrainRunsAResidualCnnUnderStandardPc()
    {
        var (code, stdout, stderr) = CliInProcess.Run(["bench", "train", "--model", "residual-cnn", "--depth", "4", "--width", "4", "--param", "mupc",
            "--algo", "pc-standard", "--T", "4", "--loss", "mse", "--activation", "relu", "--max-batches", "2", "--threads", "1", "--json"]);
        Assert.True(code == 0, $"exit code {code}; stderr: {stderr}");
        using var json = JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]);
        Assert.Equal("residual-cnn", json.RootElement.GetProperty("model").GetString());
        Assert.Equal(2, json.RootElement.GetProperty("batches").GetInt32());
    }

    [Theory]
    [InlineData("--depth", "1", "--depth must be 2…1000 weight layers for residual-mlp (got 1).")]
    [InlineData("--param", "mup", "--param must be sp, mupc or ntk (got 'mup').")]
    public void BenchTrainNamesTheBadResidualOption(string flag, string value, string message)
    {
        var (code, _, stderr) = CliInProcess.Run(["bench", "train", "--model", "residual-mlp", flag, value]);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }
}
