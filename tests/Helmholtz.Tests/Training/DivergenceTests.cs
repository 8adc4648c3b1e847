using Helmholtz.ActiveInference.Deep;
using Helmholtz.ActiveInference.Deep.Planning;
using Helmholtz.Data;
using Helmholtz.Optim;
using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;
using Helmholtz.Tests.ActiveInference.Deep;
using Helmholtz.Tests.PredictiveCoding;
using Helmholtz.Training;

namespace Helmholtz.Tests.Training;

/// <summary>
/// Divergence is an error, never a result: each learner that can blow up (the trainer's evaluation, PC agreement,
/// the control agents, the planner's model fit, generative PC) ends with the documented divergence exception that
/// says where (node, episode, epoch), instead of returning NaN or ∞.
/// </summary>
public sealed class DivergenceTests
{
    [Fact]
    public void EvaluationOfDivergedParametersThrowsInsteadOfReportingAnInfiniteLoss()
    {
        var config = new TrainingConfig { Algorithm = "bp", Model = "mlp", Hidden = [4], Dataset = "digits", BatchSize = 16, MaxBatches = 1, Seed = 3, Threads = 1 };
        var digits = DatasetCatalog.LoadEmbeddedDigits();
        var run = TrainingSetup.Create(config, digits.Train);
        var trainer = new Trainer(run.Model, run.Algorithm, run.Optimizer, digits.Train, config);
        Assert.True(double.IsFinite(trainer.Evaluate(digits.Test).Loss));

        // Weights of 1e30 keep every training step's arithmetic finite in float32 until the loss, which overflows.
        foreach (var p in run.Model.Graph.Parameters)
        {
            p.Value.Span.Fill(1e30f);
        }

        var ex = Assert.Throws<TrainingDivergedException>(() => trainer.Evaluate(digits.Test));
        Assert.Contains("evaluation loss", ex.Message);
        Assert.Contains("LearningRate", ex.Message);
    }

    [Fact]
    public void AgreementWithAHugeInferenceStepThrowsNamingTheParameter()
    {
        // The CLI's failing case: pc-standard, T = 5, η_v = 1e6 on a small MLP.
        var model = PcTestKit.Mlp([6, 5, 4, 3], seed: 3);
        var (x, y) = PcTestKit.Batch(model, 4, seed: 4);
        var ex = Assert.Throws<PcDivergenceException>(() => PcAgreement.Measure(model, x, y, 5, 1e6f, PcAlgorithm.Standard));
        Assert.InRange(ex.Iteration, 0, 5);
        Assert.False(string.IsNullOrEmpty(ex.Node));
    }

    [Theory]
    [InlineData("dqn")]
    [InlineData("deep-aif")]
    public void ControlAgentWithAHugeLearningRateThrowsNamingTheEpisode(string kind)
    {
        var env = new TwoStateTask();
        IControlAgent agent = kind == "dqn"
            ? new DqnAgent(env, new DqnOptions(HiddenSizes: [8], LearningRate: 1e30, BatchSize: 8, WarmupSteps: 8, MaxGradNorm: 0), new Rng(1))
            : new DeepAifAgent(env, new DeepAifOptions(HiddenSizes: [8], TransitionHiddenSizes: [8], ValueLearningRate: 1e30, PolicyLearningRate: 1e30, TransitionLearningRate: 1e30,
                BatchSize: 8, WarmupSteps: 8, MaxGradNorm: 0), new Rng(1));
        var rng = new Rng(2);
        var ex = Assert.Throws<TrainingDivergedException>(() =>
        {
            for (int e = 0; e < 20; e++)
            {
                agent.RunEpisode(env, rng);
            }
        });
        Assert.Contains($"The {kind} agent diverged", ex.Message);
        Assert.Matches(@"in episode \d+", ex.Message);
        Assert.Contains("LearningRate", ex.Message);
    }

    [Fact]
    public void PlannerModelFitWithAHugeLearningRateThrows()
    {
        var buffer = new TransitionBuffer(2, 1);
        var rng = new Rng(1);
        for (int i = 0; i < 64; i++)
        {
            buffer.Add([rng.NextFloat(), rng.NextFloat()], [rng.NextFloat()], rng.NextFloat(), [rng.NextFloat(), rng.NextFloat()]);
        }

        var model = new DynamicsModel(2, 1, new DynamicsModelOptions(EnsembleSize: 2, HiddenSize: 8, Epochs: 5, BatchSize: 16, LearningRate: 1e30), new Rng(2));
        var ex = Assert.Throws<TrainingDivergedException>(() => model.Fit(buffer, new Rng(3)));
        Assert.Contains("fit epoch", ex.Message);
        Assert.Contains("LearningRate", ex.Message);
    }

    [Fact]
    public void GenerativePcWithAHugeLearningRateThrows()
    {
        var digits = DatasetCatalog.LoadEmbeddedDigits();
        var model = new PcGenerative(4, [8], digits.Train.Features, 16, new PcOptions { Algorithm = PcAlgorithm.Standard, Iterations = 5, EtaV = 0.1f }, seed: 1);
        var adam = new Adam(new AdamOptions(1e30f));
        var ex = Record.Exception(() => GenerativeTraining.Train(model, adam, digits.Train, 2, 16, 1));
        Assert.True(ex is PcDivergenceException or TrainingDivergedException, $"expected a divergence exception, got {ex?.GetType().Name ?? "none"}: {ex?.Message}");
    }
}
