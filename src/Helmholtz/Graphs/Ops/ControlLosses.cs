using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Ops;

/// <summary>Huber loss summed over outputs, averaged over the batch: L = (1/B) Σ_b Σ_j h_δ(ŷ_bj − y_bj).</summary>
/// <remarks>
/// h_δ(d) = ½d² for |d| ≤ δ, δ(|d| − ½δ) otherwise (PyTorch's <c>HuberLoss(delta=δ, reduction="sum")</c> divided by
/// the batch size). ∂L/∂ŷ = clip(ŷ − y, −δ, δ)/B, ∂L/∂y = −∂L/∂ŷ. With a one-hot mask multiplied into ŷ and y this is
/// the TD loss of DQN on the taken action only (Mnih et al. 2015 clip the TD error to [−1, 1], i.e. δ = 1).
/// </remarks>
public sealed class HuberLossOp : Op
{
    /// <summary>Creates the loss with threshold <paramref name="delta"/> (&gt; 0) between its quadratic and linear parts.</summary>
    public HuberLossOp(double delta = 1.0)
    {
        if (!(delta > 0) || double.IsInfinity(delta))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "The Huber threshold δ must be positive and finite.");
        }

        Delta = delta;
    }

    /// <summary>The threshold δ between the quadratic and the linear part.</summary>
    public double Delta { get; }

    /// <inheritdoc />
    public override string Kind => "huber";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs) => LossShapes.Infer(this, inputs);

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        var p = inputs[0].ReadOnlySpan;
        var t = inputs[1].ReadOnlySpan;
        double sum = 0, delta = Delta;
        for (int i = 0; i < p.Length; i++)
        {
            double d = Math.Abs((double)p[i] - t[i]);
            sum += d <= delta ? 0.5 * d * d : delta * (d - (0.5 * delta));
        }

        output.Span[0] = (float)(sum / inputs[0].Dim(0));
    }

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        var p = inputs[0].ReadOnlySpan;
        var t = inputs[1].ReadOnlySpan;
        float scale = outputGradient.Span[0] / inputs[0].Dim(0);
        float delta = (float)Delta;
        for (int k = 0; k < 2; k++)
        {
            if (inputGradients[k] is { } grad)
            {
                float s = k == 0 ? scale : -scale;
                var gs = grad.Span;
                for (int i = 0; i < p.Length; i++)
                {
                    gs[i] += s * Math.Clamp(p[i] - t[i], -delta, delta);
                }
            }
        }
    }
}

/// <summary>
/// The variational free energy of a softmax policy against the Boltzmann distribution of expected free energies:
/// L = (1/B) Σ_b [Σ_j q_bj (β ln q_bj + γ G_bj) + ln Σ_j e^{−γ G_bj}], q_b = softmax(z_b).
/// </summary>
/// <remarks>
/// <para>Inputs: policy logits z [batch, n], expected free energies G [batch, n] and the precision γ, an unbatched
/// [1] (a parameter, or e.g. the exponential of a learned log-precision). Output: a scalar [1].</para>
/// <para>With β = 1 this is KL(q(a|s) ‖ σ(−γG(s,·))), the policy loss of Millidge (2020), "Deep active inference as
/// variational policy gradients", eq. for the action posterior: q(a|s) is pulled to the softmax of the negative
/// expected free energy, F = E_q[ln q(a|s)] + γE_q[G(s,a)] + ln Z(γ). β ≠ 1 weights the entropy term (β = 0 drops it).
/// </para>
/// <para>VJPs, with f_j = β ln q_j + γG_j and p = softmax(−γG): ∂L/∂z_k = q_k(f_k − Σ_j q_j f_j)/B;
/// ∂L/∂G_j = γ(q_j − p_j)/B; ∂L/∂γ = (1/B) Σ_b Σ_j (q_bj − p_bj) G_bj. Computed in double with max-subtracted
/// exponentials, so large logits or energies do not overflow.</para>
/// </remarks>
public sealed class PolicyFreeEnergyLossOp : Op
{
    private double[] _q = [];
    private double[] _p = [];

    /// <summary>Creates the loss with entropy weight <paramref name="entropyWeight"/> (β ≥ 0; 1 gives the KL divergence).</summary>
    public PolicyFreeEnergyLossOp(double entropyWeight = 1.0)
    {
        if (!(entropyWeight >= 0) || double.IsInfinity(entropyWeight))
        {
            throw new ArgumentOutOfRangeException(nameof(entropyWeight), entropyWeight, "The entropy weight β must be finite and ≥ 0.");
        }

        EntropyWeight = entropyWeight;
    }

    /// <summary>The weight β of E_q[ln q] (1: the KL divergence).</summary>
    public double EntropyWeight { get; }

