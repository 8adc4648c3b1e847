using System.Numerics.Tensors;
using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Ops;

/// <summary>Gives each sample a new shape with the same elements in the same row-major order (reshape / flatten).</summary>
/// <remarks>
/// One entry of the target shape may be −1 and is then inferred. The output is a copy (every node owns its buffer).
/// Backward: dx += dy (same flat layout).
/// </remarks>
public sealed class ReshapeOp : Op
{
    private readonly int[] _shape;

    /// <summary>Creates a reshape to the per-sample <paramref name="sampleShape"/> (one entry may be −1).</summary>
    public ReshapeOp(params int[] sampleShape)
    {
        ArgumentNullException.ThrowIfNull(sampleShape);
        if (sampleShape.Count(d => d == -1) > 1 || sampleShape.Any(d => d < -1))
        {
            throw new ArgumentException($"A reshape target may hold one −1 and otherwise non-negative sizes; got {FloatTensor.Format(sampleShape)}.", nameof(sampleShape));
        }

        _shape = (int[])sampleShape.Clone();
    }

    /// <summary>A reshape to one axis of all the per-sample elements (PyTorch's <c>flatten(1)</c>).</summary>
    public static ReshapeOp Flatten() => new(-1);

    /// <summary>The requested per-sample shape (possibly with one −1).</summary>
    public ReadOnlySpan<int> SampleShape => _shape;

    /// <inheritdoc />
    public override string Kind => "reshape";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        RequireInputCount(inputs, 1);
        var x = inputs[0];
        var shape = (int[])_shape.Clone();
        long known = 1;
        foreach (int d in shape)
        {
            known *= d == -1 ? 1 : d;
        }

        int free = Array.IndexOf(shape, -1);
        if (free >= 0 && known > 0 && x.SampleSize % known == 0)
        {
            shape[free] = (int)(x.SampleSize / known);
            known *= shape[free];
        }

        if (free >= 0 ? shape[free] == -1 || known != x.SampleSize : known != x.SampleSize)
        {
            throw new ArgumentException(
                $"Op 'reshape' cannot give '{x.Name}' {FloatTensor.Format(x.Shape)} ({x.SampleSize} elements) the shape {FloatTensor.Format(_shape)}.");
        }

        return new OutputShape(shape, x.Batched);
    }

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output) =>
        inputs[0].ReadOnlySpan.CopyTo(output.Span);

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (inputGradients[0] is { } dx)
        {
            TensorPrimitives.Add(dx.Span, outputGradient.ReadOnlySpan, dx.Span);
        }
    }
}

/// <summary>Joins batched inputs along a per-sample axis: y = [x₀ | x₁ | …] (PyTorch's <c>torch.cat(…, dim=axis+1)</c>).</summary>
/// <remarks>Inputs agree in every per-sample axis except <see cref="Axis"/>. Backward: each dx_k += its block of dy.</remarks>
public sealed class ConcatOp : Op
{
    /// <summary>Creates a concatenation along per-sample axis <paramref name="axis"/> (0 = first axis after the batch).</summary>
    public ConcatOp(int axis = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(axis);
        Axis = axis;
    }

    /// <summary>The per-sample axis joined along.</summary>
    public int Axis { get; }

