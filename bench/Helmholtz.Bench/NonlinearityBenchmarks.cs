using BenchmarkDotNet.Attributes;
using Helmholtz.Tensors;

namespace Helmholtz.Bench;

/// <summary>
/// The activation kernels as the ops call them (by <see cref="Activation"/>): y = f(x) and the backward product
/// g ⊙ f′ from the output y, on a hidden layer of a batch of 64 (64×128) and on a LeNet conv1 output (64×6×28×28).
/// </summary>
[MemoryDiagnoser]
public class NonlinearityBenchmarks
{
    private float[] _x = [], _y = [], _g = [], _d = [];

    [Params(Activation.Tanh, Activation.Relu, Activation.Sigmoid)]
    public Activation Function { get; set; }

    [Params(8192, 301056)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(4);
        _x = GemmSquareBenchmarks.Random(rng, N);
        _g = GemmSquareBenchmarks.Random(rng, N);
        _y = new float[N];
        _d = new float[N];
        ActivationKernels.Apply(Function, _x, _y);
    }

    [Benchmark]
    public void Forward() => ActivationKernels.Apply(Function, _x, _d);

    [Benchmark]
    public void Derivative() => ActivationKernels.MultiplyByDerivative(Function, _y, _g, _d);
}
