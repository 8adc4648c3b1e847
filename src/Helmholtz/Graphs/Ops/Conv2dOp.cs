using System.Numerics.Tensors;
using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Ops;

/// <summary>A 2-D convolution (cross-correlation, as PyTorch's <c>nn.Conv2d</c>) with optional bias and fused activation.</summary>
/// <remarks>
/// Inputs: x [batch, C, H, W] (NCHW), W [O, C, kH, kW] (PyTorch layout) and optionally b [O]. Output
/// y [batch, O, outH, outW] with
/// y[n, o, i, j] = f( b[o] + Σ_{c,ky,kx} W[o, c, ky, kx] · x[n, c, i·sH − pH + ky, j·sW − pW + kx] ),
/// zero outside the image. Computed as im2col over a chunk of images followed by one GEMM, P·Wᵀ, whose rows are
/// (image, pixel); the result is transposed into NCHW. Backward, with g = dy ⊙ f′: db[o] += Σ g[·, o, ·, ·];
/// dW += gᵀ·P (the patch matrix is rebuilt, not kept); dx += col2im(g·W).
/// </remarks>
public sealed class Conv2dOp : Op, IRelaxableOp
{
    /// <summary>Upper bound on the patch-matrix elements held at once; larger batches are processed in chunks of images.</summary>
    private const int MaxColumnElements = 1 << 22;


    /// <summary>Creates a convolution with square stride and padding.</summary>
    public Conv2dOp(int stride = 1, int padding = 0, Activation activation = Activation.Identity)
        : this(stride, stride, padding, padding, activation)
    {
    }

    /// <summary>Creates a convolution with separate vertical and horizontal stride and padding.</summary>
    public Conv2dOp(int strideHeight, int strideWidth, int padHeight, int padWidth, Activation activation = Activation.Identity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(strideHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(strideWidth);
        ArgumentOutOfRangeException.ThrowIfNegative(padHeight);
        ArgumentOutOfRangeException.ThrowIfNegative(padWidth);
        StrideHeight = strideHeight;
        StrideWidth = strideWidth;
        PadHeight = padHeight;
        PadWidth = padWidth;
        Activation = ActivationKernels.RequireFusable(activation, nameof(activation));
    }

    /// <summary>Vertical stride.</summary>
    public int StrideHeight { get; }

    /// <summary>Horizontal stride.</summary>
    public int StrideWidth { get; }

    /// <summary>Zero rows added above and below.</summary>
    public int PadHeight { get; }

    /// <summary>Zero columns added left and right.</summary>
    public int PadWidth { get; }

    /// <summary>The fused nonlinearity f.</summary>
    public Activation Activation { get; }

    /// <inheritdoc />
    public override string Kind => "conv2d";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count is not (2 or 3))
        {
            throw new ArgumentException($"Op 'conv2d' takes x, W and optionally b; got {inputs.Count} input(s).");
        }

        Node x = inputs[0], w = inputs[1];
        RequireBatched(x);
        if (x.Shape.Length != 3 || w.Batched || w.Shape.Length != 4 || w.Shape[1] != x.Shape[0])
        {
            throw new ArgumentException(
                $"Op 'conv2d' needs x [batch, C, H, W] and W [out, C, kH, kW]; got x '{x.Name}' {FloatTensor.Format(x.Shape)} per sample and W '{w.Name}' {FloatTensor.Format(w.Shape)}.");
        }

        if (inputs.Count == 3 && (inputs[2].Batched || inputs[2].Shape.Length != 1 || inputs[2].Shape[0] != w.Shape[0]))
        {
            throw new ArgumentException($"Op 'conv2d' needs b [{w.Shape[0]}]; got '{inputs[2].Name}' {FloatTensor.Format(inputs[2].Shape)}.");
        }

