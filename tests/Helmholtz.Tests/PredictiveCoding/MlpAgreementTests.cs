using Helmholtz.Graphs;
using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.PredictiveCoding;

public sealed class MlpAgreementTests
{
    private static readonly int[] Sizes = [6, 5, 4, 3];

    [Theory]
    [InlineData(LossKind.Mse)]
    [InlineData(LossKind.CrossEntropy)]
    public void FixedPredictionMatchesBackpropAtLargeT(LossKind loss)
    {
        var model = PcTestKit.Mlp(Sizes, seed: 3, loss);
        var (x, y) = PcTestKit.Batch(model, 4, seed: 4);
        var result = PcAgreement.Measure(model, x, y, iterations: 200, etaV: 0.1f);
        Assert.Equal(6, result.PerParameter.Count);
        Assert.True(result.MaxRelativeError <= 1e-4, $"max relative error {result.MaxRelativeError:E3}");
        Assert.True(result.MinCosine >= 0.9999, $"min cosine {result.MinCosine:R}");

        // After one step the errors have reached only the top layer: the tool must see the difference.
        var early = PcAgreement.Measure(model, x, y, iterations: 1, etaV: 0.1f);
        Assert.True(early.MaxRelativeError > 0.1, $"T = 1 max relative error {early.MaxRelativeError:E3}");
        Assert.Equal(0.0, early.PerParameter.Single(p => p.Name == "layers.2.weight").RelativeError, 5);
    }

    [Fact]
    public void WithStepOneErrorsEqualBackpropAfterAsManySweepsAsHiddenLayers()
    {
        const int batch = 4;
        var model = PcTestKit.Mlp(Sizes, seed: 5);
        var (x, y) = PcTestKit.Batch(model, batch, seed: 6);
        var trainer = new PredictiveCodingTrainer(model, batch, new PcOptions { Iterations = 2, EtaV = 1f });
        PcTestKit.Load(trainer.Executor, model, x, y);
        trainer.Infer();
        var bp = new Executor(model.Graph, batch);
        PcTestKit.Load(bp, model, x, y);
        bp.Forward();
        bp.Backward(model.Loss);
        foreach (var name in new[] { "h1", "h2", "out" })
        {
            var node = model.Graph[name];
            var e = trainer.Error(node).ReadOnlySpan;
            var g = bp.Gradient(node).ReadOnlySpan;
            for (int i = 0; i < e.Length; i++)
            {
                // Errors are per sample: ε = B·∂L/∂v, the loss being a batch mean. v = μ + g then v − μ rounds once.
                double want = batch * (double)g[i];
                Assert.True(Math.Abs(e[i] - want) <= Tolerance.Float32Accumulated * Math.Max(1, Math.Abs(want)), $"{name}[{i}]: PC {e[i]:R}, backprop {want:R}");
            }
        }
    }

    [Fact]
    public void FixedPredictionErrorsAreBackpropScaledByABinomialTail()
    {
        // With fixed predictions the errors obey ε_l(t+1) = (1 − η)ε_l(t) + η J_{l+1}ᵀ ε_{l+1}(t), ε_l(0) = 0, ε_L fixed, so a node k edges
        // below the output holds exactly a_k(T)·B·∂L/∂v_l with a_k(T) = P(Binomial(T, η) ≥ k) (induction on T). This is why deep PC with
        // T·η small hands the bottom layers tiny gradients (docs/predictive-coding/depth.md).
        const int batch = 4, steps = 5;
        const float eta = 0.3f;
        var model = PcTestKit.Mlp([6, 5, 5, 5, 3], seed: 7);
        var (x, y) = PcTestKit.Batch(model, batch, seed: 8);
        var trainer = new PredictiveCodingTrainer(model, batch, new PcOptions { Iterations = steps, EtaV = eta });
        PcTestKit.Load(trainer.Executor, model, x, y);
        trainer.Infer();
        var bp = new Executor(model.Graph, batch);
        PcTestKit.Load(bp, model, x, y);
        bp.Forward();
        bp.Backward(model.Loss);
        foreach (var (name, k) in new[] { ("h3", 1), ("h2", 2), ("h1", 3) })
        {
            double a = BinomialTail(steps, eta, k);
            var e = trainer.Error(model.Graph[name]).ReadOnlySpan;
            var g = bp.Gradient(model.Graph[name]).ReadOnlySpan;
            for (int i = 0; i < e.Length; i++)
            {
                double want = a * batch * g[i];
                Assert.True(Math.Abs(e[i] - want) <= 1e-5 * Math.Max(1, Math.Abs(batch * g[i])), $"{name}[{i}]: PC {e[i]:R}, a_{k}(T)·B·g = {want:R}");
            }
        }
    }

    private static double BinomialTail(int n, double p, int k)
    {
        double sum = 0;
        for (int j = k; j <= n; j++)
        {
            double c = 1;
            for (int i = 0; i < j; i++)
            {
                c = c * (n - i) / (i + 1);
            }

            sum += c * Math.Pow(p, j) * Math.Pow(1 - p, n - j);
        }

        return sum;
    }

