using System.Numerics.Tensors;
using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Ops;

/// <summary>Mean squared error as in the thesis's experiments: L = (1/B) Σ_b ½‖ŷ_b − y_b‖².</summary>
/// <remarks>Inputs: prediction ŷ and target y, both batched with equal shapes. Output: a scalar [1].
/// ∂L/∂ŷ = (ŷ − y)/B, ∂L/∂y = −(ŷ − y)/B.</remarks>
public sealed class MseLossOp : Op
{
    /// <inheritdoc />
    public override string Kind => "mse";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs) => LossShapes.Infer(this, inputs);

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        var p = inputs[0].ReadOnlySpan;
        var t = inputs[1].ReadOnlySpan;
        double sum = 0;
        for (int i = 0; i < p.Length; i++)
        {
            double d = p[i] - t[i];
            sum += d * d;
        }

        output.Span[0] = (float)(0.5 * sum / inputs[0].Dim(0));
    }

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var p = inputs[0].ReadOnlySpan;
        var t = inputs[1].ReadOnlySpan;
        float scale = outputGradient.Span[0] / inputs[0].Dim(0);
        for (int k = 0; k < 2; k++)
        {
            if (inputGradients[k] is { } grad)
            {
                float s = k == 0 ? scale : -scale;
                var gs = grad.Span;
                for (int i = 0; i < p.Length; i++)
                {
                    gs[i] += s * (p[i] - t[i]);
                }
            }
        }
    }
}

/// <summary>Softmax cross-entropy on logits: L = −(1/B) Σ_b Σ_j y_bj ln softmax(z_b)_j.</summary>
/// <remarks>Inputs: logits z [batch, n] and target probabilities y [batch, n] (one-hot for labels). Output: a scalar [1].
/// ∂L/∂z_bj = ((Σ_k y_bk)·softmax(z_b)_j − y_bj)/B. The target gets no gradient.</remarks>
public sealed class CrossEntropyLossOp : Op
{

    /// <inheritdoc />
    public override string Kind => "cross_entropy";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs) => LossShapes.Infer(this, inputs);

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        FloatTensor z = inputs[0], y = inputs[1];
        int batch = z.Dim(0), n = z.Length / batch;
        double sum = 0;
        for (int b = 0; b < batch; b++)
        {
            var zr = z.ReadOnlySpan.Slice(b * n, n);
            var yr = y.ReadOnlySpan.Slice(b * n, n);
            float max = TensorPrimitives.Max(zr);
            double lse = 0;
            for (int j = 0; j < n; j++)
            {
                lse += Math.Exp(zr[j] - max);
            }

            lse = Math.Log(lse) + max;
            for (int j = 0; j < n; j++)
            {
                if (yr[j] != 0f)
                {
                    sum -= yr[j] * (zr[j] - lse);
                }
            }
        }

        output.Span[0] = (float)(sum / batch);
    }

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (inputGradients[0] is not { } dz)
        {
            return;
        }

        FloatTensor z = inputs[0], y = inputs[1];
        int batch = z.Dim(0), n = z.Length / batch;
        var soft = context.Scratch.Get(this, 0, n);
        float scale = outputGradient.Span[0] / batch;
        for (int b = 0; b < batch; b++)
        {
            var yr = y.ReadOnlySpan.Slice(b * n, n);
            SoftmaxOp.Softmax(z.ReadOnlySpan.Slice(b * n, n), soft);
            float mass = TensorPrimitives.Sum(yr);
            var dr = dz.Span.Slice(b * n, n);
            for (int j = 0; j < n; j++)
            {
                dr[j] += scale * (mass * soft[j] - yr[j]);
            }
        }
    }
}

internal static class LossShapes
{
    public static OutputShape Infer(Op op, IReadOnlyList<Node> inputs)
    {
        if (inputs.Count != 2)
        {
            throw new ArgumentException($"Op '{op.Kind}' takes a prediction and a target; got {inputs.Count} input(s).");
        }

        Node p = inputs[0], t = inputs[1];
        if (!p.Batched || !t.Batched || !p.Shape.AsSpan().SequenceEqual(t.Shape))
        {
            throw new ArgumentException(
                $"Op '{op.Kind}' needs a batched prediction and target of equal shape; got '{p.Name}' {FloatTensor.Format(p.Shape)} and '{t.Name}' {FloatTensor.Format(t.Shape)}.");
        }

        return new OutputShape([1], false);
    }
}
