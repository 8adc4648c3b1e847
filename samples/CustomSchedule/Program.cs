using System.Globalization;
using Helmholtz.Data;
using Helmholtz.Graphs;
using Helmholtz.Graphs.Builders;
using Helmholtz.Optim;
using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;
using Helmholtz.Training;

namespace CustomSchedule;

/// <summary>Trains an MLP on the embedded digits with a user-defined PC schedule (inference with momentum).</summary>
public static class Program
{
    /// <summary>Runs the sample: <c>CustomSchedule [epochs] [max-batches-per-epoch]</c>; prints the test accuracy.</summary>
    public static int Main(string[] args)
    {
        int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2;
        int maxBatches = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
        double accuracy = Run(epochs, maxBatches, line => Console.WriteLine(line));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test accuracy with pc-momentum: {accuracy:P2}"));
        return 0;
    }

    /// <summary>Trains for <paramref name="epochs"/> (at most <paramref name="maxBatches"/> batches each, 0 = all) and returns the test accuracy.</summary>
    public static double Run(int epochs, int maxBatches, Action<string>? log = null)
    {
        var data = DatasetCatalog.LoadEmbeddedDigits();
        var model = Mlp.Build(new MlpOptions(data.Train.Features, [128], data.Train.ClassCount, Activation.Tanh, LossKind.Mse), new Rng(1));
        var config = new TrainingConfig { BatchSize = 64, Epochs = epochs, MaxBatches = maxBatches, LearningRate = 0.02f, Seed = 1 };

        // The schedule is the sample's own type; the trainer, the state and the training loop are the library's.
        var schedule = new MomentumSchedule(beta: 0.5f);
        var pc = new PredictiveCodingTrainer(schedule, model, config.BatchSize, new PcOptions { Iterations = 10, EtaV = 0.2f });
        var trainer = new Trainer(model, pc, new Sgd(new SgdOptions(config.LearningRate)), data.Train, config);
        for (int epoch = 1; epoch <= epochs; epoch++)
        {
            var (batches, loss, seconds) = trainer.TrainEpoch(epoch);
            log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch}: {batches} batches, train loss {loss:F4}, {seconds:F1} s"));
        }

        return trainer.Evaluate(data.Test).Accuracy;
    }
}
