using System.Numerics.Tensors;
using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Ops;

/// <summary>Elementwise sum y = a + b of two inputs of equal shape (both batched or both unbatched).</summary>
/// <remarks>Backward: da += dy, db += dy.</remarks>
public sealed class AddOp : Op
{
    /// <inheritdoc />
    public override string Kind => "add";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs) => SameShapes.Infer(this, inputs);

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output) =>
        TensorPrimitives.Add(inputs[0].ReadOnlySpan, inputs[1].ReadOnlySpan, output.Span);

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        for (int k = 0; k < 2; k++)
        {
            if (inputGradients[k] is { } d)
            {
                TensorPrimitives.Add(d.Span, outputGradient.ReadOnlySpan, d.Span);
            }
        }
    }
}

/// <summary>Elementwise (Hadamard) product y = a ⊙ b of two inputs of equal shape.</summary>
/// <remarks>Backward: da += dy ⊙ b, db += dy ⊙ a.</remarks>
public sealed class MultiplyOp : Op
{
    /// <inheritdoc />
    public override string Kind => "multiply";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs) => SameShapes.Infer(this, inputs);

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output) =>
        TensorPrimitives.Multiply(inputs[0].ReadOnlySpan, inputs[1].ReadOnlySpan, output.Span);

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        for (int k = 0; k < 2; k++)
        {
            if (inputGradients[k] is { } d)
            {
                TensorPrimitives.MultiplyAdd(outputGradient.ReadOnlySpan, inputs[1 - k].ReadOnlySpan, d.Span, d.Span);
            }
        }
    }
}

/// <summary>Adds a per-channel bias: y[n, c, …] = x[n, c, …] + b[c], broadcast over the trailing per-sample axes.</summary>
/// <remarks>
/// Inputs: batched x with per-sample shape [C, …] and an unbatched b [C]. For a dense layer's output [batch, C] this
/// is the usual bias; for an image [batch, C, H, W] it is <c>nn.Conv2d</c>'s bias.
/// Backward: dx += dy, db[c] += Σ_{n,…} dy[n, c, …].
/// </remarks>
public sealed class BiasAddOp : Op
{
    /// <inheritdoc />
    public override string Kind => "bias_add";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        RequireInputCount(inputs, 2);
        Node x = inputs[0], b = inputs[1];
        RequireBatched(x);
        if (x.Shape.Length == 0 || b.Batched || b.Shape.Length != 1 || b.Shape[0] != x.Shape[0])
        {
            throw new ArgumentException(
                $"Op 'bias_add' needs x [batch, C, …] and b [C]; got x '{x.Name}' {FloatTensor.Format(x.Shape)} per sample and b '{b.Name}' {FloatTensor.Format(b.Shape)}.");
        }

        return new OutputShape((int[])x.Shape.Clone(), true);
    }

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        ReadOnlySpan<float> x = inputs[0].ReadOnlySpan, b = inputs[1].ReadOnlySpan;
        var y = output.Span;
        int channels = b.Length, inner = x.Length / inputs[0].Dim(0) / channels;
        for (int row = 0, offset = 0; offset < x.Length; row++, offset += inner)
        {
            TensorPrimitives.Add(x.Slice(offset, inner), b[row % channels], y.Slice(offset, inner));
        }
    }

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var dy = outputGradient.ReadOnlySpan;
        if (inputGradients[0] is { } dx)
        {
            TensorPrimitives.Add(dx.Span, dy, dx.Span);
        }

        if (inputGradients[1] is { } db)
        {
            var dbs = db.Span;
            int channels = dbs.Length, inner = dy.Length / inputs[0].Dim(0) / channels;
            for (int row = 0, offset = 0; offset < dy.Length; row++, offset += inner)
            {
                dbs[row % channels] += TensorPrimitives.Sum(dy.Slice(offset, inner));
            }
        }
    }
}

/// <summary>A matrix product without bias: y = x·Wᵀ, for x [batch, in] and W [out, in] (PyTorch's <c>nn.Linear</c> layout).</summary>
/// <remarks>
/// The batched-by-parameter product is the one every layer needs; a general A·B of two batched nodes is not offered.
/// Backward: dx += dy·W, dW += dyᵀ·x. Equivalent to <see cref="DenseOp"/> with no bias and the identity activation.
/// </remarks>
public sealed class MatMulOp : Op
{
    /// <inheritdoc />
    public override string Kind => "matmul";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        RequireInputCount(inputs, 2);
        Node x = inputs[0], w = inputs[1];
        RequireBatched(x);
        if (x.Shape.Length != 1 || w.Batched || w.Shape.Length != 2 || w.Shape[1] != x.Shape[0])
        {
            throw new ArgumentException(
                $"Op 'matmul' needs x [batch, in] and W [out, in]; got x '{x.Name}' {FloatTensor.Format(x.Shape)} per sample and W '{w.Name}' {FloatTensor.Format(w.Shape)}.");
        }

