using System.ComponentModel;
using System.Globalization;
using Helmholtz.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Bench;

/// <summary>Settings of <c>helmholtz bench gemm</c>.</summary>
internal sealed class BenchGemmSettings : CommandSettings
{
    [CommandOption("-n|--size <N>")] // also --n: Program.NormalizeArguments
    [Description("Matrix size n, also accepted as --n: times n×n by n×n float32 products (default 1024).")]
    public int N { get; init; } = 1024;

    [CommandOption("--threads <K>")]
    [Description("Threads for each product (default: the number of processors).")]
    public int Threads { get; init; } = Environment.ProcessorCount;

    [CommandOption("--seconds <S>")]
    [Description("Minimum timed duration in seconds (default 0.5).")]
    public double Seconds { get; init; } = 0.5;

    [CommandOption("--json")]
    [Description("Print one JSON object on the last line of stdout.")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (N < 1 || N > 16384)
        {
            return ValidationResult.Error($"-n must be between 1 and 16384 (got {N}).");
        }

        if (Threads < 1)
        {
            return ValidationResult.Error($"--threads must be at least 1 (got {Threads}).");
        }

        if (!(Seconds >= 0 && Seconds <= 600))
        {
            return ValidationResult.Error($"--seconds must be between 0 and 600 (got {Seconds.ToString(CultureInfo.InvariantCulture)}).");
        }

        return ValidationResult.Success();
    }
}

/// <summary><c>helmholtz bench gemm</c>: GFLOP/s of the library's GEMM on square products.</summary>
internal sealed class BenchGemmCommand : HelmholtzCommand<BenchGemmSettings>
{
    protected override int Run(BenchGemmSettings settings, CancellationToken cancellationToken)
    {
        var r = GemmBenchmark.Measure(settings.N, settings.Threads, settings.Seconds);
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(new
            {
                gflops = Math.Round(r.BestGflops, 2),
                median_gflops = Math.Round(r.MedianGflops, 2),
                n = r.N,
                threads = r.Threads,
                kernel = r.Kernel,
                repetitions = r.Repetitions,
                best_seconds = r.BestSeconds,
            });
        }
        else
        {
            Console.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"gemm n={r.N} threads={r.Threads} kernel={r.Kernel}: best {r.BestGflops:F1} GFLOP/s, median {r.MedianGflops:F1} GFLOP/s ({r.Repetitions} runs)"));
        }

        return ExitCode.Ok;
    }
}
