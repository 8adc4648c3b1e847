using Helmholtz.Graphs;
using Helmholtz.Optim;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Optim;

public sealed class OptimizerTests
{
    /// <summary>Hand-computed float32 updates below agree to a few ulps of values near 1.</summary>
    private const float HandTolerance = 1e-6f;

    private static (Parameter[] Parameters, FloatTensor[] Gradients) OneParameter(float value, float gradient)
    {
        var b = new GraphBuilder();
        b.Parameter("w", new FloatTensor([value], 1));
        return (b.Build().Parameters.ToArray(), [new FloatTensor([gradient], 1)]);
    }

    [Fact]
    public void SgdWithMomentumAndWeightDecayFollowsPyTorch()
    {
        // p = 1, g = 0.5, lr = 0.1, μ = 0.9, wd = 0.01.
        // Step 1: d = 0.5 + 0.01·1 = 0.51; v = 0.51; p = 1 − 0.1·0.51 = 0.949.
        // Step 2: d = 0.5 + 0.01·0.949 = 0.50949; v = 0.9·0.51 + 0.50949 = 0.96849; p = 0.949 − 0.096849 = 0.852151.
        var (ps, gs) = OneParameter(1f, 0.5f);
        var sgd = new Sgd(new SgdOptions(0.1, Momentum: 0.9, WeightDecay: 0.01));
        sgd.Step(ps, gs);
        Assert.Equal(0.949f, ps[0].Value.Span[0], HandTolerance);
        sgd.Step(ps, gs);
        Assert.Equal(0.852151f, ps[0].Value.Span[0], HandTolerance);
        Assert.Equal(0.96849f, sgd.State()["w.momentum"].Span[0], HandTolerance);
    }

    [Fact]
    public void AdamLearningRateScaleActsAsAScaledLearningRate()
    {
        var (scaledPs, gs) = OneParameter(1f, 0.5f);
        var (plainPs, _) = OneParameter(1f, 0.5f);
        var scaled = new Adam(new AdamOptions(LearningRate: 0.01)) { LearningRateScale = 0.5 };
        var plain = new Adam(new AdamOptions(LearningRate: 0.005));
        for (int t = 0; t < 3; t++)
        {
            scaled.Step(scaledPs, gs);
            plain.Step(plainPs, gs);
        }

        Assert.Equal(plainPs[0].Value.Span[0], scaledPs[0].Value.Span[0]); // 0.01 × 0.5 = 0.005 exactly
        Assert.NotEqual(1f, scaledPs[0].Value.Span[0]);
        scaled.LearningRateScale = 0;
        float frozen = scaledPs[0].Value.Span[0];
        scaled.Step(scaledPs, gs);
        Assert.Equal(frozen, scaledPs[0].Value.Span[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => scaled.LearningRateScale = -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => scaled.LearningRateScale = double.NaN);
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.01, false)]
    [InlineData(0.01, true)]
    public void AdamVectorUpdateMatchesTheScalarFormulaBitForBit(double weightDecay, bool decoupled)
    {
        const int n = 37; // whole vectors and a scalar tail
        var rng = new Rng(5);
        var b = new GraphBuilder();
        var w = new FloatTensor(n);
        rng.FillGaussian(w.Span);
        b.Parameter("w", w);
        var ps = b.Build().Parameters.ToArray();
        var g = new FloatTensor(n);
        var options = new AdamOptions(LearningRate: 0.003, WeightDecay: weightDecay, DecoupledWeightDecay: decoupled);
        var adam = new Adam(options);
        float[] p = w.ReadOnlySpan.ToArray(), m = new float[n], v = new float[n];
        for (int t = 1; t <= 4; t++)
        {
            rng.FillGaussian(g.Span);
            adam.Step(ps, [g]);
            // The scalar reference: the formula of the class remarks, float32, operations in this order.
            double c1 = 1 - Math.Pow(options.Beta1, t), c2 = 1 - Math.Pow(options.Beta2, t);
            float step = (float)(options.LearningRate / c1), c2Sqrt = (float)Math.Sqrt(c2), decay = (float)(1 - (options.LearningRate * weightDecay));
            for (int i = 0; i < n; i++)
            {
                float gi = g.Span[i];
                if (decoupled)
                {
                    p[i] *= decay;
                }
                else
                {
                    gi += (float)weightDecay * p[i];
                }

                m[i] += (float)(1 - options.Beta1) * (gi - m[i]);
                v[i] = ((float)options.Beta2 * v[i]) + ((float)(1 - options.Beta2) * gi * gi);
                p[i] -= step * (m[i] / ((MathF.Sqrt(v[i]) / c2Sqrt) + (float)options.Epsilon));
            }
        }

        Assert.Equal(p, ps[0].Value.ReadOnlySpan.ToArray());
        Assert.Equal(m, adam.State()["w.exp_avg"].ReadOnlySpan.ToArray());
        Assert.Equal(v, adam.State()["w.exp_avg_sq"].ReadOnlySpan.ToArray());
    }