        var g = Geometry(x.Shape[0], x.Shape[1], x.Shape[2], w.Shape[2], w.Shape[3]);
        g.Validate();
        return new OutputShape([w.Shape[0], g.OutHeight, g.OutWidth], true);
    }

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        ArgumentNullException.ThrowIfNull(context);
        FloatTensor x = inputs[0], w = inputs[1];
        var g = Geometry(x.Dim(1), x.Dim(2), x.Dim(3), w.Dim(2), w.Dim(3));
        int batch = x.Dim(0), outChannels = w.Dim(0), pixels = g.OutPixels, patch = g.PatchSize;
        int chunk = ChunkImages(g, batch);
        var y = output.Span;
        for (int n0 = 0; n0 < batch; n0 += chunk)
        {
            int images = Math.Min(chunk, batch - n0), rows = images * pixels;
            var columns = context.Scratch.Get(this, 0, rows * patch);
            var result = context.Scratch.Get(this, 1, rows * outChannels);
            Convolution.Im2Col(g, images, x.ReadOnlySpan.Slice(n0 * g.ImageSize, images * g.ImageSize), columns);
            Gemm.Multiply(Transpose.No, Transpose.Yes, rows, outChannels, patch, 1f, columns, patch, w.ReadOnlySpan, patch, 0f, result, outChannels, context.Threads);
            for (int n = 0; n < images; n++)
            {
                for (int o = 0; o < outChannels; o++)
                {
                    var plane = y.Slice(((n0 + n) * outChannels + o) * pixels, pixels);
                    float bias = inputs.Length == 3 ? inputs[2].ReadOnlySpan[o] : 0f;
                    for (int p = 0; p < pixels; p++)
                    {
                        plane[p] = result[((n * pixels) + p) * outChannels + o] + bias;
                    }
                }
            }
        }

        if (Activation != Activation.Identity)
        {
            ActivationKernels.Apply(Activation, y, y);
        }
    }

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(outputGradient);
        Backward(context, inputs[0], inputs[1], output, outputGradient, useDerivative: true,
            inputGradients[0], inputGradients[1], inputGradients.Length == 3 ? inputGradients[2] : null);
    }

    /// <inheritdoc />
    /// <remarks>dx += col2im(g·weights) with g = ε ⊙ f′ (or ε): the dx path of <see cref="Backward(OpContext, ReadOnlySpan{FloatTensor}, FloatTensor, FloatTensor, ReadOnlySpan{FloatTensor?})"/> with W replaced.</remarks>
    public void RelaxedBackward(OpContext context, FloatTensor x, FloatTensor weights, FloatTensor output, FloatTensor outputGradient, bool useDerivative, FloatTensor inputGradient)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(outputGradient);
        ArgumentNullException.ThrowIfNull(inputGradient);
        Backward(context, x, weights, output, outputGradient, useDerivative, inputGradient, null, null);
    }

    /// <summary>The VJP with g = dy ⊙ f′ (or dy) into whichever of dx, dW, db are given; dx goes through <paramref name="w"/>.</summary>
    private void Backward(OpContext context, FloatTensor x, FloatTensor w, FloatTensor output, FloatTensor outputGradient, bool useDerivative, FloatTensor? dx, FloatTensor? dw, FloatTensor? db)
    {
        var g = Geometry(x.Dim(1), x.Dim(2), x.Dim(3), w.Dim(2), w.Dim(3));
        int batch = x.Dim(0), outChannels = w.Dim(0), pixels = g.OutPixels, patch = g.PatchSize;
        ReadOnlySpan<float> local = outputGradient.ReadOnlySpan;
        if (useDerivative && Activation != Activation.Identity)
        {
            var buffer = context.Scratch.Get(this, 2, output.Length);
            ActivationKernels.MultiplyByDerivative(Activation, output.ReadOnlySpan, local, buffer);
            local = buffer;
        }

        if (db is not null)
        {
            var dbs = db.Span;
            for (int n = 0; n < batch; n++)
            {
                for (int o = 0; o < outChannels; o++)
                {
                    dbs[o] += TensorPrimitives.Sum(local.Slice(((n * outChannels) + o) * pixels, pixels));
                }
            }
        }

        if (dx is null && dw is null)
        {
            return;
        }

        int chunk = ChunkImages(g, batch);
        for (int n0 = 0; n0 < batch; n0 += chunk)
        {
            int images = Math.Min(chunk, batch - n0), rows = images * pixels;
            var columns = context.Scratch.Get(this, 0, rows * patch);
            var gradRows = context.Scratch.Get(this, 1, rows * outChannels);
            for (int n = 0; n < images; n++)
            {
                for (int o = 0; o < outChannels; o++)
                {
                    var plane = local.Slice(((n0 + n) * outChannels + o) * pixels, pixels);
                    for (int p = 0; p < pixels; p++)
                    {
                        gradRows[((n * pixels) + p) * outChannels + o] = plane[p];
                    }
                }
            }

            if (dw is not null)
            {
                Convolution.Im2Col(g, images, x.ReadOnlySpan.Slice(n0 * g.ImageSize, images * g.ImageSize), columns);
                Gemm.Multiply(Transpose.Yes, Transpose.No, outChannels, patch, rows, 1f, gradRows, outChannels, columns, patch, 1f, dw.Span, patch, context.Threads);
            }

            if (dx is not null)
            {
                // The patch buffer is free again once dW has been accumulated, so it receives the patch gradients.
                Gemm.Multiply(Transpose.No, Transpose.No, rows, patch, outChannels, 1f, gradRows, outChannels, w.ReadOnlySpan, patch, 0f, columns, patch, context.Threads);
                Convolution.Col2ImAdd(g, images, columns, dx.Span.Slice(n0 * g.ImageSize, images * g.ImageSize));
            }
        }
    }

    private Conv2dGeometry Geometry(int channels, int height, int width, int kernelHeight, int kernelWidth) =>
        new(channels, height, width, kernelHeight, kernelWidth, StrideHeight, StrideWidth, PadHeight, PadWidth);

    private static int ChunkImages(in Conv2dGeometry g, int batch) =>
        Math.Clamp(MaxColumnElements / Math.Max(1, g.OutPixels * g.PatchSize), 1, batch);

}

