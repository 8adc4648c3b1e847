using Helmholtz.Graphs;
using Helmholtz.Graphs.Ops;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Graphs;

public sealed class ExecutorTests
{
    [Fact]
    public void BackpropThroughTwoLayersMatchesFiniteDifferencesOfTheLoss()
    {
        var rng = new Rng(7);
        var g = new GraphBuilder();
        var x = g.Input("x", 4);
        var y = g.Input("y", 3);
        FloatTensor W(int o, int i) { var t = new FloatTensor(o, i); rng.FillGaussian(t.Span, 0, 0.5f); return t; }
        var h = g.Apply(new DenseOp(Activation.Tanh), "h", x, g.Parameter("layers.0.weight", W(5, 4)), g.Parameter("layers.0.bias", W(5, 1).Reshape(5)));
        var o = g.Apply(new DenseOp(), "o", h, g.Parameter("layers.1.weight", W(3, 5)), g.Parameter("layers.1.bias", W(3, 1).Reshape(3)));
        var loss = g.Apply(new MseLossOp(), "loss", o, y);
        var graph = g.Build();
        var ex = new Executor(graph, batchSize: 2);
        rng.FillGaussian(ex.Value(x).Span);
        rng.FillGaussian(ex.Value(y).Span);
        ex.Forward();
        ex.Backward(loss);

        foreach (var p in graph.Parameters)
        {
            var grad = ex.Gradient(p.Node).Span.ToArray();
            var v = p.Value.Span;
            for (int i = 0; i < v.Length; i++)
            {
                float saved = v[i];
                v[i] = saved + 1e-2f;
                ex.Forward();
                double plus = ex.Value(loss).Span[0];
                v[i] = saved - 1e-2f;
                ex.Forward();
                double minus = ex.Value(loss).Span[0];
                v[i] = saved;
                double fd = (plus - minus) / 2e-2;
                Assert.True(Math.Abs(fd - grad[i]) <= Tolerance.FiniteDifferenceFloat32 * Math.Max(1, Math.Abs(grad[i])),
                    $"{p.Name}[{i}]: backprop {grad[i]:R}, finite differences {fd:R}");
            }
        }

        Assert.Throws<ArgumentException>(() => ex.Gradient(x));
    }

    [Fact]
    public void SharedParameterAccumulatesGradientFromEveryUse()
    {
        // y = w·(w·x) uses w twice: L = ½ (w² x − t)², so dL/dw = (w² x − t)·2wx = (18 − 1)·2·3·2 = 204 (hand calculation).
        var g = new GraphBuilder();
        var x = g.Input("x", 1);
        var t = g.Input("t", 1);
        var w = g.Parameter("w", new FloatTensor([3f], 1, 1));
        var a = g.Apply(new DenseOp(), "a", x, w);
        var y = g.Apply(new DenseOp(), "y", a, w);
        var loss = g.Apply(new MseLossOp(), "loss", y, t);
        var ex = new Executor(g.Build(), 1);
        ex.Value(x).Span[0] = 2f;
        ex.Value(t).Span[0] = 1f;
        ex.Forward();
        ex.Backward(loss);
        Assert.Equal(204f, ex.Gradient(w).Span[0]);
    }

    [Fact]
    public void BuilderRejectsMismatchedShapesNamingTheNodes()
    {
        var g = new GraphBuilder();
        var x = g.Input("x", 4);
        var w = g.Parameter("layers.0.weight", new FloatTensor(5, 3));
        var ex = Assert.Throws<ArgumentException>(() => g.Apply(new DenseOp(), "h", x, w));
        Assert.Contains("layers.0.weight", ex.Message);
        Assert.Contains("[5, 3]", ex.Message);
    }
}