    [Theory]
    [InlineData(0, 0, 0.1, 1.0)]
    [InlineData(500, 0, 0.1, 1.0)]
    [InlineData(0, 100, 0.1, 1.0)]
    [InlineData(50, 100, 0.1, 0.55)]
    [InlineData(100, 100, 0.1, 0.1)]
    [InlineData(1000, 100, 0.0, 0.0)]
    public void AgentLearningRatesDecayLinearlyThenStay(long steps, int decaySteps, double final, double expected) =>
        Assert.Equal(expected, Helmholtz.ActiveInference.Deep.TrainedNetwork.LearningRateScaleAt(steps, decaySteps, final), 12);

    [Fact]
    public void SgdPlainAndNesterovSteps()
    {
        // Plain: p = 1 − 0.1·0.5 = 0.95.
        var (ps, gs) = OneParameter(1f, 0.5f);
        var plain = new Sgd(new SgdOptions(0.1));
        plain.Step(ps, gs);
        Assert.Equal(0.95f, ps[0].Value.Span[0], HandTolerance);
        Assert.Empty(plain.State());

        // Nesterov, μ = 0.9, wd = 0.01: d = 0.51, v = 0.51, d ← 0.51 + 0.9·0.51 = 0.969, p = 1 − 0.0969 = 0.9031.
        (ps, gs) = OneParameter(1f, 0.5f);
        new Sgd(new SgdOptions(0.1, 0.9, 0.01, Nesterov: true)).Step(ps, gs);
        Assert.Equal(0.9031f, ps[0].Value.Span[0], HandTolerance);
    }

    [Fact]
    public void AdamTwoStepsFollowPyTorch()
    {
        // p = 1, lr = 0.1, β = (0.9, 0.999), ε = 1e-8; g₁ = 0.5, g₂ = −0.25.
        // Step 1: m = 0.05, v = 0.00025, c₁ = 0.1, c₂ = 0.001: p = 1 − (0.1/0.1)·0.05/(√0.00025/√0.001 + 1e-8) = 0.9 (+2e-9).
        // Step 2: m = 0.05 + 0.1·(−0.25 − 0.05) = 0.02, v = 0.999·0.00025 + 0.001·0.0625 = 0.00031225,
        //         c₁ = 0.19, c₂ = 0.001999: p = 0.9 − (0.1/0.19)·0.02/(√0.00031225/√0.001999 + 1e-8) = 0.8733663.
        var (ps, gs) = OneParameter(1f, 0.5f);
        var adam = new Adam(new AdamOptions(0.1));
        adam.Step(ps, gs);
        Assert.Equal(0.9f, ps[0].Value.Span[0], HandTolerance);
        gs[0].Span[0] = -0.25f;
        adam.Step(ps, gs);
        Assert.Equal(0.8733663f, ps[0].Value.Span[0], HandTolerance);
        var state = adam.State();
        Assert.Equal(0.02f, state["w.exp_avg"].Span[0], HandTolerance);
        Assert.Equal(0.00031225f, state["w.exp_avg_sq"].Span[0], 1e-9f);
        Assert.Equal(2f, state["w.step"].Span[0]);
    }

    [Fact]
    public void AdamWeightDecayL2AndDecoupled()
    {
        // L2: p = 2, g = 0.5 + 0.1·2 = 0.7; the first Adam step moves by lr·g/|g| = 0.1: p = 1.9.
        var (ps, gs) = OneParameter(2f, 0.5f);
        new Adam(new AdamOptions(0.1, WeightDecay: 0.1)).Step(ps, gs);
        Assert.Equal(1.9f, ps[0].Value.Span[0], HandTolerance);

        // Decoupled (AdamW): p = 2·(1 − 0.1·0.1) = 1.98, then the step of 0.1 gives 1.88.
        (ps, gs) = OneParameter(2f, 0.5f);
        new Adam(new AdamOptions(0.1, WeightDecay: 0.1, DecoupledWeightDecay: true)).Step(ps, gs);
        Assert.Equal(1.88f, ps[0].Value.Span[0], HandTolerance);
    }

