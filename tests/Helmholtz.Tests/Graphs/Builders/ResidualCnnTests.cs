using Helmholtz.Graphs;
using Helmholtz.Graphs.Builders;
using Helmholtz.Graphs.Ops;
using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;
using Helmholtz.Tests.PredictiveCoding;

namespace Helmholtz.Tests.Graphs.Builders;

public sealed class ResidualCnnTests
{
    private static Model Small(Parametrisation p) =>
        ResidualCnn.Build(new ResidualCnnOptions(Height: 6, Width: 6, Filters: 3, Depth: 4, PoolSize: 2, OutputSize: 3, Activation: Activation.Tanh, Parametrisation: p), new Rng(21));

    [Fact]
    public void BlocksAreScaledSkipsAndParametersAreNamedPerBlock()
    {
        var model = Small(Parametrisation.MuPC);
        Assert.Equal(["stem.weight", "stem.bias", "blocks.1.weight", "blocks.1.bias", "blocks.2.weight", "blocks.2.bias", "fc.weight"],
            model.Graph.Parameters.Select(p => p.Name).ToArray());
        // μPC with the block fan-in F·k² = 27 as width and H = 4: a_h = 1/√108, a_H = 1/F.
        Assert.Equal(1 / MathF.Sqrt(108), ((ScaledAddOp)model.Graph["blocks.1"].Op!).Scale);
        Assert.Equal(1f / 3, ((ScaledDenseOp)model.Graph["fc"].Op!).Scale);
        Assert.Throws<ArgumentException>(() => ResidualCnn.Build(new ResidualCnnOptions(KernelSize: 4), new Rng(1)));
    }

    [Theory]
    [InlineData(Parametrisation.Standard)]
    [InlineData(Parametrisation.MuPC)]
    public void BackpropMatchesFiniteDifferencesAndPcFixedMatchesBackprop(Parametrisation p)
    {
        var model = Small(p);
        var (x, y) = PcTestKit.Batch(model, 2, seed: 8);
        var ex = new Executor(model.Graph, 2);
        PcTestKit.Load(ex, model, x, y);
        ex.Forward();
        ex.Backward(model.Loss);
        const double h = 1e-2;
        foreach (var parameter in model.Graph.Parameters)
        {
            var grad = ex.Gradient(parameter.Node).ReadOnlySpan.ToArray();
            var v = parameter.Value.Span;
            for (int i = 0; i < v.Length; i += Math.Max(1, v.Length / 5))
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
                // Smooth (tanh) network: O(h²) truncation plus float32 rounding of the loss divided by h.
                Assert.True(Math.Abs(fd - grad[i]) <= 2e-3 * Math.Max(1, Math.Abs(grad[i])), $"{p} {parameter.Name}[{i}]: backprop {grad[i]:R}, differences {fd:R}");
            }
        }

        // 3 value nodes per block, 12 in all: T = 200 steps of η_v = 0.5 leave C(T, D)·0.5^T negligible.
        var agreement = PcAgreement.Measure(model, x, y, iterations: 200, etaV: 0.5f);
        Assert.True(agreement.MaxRelativeError <= 1e-4, $"{p}: {agreement.MaxRelativeError:E3}");
    }
}
