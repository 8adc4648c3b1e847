using System.Numerics.Tensors;
using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Ops;

/// <summary>A scaled linear layer with the nonlinearity on its input and an optional identity skip: y = [x] + a·(φ(x)·Wᵀ + b).</summary>
/// <remarks>
/// <para>Inputs: x [batch, in], W [out, in] and optionally b [out]. With <see cref="Residual"/> (in = out) the block is
/// y = x + a·(φ(x)·Wᵀ + b), the pre-activation residual block of Depth-μP (Yang et al. 2023, "Tensor Programs VI",
/// x^l = x^{l−1} + a·L^{−1/2}·W^l φ(x^{l−1})) and of μPC (Innocenti et al. 2025, z_l = z_{l−1} + a_l W_l φ(z_{l−1}));
/// without it, y = a·(φ(x)·Wᵀ + b) (μPC's input layer with φ = identity and its readout). The multiplier a is a
/// constant of the op, not a parameter, so a parametrisation changes it without changing the weights' layout.</para>
/// <para>One op per block keeps one predictive-coding value node per block. Backward, with h = φ(x) recomputed
/// elementwise (no matrix product) and g = a·dy: dW += gᵀ·h, db += Σ_batch g, dx += [dy] + φ′(x) ⊙ (g·W).</para>
/// </remarks>
public sealed class ScaledDenseOp : Op
{
    /// <summary>A layer y = [x] + scale·(φ(x)·Wᵀ + b).</summary>
    /// <exception cref="ArgumentException"><paramref name="inputActivation"/> has no derivative from its output, or <paramref name="scale"/> is not finite and positive.</exception>
    public ScaledDenseOp(Activation inputActivation, float scale, bool residual)
    {
        InputActivation = ActivationKernels.RequireFusable(inputActivation, nameof(inputActivation));
        if (!(scale > 0f) || !float.IsFinite(scale))
        {
            throw new ArgumentException($"Scale must be a positive number (got {scale}).", nameof(scale));
        }

        Scale = scale;
        Residual = residual;
    }

    /// <summary>The nonlinearity φ applied to x before the weights.</summary>
    public Activation InputActivation { get; }

    /// <summary>The multiplier a of the weighted branch.</summary>
    public float Scale { get; }

    /// <summary>Whether x is added to the output (an identity skip connection).</summary>
    public bool Residual { get; }

    /// <inheritdoc />
    public override string Kind => "scaled_dense";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count is not (2 or 3))
        {
            throw new ArgumentException($"Op 'scaled_dense' takes x, W and optionally b; got {inputs.Count} input(s).");
        }

        Node x = inputs[0], w = inputs[1];
        RequireBatched(x);
        if (x.Shape.Length != 1 || w.Batched || w.Shape.Length != 2 || w.Shape[1] != x.Shape[0])
        {
            throw new ArgumentException(
                $"Op 'scaled_dense' needs x [batch, in] and W [out, in]; got x '{x.Name}' {FloatTensor.Format(x.Shape)} per sample and W '{w.Name}' {FloatTensor.Format(w.Shape)}.");
        }

        if (Residual && w.Shape[0] != w.Shape[1])
        {
            throw new ArgumentException($"A residual 'scaled_dense' needs a square W (out = in); got '{w.Name}' {FloatTensor.Format(w.Shape)}.");
        }

        if (inputs.Count == 3 && (inputs[2].Batched || inputs[2].Shape.Length != 1 || inputs[2].Shape[0] != w.Shape[0]))
        {
            throw new ArgumentException($"Op 'scaled_dense' needs b [{w.Shape[0]}]; got '{inputs[2].Name}' {FloatTensor.Format(inputs[2].Shape)}.");
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
        ReadOnlySpan<float> h = Activated(context, x.ReadOnlySpan);
        if (Residual)
        {
            x.ReadOnlySpan.CopyTo(y);
        }

        if (inputs.Length == 3)
        {
            // a·b is added per row before the product so that y = [x] + a·b + a·φ(x)·Wᵀ needs one pass over y.
            ReadOnlySpan<float> b = inputs[2].ReadOnlySpan;
            for (int r = 0; r < batch; r++)
            {
                var row = y.Slice(r * fanOut, fanOut);
                if (Residual)
                {
                    TensorPrimitives.MultiplyAdd(b, Scale, row, row);
                }
                else
                {
                    TensorPrimitives.Multiply(b, Scale, row);
                }
            }
        }

        float beta = Residual || inputs.Length == 3 ? 1f : 0f;
        Gemm.Multiply(Transpose.No, Transpose.Yes, batch, fanOut, fanIn, Scale, h, fanIn, w.ReadOnlySpan, fanIn, beta, y, fanOut, context.Threads);
    }

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(outputGradient);
        FloatTensor x = inputs[0], w = inputs[1];
        int batch = x.Dim(0), fanIn = w.Dim(1), fanOut = w.Dim(0);
        ReadOnlySpan<float> dy = outputGradient.ReadOnlySpan;
        ReadOnlySpan<float> h = inputGradients[1] is null && inputGradients[0] is null ? default : Activated(context, x.ReadOnlySpan);
        if (inputGradients[0] is { } dx)
        {
            var dxs = dx.Span;
            if (InputActivation == Activation.Identity)
            {
                Gemm.Multiply(Transpose.No, Transpose.No, batch, fanIn, fanOut, Scale, dy, fanOut, w.ReadOnlySpan, fanIn, 1f, dxs, fanIn, context.Threads);
            }
            else
            {
                var through = context.Scratch.Get(this, 1, batch * fanIn);
                Gemm.Multiply(Transpose.No, Transpose.No, batch, fanIn, fanOut, Scale, dy, fanOut, w.ReadOnlySpan, fanIn, 0f, through, fanIn, context.Threads);
                ActivationKernels.MultiplyByDerivative(InputActivation, h, through, through);
                TensorPrimitives.Add(dxs, through, dxs);
            }

            if (Residual)
            {
                TensorPrimitives.Add(dxs, dy, dxs);
            }
        }

        if (inputGradients[1] is { } dw)
        {
            Gemm.Multiply(Transpose.Yes, Transpose.No, fanOut, fanIn, batch, Scale, dy, fanOut, h, fanIn, 1f, dw.Span, fanIn, context.Threads);
        }

        if (inputGradients.Length == 3 && inputGradients[2] is { } db)
        {
            var dbs = db.Span;
            for (int r = 0; r < batch; r++)
            {
                TensorPrimitives.MultiplyAdd(dy.Slice(r * fanOut, fanOut), Scale, dbs, dbs);
            }
        }
    }

    /// <summary>h = φ(x) in scratch; x itself for the identity.</summary>
    private ReadOnlySpan<float> Activated(OpContext context, ReadOnlySpan<float> x)
    {
        if (InputActivation == Activation.Identity)
        {
            return x;
        }

        var h = context.Scratch.Get(this, 0, x.Length);
        ActivationKernels.Apply(InputActivation, x, h);
        return h;
    }
}