        return new OutputShape([w.Shape[0]], true);
    }

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        ArgumentNullException.ThrowIfNull(context);
        FloatTensor x = inputs[0], w = inputs[1];
        int batch = x.Dim(0), fanIn = w.Dim(1), fanOut = w.Dim(0);
        Gemm.Multiply(
            Transpose.No, Transpose.Yes, batch, fanOut, fanIn,
            1f, x.ReadOnlySpan, fanIn, w.ReadOnlySpan, fanIn, 0f, output.Span, fanOut, context.Threads);
    }

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(outputGradient);
        FloatTensor x = inputs[0], w = inputs[1];
        int batch = x.Dim(0), fanIn = w.Dim(1), fanOut = w.Dim(0);
        if (inputGradients[0] is { } dx)
        {
            Gemm.Multiply(
                Transpose.No, Transpose.No, batch, fanIn, fanOut,
                1f, outputGradient.ReadOnlySpan, fanOut, w.ReadOnlySpan, fanIn, 1f, dx.Span, fanIn, context.Threads);
        }

        if (inputGradients[1] is { } dw)
        {
            Gemm.Multiply(
                Transpose.Yes, Transpose.No, fanOut, fanIn, batch,
                1f, outputGradient.ReadOnlySpan, fanOut, x.ReadOnlySpan, fanIn, 1f, dw.Span, fanIn, context.Threads);
        }
    }
}

/// <summary>Softmax over the last per-sample axis: y_j = e^{x_j} / Σ_k e^{x_k} along each row.</summary>
/// <remarks>Backward (per row): dx_j += y_j (dy_j − Σ_k dy_k y_k).</remarks>
public sealed class SoftmaxOp : Op
{
    /// <inheritdoc />
    public override string Kind => "softmax";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        RequireInputCount(inputs, 1);
        if (inputs[0].Shape.Length == 0 || inputs[0].Shape[^1] == 0)
        {
            throw new ArgumentException($"Op 'softmax' needs a non-empty last axis; '{inputs[0].Name}' has shape {FloatTensor.Format(inputs[0].Shape)}.");
        }

        return new OutputShape((int[])inputs[0].Shape.Clone(), inputs[0].Batched);
    }

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        ReadOnlySpan<float> x = inputs[0].ReadOnlySpan;
        var y = output.Span;
        int n = inputs[0].Dim(-1);
        for (int offset = 0; offset < x.Length; offset += n)
        {
            Softmax(x.Slice(offset, n), y.Slice(offset, n));
        }
    }

    /// <summary>destination = softmax(x), computed as e^{x − max x} / Σ e^{x − max x} so large logits do not overflow.</summary>
    /// <remarks>TensorPrimitives.SoftMax does not subtract the maximum and returns NaN for logits near 100 and above.</remarks>
    internal static void Softmax(ReadOnlySpan<float> x, Span<float> destination)
    {
        float max = TensorPrimitives.Max(x);
        TensorPrimitives.Subtract(x, max, destination);
        TensorPrimitives.Exp(destination, destination);
        TensorPrimitives.Divide(destination, TensorPrimitives.Sum(destination), destination);
    }

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (inputGradients[0] is not { } dxTensor)
        {
            return;
        }

        ReadOnlySpan<float> y = output.ReadOnlySpan, dy = outputGradient.ReadOnlySpan;
        var dx = dxTensor.Span;
        int n = output.Dim(-1);
        for (int offset = 0; offset < y.Length; offset += n)
        {
            var yr = y.Slice(offset, n);
            var dyr = dy.Slice(offset, n);
            var dxr = dx.Slice(offset, n);
            float dot = TensorPrimitives.Dot(dyr, yr);
            for (int j = 0; j < n; j++)
            {
                dxr[j] += yr[j] * (dyr[j] - dot);
            }
        }
    }
}

/// <summary>Shared shape rule of the binary elementwise ops.</summary>
internal static class SameShapes
{
    public static OutputShape Infer(Op op, IReadOnlyList<Node> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != 2)
        {
            throw new ArgumentException($"Op '{op.Kind}' takes 2 inputs, got {inputs.Count}.");
        }

        Node a = inputs[0], b = inputs[1];
        if (a.Batched != b.Batched || !a.Shape.AsSpan().SequenceEqual(b.Shape))
        {
            throw new ArgumentException(
                $"Op '{op.Kind}' needs two inputs of equal shape (both batched or both not); got '{a.Name}' {FloatTensor.Format(a.Shape)}{(a.Batched ? " per sample" : "")} and '{b.Name}' {FloatTensor.Format(b.Shape)}{(b.Batched ? " per sample" : "")}.");
        }

        return new OutputShape((int[])a.Shape.Clone(), a.Batched);
    }
}
