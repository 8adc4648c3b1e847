using System.Diagnostics;
using Helmholtz.Tensors;

namespace Helmholtz.Cli.Commands.Bench;

/// <summary>The outcome of <see cref="GemmBenchmark.Measure"/>: square n×n×n products, 2n³ flops each.</summary>
/// <param name="N">Matrix size (m = n = k).</param>
/// <param name="Threads">The <c>threads</c> argument passed to <see cref="Gemm.Multiply"/>.</param>
/// <param name="Kernel">The micro-kernel in use (e.g. "avx512 12x32").</param>
/// <param name="Repetitions">Timed products.</param>
/// <param name="BestGflops">GFLOP/s of the fastest product.</param>
/// <param name="MedianGflops">GFLOP/s of the median product.</param>
/// <param name="BestSeconds">Wall time of the fastest product.</param>
internal sealed record GemmBenchmarkResult(
    int N, int Threads, string Kernel, int Repetitions, double BestGflops, double MedianGflops, double BestSeconds);

/// <summary>Measures the speed of <see cref="Gemm.Multiply"/> on square products (used by <c>helmholtz bench gemm</c>).</summary>
internal static class GemmBenchmark
{
    /// <summary>Times C = A·B for n×n float32 matrices: a warm-up, then repeats until <paramref name="minSeconds"/> have passed.</summary>
    /// <remarks>GFLOP/s = 2n³ / time / 10⁹. Inputs are uniform in [−1, 1) from <see cref="Rng"/> with <paramref name="seed"/>.</remarks>
    public static GemmBenchmarkResult Measure(int n, int threads, double minSeconds = 0.5, int minRepetitions = 5, ulong seed = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threads);
        ArgumentOutOfRangeException.ThrowIfNegative(minSeconds);
        var rng = new Rng(seed);
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = (2 * rng.NextFloat()) - 1;
            b[i] = (2 * rng.NextFloat()) - 1;
        }

        // Warm-up: JIT to the final tier, packing buffers, worker threads.
        var warm = Stopwatch.StartNew();
        do
        {
            Gemm.Multiply(Transpose.No, Transpose.No, n, n, n, 1f, a, n, b, n, 0f, c, n, threads);
        }
        while (warm.Elapsed.TotalSeconds < Math.Min(0.2, minSeconds));

        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < minRepetitions || total.Elapsed.TotalSeconds < minSeconds)
        {
            long t0 = Stopwatch.GetTimestamp();
            Gemm.Multiply(Transpose.No, Transpose.No, n, n, n, 1f, a, n, b, n, 0f, c, n, threads);
            times.Add(Stopwatch.GetElapsedTime(t0).TotalSeconds);
        }

        times.Sort();
        double flops = 2.0 * n * n * n;
        double best = times[0], median = times[times.Count / 2];
        return new GemmBenchmarkResult(n, threads, Gemm.KernelName, times.Count, flops / best / 1e9, flops / median / 1e9, best);
    }
}
