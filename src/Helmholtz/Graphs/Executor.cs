using Helmholtz.Tensors;

namespace Helmholtz.Graphs;

/// <summary>Runs a graph on batches of a fixed size: forward pass and exact reverse-mode backprop.</summary>
/// <remarks>
/// The executor owns one value tensor per input and op node (parameters use the graph's own tensors) and one gradient
/// tensor per node that depends on a parameter. Buffers are allocated once, so a training step allocates nothing.
/// Set the inputs through <see cref="Value"/>, call <see cref="Forward"/>, then <see cref="Backward"/> from a scalar
/// node; gradients of parameters are read with <see cref="Gradient"/>.
/// </remarks>
public sealed class Executor
{
    private readonly FloatTensor[] _values;
    private readonly FloatTensor?[] _gradients;
    private readonly FloatTensor[][] _inputValues;
    private readonly FloatTensor?[][] _inputGradients;
    private readonly Dictionary<Node, bool[]> _pathsToLoss = [];

    /// <summary>Allocates the buffers for running <paramref name="graph"/> on batches of <paramref name="batchSize"/>.</summary>
    public Executor(Graph graph, int batchSize, OpContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        Graph = graph;
        BatchSize = batchSize;
        Context = context ?? new OpContext();
        int count = graph.Nodes.Count;
        _values = new FloatTensor[count];
        _gradients = new FloatTensor?[count];
        var needsGradient = new bool[count];
        foreach (var node in graph.Nodes)
        {
            _values[node.Index] = node.Kind == NodeKind.Parameter
                ? graph.ParameterOf(node).Value
                : new FloatTensor(node.RuntimeShape(batchSize));
            needsGradient[node.Index] = node.Kind == NodeKind.Parameter || node.Inputs.Any(i => needsGradient[i.Index]);
            if (needsGradient[node.Index])
            {
                _gradients[node.Index] = new FloatTensor(node.RuntimeShape(batchSize));
            }
        }

        _inputValues = new FloatTensor[count][];
        _inputGradients = new FloatTensor?[count][];
        foreach (var node in graph.Nodes)
        {
            _inputValues[node.Index] = node.Inputs.Select(i => _values[i.Index]).ToArray();
            _inputGradients[node.Index] = node.Inputs.Select(i => _gradients[i.Index]).ToArray();
        }
    }

    /// <summary>The graph this executor runs.</summary>
    public Graph Graph { get; }

    /// <summary>The batch size the buffers were made for.</summary>
    public int BatchSize { get; }

    /// <summary>The thread budget handed to every op.</summary>
    public OpContext Context { get; }

    /// <summary>The value buffer of <paramref name="node"/> (inputs are written here before <see cref="Forward"/>).</summary>
    public FloatTensor Value(Node node) => _values[Check(node).Index];

    /// <summary>The gradient buffer of <paramref name="node"/> after <see cref="Backward"/>.</summary>
    /// <exception cref="ArgumentException">The node does not depend on any parameter, so it has no gradient.</exception>
    public FloatTensor Gradient(Node node) => _gradients[Check(node).Index]
        ?? throw new ArgumentException($"Node '{node.Name}' does not depend on a parameter, so backprop gives it no gradient.", nameof(node));

    /// <summary>Computes every op node from the current inputs and parameters, in topological order.</summary>
    public void Forward()
    {
        // Indexed loops: foreach over the IReadOnlyList interface would allocate an enumerator per call.
        var nodes = Graph.Nodes;
        for (int i = 0; i < nodes.Count; i++)
        {
            if (nodes[i].Op is { } op)
            {
                op.Forward(Context, _inputValues[i], _values[i]);
            }
        }
    }

    /// <summary>Exact reverse-mode backprop of the scalar <paramref name="loss"/> (d loss / d loss = 1).</summary>
    /// <remarks>Gradients of every node that depends on a parameter and feeds the loss are overwritten.</remarks>
    public void Backward(Node loss)
    {
        Check(loss);
        if (loss.Batched || loss.SampleSize != 1)
        {
            throw new ArgumentException($"Backward needs a scalar, unbatched node; '{loss.Name}' has shape {FloatTensor.Format(loss.Shape)}.", nameof(loss));
        }

        var onPath = PathsTo(loss);
        for (int i = 0; i < onPath.Length; i++)
        {
            if (onPath[i])
            {
                _gradients[i]?.Clear();
            }
        }

        Gradient(loss).Fill(1f);
        for (int i = loss.Index; i >= 0; i--)
        {
            var node = Graph.Nodes[i];
            if (onPath[i] && node.Op is { } op && _gradients[i] is { } g)
            {
                op.Backward(Context, _inputValues[i], _values[i], g, _inputGradients[i]);
            }
        }
    }

    /// <summary>For each node, whether it lies on a path from a parameter to <paramref name="target"/>.</summary>
    private bool[] PathsTo(Node target)
    {
        if (_pathsToLoss.TryGetValue(target, out var cached))
        {
            return cached;
        }

        var reaches = new bool[Graph.Nodes.Count];
        reaches[target.Index] = true;
        for (int i = target.Index; i >= 0; i--)
        {
            if (!reaches[i])
            {
                continue;
            }

            foreach (var input in Graph.Nodes[i].Inputs)
            {
                reaches[input.Index] = true;
            }
        }

        for (int i = 0; i < reaches.Length; i++)
        {
            reaches[i] &= _gradients[i] is not null;
        }

        _pathsToLoss[target] = reaches;
        return reaches;
    }

    private Node Check(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Index >= Graph.Nodes.Count || !ReferenceEquals(Graph.Nodes[node.Index], node))
        {
            throw new ArgumentException($"Node '{node.Name}' does not belong to this executor's graph.", nameof(node));
        }

        return node;
    }
}
