using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Ops;

/// <summary>An elementwise function y = f(x) of one input of any shape; the output has the input's shape.</summary>
/// <remarks>Backward: dx[i] += dy[i] · f′(x[i]), with f′ from <typeparamref name="TFunction"/>.</remarks>
/// <typeparam name="TFunction">The scalar function, e.g. <see cref="Tanh"/>.</typeparam>
public sealed class UnaryOp<TFunction> : Op
    where TFunction : struct, INonlinearity
{
    /// <inheritdoc />
    public override string Kind => TFunction.Name;

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        RequireInputCount(inputs, 1);
        return new OutputShape((int[])inputs[0].Shape.Clone(), inputs[0].Batched);
    }

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output) =>
        ActivationKernels.Apply<TFunction>(inputs[0].ReadOnlySpan, output.Span);

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (inputGradients[0] is not { } dxTensor)
        {
            return;
        }

        ActivationKernels.AddMultiplyByDerivative<TFunction>(inputs[0].ReadOnlySpan, output.ReadOnlySpan, outputGradient.ReadOnlySpan, dxTensor.Span);
    }
}
