using BenchmarkDotNet.Attributes;
using Helmholtz.Graphs;
using Helmholtz.Graphs.Builders;
using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;

namespace Helmholtz.Bench;

/// <summary>
/// Fixed-prediction PC inference at batch 64 on the MLP 784-128-128-10 and the LeNet CNN of <c>train --model cnn</c>:
/// one Euler step (errors, then the value step) with every node live, and a whole inference (forward pass and T = 8 steps).
/// </summary>
[MemoryDiagnoser]
public class PcInferenceBenchmarks
{
    private const int Batch = 64;
    private const int Steps = 8;
    private PredictiveCodingTrainer _trainer = null!;
    private IPcSchedule _schedule = null!;

    /// <summary>mlp: 784-128-128-10, ReLU, cross-entropy; cnn: LeNet (<see cref="CnnOptions"/> defaults), ReLU, max pooling, cross-entropy.</summary>
    [Params("mlp", "cnn")]
    public string Network { get; set; } = "mlp";

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Rng(1);
        Model model = Network == "mlp"
            ? Mlp.Build(new MlpOptions(784, [128, 128], 10), rng)
            : Cnn.Build(new CnnOptions(), rng);
        _schedule = new FixedPredictionSchedule();
        _trainer = new PredictiveCodingTrainer(_schedule, model, Batch, new PcOptions { Iterations = Steps, EtaV = 0.1f });
        var x = _trainer.Executor.Value(model.Input).Span;
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = rng.NextFloat();
        }

        var y = _trainer.Executor.Value(model.Target).Span;
        y.Clear();
        for (int n = 0; n < Batch; n++)
        {
            y[(n * 10) + (int)(rng.NextFloat() * 10)] = 1f;
        }

        // After T = 8 steps the output error has reached every node, so each further step does all of its work.
        _trainer.Infer();
    }

    /// <summary>One inference step t &gt; depth: the errors of every free node, then the Euler step on the values.</summary>
    [Benchmark]
    public float InferenceStep()
    {
        _schedule.FormErrors(_trainer.State, Steps + 1);
        return _schedule.Step(_trainer.State);
    }

    /// <summary>The inference of one batch: the forward pass, the values set to it, and T = 8 steps.</summary>
    [Benchmark]
    public float Infer() => _trainer.Infer();
}
