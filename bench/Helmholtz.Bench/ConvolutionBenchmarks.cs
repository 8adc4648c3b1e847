using BenchmarkDotNet.Attributes;
using Helmholtz.Graphs;
using Helmholtz.Graphs.Ops;
using Helmholtz.Tensors;

namespace Helmholtz.Bench;

/// <summary>
/// The two convolutions of LeNet (<c>train --model cnn</c>) at batch 64, ReLU fused: forward (im2col, GEMM, bias,
/// activation) and the vector–Jacobian product into x, W and b (one thread).
/// </summary>
[MemoryDiagnoser]
public class ConvolutionBenchmarks
{
    private const int Batch = 64;
    private readonly OpContext _context = new();
    private Conv2dOp _op = null!;
    private FloatTensor[] _inputs = [];
    private FloatTensor?[] _gradients = [];
    private FloatTensor _output = null!, _outputGradient = null!;

    /// <summary>conv1: 1→6 channels, 28×28 → 28×28, 5×5, padding 2; conv2: 6→16 channels, 14×14 → 10×10, 5×5, no padding.</summary>
    [Params("conv1", "conv2")]
    public string Layer { get; set; } = "conv1";

    [GlobalSetup]
    public void Setup()
    {
        bool first = Layer == "conv1";
        int c = first ? 1 : 6, size = first ? 28 : 14, outChannels = first ? 6 : 16, padding = first ? 2 : 0;
        int outSize = size + (2 * padding) - 4;
        _op = new Conv2dOp(stride: 1, padding: padding, activation: Activation.Relu);
        var rng = new Rng(3);
        _inputs =
        [
            new FloatTensor(GemmSquareBenchmarks.Random(rng, Batch * c * size * size), Batch, c, size, size),
            new FloatTensor(GemmSquareBenchmarks.Random(rng, outChannels * c * 25), outChannels, c, 5, 5),
            new FloatTensor(GemmSquareBenchmarks.Random(rng, outChannels), outChannels),
        ];
        _gradients = [new FloatTensor(Batch, c, size, size), new FloatTensor(outChannels, c, 5, 5), new FloatTensor(outChannels)];
        _output = new FloatTensor(Batch, outChannels, outSize, outSize);
        _outputGradient = new FloatTensor(GemmSquareBenchmarks.Random(rng, _output.Length), Batch, outChannels, outSize, outSize);
        _op.Forward(_context, _inputs, _output);
    }

    [Benchmark]
    public void Forward() => _op.Forward(_context, _inputs, _output);

    /// <summary>dx, dW and db (accumulated, as the op's contract says) from the output cotangent and the forward output.</summary>
    [Benchmark]
    public void Backward() => _op.Backward(_context, _inputs, _output, _outputGradient, _gradients);
}
