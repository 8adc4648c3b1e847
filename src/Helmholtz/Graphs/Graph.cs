using Helmholtz.Tensors;

namespace Helmholtz.Graphs;

/// <summary>A learned tensor of a graph, with its PyTorch-compatible name.</summary>
public sealed class Parameter
{
    internal Parameter(Node node, FloatTensor value)
    {
        Node = node;
        Value = value;
    }

    /// <summary>The parameter's name (e.g. <c>layers.0.weight</c>).</summary>
    public string Name => Node.Name;

    /// <summary>The graph node that stands for this parameter.</summary>
    public Node Node { get; }

    /// <summary>The current value; optimisers update it in place.</summary>
    public FloatTensor Value { get; }
}

/// <summary>An immutable computation graph: nodes in topological order and the parameters they use.</summary>
public sealed class Graph
{
    private readonly Dictionary<string, Node> _byName;
    private readonly Dictionary<Node, Parameter> _parameterByNode;

    internal Graph(IReadOnlyList<Node> nodes, IReadOnlyList<Parameter> parameters)
    {
        Nodes = nodes;
        Parameters = parameters;
        _byName = nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        _parameterByNode = parameters.ToDictionary(p => p.Node);
        var consumers = new List<Node>[nodes.Count];
        for (int i = 0; i < consumers.Length; i++)
        {
            consumers[i] = [];
        }

        foreach (var n in nodes)
        {
            foreach (var input in n.Inputs.Distinct())
            {
                consumers[input.Index].Add(n);
            }
        }

        Consumers = consumers;
    }

    /// <summary>Every node, inputs and parameters included, in topological order.</summary>
    public IReadOnlyList<Node> Nodes { get; }

    /// <summary>The learned tensors, in creation order.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>For each node index, the op nodes that read it (each listed once).</summary>
    public IReadOnlyList<IReadOnlyList<Node>> Consumers { get; }

    /// <summary>The node called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No node has that name.</exception>
    public Node this[string name] => _byName.TryGetValue(name, out var n)
        ? n
        : throw new KeyNotFoundException($"The graph has no node named '{name}'.");

    /// <summary>The parameter a <see cref="NodeKind.Parameter"/> node stands for.</summary>
    public Parameter ParameterOf(Node node) => _parameterByNode.TryGetValue(node, out var p)
        ? p
        : throw new ArgumentException($"Node '{node.Name}' is not a parameter of this graph.", nameof(node));

    /// <summary>The parameter values by name (the tensors themselves, not copies).</summary>
    public IReadOnlyDictionary<string, FloatTensor> ParameterValues() =>
        Parameters.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);

    /// <summary>Copies values into the parameters of the same names.</summary>
    /// <param name="values">Tensors by parameter name; shapes must match.</param>
    /// <param name="requireAll">When true, every parameter must be present and no unknown name is allowed.</param>
    /// <exception cref="ArgumentException">A name is missing or unknown, or a shape differs; the message names it.</exception>
    public void LoadParameters(IReadOnlyDictionary<string, FloatTensor> values, bool requireAll = true)
    {
        ArgumentNullException.ThrowIfNull(values);
        var known = Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        if (requireAll)
        {
            var missing = known.Keys.Where(k => !values.ContainsKey(k)).ToList();
            if (missing.Count > 0)
            {
                throw new ArgumentException($"Missing parameter(s): {string.Join(", ", missing)}.");
            }

            var unknown = values.Keys.Where(k => !known.ContainsKey(k)).ToList();
            if (unknown.Count > 0)
            {
                throw new ArgumentException(
                    $"Unknown parameter(s): {string.Join(", ", unknown)}; this model has {string.Join(", ", known.Keys)}.");
            }
        }

        // Check everything before changing anything, so a bad file leaves the model as it was.
        foreach (var (name, tensor) in values)
        {
            if (known.TryGetValue(name, out var p) && !p.Value.SameShape(tensor))
            {
                throw new ArgumentException(
                    $"Parameter '{name}' has shape {FloatTensor.Format(p.Value.Shape)} in the model but {FloatTensor.Format(tensor.Shape)} in the file.");
            }
        }

        foreach (var (name, tensor) in values)
        {
            if (known.TryGetValue(name, out var p))
            {
                p.Value.CopyFrom(tensor);
            }
        }
    }
}