    [Theory]
    [InlineData("pc-fixed")]
    [InlineData("pc-standard")]
    public void OneTrainingStepMatchesTheTorchMlpLoops(string algo)
    {
        const int batch = 4, T = 20;
        const float etaV = 0.1f, lr = 0.05f;
        var model = PcTestKit.Mlp(Sizes, seed: 7);
        var (x, y) = PcTestKit.Batch(model, batch, seed: 8);
        int L = Sizes.Length - 1;
        var w = Enumerable.Range(0, L).Select(l => ToDouble(model.Graph.ParameterOf(model.Graph[$"layers.{l}.weight"]).Value)).ToArray();
        var b = Enumerable.Range(0, L).Select(l => ToDouble(model.Graph.ParameterOf(model.Graph[$"layers.{l}.bias"]).Value)).ToArray();
        var w0 = w.Select(a => (double[])a.Clone()).ToArray();
        double refLoss = TorchMlpReference.Step(algo, w, b, Sizes, ToDouble(x), ToDouble(y), batch, T, etaV, lr);

        var trainer = new PredictiveCodingTrainer(model, batch, new PcOptions { Algorithm = PcOptions.ParseAlgorithm(algo), Iterations = T, EtaV = etaV });
        PcTestKit.Load(trainer.Executor, model, x, y);
        float loss = trainer.TrainStep(new TestSgd(lr));
        Assert.Equal(algo, trainer.Name);
        Assert.Equal(refLoss, loss, 1e-6 * refLoss);
        for (int l = 0; l < L; l++)
        {
            var got = model.Graph.ParameterOf(model.Graph[$"layers.{l}.weight"]).Value.ReadOnlySpan;
            double scale = w[l].Zip(w0[l], (a, c) => Math.Abs(a - c)).Max();
            Assert.True(scale > 1e-4, "the step must change the weights");
            for (int i = 0; i < got.Length; i++)
            {
                // float32 vs double over T = 20 steps: each weight is within a few float32 ulps of its double value,
                // and the update within 1e-5 of the largest update (measured: equal to the last float32 digit).
                double err = Math.Abs(got[i] - w[l][i]);
                Assert.True(err <= 4e-7 * Math.Abs(w[l][i]) + 1e-5 * scale, $"{algo} layers.{l}.weight[{i}]: engine {got[i]:R}, torch loops {w[l][i]:R}");
            }

            var gotB = model.Graph.ParameterOf(model.Graph[$"layers.{l}.bias"]).Value.ReadOnlySpan;
            for (int i = 0; i < gotB.Length; i++)
            {
                Assert.True(Math.Abs(gotB[i] - b[l][i]) <= 4e-7 * Math.Abs(b[l][i]) + 1e-5 * scale, $"{algo} layers.{l}.bias[{i}]: engine {gotB[i]:R}, torch loops {b[l][i]:R}");
            }
        }

    }

    private static double[] ToDouble(FloatTensor t) => t.ReadOnlySpan.ToArray().Select(v => (double)v).ToArray();
}

public sealed class PcEngineTests
{
    [Theory]
    [InlineData(PcAlgorithm.Fixed)]
    [InlineData(PcAlgorithm.Standard)]
    [InlineData(PcAlgorithm.Incremental)]
    public void TrainingStepsAllocateNothing(PcAlgorithm algorithm)
    {
        var model = PcTestKit.Mlp([6, 5, 4, 3], seed: 1);
        var (x, y) = PcTestKit.Batch(model, 4, seed: 2);
        var trainer = new PredictiveCodingTrainer(model, 4, new PcOptions { Algorithm = algorithm, Iterations = 10 });
        PcTestKit.Load(trainer.Executor, model, x, y);
        var sgd = new TestSgd(0.01f);
        trainer.TrainStep(sgd); // first calls size the ops' scratch buffers

        long trainerBytes = Allocations.Least(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                trainer.TrainStep(sgd);
            }
        });

        // The graph core's Executor.Forward enumerates an IReadOnlyList (a boxed enumerator, 32 B); PC adds nothing to it.
        long forwardBytes = Allocations.Least(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                trainer.Executor.Forward();
            }
        });
        Assert.Equal(forwardBytes, trainerBytes);
    }

    [Fact]
    public void ToleranceStopsInferenceEarlyOnceValuesSettle()
    {
        var model = PcTestKit.Mlp([6, 5, 4, 3], seed: 3);
        var (x, y) = PcTestKit.Batch(model, 4, seed: 4);
        var trainer = new PredictiveCodingTrainer(model, 4, new PcOptions { Iterations = 1000, EtaV = 0.2f, Tolerance = 1e-5f });
        PcTestKit.Load(trainer.Executor, model, x, y);
        trainer.Infer();
        Assert.True(trainer.LastIterations is >= 3 and < 1000, $"stopped after {trainer.LastIterations} steps");
        var full = new PredictiveCodingTrainer(model, 4, new PcOptions { Iterations = 1000, EtaV = 0.2f });
        PcTestKit.Load(full.Executor, model, x, y);
        full.Infer();
        Assert.Equal(1000, full.LastIterations);
        var h1 = model.Graph["h1"];
        var early = trainer.Error(h1).ReadOnlySpan;
        var late = full.Error(h1).ReadOnlySpan;
        for (int i = 0; i < early.Length; i++)
        {
            // A step changes v by at most 1e-5 at the stop; the remaining changes shrink geometrically, so the rest sums to ≲ 1e-4.
            Assert.True(Math.Abs(early[i] - late[i]) <= 1e-4, $"h1[{i}]: stopped {early[i]:R}, full {late[i]:R}");
        }
    }
}
