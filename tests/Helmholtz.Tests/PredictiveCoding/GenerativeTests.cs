using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.PredictiveCoding;

public sealed class GenerativeTests
{
    private const int Pixels = 16, Batch = 32;

    /// <summary>Images x = a·p₁ + b·p₂ + noise (σ = 0.05) with a, b ~ N(0, 1) and two fixed random patterns
    /// (N(0, 0.25) pixels, so that ‖p‖² ≈ 4 keeps the latent dynamics' step η_v·(1 + ‖W‖²) well below 2): a 2-D latent world.</summary>
    private sealed class Synthetic(ulong seed)
    {
        private readonly Rng _rng = new(seed);
        private readonly float[] _p = MakePatterns(seed + 100);

        private static float[] MakePatterns(ulong seed)
        {
            var p = new float[2 * Pixels];
            new Rng(seed).FillGaussian(p, 0f, 0.5f);
            return p;
        }

        public FloatTensor Next()
        {
            var x = new FloatTensor(Batch, Pixels);
            for (int b = 0; b < Batch; b++)
            {
                double a = _rng.NextGaussian(), c = _rng.NextGaussian();
                for (int i = 0; i < Pixels; i++)
                {
                    x[b, i] = (float)(a * _p[i] + c * _p[Pixels + i] + 0.05 * _rng.NextGaussian());
                }
            }

            return x;
        }
    }

    [Fact]
    public void CompletionBeatsFillingWithTheMean()
    {
        var data = new Synthetic(5);
        var net = new PcGenerative(latentSize: 2, hiddenSizes: [], imageSize: Pixels, batchSize: Batch,
            new PcOptions { Algorithm = PcAlgorithm.Standard, Iterations = 50, EtaV = 0.1f }, seed: 6);
        var sgd = new TestSgd(0.05f);
        var mean = new double[Pixels];
        int seen = 0;
        float first = 0, last = 0;
        for (int step = 0; step < 300; step++)
        {
            var x = data.Next();
            for (int b = 0; b < Batch; b++)
            {
                for (int i = 0; i < Pixels; i++)
                {
                    mean[i] += x[b, i];
                }
            }

            seen += Batch;
            last = net.TrainStep(x, sgd);
            if (step == 0)
            {
                first = last;
            }
        }

        Assert.True(last < 0.2f * first, $"reconstruction error {first:R} → {last:R}");

        // Held-out images with the second half of the pixels missing.
        var test = data.Next();
        var mask = new FloatTensor(Batch, Pixels);
        for (int b = 0; b < Batch; b++)
        {
            for (int i = 0; i < Pixels / 2; i++)
            {
                mask[b, i] = 1f;
            }
        }

        var completed = net.Complete(test, mask);
        double mseModel = 0, mseMean = 0;
        for (int b = 0; b < Batch; b++)
        {
            for (int i = Pixels / 2; i < Pixels; i++)
            {
                mseModel += Math.Pow(completed[b, i] - test[b, i], 2);
                mseMean += Math.Pow(mean[i] / seen - test[b, i], 2);
            }

            for (int i = 0; i < Pixels / 2; i++)
            {
                Assert.Equal(test[b, i], completed[b, i]);
            }
        }

        // Eight observed pixels pin down a 2-D latent, so completion should be several times better than the mean.
        Assert.True(mseModel < 0.25 * mseMean, $"completion MSE {mseModel / (Batch * Pixels / 2):R}, mean-fill MSE {mseMean / (Batch * Pixels / 2):R}");
    }

    [Fact]
    public void PreconditionedStepsKeepInferenceStableWhenWeightsGrow()
    {
        // Weights ×4 push the largest curvature 1 + ‖W‖₂² past 2/η_v = 20 (checked below): a fixed η_v = 0.1 must oscillate and blow up, while the
        // per-node steps 1/R_n (H ⪯ diag R_n, see PcGenerative.StepSizes) make every step a contraction.
        PcGenerative Make(bool normalise)
        {
            var net = new PcGenerative(latentSize: 4, hiddenSizes: [8], imageSize: Pixels, batchSize: Batch,
                new PcOptions { Algorithm = PcAlgorithm.Standard, Iterations = 200, EtaV = 0.1f }, seed: 3, normaliseSteps: normalise);
            foreach (var p in net.Model.Graph.Parameters)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(p.Value.Span, 4f, p.Value.Span);
            }

            return net;
        }

        var x = new Synthetic(9).Next();
        var mask = new FloatTensor(Batch, Pixels);
        mask.Fill(1f);
        var unstable = Make(normalise: false);
        Assert.True(unstable.Curvature(100) * 0.1f > 2f, $"test setup: curvature {unstable.Curvature(100)} too small to destabilise η_v = 0.1");
        Assert.Throws<PcDivergenceException>(() => unstable.Complete(x, mask));

        var stable = Make(normalise: true);
        var completed = stable.Complete(x, mask);
        Assert.All(stable.StepSizes, s => Assert.True(s < 0.1f && s > 0f, $"step {s}"));
        Assert.True(float.IsFinite(System.Numerics.Tensors.TensorPrimitives.Sum(stable.Latent.ReadOnlySpan)));
        Assert.Equal(x.ReadOnlySpan.ToArray(), completed.ReadOnlySpan.ToArray()); // fully observed: completion returns the image
    }

    [Fact]
    public void RejectsFixedPredictionsAndBadMasks()
    {
        Assert.Throws<ArgumentException>(() => new PcGenerative(2, [], 4, 2, new PcOptions { Algorithm = PcAlgorithm.Fixed }));
        var net = new PcGenerative(2, [3], 4, 2);
        var mask = new FloatTensor(2, 4);
        mask.Fill(0.5f);
        Assert.Throws<ArgumentException>(() => net.Complete(new FloatTensor(2, 4), mask));
        Assert.Throws<ArgumentException>(() => net.Complete(new FloatTensor(3, 4), new FloatTensor(3, 4)));
    }
}
