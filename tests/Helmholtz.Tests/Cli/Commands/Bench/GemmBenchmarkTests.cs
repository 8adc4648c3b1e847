using Helmholtz.Cli.Commands.Bench;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Cli.Commands.Bench;

public sealed class GemmBenchmarkTests
{
    [Fact]
    public void MeasureReportsPositiveSpeedAndTheKernel()
    {
        var r = GemmBenchmark.Measure(n: 24, threads: 1, minSeconds: 0, minRepetitions: 3);
        Assert.Equal(24, r.N);
        Assert.Equal(Gemm.KernelName, r.Kernel);
        Assert.True(r.Repetitions >= 3, $"repetitions {r.Repetitions}");
        Assert.True(r.BestGflops > 0 && r.BestGflops >= r.MedianGflops, $"best {r.BestGflops}, median {r.MedianGflops}");
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmBenchmark.Measure(0, 1));
    }

    [Theory]
    [InlineData(0, 2, 0.5, "-n must be between 1 and 16384 (got 0).")]
    [InlineData(64, 0, 0.5, "--threads must be at least 1 (got 0).")]
    [InlineData(64, 2, -1.0, "--seconds must be between 0 and 600 (got -1).")]
    public void BenchGemmSettingsRejectBadOptions(int n, int threads, double seconds, string message)
    {
        var result = new BenchGemmSettings { N = n, Threads = threads, Seconds = seconds }.Validate();
        Assert.False(result.Successful);
        Assert.Equal(message, result.Message);
    }

    [Fact]
    public void OneLetterLongOptionsAreAcceptedAsWritten()
    {
        Assert.Equal(["bench", "gemm", "--size", "64", "--json"], Helmholtz.Cli.Program.NormalizeArguments(["bench", "gemm", "--n", "64", "--json"]));
        Assert.Equal(["bench", "gemm", "--size=64"], Helmholtz.Cli.Program.NormalizeArguments(["bench", "gemm", "--n=64"]));
        Assert.Equal(["train", "--inference-steps", "3"], Helmholtz.Cli.Program.NormalizeArguments(["train", "--T", "3"]));
    }
}
