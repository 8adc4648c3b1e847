using System.Globalization;
using Helmholtz.Data;
using Helmholtz.Graphs;
using Helmholtz.Graphs.Builders;
using Helmholtz.Optim;
using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;
using Helmholtz.Training;

// Trains an MLP on the embedded digits with fixed-prediction predictive coding and prints the test accuracy.
// Usage: PcDigits [epochs] [max-batches-per-epoch]   (0 batches: the whole training set)
int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2;
int maxBatches = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;

var data = DatasetCatalog.LoadEmbeddedDigits();
var model = Mlp.Build(new MlpOptions(data.Train.Features, [128], data.Train.ClassCount, Activation.Tanh, LossKind.Mse), new Rng(1));
var config = new TrainingConfig { BatchSize = 64, Epochs = epochs, MaxBatches = maxBatches, LearningRate = 0.02f, Seed = 1 };
var pc = new PredictiveCodingTrainer(new FixedPredictionSchedule(), model, config.BatchSize, new PcOptions { Iterations = 20, EtaV = 0.1f });
var trainer = new Trainer(model, pc, new Sgd(new SgdOptions(config.LearningRate)), data.Train, config);
for (int epoch = 1; epoch <= epochs; epoch++)
{
    var (batches, loss, seconds) = trainer.TrainEpoch(epoch);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}: {batches} batches, train loss {loss:F4}, {seconds:F1} s"));
}

var (testLoss, accuracy) = trainer.Evaluate(data.Test);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pc-fixed test accuracy: {accuracy:P2} (test loss {testLoss:F4})"));