    /// <inheritdoc />
    public override string Kind => "policy_free_energy";

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        RequireInputCount(inputs, 3);
        Node z = inputs[0], g = inputs[1], gamma = inputs[2];
        if (!z.Batched || !g.Batched || z.Shape.Length != 1 || !z.Shape.AsSpan().SequenceEqual(g.Shape))
        {
            throw new ArgumentException(
                $"Op '{Kind}' needs batched logits z [n] and energies G [n] of equal shape; got '{z.Name}' {FloatTensor.Format(z.Shape)} and '{g.Name}' {FloatTensor.Format(g.Shape)}.");
        }

        if (gamma.Batched || gamma.SampleSize != 1)
        {
            throw new ArgumentException($"Op '{Kind}' needs an unbatched one-element precision γ; got '{gamma.Name}' {FloatTensor.Format(gamma.Shape)}{(gamma.Batched ? " (batched)" : "")}.");
        }

        return new OutputShape([1], false);
    }

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        FloatTensor z = inputs[0], g = inputs[1];
        double gamma = inputs[2].ReadOnlySpan[0], beta = EntropyWeight;
        int batch = z.Dim(0), n = z.Dim(1);
        Grow(n);
        var q = _q.AsSpan(0, n);
        double sum = 0;
        for (int b = 0; b < batch; b++)
        {
            var gr = g.ReadOnlySpan.Slice(b * n, n);
            LogSoftmax(z.ReadOnlySpan.Slice(b * n, n), 1.0, q);
            double lnZp = LogSumExpScaled(gr, -gamma);
            double row = lnZp;
            for (int j = 0; j < n; j++)
            {
                double qj = Math.Exp(q[j]);
                row += qj * ((beta * q[j]) + (gamma * gr[j]));
            }

            sum += row;
        }

        output.Span[0] = (float)(sum / batch);
    }

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        FloatTensor z = inputs[0], g = inputs[1];
        double gamma = inputs[2].ReadOnlySpan[0], beta = EntropyWeight;
        int batch = z.Dim(0), n = z.Dim(1);
        Grow(n);
        var lnq = _q.AsSpan(0, n);
        var p = _p.AsSpan(0, n);
        double scale = outputGradient.ReadOnlySpan[0] / (double)batch;
        double dGamma = 0;
        for (int b = 0; b < batch; b++)
        {
            var gr = g.ReadOnlySpan.Slice(b * n, n);
            LogSoftmax(z.ReadOnlySpan.Slice(b * n, n), 1.0, lnq);
            double lnZp = LogSumExpScaled(gr, -gamma);
            double mean = 0;
            for (int j = 0; j < n; j++)
            {
                p[j] = Math.Exp((-gamma * gr[j]) - lnZp);
                mean += Math.Exp(lnq[j]) * ((beta * lnq[j]) + (gamma * gr[j]));
            }

            if (inputGradients[0] is { } dz)
            {
                var dr = dz.Span.Slice(b * n, n);
                for (int j = 0; j < n; j++)
                {
                    double f = (beta * lnq[j]) + (gamma * gr[j]);
                    dr[j] += (float)(scale * Math.Exp(lnq[j]) * (f - mean));
                }
            }

            if (inputGradients[1] is { } dg)
            {
                var dr = dg.Span.Slice(b * n, n);
                for (int j = 0; j < n; j++)
                {
                    dr[j] += (float)(scale * gamma * (Math.Exp(lnq[j]) - p[j]));
                }
            }

            for (int j = 0; j < n; j++)
            {
                dGamma += (Math.Exp(lnq[j]) - p[j]) * gr[j];
            }
        }

        if (inputGradients[2] is { } dgamma)
        {
            dgamma.Span[0] += (float)(scale * dGamma);
        }
    }

    /// <summary>destination = ln softmax(scale·x); returns ln Σ exp(scale·x).</summary>
    internal static double LogSoftmax(ReadOnlySpan<float> x, double scale, Span<double> destination)
    {
        double lse = LogSumExpScaled(x, scale);
        for (int j = 0; j < x.Length; j++)
        {
            destination[j] = (scale * x[j]) - lse;
        }

        return lse;
    }

    /// <summary>ln Σ_j exp(scale·x_j), max-subtracted.</summary>
    internal static double LogSumExpScaled(ReadOnlySpan<float> x, double scale)
    {
        double max = double.NegativeInfinity;
        for (int j = 0; j < x.Length; j++)
        {
            max = Math.Max(max, scale * x[j]);
        }

        double s = 0;
        for (int j = 0; j < x.Length; j++)
        {
            s += Math.Exp((scale * x[j]) - max);
        }

        return max + Math.Log(s);
    }

    private void Grow(int n)
    {
        if (_q.Length < n)
        {
            _q = new double[n];
            _p = new double[n];
        }
    }
}
