using BenchmarkDotNet.Attributes;
using Helmholtz.Tensors;

namespace Helmholtz.Bench;

/// <summary>Square products C = A·B (n×n×n), one thread and all threads.</summary>
[MemoryDiagnoser]
public class GemmSquareBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    [Params(64, 128, 256, 512, 1024)]
    public int N { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(1);
        _a = Random(rng, N * N);
        _b = Random(rng, N * N);
        _c = new float[N * N];
    }

    [Benchmark]
    public void Multiply() => Gemm.Multiply(Transpose.No, Transpose.No, N, N, N, 1f, _a, N, _b, N, 0f, _c, N, Threads);

    internal static float[] Random(Rng rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = (2 * rng.NextFloat()) - 1;
        }

        return x;
    }
}

/// <summary>The products of one predictive-coding step of a 784-128-128-10 MLP at batch 64 (single-threaded).</summary>
[MemoryDiagnoser]
public class GemmPredictiveCodingBenchmarks
{
    private float[] _a = [], _b = [], _c = [];

    /// <summary>m×n×k and transposes: forward x·Wᵀ, backward error dy·W, weight gradient dyᵀ·x.</summary>
    [Params("64x128x128 NT", "64x10x128 NT", "64x128x10 NN", "128x128x64 TN", "64x128x784 NT", "128x784x64 TN", "64x128x128 NN")]
    public string Shape { get; set; } = "64x128x128 NT";

    private int _m, _n, _k;
    private Transpose _ta, _tb;

    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Shape.Split(' ');
        int[] dims = Array.ConvertAll(parts[0].Split('x'), int.Parse);
        (_m, _n, _k) = (dims[0], dims[1], dims[2]);
        _ta = parts[1][0] == 'T' ? Transpose.Yes : Transpose.No;
        _tb = parts[1][1] == 'T' ? Transpose.Yes : Transpose.No;
        var rng = new Rng(2);
        _a = GemmSquareBenchmarks.Random(rng, _m * _k);
        _b = GemmSquareBenchmarks.Random(rng, _k * _n);
        _c = new float[_m * _n];
    }

    [Benchmark]
    public void Multiply() => Gemm.Multiply(
        _ta, _tb, _m, _n, _k, 1f, _a, _ta == Transpose.No ? _k : _m, _b, _tb == Transpose.No ? _n : _k, 0f, _c, _n);
}
