using Helmholtz.Graphs;
using Helmholtz.Tensors;

namespace Helmholtz.PredictiveCoding;

/// <summary>One value node's state after T inference steps on one batch, and its layer's gradient norms.</summary>
/// <param name="Name">The value node's name (e.g. <c>layers.3</c>).</param>
/// <param name="ErrorNorm">‖ε‖₂ per sample, averaged over the batch, after T steps (the output node: its clamped error).</param>
/// <param name="Energy">½‖ε‖² summed over the batch and divided by it: this node's share of the free energy F.</param>
/// <param name="PcGradientNorm">‖g‖₂ of the PC update of the parameters this node's op reads (0 when it reads none).</param>
/// <param name="BackpropGradientNorm">‖∂L/∂θ‖₂ of the same parameters by exact backprop on the same batch.</param>
public sealed record PcLayerState(string Name, double ErrorNorm, double Energy, double PcGradientNorm, double BackpropGradientNorm);

/// <summary>Per-layer errors, energies and gradient norms of a PC network on one batch: do the errors reach the early layers?</summary>
/// <remarks>
/// Runs the schedule of <c>options</c> for T steps from the feed-forward initialisation (as a training step does, without the
/// parameter update) and backprop on the same batch; the model's parameters are read, not changed. Under standard PC the
/// output error moves one value node down per step, so after T steps the nodes more than T edges below the output still
/// have ε = 0 unless skips carry it (in a residual block they do not: ε_l depends on v_l and v_{l−1} only).
/// </remarks>
public static class PcLayerDiagnostics
{
    /// <summary>The state of every value node, in graph order (output last), after T steps on (<paramref name="x"/>, <paramref name="y"/>).</summary>
    /// <exception cref="ArgumentException">Shapes do not fit the model, or the options are invalid.</exception>
    public static IReadOnlyList<PcLayerState> Measure(Model model, FloatTensor x, FloatTensor y, PcOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(options);
        int batch = x.Dim(0);
        var trainer = new PredictiveCodingTrainer(model, batch, options);
        var backprop = new Executor(model.Graph, batch);
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
        var parameterIndex = new Dictionary<Node, int>();
        for (int i = 0; i < model.Graph.Parameters.Count; i++)
        {
            parameterIndex[model.Graph.Parameters[i].Node] = i;
        }

        var result = new List<PcLayerState>();
        foreach (var node in trainer.ValueNodes)
        {
            var e = trainer.Error(node).ReadOnlySpan;
            int width = node.SampleSize;
            double norms = 0, squares = 0;
            for (int b = 0; b < batch; b++)
            {
                double s = 0;
                foreach (float v in e.Slice(b * width, width))
                {
                    s += (double)v * v;
                }

                norms += Math.Sqrt(s);
                squares += s;
            }

            double pcSquares = 0, bpSquares = 0;
            foreach (var input in node.Inputs)
            {
                if (parameterIndex.TryGetValue(input, out int k))
                {
                    pcSquares += SumOfSquares(pc[k].ReadOnlySpan);
                    bpSquares += SumOfSquares(backprop.Gradient(input).ReadOnlySpan);
                }
            }

            result.Add(new PcLayerState(node.Name, norms / batch, 0.5 * squares / batch, Math.Sqrt(pcSquares), Math.Sqrt(bpSquares)));
        }

        return result;
    }

    private static double SumOfSquares(ReadOnlySpan<float> values)
    {
        double s = 0;
        foreach (float v in values)
        {
            s += (double)v * v;
        }

        return s;
    }
}