/// <summary>Max pooling over NCHW images: y[n, c, i, j] = max_{ky,kx} x[n, c, i·s + ky, j·s + kx] (no padding).</summary>
/// <remarks>
/// Backward: each dy[n, c, i, j] is added to the input pixel that held the window's maximum, found again from x
/// (the first maximum in row-major order, as PyTorch), so no argmax indices are kept between calls.
/// </remarks>
public sealed class MaxPool2dOp(int kernel, int? stride = null) : Op
{
    /// <summary>The square window size.</summary>
    public int KernelSize { get; } = kernel > 0 ? kernel : throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "The pooling window must be positive.");

    /// <summary>The stride (defaults to the window size, as in PyTorch).</summary>
    public int Stride { get; } = stride is null or > 0 ? stride ?? kernel : throw new ArgumentOutOfRangeException(nameof(stride), stride, "The pooling stride must be positive.");

    /// <inheritdoc />
    public override string Kind => "max_pool2d";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs) => Pooling.InferShape(this, inputs, KernelSize, Stride);

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        var x = inputs[0];
        Convolution.MaxPool2d(Pooling.Geometry(x, KernelSize, Stride), x.Dim(0) * x.Dim(1), x.ReadOnlySpan, output.Span);
    }

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var x = inputs[0];
        if (inputGradients[0] is { } dx)
        {
            Convolution.MaxPool2dBackwardAdd(Pooling.Geometry(x, KernelSize, Stride), x.Dim(0) * x.Dim(1), x.ReadOnlySpan, outputGradient.ReadOnlySpan, dx.Span);
        }
    }
}

/// <summary>Average pooling over NCHW images: y[n, c, i, j] = (1/k²) Σ_{ky,kx} x[n, c, i·s + ky, j·s + kx] (no padding).</summary>
/// <remarks>Backward: every pixel of a window receives dy[n, c, i, j] / k².</remarks>
public sealed class AvgPool2dOp(int kernel, int? stride = null) : Op
{
    /// <summary>The square window size.</summary>
    public int KernelSize { get; } = kernel > 0 ? kernel : throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "The pooling window must be positive.");

    /// <summary>The stride (defaults to the window size, as in PyTorch).</summary>
    public int Stride { get; } = stride is null or > 0 ? stride ?? kernel : throw new ArgumentOutOfRangeException(nameof(stride), stride, "The pooling stride must be positive.");

    /// <inheritdoc />
    public override string Kind => "avg_pool2d";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs) => Pooling.InferShape(this, inputs, KernelSize, Stride);

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        var x = inputs[0];
        Convolution.AvgPool2d(Pooling.Geometry(x, KernelSize, Stride), x.Dim(0) * x.Dim(1), x.ReadOnlySpan, output.Span);
    }

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var x = inputs[0];
        if (inputGradients[0] is { } dx)
        {
            Convolution.AvgPool2dBackwardAdd(Pooling.Geometry(x, KernelSize, Stride), x.Dim(0) * x.Dim(1), outputGradient.ReadOnlySpan, dx.Span);
        }
    }
}

internal static class Pooling
{
    public static Pool2dGeometry Geometry(FloatTensor x, int kernel, int stride) => new(x.Dim(2), x.Dim(3), kernel, kernel, stride, stride);

    public static OutputShape InferShape(Op op, IReadOnlyList<Node> inputs, int kernel, int stride)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != 1 || !inputs[0].Batched || inputs[0].Shape.Length != 3)
        {
            throw new ArgumentException($"Op '{op.Kind}' takes one batched input [batch, C, H, W].");
        }

        var s = inputs[0].Shape;
        var g = new Pool2dGeometry(s[1], s[2], kernel, kernel, stride, stride);
        try
        {
            g.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Op '{op.Kind}' on '{inputs[0].Name}' {FloatTensor.Format(s)}: {ex.Message}", ex);
        }

        return new OutputShape([s[0], g.OutHeight, g.OutWidth], true);
    }
}
