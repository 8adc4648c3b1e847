using Helmholtz.Graphs;
using Helmholtz.Graphs.Builders;
using Helmholtz.Graphs.Ops;
using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;
using Helmholtz.Tests.PredictiveCoding;

namespace Helmholtz.Tests.Graphs.Builders;

public sealed class ResidualMlpTests
{
    private static Model Small(Parametrisation p, Activation activation = Activation.Tanh, bool bias = true, int depth = 6) =>
        ResidualMlp.Build(new ResidualMlpOptions(5, 8, depth, 3, activation, LossKind.Mse, p, bias), new Rng(11));

    [Fact]
    public void LayersParametersAndMultipliersFollowTheParametrisation()
    {
        var model = Small(Parametrisation.MuPC, bias: false, depth: 4);
        Assert.Equal(["layers.0.weight", "layers.1.weight", "layers.2.weight", "layers.3.weight"], model.Graph.Parameters.Select(p => p.Name).ToArray());
        Assert.Equal([8, 5], model.Graph.ParameterValues()["layers.0.weight"].Shape.ToArray());
        Assert.Equal([3, 8], model.Graph.ParameterValues()["layers.3.weight"].Shape.ToArray());
        var ops = Enumerable.Range(0, 4).Select(i => (ScaledDenseOp)model.Graph[$"layers.{i}"].Op!).ToArray();
        // μPC (Innocenti et al. 2025): a_1 = 1/√D, a_h = 1/√(N·H), a_H = 1/N with D = 5, N = 8, H = 4.
        Assert.Equal(1 / MathF.Sqrt(5), ops[0].Scale);
        Assert.Equal(1 / MathF.Sqrt(32), ops[1].Scale);
        Assert.Equal(1f / 8, ops[3].Scale);
        Assert.Equal([false, true, true, false], ops.Select(o => o.Residual).ToArray());
        Assert.Equal(Activation.Identity, ops[0].InputActivation);
        Assert.Equal(Activation.Tanh, ops[3].InputActivation);
        var ntk = ResidualMlp.Multipliers(new ResidualMlpOptions(5, 8, 4, 3, Parametrisation: Parametrisation.Ntk));
        Assert.Equal((1 / Math.Sqrt(5), 1 / Math.Sqrt(32), 1 / Math.Sqrt(8)), ntk);
        Assert.Equal((1.0, 1.0, 1.0), ResidualMlp.Multipliers(new ResidualMlpOptions(5, 8, 4, 3)));
    }

    [Fact]
    public void MuPCWeightsAreUnitGaussianAndStandardOnesPyTorchUniform()
    {
        var mupc = ResidualMlp.Build(new ResidualMlpOptions(784, 128, 3, 10, Parametrisation: Parametrisation.MuPC), new Rng(3));
        var w = mupc.Graph.ParameterValues()["layers.0.weight"].ReadOnlySpan.ToArray();
        double mean = w.Average(v => (double)v), variance = w.Average(v => ((double)v - mean) * ((double)v - mean));
        // 100 352 draws of N(0, 1): the sample variance has s.d. √(2/n) ≈ 0.0045, so 0.03 is more than 6 s.d.
        Assert.InRange(variance, 0.97, 1.03);
        var sp = ResidualMlp.Build(new ResidualMlpOptions(784, 128, 3, 10), new Rng(3));
        double max = sp.Graph.ParameterValues()["layers.1.weight"].ReadOnlySpan.ToArray().Max(v => Math.Abs(v));
        Assert.InRange(max, 0.9 / Math.Sqrt(128), 1 / Math.Sqrt(128));
    }

