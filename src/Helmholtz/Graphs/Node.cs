namespace Helmholtz.Graphs;

/// <summary>What a graph node holds.</summary>
public enum NodeKind
{
    /// <summary>Data fed in for each batch (an image, a target).</summary>
    Input,

    /// <summary>A learned tensor shared by every sample (a weight, a bias).</summary>
    Parameter,

    /// <summary>The output of an <see cref="Graphs.Op"/> applied to other nodes.</summary>
    Op,
}

/// <summary>A vertex of a computation graph: an input, a parameter, or the output of an op.</summary>
/// <remarks>
/// Batched nodes hold one row per sample: at run time their tensor has shape [batch, ..<see cref="Shape"/>].
/// Unbatched nodes (parameters, a loss) have exactly <see cref="Shape"/>. Nodes are immutable and created by
/// <see cref="GraphBuilder"/>; <see cref="Index"/> is the node's position in topological order.
/// </remarks>
public sealed class Node
{
    internal Node(int index, string name, NodeKind kind, Op? op, Node[] inputs, int[] shape, bool batched)
    {
        Index = index;
        Name = name;
        Kind = kind;
        Op = op;
        Inputs = inputs;
        Shape = shape;
        Batched = batched;
        long size = 1;
        foreach (int d in shape)
        {
            size *= d;
        }

        SampleSize = checked((int)size);
    }

    /// <summary>Position in the graph's topological order.</summary>
    public int Index { get; }

    /// <summary>A readable, unique name (parameters carry their PyTorch-compatible name).</summary>
    public string Name { get; }

    /// <summary>Whether this is an input, a parameter or an op output.</summary>
    public NodeKind Kind { get; }

    /// <summary>The op that computes this node, for <see cref="NodeKind.Op"/> nodes.</summary>
    public Op? Op { get; }

    /// <summary>The nodes this one is computed from, in the op's argument order.</summary>
    public IReadOnlyList<Node> Inputs { get; }

    /// <summary>The per-sample shape of a batched node, or the full shape of an unbatched one.</summary>
    public int[] Shape { get; }

    /// <summary>True when the node holds one row per sample of the batch.</summary>
    public bool Batched { get; }

    /// <summary>Number of elements per sample (the product of <see cref="Shape"/>).</summary>
    public int SampleSize { get; }

    /// <summary>The run-time shape for a batch of <paramref name="batchSize"/> samples.</summary>
    public int[] RuntimeShape(int batchSize) => Batched ? [batchSize, .. Shape] : (int[])Shape.Clone();

    /// <inheritdoc />
    public override string ToString() => $"{Name} {Helmholtz.Tensors.FloatTensor.Format(Shape)}";
}
