using System.Diagnostics;
using System.Runtime.Intrinsics;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Tensors;

/// <summary>
/// GEMM against a float64 reference (tolerance γ_{k+2}·(|α|Σ|a||b| + |β||c|), see <see cref="GemmSelfCheck"/>), plus
/// bit-identity across thread counts and the SIMD fallbacks run in child processes.
/// </summary>
public sealed class GemmTests
{
    public static TheoryData<int, int, int, Transpose, Transpose> ShapesAndTransposes()
    {
        var data = new TheoryData<int, int, int, Transpose, Transpose>();
        (int, int, int)[] shapes =
        [
            (1, 1, 1), (17, 33, 5), (3, 1000, 7), (257, 129, 65), (5, 3, 1), (16, 16, 16), (13, 31, 33), (40, 70, 520),
            (64, 128, 128), (64, 10, 128), (64, 128, 10), (128, 64, 128), (1, 300, 40), (300, 1, 40), (2, 2100, 3),
            (19, 16, 37), (21, 17, 9), (40, 8, 300), (33, 9, 8),
        ];
        foreach (var (m, n, k) in shapes)
        {
            foreach (var ta in new[] { Transpose.No, Transpose.Yes })
            {
                foreach (var tb in new[] { Transpose.No, Transpose.Yes })
                {
                    data.Add(m, n, k, ta, tb);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ShapesAndTransposes))]
    public void MatchesFloat64ReferenceOnOddShapes(int m, int n, int k, Transpose ta, Transpose tb)
    {
        var rng = new Rng((ulong)((m * 1000003) + (n * 1009) + k));
        AssertPasses(GemmSelfCheck.CheckOne(rng, ta, tb, m, n, k, 1f, 0f, padding: 0, threads: 1));
    }

    [Theory]
    [InlineData(Transpose.No, Transpose.No)]
    [InlineData(Transpose.No, Transpose.Yes)]
    [InlineData(Transpose.Yes, Transpose.No)]
    [InlineData(Transpose.Yes, Transpose.Yes)]
    public void LeadingDimensionsLargerThanNeededAreRespectedAndPaddingIsUntouched(Transpose ta, Transpose tb)
    {
        // Operand padding holds NaN (a read past a row would poison C); C's padding is NaN and must stay bit-identical.
        var rng = new Rng(7);
        AssertPasses(GemmSelfCheck.CheckOne(rng, ta, tb, 37, 45, 29, 1f, 0f, padding: 5, threads: 1));
        AssertPasses(GemmSelfCheck.CheckOne(rng, ta, tb, 4, 70, 9, 1f, 0.5f, padding: 3, threads: 1));
        AssertPasses(GemmSelfCheck.CheckOne(rng, ta, tb, 1, 45, 29, 1f, 0.5f, padding: 5, threads: 1)); // vector paths
        AssertPasses(GemmSelfCheck.CheckOne(rng, ta, tb, 37, 1, 29, -2f, 0f, padding: 5, threads: 1));
    }

    [Theory]
    [InlineData(1f, 0f)]
    [InlineData(2.5f, 0f)]
    [InlineData(1f, 1f)]
    [InlineData(-0.5f, 0.75f)]
    [InlineData(1f, -2f)]
    public void AlphaAndBetaFollowTheBlasDefinition(float alpha, float beta)
    {
        var rng = new Rng(11);
        foreach (var (m, n, k) in new[] { (23, 41, 300), (70, 35, 12), (5, 300, 7) })
        {
            AssertPasses(GemmSelfCheck.CheckOne(rng, Transpose.No, Transpose.No, m, n, k, alpha, beta, padding: 2, threads: 1));
            AssertPasses(GemmSelfCheck.CheckOne(rng, Transpose.Yes, Transpose.Yes, m, n, k, alpha, beta, padding: 2, threads: 1));
        }
    }

    [Theory]
    [InlineData(3, 40, 5)]
    [InlineData(50, 60, 70)]
    [InlineData(130, 140, 300)]
    public void BetaZeroIgnoresNanAndInfinityInC(int m, int n, int k)
    {
        float[] a = Filled(m * k, 1f), b = Filled(k * n, 0.5f), c = Filled(m * n, float.NaN);
        c[0] = float.PositiveInfinity;
        Gemm.Multiply(Transpose.No, Transpose.No, m, n, k, 1f, a, k, b, n, 0f, c, n);
        Assert.All(c, x => Assert.Equal(0.5f * k, x)); // exact: k halves sum exactly in float32 for these k
    }

    [Fact]
    public void AlphaZeroOrEmptyDepthScalesCByBetaWithoutReadingAOrB()
    {
        // Reference BLAS semantics: with α = 0 (or k = 0) A and B are not read, so NaN there cannot reach C.
        float[] a = Filled(6, float.NaN), b = Filled(6, float.NaN), c = [1, 2, 3, 4];
        Gemm.Multiply(Transpose.No, Transpose.No, 2, 2, 3, 0f, a, 3, b, 2, 3f, c, 2);
        Assert.Equal(new float[] { 3, 6, 9, 12 }, c);
        Gemm.Multiply(Transpose.No, Transpose.No, 2, 2, 0, 1f, [], 0, [], 2, 0f, c, 2);
        Assert.Equal(new float[4], c);
    }

    [Fact]
    public void EmptyOutputLeavesEverythingAlone()
    {
        float[] c = [float.NaN];
        Gemm.Multiply(Transpose.No, Transpose.No, 0, 5, 3, 1f, [], 3, new float[15], 5, 0f, [], 5);
        Gemm.Multiply(Transpose.No, Transpose.No, 1, 0, 3, 1f, new float[3], 3, [], 0, 0f, c, 0);
        Assert.True(float.IsNaN(c[0]));
    }

    [Theory]
    [InlineData(300, 200, 100, Transpose.No, Transpose.No)] // split over m
    [InlineData(200, 300, 100, Transpose.No, Transpose.Yes)] // split over n
    [InlineData(150, 700, 33, Transpose.Yes, Transpose.No)]
    [InlineData(515, 97, 260, Transpose.Yes, Transpose.Yes)]
    [InlineData(12, 3000, 60, Transpose.No, Transpose.No)] // m ≤ 16: B read in place
    [InlineData(3000, 12, 80, Transpose.No, Transpose.Yes)] // n ≤ 16: narrow kernel, split over m
    [InlineData(1, 4096, 600, Transpose.Yes, Transpose.No)] // m = 1: vector path
    public void ThreadCountDoesNotChangeABit(int m, int n, int k, Transpose ta, Transpose tb)
    {
        Assert.True((long)m * n * k >= Gemm.ParallelThreshold, "shape must be large enough to be split");
        var rng = new Rng(3);
        var (a, b, c) = GemmSelfCheck.Operands(rng, ta, tb, m, n, k, 0, 0.25f);
        int lda = ta == Transpose.No ? k : m, ldb = tb == Transpose.No ? n : k;
        float[] c1 = (float[])c.Clone(), c2 = (float[])c.Clone(), c3 = (float[])c.Clone();
        Gemm.Multiply(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 2f, c1, n, threads: 1);
        Gemm.Multiply(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 2f, c2, n, threads: 2);
        Gemm.Multiply(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 2f, c3, n, threads: 7);
        Assert.True(c1.AsSpan().SequenceEqual(c2), "threads=1 and threads=2 differ");
        Assert.True(c1.AsSpan().SequenceEqual(c3), "threads=1 and threads=7 differ");
        AssertPasses(GemmSelfCheck.Compare(ta, tb, m, n, k, 0.5f, a, lda, b, ldb, 2f, c, c2, n));
    }

    [Theory]
    [InlineData(64, 128, 128, Transpose.No, 1f)]
    [InlineData(64, 128, 128, Transpose.Yes, 0f)]
    [InlineData(50, 100, 300, Transpose.No, 0f)] // two depth blocks, a partial sliver of A
    [InlineData(37, 250, 20, Transpose.Yes, 1f)] // a right-edge tile with full rows
    public void AReadInPlaceGivesThePackedResultBitForBit(int m, int n, int k, Transpose tb, float beta)
    {
        // With at most 256 columns a row-major A is read in place; the same rows of a 600-column product (B widened
        // with more columns) come from packed A. Every element is the same fused multiply-add chain either way.
        const int wide = 600;
        var rng = new Rng(77);
        int lda = k + 3;
        var a = new float[m * lda];
        var b = new float[k * wide];
        var c0 = new float[m * wide];
        rng.FillUniform(a, -1f, 1f);
        rng.FillUniform(b, -1f, 1f);
        rng.FillUniform(c0, -1f, 1f);
        var narrowB = new float[k * n];
        var narrowC = new float[m * n];
        for (int r = 0; r < (tb == Transpose.No ? k : n); r++)
        {
            // B as op(B) = k×n: stored k×wide (No) or wide×k (Yes); the narrow B is its first n columns.
            if (tb == Transpose.No)
            {
                b.AsSpan(r * wide, n).CopyTo(narrowB.AsSpan(r * n, n));
            }
            else
            {
                b.AsSpan(r * k, k).CopyTo(narrowB.AsSpan(r * k, k));
            }
        }

        for (int i = 0; i < m; i++)
        {
            c0.AsSpan(i * wide, n).CopyTo(narrowC.AsSpan(i * n, n));
        }

        var wideC = (float[])c0.Clone();
        Gemm.Multiply(Transpose.No, tb, m, wide, k, 1f, a, lda, b, tb == Transpose.No ? wide : k, beta, wideC, wide);
        Gemm.Multiply(Transpose.No, tb, m, n, k, 1f, a, lda, narrowB, tb == Transpose.No ? n : k, beta, narrowC, n);
        for (int i = 0; i < m; i++)
        {
            Assert.True(narrowC.AsSpan(i * n, n).SequenceEqual(wideC.AsSpan(i * wide, n)), $"row {i} differs");
        }
    }

    [Fact]
    public void ConcurrentCallersGetCorrectResults()
    {
        // Two threads multiplying at once share the worker pool (one falls back to running alone) and never a buffer.
        var failures = new string?[4];
        Parallel.For(0, failures.Length, i =>
            failures[i] = GemmSelfCheck.CheckOne(new Rng((ulong)i), Transpose.No, Transpose.Yes, 160, 150, 90, 1f, 0f, 1, threads: 2));
        Assert.All(failures, f => Assert.Null(f));
    }

    [Fact]
    public void WarmCallsDoNotAllocate()
    {
        // Measured on the calling thread (process-wide counters would see tests running in parallel); the workers'
        // only allocations are their packing buffers, made during the warm-up calls.
        foreach (var (m, n, k) in new[] { (64, 128, 128), (64, 10, 128), (300, 200, 100) })
        {
            float[] a = new float[m * k], b = new float[k * n], c = new float[m * n];
            Gemm.Multiply(Transpose.No, Transpose.Yes, m, n, k, 1f, a, k, b, k, 0f, c, n);
            Gemm.Multiply(Transpose.Yes, Transpose.No, m, n, k, 1f, a, m, b, n, 1f, c, n, threads: 2);
            long allocated = Allocations.Least(() =>
            {
                Gemm.Multiply(Transpose.No, Transpose.Yes, m, n, k, 1f, a, k, b, k, 0f, c, n);
                Gemm.Multiply(Transpose.Yes, Transpose.No, m, n, k, 1f, a, m, b, n, 1f, c, n);
                Gemm.Multiply(Transpose.Yes, Transpose.No, m, n, k, 1f, a, m, b, n, 1f, c, n, threads: 2);
            });
            Assert.True(allocated == 0, $"{m}x{n}x{k}: {allocated} bytes allocated");
        }
    }

    [Theory]
    [InlineData("A", 4, 6, 5, 19, 5, 30, 6, 24)]
    [InlineData("B", 4, 6, 5, 20, 5, 29, 6, 24)]
    [InlineData("C", 4, 6, 5, 20, 5, 30, 6, 23)]
    public void TooShortSpansThrowNamingTheOperand(string operand, int m, int n, int k, int aLen, int lda, int bLen, int ldb, int cLen)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(Transpose.No, Transpose.No, m, n, k, 1f, new float[aLen], lda, new float[bLen], ldb, 0f, new float[cLen], 6));
        Assert.Contains($"operand {operand}", ex.Message);
        Assert.Contains("needs", ex.Message);
    }

    [Fact]
    public void BadLeadingDimensionsAndSizesThrow()
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            Gemm.Multiply(Transpose.Yes, Transpose.No, 4, 6, 5, 1f, new float[100], 3, new float[100], 6, 0f, new float[100], 6));
        Assert.Contains("operand A is 5×4 but its leading dimension is 3", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            Gemm.Multiply(Transpose.No, Transpose.No, -1, 6, 5, 1f, new float[100], 5, new float[100], 6, 0f, new float[100], 6));
    }

    [Fact]
    public void SelfCheckPassesInThisProcess()
    {
        Assert.Empty(GemmSelfCheck.Run());
        if (Vector512.IsHardwareAccelerated)
        {
            Assert.StartsWith("avx512", Gemm.KernelName);
        }
    }

    /// <summary>
    /// Proves the fallback kernels on this machine: a child `dotnet exec` of this test assembly with the startup hook
    /// <see cref="StartupHook"/> runs <see cref="GemmSelfCheck.Run"/> and the nonlinearity kernels' full matrix
    /// (<see cref="ActivationKernelMatrix"/>) under the given runtime switches. .NET 10 reads
    /// DOTNET_EnableAVX512 (DOTNET_EnableAVX512F is no longer honoured, so both are set).
    /// </summary>
    [Theory]
    [InlineData("DOTNET_EnableAVX512F=0;DOTNET_EnableAVX512=0", "avx2")]
    [InlineData("DOTNET_EnableAVX2=0", "scalar")]
    [InlineData("DOTNET_EnableHWIntrinsic=0", "scalar")]
    public async Task FallbackKernelsPassTheSelfCheckInAChildProcess(string environment, string expectedKernel)
    {
        if (expectedKernel == "avx2" && !System.Runtime.Intrinsics.X86.Avx2.IsSupported)
        {
            expectedKernel = "scalar"; // a CPU without AVX2 falls back further
        }

        string assembly = typeof(GemmTests).Assembly.Location;
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "exec", assembly })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_STARTUP_HOOKS"] = assembly;
        start.Environment["HELMHOLTZ_GEMM_SELFCHECK"] = "1";
        start.Environment["DOTNET_TieredPGO"] = "0";
        foreach (string pair in environment.Split(';'))
        {
            string[] kv = pair.Split('=');
            start.Environment[kv[0]] = kv[1];
        }

        using var child = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stderrTask = child.StandardError.ReadToEndAsync(timeout.Token);
        string stdout = await child.StandardOutput.ReadToEndAsync(timeout.Token);
        await child.WaitForExitAsync(timeout.Token);
        string report = $"exit {child.ExitCode}\nstdout:\n{stdout}\nstderr:\n{await stderrTask}";
        Assert.True(child.ExitCode == 0, report);
        Assert.Contains($"kernel: {expectedKernel}", stdout);
        Assert.Contains("activation kernels: ok", stdout);
    }

    private static string DotnetHost()
    {
        // `dotnet test` runs the test host under the dotnet muxer and also exports its path as DOTNET_HOST_PATH.
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host))
        {
            return host;
        }

        string? self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }

    private static float[] Filled(int length, float value)
    {
        var x = new float[length];
        Array.Fill(x, value);
        return x;
    }

    private static void AssertPasses(string? failure) => Assert.True(failure is null, failure);
}
