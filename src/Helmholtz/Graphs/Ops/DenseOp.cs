using System.Numerics.Tensors;
using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Ops;

/// <summary>A fully connected layer with a fused activation: y = f(x·Wᵀ + b).</summary>
/// <remarks>
/// Inputs: x [batch, in], W [out, in] (PyTorch's <c>nn.Linear</c> layout), and optionally b [out]. Fusing bias and
/// activation keeps one value node per layer in predictive coding, as in Whittington &amp; Bogacz (2017), where each
/// layer's value is v_l and its prediction μ_l = f(W v_{l−1} + b). Backward: with g = dy ⊙ f′,
/// dx += g·W, dW += gᵀ·x, db += Σ_batch g.
/// </remarks>
public sealed class DenseOp(Activation activation = Activation.Identity) : Op, IRelaxableOp
{

    /// <summary>The fused nonlinearity f.</summary>
    public Activation Activation { get; } = ActivationKernels.RequireFusable(activation, nameof(activation));

    /// <inheritdoc />
    public override string Kind => "dense";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count is not (2 or 3))
        {
            throw new ArgumentException($"Op 'dense' takes x, W and optionally b; got {inputs.Count} input(s).");
        }

        Node x = inputs[0], w = inputs[1];
        RequireBatched(x);
        if (x.Shape.Length != 1 || w.Batched || w.Shape.Length != 2 || w.Shape[1] != x.Shape[0])
        {
            throw new ArgumentException(
                $"Op 'dense' needs x [batch, in] and W [out, in]; got x '{x.Name}' {FloatTensor.Format(x.Shape)} per sample and W '{w.Name}' {FloatTensor.Format(w.Shape)}.");
        }

        if (inputs.Count == 3 && (inputs[2].Batched || inputs[2].Shape.Length != 1 || inputs[2].Shape[0] != w.Shape[0]))
        {
            throw new ArgumentException($"Op 'dense' needs b [{w.Shape[0]}]; got '{inputs[2].Name}' {FloatTensor.Format(inputs[2].Shape)}.");
        }

        return new OutputShape([w.Shape[0]], true);
    }

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        ArgumentNullException.ThrowIfNull(context);
        FloatTensor x = inputs[0], w = inputs[1];
        int batch = x.Dim(0), fanIn = w.Dim(1), fanOut = w.Dim(0);
        var y = output.Span;
        Gemm.Multiply(Transpose.No, Transpose.Yes, batch, fanOut, fanIn, 1f, x.ReadOnlySpan, fanIn, w.ReadOnlySpan, fanIn, 0f, y, fanOut, context.Threads);
        if (inputs.Length == 3)
        {
            ReadOnlySpan<float> b = inputs[2].ReadOnlySpan;
            for (int r = 0; r < batch; r++)
            {
                var row = y.Slice(r * fanOut, fanOut);
                TensorPrimitives.Add(row, b, row);
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
        FloatTensor x = inputs[0], w = inputs[1];
        int batch = x.Dim(0), fanIn = w.Dim(1), fanOut = w.Dim(0);
        ReadOnlySpan<float> g = LocalGradient(context, output.ReadOnlySpan, outputGradient.ReadOnlySpan);
        if (inputGradients[0] is { } dx)
        {
            Gemm.Multiply(Transpose.No, Transpose.No, batch, fanIn, fanOut, 1f, g, fanOut, w.ReadOnlySpan, fanIn, 1f, dx.Span, fanIn, context.Threads);
        }

        if (inputGradients[1] is { } dw)
        {
            Gemm.Multiply(Transpose.Yes, Transpose.No, fanOut, fanIn, batch, 1f, g, fanOut, x.ReadOnlySpan, fanIn, 1f, dw.Span, fanIn, context.Threads);
        }

        if (inputGradients.Length == 3 && inputGradients[2] is { } db)
        {
            var dbs = db.Span;
            for (int r = 0; r < batch; r++)
            {
                TensorPrimitives.Add(dbs, g.Slice(r * fanOut, fanOut), dbs);
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>dx += g·weights with g = ε ⊙ f′ (or ε): the dx line of <see cref="Backward"/> with W replaced.</remarks>
    public void RelaxedBackward(OpContext context, FloatTensor x, FloatTensor weights, FloatTensor output, FloatTensor outputGradient, bool useDerivative, FloatTensor inputGradient)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(outputGradient);
        ArgumentNullException.ThrowIfNull(inputGradient);
        int batch = x.Dim(0), fanIn = weights.Dim(1), fanOut = weights.Dim(0);
        ReadOnlySpan<float> g = useDerivative ? LocalGradient(context, output.ReadOnlySpan, outputGradient.ReadOnlySpan) : outputGradient.ReadOnlySpan;
        Gemm.Multiply(Transpose.No, Transpose.No, batch, fanIn, fanOut, 1f, g, fanOut, weights.ReadOnlySpan, fanIn, 1f, inputGradient.Span, fanIn, context.Threads);
    }

    /// <summary>g = dy ⊙ f′(z), computed from y = f(z); for the identity, dy itself.</summary>
    internal ReadOnlySpan<float> LocalGradient(OpContext context, ReadOnlySpan<float> y, ReadOnlySpan<float> outputGradient)
    {
        if (Activation == Activation.Identity)
        {
            return outputGradient;
        }

        var g = context.Scratch.Get(this, 0, y.Length);
        ActivationKernels.MultiplyByDerivative(Activation, y, outputGradient, g);
        return g;
    }
}