    [Theory]
    [InlineData(Parametrisation.Standard)]
    [InlineData(Parametrisation.MuPC)]
    [InlineData(Parametrisation.Ntk)]
    public void BackpropMatchesFiniteDifferences(Parametrisation p)
    {
        var model = Small(p);
        var (x, y) = PcTestKit.Batch(model, 3, seed: 5);
        var ex = new Executor(model.Graph, 3);
        PcTestKit.Load(ex, model, x, y);
        ex.Forward();
        ex.Backward(model.Loss);
        const double h = 1e-2;
        foreach (var parameter in model.Graph.Parameters)
        {
            var grad = ex.Gradient(parameter.Node).ReadOnlySpan.ToArray();
            var v = parameter.Value.Span;
            for (int i = 0; i < v.Length; i += Math.Max(1, v.Length / 7))
            {
                float saved = v[i];
                v[i] = (float)(saved + h);
                ex.Forward();
                double plus = ex.Value(model.Loss).Span[0];
                v[i] = (float)(saved - h);
                ex.Forward();
                double minus = ex.Value(model.Loss).Span[0];
                v[i] = saved;
                double fd = (plus - minus) / (2 * h);
                // Central differences of a smooth (tanh) loss: O(h²) truncation plus float32 rounding of the loss / h.
                Assert.True(Math.Abs(fd - grad[i]) <= 2e-3 * Math.Max(1, Math.Abs(grad[i])), $"{p} {parameter.Name}[{i}]: backprop {grad[i]:R}, differences {fd:R}");
            }
        }
    }

    [Theory]
    [InlineData(Parametrisation.Standard)]
    [InlineData(Parametrisation.MuPC)]
    public void FixedPredictionPcEqualsBackprop(Parametrisation p)
    {
        var model = Small(p);
        var (x, y) = PcTestKit.Batch(model, 3, seed: 6);
        var result = PcAgreement.Measure(model, x, y, iterations: 200, etaV: 0.5f);
        Assert.True(result.MaxRelativeError <= 1e-4, $"{p}: {result.MaxRelativeError:E3}");
    }

    [Theory]
    [InlineData(Parametrisation.Standard)]
    [InlineData(Parametrisation.MuPC)]
    public void StandardPcReproducesBackpropUnderWeakOutputClamping(Parametrisation p)
    {
        // Standard PC with output variance σ² (the output energy weighted by β = 1/σ²) settles to hidden errors of order β,
        // and σ²·(its update) equals the backprop gradient up to O(β) (Whittington & Bogacz 2017, the weak-feedback limit;
        // the β → 0 limit of equilibrium propagation, Scellier & Bengio 2017). The weakly clamped output settles slowly, so
        // T = 4000 steps of η_v = 0.1. Measured: σ² = 10 → 0.17 (sp) / 0.12 (μPC), σ² = 100 → 0.018 / 0.012; beyond σ² ≈ 1000
        // float32 rounding of the O(β) errors dominates.
        var model = Small(p);
        var (x, y) = PcTestKit.Batch(model, 3, seed: 7);
        var bp = new Executor(model.Graph, 3);
        PcTestKit.Load(bp, model, x, y);
        bp.Forward();
        bp.Backward(model.Loss);
        double RelativeError(float variance)
        {
            var trainer = new PredictiveCodingTrainer(model, 3, new PcOptions { Algorithm = PcAlgorithm.Standard, Iterations = 4000, EtaV = 0.1f, OutputVariance = variance });
            PcTestKit.Load(trainer.Executor, model, x, y);
            trainer.Infer();
            var pc = trainer.ComputeParameterGradients();
            double worst = 0;
            for (int i = 0; i < model.Graph.Parameters.Count; i++)
            {
                var g = bp.Gradient(model.Graph.Parameters[i].Node).ReadOnlySpan;
                var q = pc[i].ReadOnlySpan;
                double diff = 0, norm = 0;
                for (int k = 0; k < g.Length; k++)
                {
                    double d = (variance * (double)q[k]) - g[k];
                    diff += d * d;
                    norm += (double)g[k] * g[k];
                }

                worst = Math.Max(worst, Math.Sqrt(diff / norm));
            }

            return worst;
        }

        double coarse = RelativeError(10f), fine = RelativeError(100f);
        Assert.True(fine <= 0.03, $"{p}: relative error {fine:E3} at σ² = 100");
        Assert.True(fine < 0.3 * coarse, $"{p}: relative error {coarse:E3} at σ² = 10, {fine:E3} at σ² = 100 (expected O(1/σ²))");
    }

    [Fact]
    public void TooShallowIsRejectedByName()
    {
        var ex = Assert.Throws<ArgumentException>(() => ResidualMlp.Build(new ResidualMlpOptions(5, 8, 1, 3), new Rng(1)));
        Assert.StartsWith("Option Depth", ex.Message, StringComparison.Ordinal);
    }
}