    public static TheoryData<string> Optimizers() => ["sgd", "adam"];

    private static IOptimizer Create(string name) => name == "sgd"
        ? new Sgd(new SgdOptions(0.05, 0.9, 1e-3))
        : new Adam(new AdamOptions(0.01, WeightDecay: 1e-3));

    private static (Parameter[] Parameters, FloatTensor[] Gradients) RandomProblem(ulong seed)
    {
        var rng = new Rng(seed);
        var b = new GraphBuilder();
        FloatTensor R(params int[] shape)
        {
            var t = new FloatTensor(shape);
            rng.FillGaussian(t.Span);
            return t;
        }

        b.Parameter("layers.0.weight", R(4, 3));
        b.Parameter("layers.0.bias", R(4));
        var parameters = b.Build().Parameters.ToArray();
        return (parameters, parameters.Select(p => R(p.Value.Shape.ToArray())).ToArray());
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void StateRoundTripContinuesToIdenticalNumbers(string name)
    {
        var (ps, gs) = RandomProblem(3);
        var original = Create(name);
        for (int i = 0; i < 3; i++)
        {
            original.Step(ps, gs);
        }

        var (copies, _) = RandomProblem(3);
        for (int i = 0; i < ps.Length; i++)
        {
            copies[i].Value.CopyFrom(ps[i].Value);
        }

        var resumed = Create(name);
        resumed.LoadState(original.State());
        for (int i = 0; i < 3; i++)
        {
            for (int k = 0; k < gs.Length; k++)
            {
                gs[k].Span[0] += 0.25f;
            }

            original.Step(ps, gs);
            resumed.Step(copies, gs);
        }

        for (int i = 0; i < ps.Length; i++)
        {
            Assert.Equal(ps[i].Value.Span.ToArray(), copies[i].Value.Span.ToArray());
        }

        Assert.Equal(original.State().Keys.Order(), resumed.State().Keys.Order());
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void StepAllocatesNothingAfterTheFirst(string name)
    {
        var (ps, gs) = RandomProblem(4);
        var optimizer = Create(name);
        optimizer.Step(ps, gs);
        Assert.Equal(0, Allocations.Least(() =>
        {
            for (int i = 0; i < 10; i++)
            {
                optimizer.Step(ps, gs);
            }
        }));
    }

    [Fact]
    public void BadStateAndOptionsAreRejectedWithTheirNames()
    {
        Assert.Contains("w.velocity", Assert.Throws<ArgumentException>(() => new Sgd(new SgdOptions()).LoadState(new Dictionary<string, FloatTensor> { ["w.velocity"] = new FloatTensor(1) })).Message);
        Assert.Contains("'w'", Assert.Throws<ArgumentException>(() => new Adam(new AdamOptions()).LoadState(new Dictionary<string, FloatTensor> { ["w.exp_avg"] = new FloatTensor(1) })).Message);

        var sgd = new Sgd(new SgdOptions(0.1, 0.5));
        sgd.LoadState(new Dictionary<string, FloatTensor> { ["w.momentum"] = new FloatTensor(2) });
        var (ps, gs) = OneParameter(1f, 1f);
        Assert.Contains("w.momentum", Assert.Throws<ArgumentException>(() => sgd.Step(ps, gs)).Message);

        Assert.Contains("momentum", Assert.Throws<ArgumentException>(() => new Sgd(new SgdOptions(0.1, 1.5))).Message);
        Assert.Contains("Nesterov", Assert.Throws<ArgumentException>(() => new Sgd(new SgdOptions(0.1, Nesterov: true))).Message);
        Assert.Contains("betas", Assert.Throws<ArgumentException>(() => new Adam(new AdamOptions(Beta2: 1))).Message);
        Assert.Contains("'w'", Assert.Throws<ArgumentException>(() => new Sgd(new SgdOptions()).Step(ps, [new FloatTensor(2)])).Message);
    }
}
