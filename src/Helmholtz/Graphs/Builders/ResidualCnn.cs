using System.Globalization;
using Helmholtz.Graphs.Ops;
using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Builders;

/// <summary>Options of <see cref="ResidualCnn"/>.</summary>
/// <param name="Channels">Image channels C.</param>
/// <param name="Height">Image height.</param>
/// <param name="Width">Image width.</param>
/// <param name="Filters">Channels F of the residual stream.</param>
/// <param name="Depth">Weight layers H ≥ 2: the stem convolution, H − 2 residual blocks, the readout.</param>
/// <param name="KernelSize">Odd square kernel k of every convolution (padding k/2 keeps the size).</param>
/// <param name="PoolSize">Average-pooling window and stride after the stem (1: none).</param>
/// <param name="OutputSize">Outputs (10 classes).</param>
/// <param name="Activation">The nonlinearity φ at the start of each block and before the readout.</param>
/// <param name="Loss">The training loss.</param>
/// <param name="Parametrisation">Block and readout multipliers and initialisation.</param>
public sealed record ResidualCnnOptions(
    int Channels = 1, int Height = 28, int Width = 28, int Filters = 16, int Depth = 6, int KernelSize = 3, int PoolSize = 2, int OutputSize = 10,
    Activation Activation = Activation.Relu, LossKind Loss = LossKind.Mse, Parametrisation Parametrisation = Parametrisation.Standard);

/// <summary>A residual CNN: a stem convolution, H − 2 blocks z ← z + a_h·conv(φ(z)), global average pooling, a scaled readout.</summary>
/// <remarks>
/// <para>Nodes: "image" (reshape of "x"), "stem" (conv k×k, C → F, padding k/2), "stem.pool" (when PoolSize &gt; 1); per block l
/// (1 … H − 2): "blocks.{l}.act" = φ(z), "blocks.{l}.conv" (F → F), "blocks.{l}" = z + a_h·conv (<see cref="ScaledAddOp"/>);
/// "pool" (global average), "flatten", "fc" = a_H·W φ(·) (<see cref="ScaledDenseOp"/>, no bias). Predictive coding has three
/// value nodes per block. Parameters: <c>stem.weight</c> [F, C, k, k], <c>stem.bias</c>, <c>blocks.{l}.weight</c>
/// [F, F, k, k], <c>blocks.{l}.bias</c>, <c>fc.weight</c> [out, F].</para>
/// <para>Multipliers follow <see cref="ResidualMlp"/> with the block's fan-in F·k² as its width: standard a_h = a_H = 1 with
/// PyTorch's U(±1/√fan_in); μPC a_h = 1/√(F·k²·H), a_H = 1/F and NTK a_H = 1/√F, with N(0, 1) block and readout
/// weights and zero block biases. The stem keeps PyTorch's initialisation and no multiplier in every parametrisation
/// (<see cref="Ops.Conv2dOp"/> has none), a departure from μPC's input scaling 1/√D.</para>
/// </remarks>
public static class ResidualCnn
{
    /// <summary>Builds the network; parameters are drawn from <paramref name="rng"/> in the order listed.</summary>
    /// <exception cref="ArgumentException">A size is not positive, the kernel is even, the depth is below 2, or the pooling does not divide the image.</exception>
    public static Model Build(ResidualCnnOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        var o = options;
        BuilderParts.Positive(o.Channels, nameof(o.Channels));
        BuilderParts.Positive(o.Height, nameof(o.Height));
        BuilderParts.Positive(o.Width, nameof(o.Width));
        BuilderParts.Positive(o.Filters, nameof(o.Filters));
        BuilderParts.Positive(o.KernelSize, nameof(o.KernelSize));
        BuilderParts.Positive(o.PoolSize, nameof(o.PoolSize));
        BuilderParts.Positive(o.OutputSize, nameof(o.OutputSize));
        if (o.Depth < 2 || o.KernelSize % 2 == 0 || o.Height % o.PoolSize != 0 || o.Width % o.PoolSize != 0)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Options Depth ≥ 2, an odd KernelSize and a PoolSize dividing the image are needed; got Depth {o.Depth}, KernelSize {o.KernelSize}, PoolSize {o.PoolSize} for {o.Height}×{o.Width}."));
        }

        int k = o.KernelSize, pad = k / 2, f = o.Filters;
        double fanIn = (double)f * k * k;
        var (aHidden, aOut) = o.Parametrisation switch
        {
            Parametrisation.Standard => (1.0, 1.0),
            Parametrisation.MuPC => (1 / Math.Sqrt(fanIn * o.Depth), 1.0 / f),
            Parametrisation.Ntk => (1 / Math.Sqrt(fanIn * o.Depth), 1 / Math.Sqrt(f)),
            _ => throw new ArgumentOutOfRangeException(nameof(options), o.Parametrisation, "Unknown parametrisation."),
        };
        bool gaussian = o.Parametrisation != Parametrisation.Standard;
        var b = new GraphBuilder();
        var x = b.Input("x", o.Channels * o.Height * o.Width);
        var h = b.Reshape(x, [o.Channels, o.Height, o.Width], "image");
        double stemBound = 1 / Math.Sqrt(o.Channels * k * k);
        var ws = b.Parameter("stem.weight", BuilderParts.Uniform(rng, stemBound, f, o.Channels, k, k));
        var bs = b.Parameter("stem.bias", BuilderParts.Uniform(rng, stemBound, f));
        h = b.Conv2d(h, ws, bs, stride: 1, padding: pad, name: "stem");
        if (o.PoolSize > 1)
        {
            h = b.AvgPool2d(h, o.PoolSize, name: "stem.pool");
        }

        for (int l = 1; l <= o.Depth - 2; l++)
        {
            var act = b.Activate(h, o.Activation, $"blocks.{l}.act");
            Node w, bias;
            if (gaussian)
            {
                var weight = new FloatTensor(f, f, k, k);
                rng.FillGaussian(weight.Span);
                w = b.Parameter($"blocks.{l}.weight", weight);
                bias = b.Parameter($"blocks.{l}.bias", new FloatTensor(f));
            }
            else
            {
                w = b.Parameter($"blocks.{l}.weight", BuilderParts.Uniform(rng, 1 / Math.Sqrt(fanIn), f, f, k, k));
                bias = b.Parameter($"blocks.{l}.bias", BuilderParts.Uniform(rng, 1 / Math.Sqrt(fanIn), f));
            }

            var conv = b.Conv2d(act, w, bias, stride: 1, padding: pad, name: $"blocks.{l}.conv");
            h = b.Apply(new ScaledAddOp((float)aHidden), $"blocks.{l}", h, conv);
        }

        h = b.Flatten(b.AvgPool2d(h, h.Shape[1], name: "pool"), "flatten");
        FloatTensor readout;
        if (gaussian)
        {
            readout = new FloatTensor(o.OutputSize, f);
            rng.FillGaussian(readout.Span);
        }
        else
        {
            readout = BuilderParts.Uniform(rng, 1 / Math.Sqrt(f), o.OutputSize, f);
        }

        var output = b.Apply(new ScaledDenseOp(o.Activation, (float)aOut, residual: false), "fc", h, b.Parameter("fc.weight", readout));
        return BuilderParts.Finish(b, x, output, o.Loss);
    }
}
