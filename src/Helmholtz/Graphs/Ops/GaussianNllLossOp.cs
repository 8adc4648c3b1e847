using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Ops;

/// <summary>
/// Gaussian negative log-likelihood of an ensemble with a bounded log-variance:
/// L = Σ_e (1/n) Σ_{rows of e} (1/d) Σ_j [(μ_j − y_j)²·e^{−ℓ_j} + ℓ_j], ℓ_j = ℓ_min + (ℓ_max − ℓ_min)·σ(u_j).
/// </summary>
/// <remarks>
/// <para>Inputs: the network output o [batch, 2d] (mean μ = o[:, :d], raw log-variance u = o[:, d:]) and the target
/// y [batch, d]; rows form E equal blocks of n = batch/E (one per member, as in <see cref="EnsembleDenseOp"/>).
/// Output: a scalar [1]. This is the loss of Tschantz et al. (2020)'s ensemble (their code's <c>EnsembleModel.loss</c>:
/// twice the Gaussian NLL without the constant, averaged over dimensions and rows, summed over members), whose
/// log-variance is squashed into [ℓ_min, ℓ_max] by a sigmoid ("soft clamp"), so that no member can claim a vanishing
/// or exploding variance.</para>
/// <para>With c = 1/(n·d): ∂L/∂μ = 2c(μ − y)e^{−ℓ}, ∂L/∂y = −∂L/∂μ, ∂L/∂u = c(1 − (μ − y)²e^{−ℓ})·(ℓ_max − ℓ_min)σ(u)(1 − σ(u)).</para>
/// </remarks>
public sealed class GaussianNllLossOp : Op
{
    /// <summary>Creates the loss for <paramref name="ensembleSize"/> members with ℓ in [<paramref name="minLogVariance"/>, <paramref name="maxLogVariance"/>].</summary>
    public GaussianNllLossOp(int ensembleSize, float minLogVariance, float maxLogVariance)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ensembleSize);
        if (!(minLogVariance < maxLogVariance) || !float.IsFinite(minLogVariance) || !float.IsFinite(maxLogVariance))
        {
            throw new ArgumentException($"The log-variance bounds must be finite with min < max; got [{minLogVariance}, {maxLogVariance}].");
        }

        EnsembleSize = ensembleSize;
        MinLogVariance = minLogVariance;
        MaxLogVariance = maxLogVariance;
    }

    /// <summary>The number of members E (row blocks).</summary>
    public int EnsembleSize { get; }

    /// <summary>ℓ_min.</summary>
    public float MinLogVariance { get; }

    /// <summary>ℓ_max.</summary>
    public float MaxLogVariance { get; }

    /// <inheritdoc />
    public override string Kind => "gaussian_nll";

    /// <summary>ℓ = ℓ_min + (ℓ_max − ℓ_min)·σ(u): the bounded log-variance of a raw output u.</summary>
    public static float SoftClamp(float raw, float minLogVariance, float maxLogVariance) =>
        minLogVariance + ((maxLogVariance - minLogVariance) / (1f + MathF.Exp(-raw)));

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        RequireInputCount(inputs, 2);
        Node o = inputs[0], y = inputs[1];
        RequireBatched(o);
        RequireBatched(y);
        if (o.Shape.Length != 1 || y.Shape.Length != 1 || o.Shape[0] != 2 * y.Shape[0])
        {
            throw new ArgumentException(
                $"Op 'gaussian_nll' needs o [batch, 2d] and y [batch, d]; got o '{o.Name}' {FloatTensor.Format(o.Shape)} and y '{y.Name}' {FloatTensor.Format(y.Shape)} per sample.");
        }

        return new OutputShape([1], false);
    }

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        var o = inputs[0].ReadOnlySpan;
        var y = inputs[1].ReadOnlySpan;
        int batch = inputs[0].Dim(0), d = inputs[1].Length / batch;
        double sum = 0;
        for (int r = 0; r < batch; r++)
        {
            for (int j = 0; j < d; j++)
            {
                float lv = SoftClamp(o[(r * 2 * d) + d + j], MinLogVariance, MaxLogVariance);
                double diff = o[(r * 2 * d) + j] - y[(r * d) + j];
                sum += (diff * diff * Math.Exp(-lv)) + lv;
            }
        }

        output.Span[0] = (float)(sum * Scale(batch, d));
    }

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var o = inputs[0].ReadOnlySpan;
        var y = inputs[1].ReadOnlySpan;
        int batch = inputs[0].Dim(0), d = inputs[1].Length / batch;
        float c = (float)(outputGradient.Span[0] * Scale(batch, d));
        float range = MaxLogVariance - MinLogVariance;
        Span<float> dout = inputGradients[0] is { } g0 ? g0.Span : default;
        Span<float> dtarget = inputGradients[1] is { } g1 ? g1.Span : default;
        for (int r = 0; r < batch; r++)
        {
            for (int j = 0; j < d; j++)
            {
                int im = (r * 2 * d) + j, iv = im + d;
                float s = 1f / (1f + MathF.Exp(-o[iv]));
                float lv = MinLogVariance + (range * s);
                float precision = MathF.Exp(-lv);
                float diff = o[im] - y[(r * d) + j];
                float dmu = 2f * c * diff * precision;
                if (!dout.IsEmpty)
                {
                    dout[im] += dmu;
                    dout[iv] += c * (1f - (diff * diff * precision)) * range * s * (1f - s);
                }

                if (!dtarget.IsEmpty)
                {
                    dtarget[(r * d) + j] -= dmu;
                }
            }
        }
    }

    private double Scale(int batch, int d)
    {
        if (batch % EnsembleSize != 0)
        {
            throw new ArgumentException($"Op 'gaussian_nll' needs a batch divisible by the ensemble size {EnsembleSize}; got {batch} rows.");
        }

        return 1.0 / ((double)(batch / EnsembleSize) * d);
    }
}
