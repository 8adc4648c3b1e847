using Helmholtz.ActiveInference.Deep;
using Helmholtz.Graphs;
using Helmholtz.Graphs.Ops;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Deep;

/// <summary>The policy free energy, the Huber loss and the EFE bootstrap target against hand calculations.</summary>
public sealed class LossTests
{
    private const double Float32 = 1e-6;

    [Fact]
    public void PolicyLossIsTheKlDivergenceToTheBoltzmannOfMinusGammaG()
    {
        // Hand case: z = [0, ln 3] gives q = [1/4, 3/4]; G = [1, 2] and γ = ln 2 give p ∝ [2⁻¹, 2⁻²] = [2/3, 1/3].
        // KL(q‖p) = ¼ ln(¼ / ⅔) + ¾ ln(¾ / ⅓) = ¼ ln(3/8) + ¾ ln(9/4) ≈ 0.362990.
        double expected = (0.25 * Math.Log(3.0 / 8)) + (0.75 * Math.Log(9.0 / 4));
        var (loss, _) = Evaluate([0f, (float)Math.Log(3)], [1f, 2f], (float)Math.Log(2), 1.0);
        Assert.Equal(expected, loss, Float32);

        // ∂L/∂z_k = q_k (f_k − E_q f), f = ln q + γG: with the numbers above f = [ln ¼ + ln 2, ln ¾ + 2 ln 2] = [ln ½, ln 3].
        double f0 = Math.Log(0.5), f1 = Math.Log(3), mean = (0.25 * f0) + (0.75 * f1);
        var (_, dz) = Evaluate([0f, (float)Math.Log(3)], [1f, 2f], (float)Math.Log(2), 1.0);
        Assert.Equal(0.25 * (f0 - mean), dz[0], Float32);
        Assert.Equal(0.75 * (f1 - mean), dz[1], Float32);
    }

    [Fact]
    public void PolicyLossIsZeroWhenThePolicyEqualsTheTargetAndDropsTheEntropyWithBetaZero()
    {
        // q = softmax(−γG) exactly: z = −γG.
        var (atOptimum, grad) = Evaluate([-2f, -4f, -1f], [1f, 2f, 0.5f], 2f, 1.0);
        Assert.Equal(0, atOptimum, Float32);
        Assert.All(grad, g => Assert.Equal(0, g, Float32));

        // β = 0: L = γ E_q[G] + ln Σ e^{−γG}; q = [½, ½], G = [0, 1], γ = 1: ½ + ln(1 + e⁻¹).
        var (noEntropy, _) = Evaluate([0f, 0f], [0f, 1f], 1f, 0.0);
        Assert.Equal(0.5 + Math.Log(1 + Math.Exp(-1)), noEntropy, Float32);
    }

    [Fact]
    public void HuberLossMatchesItsPiecesPerBatchRow()
    {
        // d = [0.5, −2] in row 0 and [0, 0] in row 1, δ = 1: (½·0.25 + (2 − ½)) / 2 rows = 0.8125.
        var op = new HuberLossOp(1.0);
        var output = new FloatTensor(1);
        op.Forward(new OpContext(), [FloatTensor.FromSpan([0.5f, -2f, 0f, 0f], 2, 2), new FloatTensor(2, 2)], output);
        Assert.Equal(0.8125, output.Span[0], Float32);
    }

    [Theory]
    [InlineData(false, -4.35)]  // −1 − 0.2 + 0.9·(¼·(−2) + ¾·(−4)) = −1.2 + 0.9·(−3.5)
    [InlineData(true, -1.2)]    // terminal: no bootstrap
    public void BootstrapTargetOfTheExpectedFreeEnergy(bool terminated, double expected)
    {
        double expectedNext = (0.25 * -2) + (0.75 * -4);
        Assert.Equal(expected, DeepAifAgent.BootstrapTarget(reward: 1, epistemic: 0.2, terminated, discount: 0.9, expectedNext), 12);
    }

    private static (double Loss, float[] Dz) Evaluate(float[] z, float[] g, float gamma, double beta)
    {
        var b = new GraphBuilder();
        var zNode = b.Input("z", z.Length);
        var gNode = b.Input("g", g.Length);
        var gammaNode = b.Parameter("gamma", FloatTensor.FromSpan([gamma], 1));
        var logits = b.Identity(zNode, "logits");
        var loss = b.PolicyFreeEnergyLoss(logits, gNode, gammaNode, beta, "loss");
        var ex = new Executor(b.Build(), 1);
        z.CopyTo(ex.Value(zNode).Span);
        g.CopyTo(ex.Value(gNode).Span);
        ex.Forward();
        var op = (PolicyFreeEnergyLossOp)loss.Op!;
        var dz = new FloatTensor(1, z.Length);
        op.Backward(new OpContext(), [ex.Value(logits), ex.Value(gNode), ex.Value(gammaNode)], ex.Value(loss), FloatTensor.FromSpan([1f], 1), [dz, null, null]);
        return (ex.Value(loss).Span[0], dz.Data);
    }
}
