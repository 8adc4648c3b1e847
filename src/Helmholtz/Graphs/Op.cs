using Helmholtz.Tensors;

namespace Helmholtz.Graphs;

/// <summary>What an op may use while it runs: the thread budget for its matrix products, and scratch memory.</summary>
/// <param name="Threads">Maximum threads a single GEMM may use.</param>
/// <remarks>Ops keep their scratch buffers in the context they run under, so the same graph can run on several threads
/// at once, one context each (as predictive coding does when it splits inference over the batch). A context is used
/// by one thread at a time; one made with <c>with</c> shares the original's scratch.</remarks>
public sealed record OpContext(int Threads = 1)
{
    /// <summary>Scratch buffers of the ops run under this context, one set per op instance.</summary>
    internal OpScratch Scratch { get; } = new();
}

/// <summary>Growable scratch buffers keyed by op instance and slot; contents do not survive between an op's calls by contract.</summary>
internal sealed class OpScratch
{
    private readonly Dictionary<(Op Op, int Slot), float[]> _buffers = [];

    /// <summary>A span of <paramref name="length"/> floats for <paramref name="op"/>'s buffer number <paramref name="slot"/> (contents undefined).</summary>
    public Span<float> Get(Op op, int slot, int length)
    {
        if (!_buffers.TryGetValue((op, slot), out var buffer) || buffer.Length < length)
        {
            buffer = new float[length];
            _buffers[(op, slot)] = buffer;
        }

        return buffer.AsSpan(0, length);
    }
}

/// <summary>The shape an op produces: per-sample shape and whether it is batched.</summary>
/// <param name="Shape">Per-sample shape (batched) or full shape (unbatched).</param>
/// <param name="Batched">True when the output has one row per sample.</param>
public readonly record struct OutputShape(int[] Shape, bool Batched);

/// <summary>A differentiable function of its input nodes: a forward map and its vector–Jacobian product.</summary>
/// <remarks>
/// Backprop and every predictive-coding schedule are different ways of calling these two methods over the same graph,
/// so both are pure functions of their arguments: <see cref="Forward"/> reads only <c>inputs</c>, and
/// <see cref="Backward"/> reads only <c>inputs</c>, <c>output</c> (= Forward(inputs)) and the output cotangent.
/// Ops keep scratch buffers only in the <see cref="OpContext"/> they are given, never state that changes the result,
/// so one graph may run under several contexts at once.
/// </remarks>
public abstract class Op
{
    /// <summary>A short lower-case name of the op kind (e.g. <c>dense</c>, <c>tanh</c>).</summary>
    public abstract string Kind { get; }

    /// <summary>Checks the input nodes and returns the output's shape.</summary>
    /// <exception cref="ArgumentException">The inputs' number or shapes do not fit the op; the message names them.</exception>
    public abstract OutputShape InferShape(IReadOnlyList<Node> inputs);

    /// <summary>output = f(inputs). <paramref name="output"/> is overwritten.</summary>
    public abstract void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output);

    /// <summary>
    /// Accumulates the vector–Jacobian products: inputGradients[i] += (∂f/∂inputs[i])ᵀ · outputGradient for every
    /// non-null inputGradients[i]. <paramref name="output"/> holds Forward(inputs).
    /// </summary>
    public abstract void Backward(
        OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients);

    /// <summary>Throws unless exactly <paramref name="count"/> inputs were given.</summary>
    protected void RequireInputCount(IReadOnlyList<Node> inputs, int count)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count != count)
        {
            throw new ArgumentException($"Op '{Kind}' takes {count} input(s), got {inputs.Count}.");
        }
    }

    /// <summary>Throws unless <paramref name="node"/> is batched.</summary>
    protected void RequireBatched(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (!node.Batched)
        {
            throw new ArgumentException($"Op '{Kind}' needs a batched input, but '{node.Name}' is unbatched.");
        }
    }
}
