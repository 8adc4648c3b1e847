using Helmholtz.Graphs.Ops;
using Helmholtz.Tensors;

namespace Helmholtz.PredictiveCoding;

/// <summary>The variational free energy F that predictive-coding inference descends, computed from a <see cref="PcState"/>.</summary>
/// <remarks>
/// <para>For a hierarchical Gaussian model with diagonal covariances Σ_n = 1/Π_n, summed over the batch,</para>
/// <code>
/// F = ½ Σ_b Σ_{free n} (v_n − μ_n)ᵀ Π_n (v_n − μ_n)          value nodes (Bogacz 2017, eq. 2.13/2.23; Whittington &amp; Bogacz 2017, eq. 7)
///   + Σ_b ℓ(μ_L, y)                                          output term, ℓ = B·L per sample
///   + ½ Σ_b Σ_n Σ_j ln Σ_{n,j}                               when precisions are learned (Bogacz 2017, eq. 2.23)
/// </code>
/// <para>The output term is B·L(μ_L), the loss summed over the batch, so that ∂F/∂μ_L = −ε_L in the energy sign of
/// standard PC (ε_L = −B·∂L/∂μ_L; Millidge, Tschantz &amp; Buckley 2020, eq. 3 with a general loss). For the MSE loss
/// this is ½ Σ (y − μ_L)ᵀ Π_L (y − μ_L), the Gaussian output layer, with the output precision and (generative mode) the
/// output mask; other losses support no output precision or mask. With these F, the update of standard PC is
/// v ← v − η_v ∂F/∂v, so F does not rise for a small enough η_v. μ is the state's current prediction: the forward value
/// for fixed-prediction schedules, whose inference does not descend this F. Constants (ln 2π) are left out.</para>
/// </remarks>
public static class FreeEnergy
{
    /// <summary>F of the state's current values and predictions (see remarks); allocates a little, for diagnostics and tests.</summary>
    /// <exception cref="NotSupportedException">A loss other than MSE with an output precision or mask.</exception>
    public static double Of(PcState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        bool logVariance = state.Options.LearnPrecision;
        int batch = state.BatchSize;
        double f = 0;
        foreach (var n in state.FreeNodes)
        {
            f += WeightedSquares(state.Value(n).ReadOnlySpan, state.Prediction(n).ReadOnlySpan, state.Precision(n), null, batch);
            if (logVariance && state.Variance(n) is { } sigma)
            {
                f += batch * LogDeterminant(sigma);
            }
        }

        return f + OutputTerm(state, logVariance);
    }

    private static double OutputTerm(PcState state, bool logVariance)
    {
        var model = state.Model;
        var output = model.Output;
        var loss = model.Loss;
        var mu = state.Prediction(output);
        var inputs = loss.Inputs.Select(p => ReferenceEquals(p, output) ? mu : state.Executor.Value(p)).ToArray();
        var precision = state.Precision(output);
        var mask = state.OutputMask;
        int batch = state.BatchSize;
        if (loss.Op is MseLossOp)
        {
            var target = inputs[loss.Inputs[0] == output ? 1 : 0];
            double term = WeightedSquares(mu.ReadOnlySpan, target.ReadOnlySpan, precision, mask, batch);
            if (logVariance && state.Variance(output) is { } sigma)
            {
                term += batch * LogDeterminant(sigma); // the mask hides no variance: Σ is per feature, shared by all rows
            }

            return term;
        }

        if (mask is not null || (precision is not null && precision.ReadOnlySpan.ContainsAnyExcept(1f)))
        {
            throw new NotSupportedException($"The free energy of loss '{loss.Op!.Kind}' has no output precision or mask; only MSE does.");
        }

        var value = new FloatTensor(1);
        loss.Op!.Forward(state.Executor.Context, inputs, value);
        return (double)value.ReadOnlySpan[0] * batch;
    }

    /// <summary>½ Σ_{b,j} m_{b,j} Π_j (a − c)²_{b,j} with Π = 1 and m = 1 where absent.</summary>
    private static double WeightedSquares(ReadOnlySpan<float> a, ReadOnlySpan<float> c, FloatTensor? precision, FloatTensor? mask, int batch)
    {
        int width = a.Length / batch;
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = (double)a[i] - c[i];
            double w = precision is null ? 1.0 : precision.ReadOnlySpan[i % width];
            if (mask is not null)
            {
                w *= mask.ReadOnlySpan[i];
            }

            sum += w * d * d;
        }

        return 0.5 * sum;
    }

    /// <summary>½ Σ_j ln Σ_j of one sample.</summary>
    private static double LogDeterminant(FloatTensor sigma)
    {
        double sum = 0;
        foreach (float s in sigma.ReadOnlySpan)
        {
            sum += Math.Log(s);
        }

        return 0.5 * sum;
    }
}
