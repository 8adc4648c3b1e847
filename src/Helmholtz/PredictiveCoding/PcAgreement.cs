using Helmholtz.Graphs;
using Helmholtz.Tensors;

namespace Helmholtz.PredictiveCoding;

/// <summary>How closely one parameter's PC update matches its backprop gradient.</summary>
/// <param name="Name">The parameter's name.</param>
/// <param name="RelativeError">‖g_pc − g_bp‖₂ / ‖g_bp‖₂ (0 when both are zero; +∞ when only g_bp is zero).</param>
/// <param name="Cosine">g_pc·g_bp / (‖g_pc‖‖g_bp‖) (1 when both are zero, 0 when exactly one is).</param>
public sealed record ParameterAgreement(string Name, double RelativeError, double Cosine);

/// <summary>The agreement of PC's equilibrium parameter updates with exact backprop on one batch.</summary>
/// <param name="PerParameter">One entry per parameter, in the graph's order.</param>
/// <param name="MaxRelativeError">The largest relative error over the parameters.</param>
/// <param name="MinCosine">The smallest cosine over the parameters.</param>
/// <param name="Iterations">The inference steps PC ran.</param>
/// <param name="EtaV">The inference step size η_v.</param>
public sealed record PcAgreementResult(IReadOnlyList<ParameterAgreement> PerParameter, double MaxRelativeError, double MinCosine, int Iterations, float EtaV);

/// <summary>Compares PC's parameter updates with exact backprop gradients (Executor.Backward) on the same graph and batch.</summary>
/// <remarks>
/// With the fixed-prediction assumption the equilibrium errors equal backprop's gradients on any DAG (Millidge, Tschantz
/// &amp; Buckley 2020, Theorem 1), so the relative error falls to float32 rounding as T grows; other algorithms show how far
/// their updates are from the gradient. Accumulation is in double.
/// </remarks>
public static class PcAgreement
{
    /// <summary>Runs backprop and PC (<paramref name="algorithm"/>, default pc-fixed) on the batch (<paramref name="x"/>, <paramref name="y"/>) and compares their parameter updates.</summary>
    /// <param name="model">The model; its parameters are read, not changed.</param>
    /// <param name="x">Inputs [batch, ..input shape].</param>
    /// <param name="y">Targets [batch, ..output shape].</param>
    /// <param name="iterations">T, the inference steps.</param>
    /// <param name="etaV">η_v, the inference step size.</param>
    /// <param name="algorithm">The PC schedule to compare.</param>
    /// <exception cref="ArgumentException">Shapes do not fit the model, or the options are invalid.</exception>
    /// <exception cref="PcDivergenceException">PC inference or a PC parameter update became NaN or infinite.</exception>
    /// <exception cref="Training.TrainingDivergedException">A backprop gradient is NaN or infinite.</exception>
    public static PcAgreementResult Measure(Model model, FloatTensor x, FloatTensor y, int iterations, float etaV, PcAlgorithm algorithm = PcAlgorithm.Fixed)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Rank == 0)
        {
            throw new ArgumentException("The input batch must have a batch dimension.", nameof(x));
        }

        var options = new PcOptions { Algorithm = algorithm, Iterations = iterations, EtaV = etaV };
        var trainer = new PredictiveCodingTrainer(model, x.Dim(0), options);
        var backprop = new Executor(model.Graph, x.Dim(0));
        foreach (var ex in new[] { trainer.Executor, backprop })
        {
            FloatTensor.RequireSameShape(ex.Value(model.Input), x, $"Input '{model.Input.Name}' and the batch x");
            FloatTensor.RequireSameShape(ex.Value(model.Target), y, $"Target '{model.Target.Name}' and the batch y");
            ex.Value(model.Input).CopyFrom(x);
            ex.Value(model.Target).CopyFrom(y);
        }

        backprop.Forward();
        backprop.Backward(model.Loss);
        trainer.Infer();
        var pc = trainer.ComputeParameterGradients();
        var per = new List<ParameterAgreement>();
        var parameters = model.Graph.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            var bp = backprop.Gradient(parameters[i].Node).ReadOnlySpan;
            var p = pc[i].ReadOnlySpan;
            double dot = 0, nb = 0, np = 0, nd = 0;
            for (int k = 0; k < bp.Length; k++)
            {
                dot += (double)p[k] * bp[k];
                nb += (double)bp[k] * bp[k];
                np += (double)p[k] * p[k];
                double d = (double)p[k] - bp[k];
                nd += d * d;
            }

            // The sums of squares are doubles of float squares, so they overflow only if an element is NaN or ±∞.
            if (!double.IsFinite(np))
            {
                throw new PcDivergenceException(parameters[i].Name, trainer.LastIterations, "parameter update", etaV);
            }

            if (!double.IsFinite(nb))
            {
                throw new Training.TrainingDivergedException($"The backprop gradient of parameter '{parameters[i].Name}' is NaN or infinite on this batch; the model's parameters or the batch hold values too large for float32.");
            }

            double rel = nb > 0 ? Math.Sqrt(nd / nb) : (nd > 0 ? double.PositiveInfinity : 0);
            double cos = nb > 0 && np > 0 ? dot / Math.Sqrt(nb * np) : (nb == 0 && np == 0 ? 1 : 0);
            per.Add(new ParameterAgreement(parameters[i].Name, rel, cos));
        }

        return new PcAgreementResult(
            per,
            per.Count == 0 ? 0 : per.Max(a => a.RelativeError),
            per.Count == 0 ? 1 : per.Min(a => a.Cosine),
            trainer.LastIterations,
            etaV);
    }
}
