using Helmholtz.Tensors;

namespace Helmholtz.Graphs;

/// <summary>What an op may use while it runs: the thread budget for its matrix products.</summary>
/// <param name="Threads">Maximum threads a single GEMM may use.</param>
public sealed record OpContext(int Threads = 1);

/// <summary>The shape an op produces: per-sample shape and whether it is batched.</summary>
/// <param name="Shape">Per-sample shape (batched) or full shape (unbatched).</param>
/// <param name="Batched">True when the output has one row per sample.</param>
public readonly record struct OutputShape(int[] Shape, bool Batched);

/// <summary>A differentiable function of its input nodes: a forward map and its vector–Jacobian product.</summary>
/// <remarks>
/// Backprop and every predictive-coding schedule are different ways of calling these two methods over the same graph,
/// so both are pure functions of their arguments: <see cref="Forward"/> reads only <c>inputs</c>, and
/// <see cref="Backward"/> reads only <c>inputs</c>, <c>output</c> (= Forward(inputs)) and the output cotangent.
/// Ops may keep scratch buffers between calls (so a graph is run by one executor at a time), never state that
/// changes the result.
/// </remarks>
public abstract class Op
{
    /// <summary>A short lower-case name of the op kind (e.g. <c>dense</c>, <c>tanh</c>).</summary>
    public abstract string Kind { get; }

    /// <summary>Checks the input nodes and returns the output's shape.</summary>
    /// <exception cref="ArgumentException">The inputs' number or shapes do not fit the op; the message names them.</exception>
    public abstract OutputShape InferShape(IReadOnlyList<Node> inputs);

    /// <summary>output = f(inputs). <paramref name="output"/> is overwritten.</summary>
    public abstract void Forward(OpContext context, ReadOnlySpan<Tensor> inputs, Tensor output);

    /// <summary>
    /// Accumulates the vector–Jacobian products: inputGradients[i] += (∂f/∂inputs[i])ᵀ · outputGradient for every
    /// non-null inputGradients[i]. <paramref name="output"/> holds Forward(inputs).
    /// </summary>
    public abstract void Backward(
        OpContext context, ReadOnlySpan<Tensor> inputs, Tensor output, Tensor outputGradient, ReadOnlySpan<Tensor?> inputGradients);

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
