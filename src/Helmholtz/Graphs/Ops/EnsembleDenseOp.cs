using System.Numerics.Tensors;
using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Ops;

/// <summary>E independent fully connected layers applied to E blocks of rows: y_e = f(x_e·W_eᵀ + b_e).</summary>
/// <remarks>
/// <para>Inputs: x [batch, in] whose rows are E equal blocks (rows e·n … e·n + n − 1 belong to member e, n = batch/E),
/// W [E, out, in] (each member in PyTorch's <c>nn.Linear</c> layout) and optionally b [E, out]. Output [batch, out].
/// This is PyTorch's <c>torch.baddbmm(b, x, W)</c> over an [E, n, in] input, the ensemble layer of PETS (Chua et al.
/// 2018) and of Tschantz et al. (2020), written on our row-major batched nodes.</para>
/// <para>Backward, per member with g = dy ⊙ f′(z): dx_e += g·W_e, dW_e += gᵀ·x_e, db_e += Σ_rows g. For a nonlinearity
/// whose derivative needs z (swish, the activation of Tschantz et al. 2020's ensemble) the pre-activation is
/// recomputed (one extra GEMM), since the op keeps no state between calls.</para>
/// </remarks>
public sealed class EnsembleDenseOp : Op
{

    /// <summary>Creates the op for <paramref name="ensembleSize"/> members with the fused <paramref name="activation"/>.</summary>
    public EnsembleDenseOp(int ensembleSize, Activation activation = Activation.Identity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ensembleSize);
        EnsembleSize = ensembleSize;
        Activation = activation;
    }

    /// <summary>The number of members E.</summary>
    public int EnsembleSize { get; }

    /// <summary>The fused nonlinearity f.</summary>
    public Activation Activation { get; }

    /// <inheritdoc />
    public override string Kind => "ensemble_dense";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count is not (2 or 3))
        {
            throw new ArgumentException($"Op 'ensemble_dense' takes x, W and optionally b; got {inputs.Count} input(s).");
        }

        Node x = inputs[0], w = inputs[1];
        RequireBatched(x);
        if (x.Shape.Length != 1 || w.Batched || w.Shape.Length != 3 || w.Shape[0] != EnsembleSize || w.Shape[2] != x.Shape[0])
        {
            throw new ArgumentException(
                $"Op 'ensemble_dense' needs x [batch, in] and W [{EnsembleSize}, out, in]; got x '{x.Name}' {FloatTensor.Format(x.Shape)} per sample and W '{w.Name}' {FloatTensor.Format(w.Shape)}.");
        }

        if (inputs.Count == 3 && (inputs[2].Batched || inputs[2].Shape.Length != 2 || inputs[2].Shape[0] != EnsembleSize || inputs[2].Shape[1] != w.Shape[1]))
        {
            throw new ArgumentException($"Op 'ensemble_dense' needs b [{EnsembleSize}, {w.Shape[1]}]; got '{inputs[2].Name}' {FloatTensor.Format(inputs[2].Shape)}.");
        }

        return new OutputShape([w.Shape[1]], true);
    }

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        ArgumentNullException.ThrowIfNull(context);
        FloatTensor x = inputs[0], w = inputs[1];
        int rows = MemberRows(x.Dim(0)), fanOut = w.Dim(1), fanIn = w.Dim(2);
        for (int e = 0; e < EnsembleSize; e++)
        {
            ReadOnlySpan<float> b = inputs.Length == 3 ? inputs[2].ReadOnlySpan.Slice(e * fanOut, fanOut) : default;
            ForwardMember(
                x.ReadOnlySpan.Slice(e * rows * fanIn, rows * fanIn), rows, fanIn,
                w.ReadOnlySpan.Slice(e * fanOut * fanIn, fanOut * fanIn), b, fanOut, Activation,
                output.Span.Slice(e * rows * fanOut, rows * fanOut));
        }
    }

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(outputGradient);
        FloatTensor x = inputs[0], w = inputs[1];
        int batch = x.Dim(0), rows = MemberRows(batch), fanOut = w.Dim(1), fanIn = w.Dim(2);
        var g = context.Scratch.Get(this, 0, Math.Max(batch * fanOut, fanOut)).Slice(0, batch * fanOut);
        var dy = outputGradient.ReadOnlySpan;
        var y = output.ReadOnlySpan;
        if (ActivationKernels.HasDerivativeFromOutput(Activation))
        {
            ActivationKernels.MultiplyByDerivative(Activation, y, dy, g);
        }
        else
        {
            var z = context.Scratch.Get(this, 1, batch * fanOut).Slice(0, batch * fanOut);
            for (int e = 0; e < EnsembleSize; e++)
            {
                ReadOnlySpan<float> b = inputs.Length == 3 ? inputs[2].ReadOnlySpan.Slice(e * fanOut, fanOut) : default;
                ForwardMember(
                    x.ReadOnlySpan.Slice(e * rows * fanIn, rows * fanIn), rows, fanIn,
                    w.ReadOnlySpan.Slice(e * fanOut * fanIn, fanOut * fanIn), b, fanOut, Activation.Identity,
                    z.Slice(e * rows * fanOut, rows * fanOut));
            }

            MultiplyByDerivative(Activation, z, y, dy, g);
        }

        for (int e = 0; e < EnsembleSize; e++)
        {
            var ge = g.Slice(e * rows * fanOut, rows * fanOut);
            var we = w.ReadOnlySpan.Slice(e * fanOut * fanIn, fanOut * fanIn);
            if (inputGradients[0] is { } dx)
            {
                Gemm.Multiply(Transpose.No, Transpose.No, rows, fanIn, fanOut, 1f, ge, fanOut, we, fanIn, 1f, dx.Span.Slice(e * rows * fanIn, rows * fanIn), fanIn, context.Threads);
            }

            if (inputGradients[1] is { } dw)
            {
                Gemm.Multiply(Transpose.Yes, Transpose.No, fanOut, fanIn, rows, 1f, ge, fanOut, x.ReadOnlySpan.Slice(e * rows * fanIn, rows * fanIn), fanIn, 1f, dw.Span.Slice(e * fanOut * fanIn, fanOut * fanIn), fanIn, context.Threads);
            }

            if (inputGradients.Length == 3 && inputGradients[2] is { } db)
            {
                var dbe = db.Span.Slice(e * fanOut, fanOut);
                for (int r = 0; r < rows; r++)
                {
                    TensorPrimitives.Add(dbe, ge.Slice(r * fanOut, fanOut), dbe);
                }
            }
        }
    }

    /// <summary>One member's layer: y = f(x·Wᵀ + b) for <paramref name="rows"/> rows (the kernel the planner calls directly).</summary>
    /// <param name="x">Input rows [rows, fanIn].</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="fanIn">Inputs per row.</param>
    /// <param name="weight">The member's weight [fanOut, fanIn].</param>
    /// <param name="bias">The member's bias [fanOut], or empty for none.</param>
    /// <param name="fanOut">Outputs per row.</param>
    /// <param name="activation">The nonlinearity.</param>
    /// <param name="y">Output rows [rows, fanOut]; must not alias <paramref name="x"/>.</param>
    public static void ForwardMember(
        ReadOnlySpan<float> x, int rows, int fanIn, ReadOnlySpan<float> weight, ReadOnlySpan<float> bias, int fanOut,
        Activation activation, Span<float> y)
    {
        Gemm.Multiply(Transpose.No, Transpose.Yes, rows, fanOut, fanIn, 1f, x, fanIn, weight, fanIn, 0f, y, fanOut);
        bool hasBias = !bias.IsEmpty;
        for (int r = 0; r < rows; r++)
        {
            var row = y.Slice(r * fanOut, fanOut);
            if (hasBias)
            {
                TensorPrimitives.Add(row, bias, row);
            }

            // Row by row, as the bias: the nonlinearity's lanes then do not depend on how many rows a call holds.
            if (activation != Activation.Identity)
            {
                ActivationKernels.Apply(activation, row, row);
            }
        }
    }

    /// <summary>g = dy ⊙ f′(z) for a nonlinearity whose derivative needs the pre-activation z.</summary>
    private static void MultiplyByDerivative(Activation activation, ReadOnlySpan<float> z, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> g)
    {
        switch (activation)
        {
            case Activation.Swish:
                ActivationKernels.MultiplyByDerivative<Swish>(z, y, dy, g);
                break;
            default:
                throw new InvalidOperationException($"Unknown activation {activation}.");
        }
    }

    private int MemberRows(int batch)
    {
        if (batch % EnsembleSize != 0)
        {
            throw new ArgumentException($"Op 'ensemble_dense' needs a batch divisible by the ensemble size {EnsembleSize}; got {batch} rows.");
        }

        return batch / EnsembleSize;
    }

}
