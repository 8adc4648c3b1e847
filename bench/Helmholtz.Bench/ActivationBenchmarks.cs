using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using Helmholtz.Tensors;

namespace Helmholtz.Bench;

/// <summary>The nonlinearity drivers (<see cref="ActivationKernels"/>) against TensorPrimitives on the same spans: a hidden row of the planner (64) and a PC layer batch (64×128).</summary>
[MemoryDiagnoser]
public class ActivationKernelBenchmarks
{
    private float[] _x = [], _y = [], _g = [], _d = [];

    [Params(64, 8192)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(1);
        _x = GemmSquareBenchmarks.Random(rng, N);
        _g = GemmSquareBenchmarks.Random(rng, N);
        _y = new float[N];
        _d = new float[N];
        TensorPrimitives.Tanh(_x, _y);
    }

    [Benchmark(Baseline = true)]
    public void TanhTensorPrimitives() => TensorPrimitives.Tanh(_x, _d);

    [Benchmark]
    public void Tanh() => ActivationKernels.Apply<Tanh>(_x, _d);

    [Benchmark]
    public void Relu() => ActivationKernels.Apply<Relu>(_x, _d);

    [Benchmark]
    public void SwishTwoPasses()
    {
        // The former ensemble swish: σ into a buffer, then a product.
        TensorPrimitives.Sigmoid(_x, _d);
        TensorPrimitives.Multiply(_x, _d, _d);
    }

    [Benchmark]
    public void Swish() => ActivationKernels.Apply<Swish>(_x, _d);

    [Benchmark]
    public void TanhBackward() => ActivationKernels.MultiplyByDerivative<Tanh>(_y, _g, _d);
}
