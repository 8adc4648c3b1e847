using System.Numerics.Tensors;
using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Ops;

/// <summary>A skip connection with a scaled branch: y = x + a·r for two inputs of equal shape.</summary>
/// <remarks>The residual sum of a block whose branch r is computed by other nodes (a convolution, say); a is the branch
/// multiplier of the parametrisation (Depth-μP's 1/√L, Yang et al. 2023). Backward: dx += dy, dr += a·dy.</remarks>
public sealed class ScaledAddOp : Op
{
    /// <summary>A skip connection y = x + <paramref name="scale"/>·r.</summary>
    /// <exception cref="ArgumentException"><paramref name="scale"/> is not a finite positive number.</exception>
    public ScaledAddOp(float scale)
    {
        if (!(scale > 0f) || !float.IsFinite(scale))
        {
            throw new ArgumentException($"Scale must be a positive number (got {scale}).", nameof(scale));
        }

        Scale = scale;
    }

    /// <summary>The branch multiplier a.</summary>
    public float Scale { get; }

    /// <inheritdoc />
    public override string Kind => "scaled_add";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs) => SameShapes.Infer(this, inputs);

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output) =>
        TensorPrimitives.MultiplyAdd(inputs[1].ReadOnlySpan, Scale, inputs[0].ReadOnlySpan, output.Span);

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (inputGradients[0] is { } dx)
        {
            TensorPrimitives.Add(dx.Span, outputGradient.ReadOnlySpan, dx.Span);
        }

        if (inputGradients[1] is { } dr)
        {
            TensorPrimitives.MultiplyAdd(outputGradient.ReadOnlySpan, Scale, dr.Span, dr.Span);
        }
    }
}