    /// <inheritdoc />
    public override string Kind => "concat";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0)
        {
            throw new ArgumentException("Op 'concat' needs at least one input.");
        }

        var first = inputs[0];
        var shape = (int[])first.Shape.Clone();
        if (Axis >= shape.Length)
        {
            throw new ArgumentException($"Op 'concat' along per-sample axis {Axis} needs rank > {Axis}; '{first.Name}' has shape {FloatTensor.Format(first.Shape)}.");
        }

        shape[Axis] = 0;
        foreach (var x in inputs)
        {
            RequireBatched(x);
            bool fits = x.Shape.Length == shape.Length;
            for (int d = 0; fits && d < shape.Length; d++)
            {
                fits = d == Axis || x.Shape[d] == first.Shape[d];
            }

            if (!fits)
            {
                throw new ArgumentException(
                    $"Op 'concat' along axis {Axis}: '{x.Name}' {FloatTensor.Format(x.Shape)} does not match '{first.Name}' {FloatTensor.Format(first.Shape)} in the other axes.");
            }

            shape[Axis] += x.Shape[Axis];
        }

        return new OutputShape(shape, true);
    }

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        var y = output.Span;
        int outer = Outer(output), yBlock = output.Length / outer, offset = 0;
        foreach (var x in inputs)
        {
            int block = x.Length / outer;
            var xs = x.ReadOnlySpan;
            for (int o = 0; o < outer; o++)
            {
                xs.Slice(o * block, block).CopyTo(y.Slice((o * yBlock) + offset, block));
            }

            offset += block;
        }
    }

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var dy = outputGradient.ReadOnlySpan;
        int outer = Outer(output), yBlock = output.Length / outer, offset = 0;
        for (int k = 0; k < inputs.Length; k++)
        {
            int block = inputs[k].Length / outer;
            if (inputGradients[k] is { } dx)
            {
                var dxs = dx.Span;
                for (int o = 0; o < outer; o++)
                {
                    var d = dxs.Slice(o * block, block);
                    TensorPrimitives.Add(d, dy.Slice((o * yBlock) + offset, block), d);
                }
            }

            offset += block;
        }
    }

    /// <summary>Number of blocks: batch × the per-sample axes before <see cref="Axis"/>.</summary>
    private int Outer(FloatTensor output)
    {
        int outer = 1;
        for (int d = 0; d <= Axis; d++)
        {
            outer *= output.Dim(d);
        }

        return outer;
    }
}

/// <summary>A contiguous range along a per-sample axis: y = x[:, …, start : start + length, …].</summary>
/// <remarks>Backward: dx[…, start : start + length, …] += dy, zero elsewhere.</remarks>
public sealed class SliceOp : Op
{
    /// <summary>Creates a slice of <paramref name="length"/> entries from <paramref name="start"/> along per-sample <paramref name="axis"/>.</summary>
    public SliceOp(int axis, int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(axis);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        Axis = axis;
        Start = start;
        Length = length;
    }

    /// <summary>The per-sample axis sliced (0 = first axis after the batch).</summary>
    public int Axis { get; }

    /// <summary>The first index kept.</summary>
    public int Start { get; }

    /// <summary>How many indices are kept.</summary>
    public int Length { get; }

    /// <inheritdoc />
    public override string Kind => "slice";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        RequireInputCount(inputs, 1);
        var x = inputs[0];
        RequireBatched(x);
        if (Axis >= x.Shape.Length || Start + Length > x.Shape[Axis])
        {
            throw new ArgumentException(
                $"Op 'slice' [{Start}, {Start + Length}) along per-sample axis {Axis} does not fit '{x.Name}' {FloatTensor.Format(x.Shape)}.");
        }

        var shape = (int[])x.Shape.Clone();
        shape[Axis] = Length;
        return new OutputShape(shape, true);
    }

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        var x = inputs[0].ReadOnlySpan;
        var y = output.Span;
        var (outer, xBlock, block, offset) = Blocks(inputs[0], output);
        for (int o = 0; o < outer; o++)
        {
            x.Slice((o * xBlock) + offset, block).CopyTo(y.Slice(o * block, block));
        }
    }

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (inputGradients[0] is not { } dxTensor)
        {
            return;
        }

        var dx = dxTensor.Span;
        var dy = outputGradient.ReadOnlySpan;
        var (outer, xBlock, block, offset) = Blocks(inputs[0], output);
        for (int o = 0; o < outer; o++)
        {
            var d = dx.Slice((o * xBlock) + offset, block);
            TensorPrimitives.Add(d, dy.Slice(o * block, block), d);
        }
    }

    private (int Outer, int XBlock, int Block, int Offset) Blocks(FloatTensor x, FloatTensor y)
    {
        int outer = 1;
        for (int d = 0; d <= Axis; d++)
        {
            outer *= x.Dim(d);
        }

        int xBlock = x.Length / outer, inner = xBlock / x.Dim(Axis + 1);
        return (outer, xBlock, y.Length / outer, Start * inner);
    }
}
