using Helmholtz.Graphs;
using Helmholtz.Tensors;

namespace Helmholtz.Optim;

/// <summary>Updates parameters in place from their gradients (SGD, Adam, …).</summary>
public interface IOptimizer
{
    /// <summary>One update: parameters[i].Value ← update(parameters[i].Value, gradients[i]).</summary>
    /// <remarks>Gradients are of the loss to minimise (already averaged over the batch).</remarks>
    void Step(IReadOnlyList<Parameter> parameters, IReadOnlyList<FloatTensor> gradients);

    /// <summary>The optimiser's internal state (moments, step count) as named tensors, for checkpoints.</summary>
    IReadOnlyDictionary<string, FloatTensor> State();

    /// <summary>Restores state written by <see cref="State"/>; throws <see cref="ArgumentException"/> on a mismatch.</summary>
    void LoadState(IReadOnlyDictionary<string, FloatTensor> state);
}

/// <summary>A way of learning from a batch: exact backprop or one of the predictive-coding schedules.</summary>
/// <remarks>
/// The caller writes the batch into the executor's input and target buffers, then calls <see cref="TrainStep"/>;
/// the algorithm computes its parameter updates over the model's graph and hands them to the optimiser
/// (once per batch, or at every inference step for incremental schedules).
/// </remarks>
public interface ITrainingAlgorithm
{
    /// <summary>The name of the algorithm, as in config.json (e.g. <c>bp</c>, <c>pc-fixed</c>).</summary>
    string Name { get; }

    /// <summary>The executor whose <see cref="Model.Input"/> and <see cref="Model.Target"/> buffers receive each batch.</summary>
    Executor Executor { get; }

    /// <summary>Trains on the batch in the input and target buffers; returns the loss of the forward pass before the update.</summary>
    float TrainStep(IOptimizer optimizer);
}
