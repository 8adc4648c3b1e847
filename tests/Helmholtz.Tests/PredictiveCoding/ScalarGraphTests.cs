using Helmholtz.Graphs;
using Helmholtz.Graphs.Ops;
using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.PredictiveCoding;

/// <summary>
/// The thesis's scalar example graph (Millidge 2021, ch. on "PC approximates backprop along arbitrary computation graphs"):
/// y₁ = θy₀, y₂ = √y₁, y₃ = y₀², y₄ = tan y₂ + sin y₃, with θ = 2, y₀ = 5. The loss is the library's MSE,
/// L = ½(y₄ − T)² with target T = 2 (our choice; the thesis writes (T − y₄)², twice this, which changes no identity).
/// tan y₂ and sin y₃ are nodes of their own, so the graph has value nodes y₁, y₂, y₃, tan, sin and the output y₄.
/// </summary>
public sealed class ScalarGraphTests
{
    private const double Y0 = 5, Theta = 2, Target = 2;

    /// <summary>Float32 rounding of a few operations on values of size ≤ 30 with gradients of size ~0.1–2: ε₃₂·30/0.1 ≈ 2e-5.</summary>
    private const double Float32Rounding = 2e-5;

    private sealed record Scalar(Model Model, Node Y1, Node Y2, Node Y3, Node Tan, Node Sin, Node Y4, Node ThetaNode);

    private static Scalar Build()
    {
        var g = new GraphBuilder();
        var y0 = g.Input("y0", 1);
        var theta = g.Parameter("theta", new FloatTensor([(float)Theta], 1, 1));
        var y1 = g.Apply(new DenseOp(), "y1", y0, theta);
        var y2 = g.Apply(UnaryOp.Sqrt(), "y2", y1);
        var y3 = g.Apply(UnaryOp.Square(), "y3", y0);
        var tan = g.Apply(UnaryOp.Tan(), "tan", y2);
        var sin = g.Apply(UnaryOp.Sin(), "sin", y3);
        var y4 = g.Apply(new AddOp(), "y4", tan, sin);
        var t = g.Input("T", 1);
        var loss = g.Apply(new MseLossOp(), "loss", y4, t);
        return new Scalar(new Model(g.Build(), y0, y4, t, loss, LossKind.Mse), y1, y2, y3, tan, sin, y4, theta);
    }

    /// <summary>dL/dv for every value node, by the chain rule by hand, in double.</summary>
    private static Dictionary<string, double> HandGradients()
    {
        double y1 = Theta * Y0, y2 = Math.Sqrt(y1), y3 = Y0 * Y0, y4 = Math.Tan(y2) + Math.Sin(y3);
        double dy4 = y4 - Target;
        double dy2 = dy4 / (Math.Cos(y2) * Math.Cos(y2));
        double dy1 = dy2 * 0.5 / Math.Sqrt(y1);
        return new()
        {
            ["tan"] = dy4,
            ["sin"] = dy4,
            ["y2"] = dy2,
            ["y3"] = dy4 * Math.Cos(y3),
            ["y1"] = dy1,
            ["theta"] = dy1 * Y0,
        };
    }

    private static PredictiveCodingTrainer Run(Scalar s, int iterations, float etaV)
    {
        var trainer = new PredictiveCodingTrainer(s.Model, 1, new PcOptions { Iterations = iterations, EtaV = etaV });
        trainer.Executor.Value(s.Model.Input).Span[0] = (float)Y0;
        trainer.Executor.Value(s.Model.Target).Span[0] = (float)Target;
        trainer.Infer();
        return trainer;
    }

    [Fact]
    public void FixedPredictionErrorsConvergeToBackpropGradients()
    {
        var s = Build();
        var expected = HandGradients();
        var trainer = Run(s, iterations: 200, etaV: 0.2f);
        foreach (var node in new[] { s.Y1, s.Y2, s.Y3, s.Tan, s.Sin })
        {
            double e = trainer.Error(node).Span[0], want = expected[node.Name];
            Assert.True(Math.Abs(e - want) <= Float32Rounding * Math.Max(1, Math.Abs(want)), $"{node.Name}: PC error {e:R}, dL/dv {want:R}");
        }

        var grads = trainer.ComputeParameterGradients();
        double dTheta = grads[0].Span[0];
        Assert.True(Math.Abs(dTheta - expected["theta"]) <= Float32Rounding * Math.Abs(expected["theta"]),
            $"θ: PC update {dTheta:R}, dL/dθ {expected["theta"]:R}");

        // The same number from the library's exact backprop, through the agreement tool.
        var x = new FloatTensor([(float)Y0], 1, 1);
        var y = new FloatTensor([(float)Target], 1, 1);
        var agreement = PcAgreement.Measure(s.Model, x, y, 200, 0.2f);
        Assert.True(agreement.MaxRelativeError <= 1e-5, $"max relative error {agreement.MaxRelativeError:E3}");
    }

    [Fact]
    public void WithStepOneErrorsEqualBackpropAfterAsManySweepsAsTheGraphIsDeep()
    {
        // The deepest value node, y₁, is 3 edges below the output (y₁ → y₂ → tan → y₄).
        var s = Build();
        var expected = HandGradients();
        var trainer = Run(s, iterations: 3, etaV: 1f);
        foreach (var node in new[] { s.Y1, s.Y2, s.Y3, s.Tan, s.Sin })
        {
            double e = trainer.Error(node).Span[0], want = expected[node.Name];
            Assert.True(Math.Abs(e - want) <= Float32Rounding * Math.Max(1, Math.Abs(want)), $"{node.Name}: PC error {e:R}, dL/dv {want:R}");
        }

        // One sweep fewer and y₁ has not heard from the output yet: the property is about depth, not luck.
        var early = Run(s, iterations: 2, etaV: 1f);
        Assert.Equal(0f, early.Error(s.Y1).Span[0]);
        Assert.NotEqual(0.0, expected["y1"]);
    }

    [Fact]
    public void RelaxationsAreRejectedOnOpsThatCannotSupportThem()
    {
        var s = Build();
        var ex = Assert.Throws<ArgumentException>(() => new PredictiveCodingTrainer(
            s.Model, 1, new PcOptions { Algorithm = PcAlgorithm.Relaxed, Relaxations = PcRelaxations.NoDerivative }));
        Assert.Contains("sqrt", ex.Message, StringComparison.Ordinal);
    }
}
