using Helmholtz.Tensors;

namespace Helmholtz.Graphs;

/// <summary>Builds a <see cref="Graph"/> node by node; nodes can only refer to nodes created before them.</summary>
public sealed partial class GraphBuilder
{
    private readonly List<Node> _nodes = [];
    private readonly List<Parameter> _parameters = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private bool _built;

    /// <summary>Adds a batched input with the given per-sample shape.</summary>
    public Node Input(string name, params int[] sampleShape) =>
        Add(name, NodeKind.Input, null, [], sampleShape, batched: true);

    /// <summary>Adds a parameter whose initial value is <paramref name="initial"/> (the tensor is kept, not copied).</summary>
    public Node Parameter(string name, FloatTensor initial)
    {
        ArgumentNullException.ThrowIfNull(initial);
        var node = Add(name, NodeKind.Parameter, null, [], initial.Shape.ToArray(), batched: false);
        _parameters.Add(new Parameter(node, initial));
        return node;
    }

    /// <summary>Adds the output of <paramref name="op"/> applied to <paramref name="inputs"/>.</summary>
    /// <exception cref="ArgumentException">The op rejects the inputs' shapes (the message names the node).</exception>
    public Node Apply(Op op, string? name, params Node[] inputs)
    {
        ArgumentNullException.ThrowIfNull(op);
        ArgumentNullException.ThrowIfNull(inputs);
        foreach (var input in inputs)
        {
            if (input.Index >= _nodes.Count || !ReferenceEquals(_nodes[input.Index], input))
            {
                throw new ArgumentException($"Node '{input.Name}' does not belong to this graph.");
            }
        }

        string nodeName = name ?? $"{op.Kind}{_nodes.Count}";
        OutputShape shape;
        try
        {
            shape = op.InferShape(inputs);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"Cannot add node '{nodeName}': {ex.Message}", ex);
        }

        return Add(nodeName, NodeKind.Op, op, inputs, shape.Shape, shape.Batched);
    }

    /// <summary>Finishes the graph. The builder cannot be used afterwards.</summary>
    public Graph Build()
    {
        if (_built)
        {
            throw new InvalidOperationException("This builder has already built its graph.");
        }

        _built = true;
        return new Graph(_nodes.ToArray(), _parameters.ToArray());
    }

    private Node Add(string name, NodeKind kind, Op? op, Node[] inputs, int[] shape, bool batched)
    {
        if (_built)
        {
            throw new InvalidOperationException("This builder has already built its graph.");
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("A node needs a non-empty name.", nameof(name));
        }

        if (!_names.Add(name))
        {
            throw new ArgumentException($"The graph already has a node named '{name}'.", nameof(name));
        }

        var node = new Node(_nodes.Count, name, kind, op, inputs, (int[])shape.Clone(), batched);
        _nodes.Add(node);
        return node;
    }
}
