using System.Globalization;
using Helmholtz.Data;
using Helmholtz.Graphs;
using Helmholtz.Optim;
using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;
using Helmholtz.Training;

// A graph of your own with an op of your own: x → dense → swish (defined below) → dense → MSE, trained by
// fixed-prediction predictive coding on the embedded digits. Usage: CustomOp [epochs]
int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2;
var data = DatasetCatalog.LoadEmbeddedDigits();
var rng = new Rng(1);
var b = new GraphBuilder();
var x = b.Input("x", data.Train.Features);
var h = b.Dense(x, b.Parameter("fc1.weight", Uniform(rng, data.Train.Features, 64, data.Train.Features)), b.Parameter("fc1.bias", Uniform(rng, data.Train.Features, 64)), name: "fc1");
h = b.Apply(new SwishOp(), "swish", h);
var output = b.Dense(h, b.Parameter("fc2.weight", Uniform(rng, 64, 10, 64)), b.Parameter("fc2.bias", Uniform(rng, 64, 10)), name: "fc2");
var y = b.Input("y", 10);
var loss = b.MseLoss(output, y, "loss");
var model = new Model(b.Build(), x, output, y, loss, LossKind.Mse);

var config = new TrainingConfig { BatchSize = 64, Epochs = epochs, LearningRate = 0.05f, Seed = 1 };
var pc = new PredictiveCodingTrainer(new FixedPredictionSchedule(), model, config.BatchSize, new PcOptions { Iterations = 20, EtaV = 0.1f });
var trainer = new Trainer(model, pc, new Sgd(new SgdOptions(config.LearningRate)), data.Train, config);
for (int epoch = 1; epoch <= epochs; epoch++)
{
    trainer.TrainEpoch(epoch);
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"swish MLP, pc-fixed: test accuracy {trainer.Evaluate(data.Test).Accuracy:P2}"));

// PyTorch's nn.Linear initialisation: U(−1/√fan_in, 1/√fan_in).
static FloatTensor Uniform(Rng rng, int fanIn, params int[] shape)
{
    var t = new FloatTensor(shape);
    float bound = 1 / MathF.Sqrt(fanIn);
    rng.FillUniform(t.Span, -bound, bound);
    return t;
}

/// <summary>swish(v) = v·σ(v) elementwise; its derivative is σ(v)·(1 + v·(1 − σ(v))).</summary>
internal sealed class SwishOp : Op
{
    public override string Kind => "swish";

    public override OutputShape InferShape(IReadOnlyList<Node> inputs) { RequireInputCount(inputs, 1); return new(inputs[0].Shape, inputs[0].Batched); }

    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        ReadOnlySpan<float> v = inputs[0].ReadOnlySpan; Span<float> o = output.Span;
        for (int i = 0; i < o.Length; i++) o[i] = v[i] / (1 + MathF.Exp(-v[i]));
    }

    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        if (inputGradients[0] is not { } g) return;
        ReadOnlySpan<float> v = inputs[0].ReadOnlySpan, dy = outputGradient.ReadOnlySpan; Span<float> dv = g.Span;
        for (int i = 0; i < dv.Length; i++) { float s = 1 / (1 + MathF.Exp(-v[i])); dv[i] += dy[i] * s * (1 + v[i] * (1 - s)); }
    }
}
