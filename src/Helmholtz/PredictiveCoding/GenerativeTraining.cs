using Helmholtz.Data;
using Helmholtz.Optim;
using Helmholtz.Tensors;

namespace Helmholtz.PredictiveCoding;

/// <summary>One epoch of generative PC training.</summary>
/// <param name="Epoch">The epoch, 1-based.</param>
/// <param name="ReconstructionError">Mean ½‖x − μ‖² per image over the epoch's batches.</param>
/// <param name="Curvature">The inference curvature bound after the epoch (<see cref="PcGenerative.Curvature"/>, 50 power iterations).</param>
/// <param name="StepSize">The smallest per-node inference step size after the epoch.</param>
public sealed record GenerativeEpoch(int Epoch, double ReconstructionError, double Curvature, double StepSize);

/// <summary>The training loop of generative predictive coding: epochs of shuffled full batches of images, each a PC inference and a weight step.</summary>
/// <example>
/// <code>
/// var data = DatasetCatalog.LoadEmbeddedDigits();
/// var model = new PcGenerative(32, [256], data.Train.Features, 64, new PcOptions { Algorithm = PcAlgorithm.Standard }, seed: 1);
/// var epochs = GenerativeTraining.Train(model, new Adam(new AdamOptions(1e-3f)), data.Train, epochs: 10, batchSize: 64, seed: 1);
/// </code>
/// </example>
public static class GenerativeTraining
{
    /// <summary>Power iterations of the curvature estimate reported after each epoch.</summary>
    public const int CurvatureIterations = 50;

    /// <summary>
    /// Trains <paramref name="model"/> (built for <paramref name="batchSize"/> images) on the images of
    /// <paramref name="train"/> for <paramref name="epochs"/> epochs; the batch order of epoch e is a function of
    /// (<paramref name="seed"/>, e); the last partial batch of each epoch is dropped (the model's batch is fixed).
    /// </summary>
    /// <param name="model">The generative model; its batch size must be <paramref name="batchSize"/>.</param>
    /// <param name="optimizer">The weight optimiser.</param>
    /// <param name="train">The training images (labels unused).</param>
    /// <param name="epochs">Epochs to train (at least 1).</param>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="seed">Seed of the batch order.</param>
    /// <param name="onBatch">Called after each batch (e.g. to advance a progress bar).</param>
    /// <param name="cancellationToken">Stops between batches.</param>
    /// <returns>One record per epoch.</returns>
    /// <exception cref="Training.TrainingDivergedException">An epoch's reconstruction error or curvature was NaN or infinite.</exception>
    public static IReadOnlyList<GenerativeEpoch> Train(PcGenerative model, IOptimizer optimizer, Dataset train, int epochs, int batchSize, ulong seed,
        Action? onBatch = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epochs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var batches = new BatchIterator(train, new BatchOptions(batchSize, seed));
        var images = new FloatTensor(batchSize, train.Features);
        var result = new List<GenerativeEpoch>(epochs);
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            batches.BeginEpoch(epoch + 1);
            double sum = 0;
            int n = 0;
            while (batches.Next(images.Span, [], [], out _))
            {
                cancellationToken.ThrowIfCancellationRequested();
                sum += model.TrainStep(images, optimizer);
                n++;
                onBatch?.Invoke();
            }

            var record = new GenerativeEpoch(epoch + 1, sum / n, model.Curvature(CurvatureIterations), model.StepSizes.Min());
            if (!double.IsFinite(record.ReconstructionError) || !double.IsFinite(record.Curvature))
            {
                throw new Training.TrainingDivergedException(string.Create(
                    System.Globalization.CultureInfo.InvariantCulture,
                    $"Generative predictive coding diverged in epoch {epoch + 1}: reconstruction error {record.ReconstructionError}, curvature {record.Curvature}; lower LearningRate or InferenceRate."));
            }

            result.Add(record);
        }

        return result;
    }

    /// <summary>Batches per epoch of <see cref="Train"/> for <paramref name="count"/> images.</summary>
    public static int BatchesPerEpoch(int count, int batchSize) => count / batchSize;
}
