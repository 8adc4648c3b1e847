using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Builders;

/// <summary>How a <see cref="Cnn"/> downsamples after each convolution.</summary>
public enum PoolingKind
{
    /// <summary>Max pooling (<see cref="Ops.MaxPool2dOp"/>).</summary>
    Max,

    /// <summary>Average pooling (<see cref="Ops.AvgPool2dOp"/>).</summary>
    Average,
}

/// <summary>Options of <see cref="Cnn"/>, a LeNet-5-style network; the defaults are LeNet for 1×28×28 images.</summary>
/// <param name="Channels">Image channels C.</param>
/// <param name="Height">Image height H.</param>
/// <param name="Width">Image width W.</param>
/// <param name="Conv1Channels">Output channels of the first convolution (6).</param>
/// <param name="Conv2Channels">Output channels of the second convolution (16).</param>
/// <param name="KernelSize">Square kernel of both convolutions (5).</param>
/// <param name="Conv1Padding">Zero padding of the first convolution (2, so 28×28 stays 28×28).</param>
/// <param name="PoolSize">Window and stride of both poolings (2).</param>
/// <param name="HiddenSizes">Widths of the hidden fully connected layers (null = [120, 84]).</param>
/// <param name="OutputSize">Outputs (10 classes).</param>
/// <param name="Activation">Nonlinearity after each convolution and hidden linear layer.</param>
/// <param name="Pooling">Max or average pooling.</param>
/// <param name="Loss">The training loss.</param>
public sealed record CnnOptions(
    int Channels = 1, int Height = 28, int Width = 28, int Conv1Channels = 6, int Conv2Channels = 16, int KernelSize = 5,
    int Conv1Padding = 2, int PoolSize = 2, IReadOnlyList<int>? HiddenSizes = null, int OutputSize = 10,
    Activation Activation = Activation.Relu, PoolingKind Pooling = PoolingKind.Max, LossKind Loss = LossKind.CrossEntropy);

/// <summary>A LeNet-style convolutional network: (conv → act → pool) × 2 → flatten → linear layers.</summary>
/// <remarks>
/// Nodes: input "x" [C·H·W] (a flattened image, like the MLP's), "image" [C, H, W] (its reshape; no parameters),
/// "conv1" (activation fused), "pool1", "conv2", "pool2", "flatten", "fc1" … "fc{n+1}" (the last linear), target "y",
/// loss "loss". Parameters, in PyTorch's names and layouts: <c>conv1.weight</c> [c1, C, k, k], <c>conv1.bias</c>,
/// <c>conv2.weight</c> [c2, c1, k, k], <c>conv2.bias</c>, <c>fc{i}.weight</c> [out, in], <c>fc{i}.bias</c>.
/// Initialisation as PyTorch's <c>nn.Conv2d</c> / <c>nn.Linear</c>: U(−1/√fan_in, 1/√fan_in) with
/// fan_in = in·k·k for convolutions, drawn in the order listed. The PyTorch module is in docs/engine.md.
/// </remarks>
public static class Cnn
{
    /// <summary>Builds the network; parameters are drawn from <paramref name="rng"/>.</summary>
    /// <exception cref="ArgumentException">A size is not positive or the image is too small for the layers.</exception>
    public static Model Build(CnnOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        var o = options;
        BuilderParts.Positive(o.Channels, nameof(o.Channels));
        BuilderParts.Positive(o.Height, nameof(o.Height));
        BuilderParts.Positive(o.Width, nameof(o.Width));
        BuilderParts.Positive(o.Conv1Channels, nameof(o.Conv1Channels));
        BuilderParts.Positive(o.Conv2Channels, nameof(o.Conv2Channels));
        BuilderParts.Positive(o.KernelSize, nameof(o.KernelSize));
        BuilderParts.Positive(o.PoolSize, nameof(o.PoolSize));
        BuilderParts.Positive(o.OutputSize, nameof(o.OutputSize));
        var hidden = o.HiddenSizes ?? [120, 84];

        var b = new GraphBuilder();
        var x = b.Input("x", o.Channels * o.Height * o.Width);
        var h = b.Reshape(x, [o.Channels, o.Height, o.Width], "image");
        int k = o.KernelSize;
        double bound1 = 1 / Math.Sqrt(o.Channels * k * k);
        var w1 = b.Parameter("conv1.weight", BuilderParts.Uniform(rng, bound1, o.Conv1Channels, o.Channels, k, k));
        var b1 = b.Parameter("conv1.bias", BuilderParts.Uniform(rng, bound1, o.Conv1Channels));
        h = b.Conv2d(h, w1, b1, stride: 1, padding: o.Conv1Padding, activation: o.Activation, name: "conv1");
        h = Pool(b, h, o, "pool1");
        double bound2 = 1 / Math.Sqrt(o.Conv1Channels * k * k);
        var w2 = b.Parameter("conv2.weight", BuilderParts.Uniform(rng, bound2, o.Conv2Channels, o.Conv1Channels, k, k));
        var b2 = b.Parameter("conv2.bias", BuilderParts.Uniform(rng, bound2, o.Conv2Channels));
        h = b.Conv2d(h, w2, b2, activation: o.Activation, name: "conv2");
        h = Pool(b, h, o, "pool2");
        h = b.Flatten(h, "flatten");
        int width = h.Shape[0];
        for (int i = 0; i <= hidden.Count; i++)
        {
            bool last = i == hidden.Count;
            int next = last ? o.OutputSize : hidden[i];
            BuilderParts.Positive(next, $"{nameof(o.HiddenSizes)}[{i}]");
            var (w, bias) = BuilderParts.Linear(b, rng, $"fc{i + 1}", width, next);
            h = b.Dense(h, w, bias, last ? Activation.Identity : o.Activation, $"fc{i + 1}");
            width = next;
        }

        return BuilderParts.Finish(b, x, h, o.Loss);
    }

    private static Node Pool(GraphBuilder b, Node h, CnnOptions o, string name) => o.Pooling switch
    {
        PoolingKind.Max => b.MaxPool2d(h, o.PoolSize, name: name),
        PoolingKind.Average => b.AvgPool2d(h, o.PoolSize, name: name),
        _ => throw new ArgumentOutOfRangeException(nameof(o), o.Pooling, "Unknown pooling."),
    };
}
