using Helmholtz.Graphs;
using Helmholtz.Optim;
using Helmholtz.Tensors;

namespace Helmholtz.Training;

/// <summary>Exact reverse-mode backprop: forward pass, gradient of the loss, one optimiser step.</summary>
public sealed class Backprop : ITrainingAlgorithm
{
    private readonly Model _model;
    private readonly FloatTensor[] _gradients;

    /// <summary>Creates the algorithm with an executor for batches of <paramref name="batchSize"/>.</summary>
    public Backprop(Model model, int batchSize, OpContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        Executor = new Executor(model.Graph, batchSize, context);
        _gradients = model.Graph.Parameters.Select(p => Executor.Gradient(p.Node)).ToArray();
    }

    /// <inheritdoc />
    public string Name => "bp";

    /// <inheritdoc />
    public Executor Executor { get; }

    /// <inheritdoc />
    public float TrainStep(IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Executor.Forward();
        float loss = Executor.Value(_model.Loss).Span[0];
        Executor.Backward(_model.Loss);
        optimizer.Step(_model.Graph.Parameters, _gradients);
        return loss;
    }
}
