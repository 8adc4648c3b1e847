using Helmholtz.ActiveInference.Deep.Planning;
using Helmholtz.Graphs;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Deep.Planning;

public sealed class DynamicsModelTests
{
    [Fact]
    public void EnsembleLearnsA1DLinearSystem()
    {
        // s′ = 0.9 s + 0.5 a + 0.05 ε with s ~ U(−1, 1), a ~ U(−1, 1), ε ~ N(0, 1): Δ = −0.1 s + 0.5 a + 0.05 ε.
        var rng = new Rng(21);
        var buffer = new TransitionBuffer(1, 1);
        for (int i = 0; i < 300; i++)
        {
            float s = (rng.NextFloat() * 2) - 1, a = (rng.NextFloat() * 2) - 1;
            float next = (0.9f * s) + (0.5f * a) + (0.05f * (float)rng.NextGaussian());
            buffer.Add([s], [a], 0, [next]);
        }

        var options = new DynamicsModelOptions(EnsembleSize: 3, HiddenSize: 32, HiddenLayers: 2, Epochs: 40, BatchSize: 32);
        var model = new DynamicsModel(1, 1, options, new Rng(4));
        var fit = model.Fit(buffer, new Rng(5));
        Assert.True(fit.EnsembleLoss < fit.FirstEpochEnsembleLoss - 1, $"NLL did not decrease: first epoch {fit.FirstEpochEnsembleLoss}, last {fit.EnsembleLoss}.");

        // The delta's spread over the data is ≈ √(0.01/3 + 0.25/3) ≈ 0.29; the noise σ is 0.05. A member that learned
        // the map predicts the mean delta within a few noise σ; 0.06 is far below the 0.29 an unfitted model is off by.
        var mean = new float[1];
        var variance = new float[1];
        float[][] probes = [[0.5f, 0.5f], [-0.5f, 0.2f], [0f, -0.8f], [0.8f, -0.3f]];
        for (int e = 0; e < 3; e++)
        {
            foreach (var p in probes)
            {
                model.Predict(e, [p[0]], [p[1]], mean, variance);
                Assert.Equal((-0.1f * p[0]) + (0.5f * p[1]), mean[0], 0.06f);

                // Bounded log-variance: in normalised units ℓ ∈ [−5, −1], so σ²/s_Δ² ∈ [e^−5, e^−1].
                double ratio = variance[0] / (model.DeltaStandardDeviation(0) * model.DeltaStandardDeviation(0));
                Assert.InRange(ratio, Math.Exp(-5) * 0.999, Math.Exp(-1) * 1.001);
            }
        }
    }

    [Fact]
    public void SameSeedSameFit()
    {
        var buffer = new TransitionBuffer(2, 1);
        var rng = new Rng(1);
        for (int i = 0; i < 40; i++)
        {
            buffer.Add([rng.NextFloat(), rng.NextFloat()], [rng.NextFloat()], rng.NextFloat(), [rng.NextFloat(), rng.NextFloat()]);
        }

        var options = new DynamicsModelOptions(EnsembleSize: 2, HiddenSize: 8, Epochs: 3, BatchSize: 16);
        var a = new DynamicsModel(2, 1, options, new Rng(2));
        var b = new DynamicsModel(2, 1, options, new Rng(2));
        Assert.Equal(a.Fit(buffer, new Rng(3)), b.Fit(buffer, new Rng(3)));
    }

    /// <summary>
    /// The one forward pass (<see cref="EnsembleNetwork.Forward"/>, used by prediction and the planner's rollouts) gives
    /// the executor's numbers bit for bit on the fitted parameters: every member of the transition ensemble, and the
    /// reward model with a non-default depth.
    /// </summary>
    [Fact]
    public void ForwardEqualsTheGraphExecutor()
    {
        var buffer = new TransitionBuffer(3, 2);
        var rng = new Rng(8);
        for (int i = 0; i < 60; i++)
        {
            buffer.Add([rng.NextFloat(), rng.NextFloat(), rng.NextFloat()], [rng.NextFloat(), rng.NextFloat()], rng.NextFloat(), [rng.NextFloat(), rng.NextFloat(), rng.NextFloat()]);
        }

        var options = new DynamicsModelOptions(EnsembleSize: 3, HiddenSize: 12, HiddenLayers: 2, Epochs: 2, BatchSize: 20, RewardHiddenLayers: 3);
        var model = new DynamicsModel(3, 2, options, new Rng(9));
        model.Fit(buffer, new Rng(10));
        Assert.Equal(4, model.Reward.Layers.Count);

        AssertSameAsExecutor(model.Transition, model.EnsembleGraph, "ensemble", rows: 7, new Rng(11));
        AssertSameAsExecutor(model.Reward, model.RewardGraph, "reward", rows: 5, new Rng(12));
    }

    private static void AssertSameAsExecutor(EnsembleNetwork network, Graph graph, string prefix, int rows, Rng rng)
    {
        int members = network.Members;
        var executor = new Executor(graph, members * rows);
        var x = executor.Value(graph["x"]).Span;
        rng.FillGaussian(x);
        executor.Forward();
        var expected = executor.Value(graph[$"{prefix}.layers.{network.Layers.Count - 1}"]).ReadOnlySpan;

        var output = new float[rows * network.OutputSize];
        var workspace = new float[network.WorkspaceSize(rows)];
        for (int e = 0; e < members; e++)
        {
            network.Forward(e, x.Slice(e * rows * network.InputSize, rows * network.InputSize), rows, output, workspace);
            var member = expected.Slice(e * rows * network.OutputSize, rows * network.OutputSize);
            Assert.Equal(member.ToArray(), output);
            Assert.Contains(output, v => v != 0f);
        }
    }
}
