using Helmholtz.Graphs;
using Helmholtz.Optim;
using Helmholtz.Tensors;

namespace Helmholtz.Distributed;

/// <summary>An optimiser that first sums every rank's gradients (each weighted by its share of the global batch) and then lets <paramref name="inner"/> step, identically on every rank.</summary>
/// <remarks>
/// A rank's algorithm averages its gradient over its own <c>rows</c> (the loss is a mean over the batch); weighting it
/// by rows / B before the sum gives (1/B) Σ over the whole global batch, the gradient one process computes on that
/// batch, so the step is the single-process step. The gradients travel in one float32 buffer (parameter count × 4
/// bytes per step). Training algorithms never see the communicator: they call <see cref="Step"/> like any optimiser
/// (incremental PC does so at every inference step, and every rank runs the same number of steps).
/// </remarks>
/// <param name="inner">The update rule (SGD, Adam, …); its state stays identical on every rank.</param>
/// <param name="communicator">The ranks to sum over.</param>
/// <param name="weight">This rank's rows / the global batch size.</param>
public sealed class GradientAllReduce(IOptimizer inner, ICommunicator communicator, float weight) : IOptimizer
{
    private readonly IOptimizer _inner = inner ?? throw new ArgumentNullException(nameof(inner));
    private readonly ICommunicator _communicator = communicator ?? throw new ArgumentNullException(nameof(communicator));
    private float[] _buffer = [];
    private FloatTensor[] _reduced = [];

    /// <summary>The update rule that steps after the sum.</summary>
    public IOptimizer Inner => _inner;

    /// <inheritdoc />
    public void Step(IReadOnlyList<Parameter> parameters, IReadOnlyList<FloatTensor> gradients)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradients);
        if (_reduced.Length != gradients.Count)
        {
            _reduced = gradients.Select(g => new FloatTensor(g.Shape.ToArray())).ToArray();
            _buffer = new float[gradients.Sum(g => g.Length)];
        }

        int offset = 0;
        foreach (var g in gradients)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(g.ReadOnlySpan, weight, _buffer.AsSpan(offset, g.Length));
            offset += g.Length;
        }

        _communicator.AllReduceSum(_buffer);
        offset = 0;
        foreach (var r in _reduced)
        {
            _buffer.AsSpan(offset, r.Length).CopyTo(r.Span);
            offset += r.Length;
        }

        _inner.Step(parameters, _reduced);
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, FloatTensor> State() => _inner.State();

    /// <inheritdoc />
    public void LoadState(IReadOnlyDictionary<string, FloatTensor> state) => _inner.LoadState(state);
}
