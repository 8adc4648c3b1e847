using Helmholtz.Graphs;

namespace Helmholtz.PredictiveCoding;

/// <summary>Classifies a model's nodes for predictive coding and checks that the graph and the relaxations fit each other.</summary>
internal static class PcGraphLayout
{
    /// <summary>The value nodes (op nodes on a path to the output, output last) and which nodes are free.</summary>
    /// <exception cref="ArgumentException">The graph cannot carry a PC network, or a relaxation meets an op that does not offer it.</exception>
    public static (Node[] Values, bool[] IsFree) Classify(Model model, IReadOnlyCollection<Node> freeInputs, PcRelaxations relaxations)
    {
        var graph = model.Graph;
        var nodes = graph.Nodes;
        var loss = model.Loss;
        if (loss.Op is null || !loss.Inputs.Contains(model.Output))
        {
            throw new ArgumentException($"Predictive coding needs the loss node '{loss.Name}' to be an op that reads the output '{model.Output.Name}'.");
        }

        if (model.Output.Kind != NodeKind.Op)
        {
            throw new ArgumentException($"Predictive coding needs the output '{model.Output.Name}' to be computed by an op.");
        }

        foreach (var consumer in graph.Consumers[model.Output.Index])
        {
            if (!ReferenceEquals(consumer, loss))
            {
                throw new ArgumentException(
                    $"Predictive coding clamps the output '{model.Output.Name}', so only the loss may read it; node '{consumer.Name}' reads it too.");
            }
        }

        var ancestor = new bool[nodes.Count];
        ancestor[model.Output.Index] = true;
        for (int i = model.Output.Index; i >= 0; i--)
        {
            if (ancestor[i])
            {
                foreach (var p in nodes[i].Inputs)
                {
                    ancestor[p.Index] = true;
                }
            }
        }

        var isFree = new bool[nodes.Count];
        var values = new List<Node>();
        foreach (var n in nodes)
        {
            if (!ancestor[n.Index] || n.Kind != NodeKind.Op)
            {
                continue;
            }

            if (!n.Batched)
            {
                throw new ArgumentException(
                    $"Predictive coding needs one value per sample, but op node '{n.Name}' is unbatched (it depends only on parameters).");
            }

            values.Add(n);
            isFree[n.Index] = !ReferenceEquals(n, model.Output);
        }

        foreach (var input in freeInputs)
        {
            if (input.Kind != NodeKind.Input || !ancestor[input.Index])
            {
                throw new ArgumentException($"Node '{input.Name}' cannot be a free latent: it must be an input that the output depends on.");
            }

            isFree[input.Index] = true;
        }

        CheckRelaxations(values, isFree, relaxations);
        return (values.ToArray(), isFree);
    }

    /// <summary>Whether value node c sends a relaxed message: its op offers it, x is free, W a parameter, and nothing else free.</summary>
    public static bool Offers(Node c, bool[] isFree) =>
        c.Op is IRelaxableOp && c.Inputs.Count >= 2 && isFree[c.Inputs[0].Index] && c.Inputs[1].Kind == NodeKind.Parameter
        && !c.Inputs.Skip(1).Any(p => isFree[p.Index]);

    /// <summary>Backward weights and no-derivative act on weighted ops that offer <see cref="IRelaxableOp"/>, through their x input only; parameter-free ops stay exact.</summary>
    private static void CheckRelaxations(List<Node> values, bool[] isFree, PcRelaxations relaxations)
    {
        var relax = relaxations & (PcRelaxations.BackwardWeights | PcRelaxations.NoDerivative);
        if (relax == 0)
        {
            return;
        }

        foreach (var c in values)
        {
            if (!c.Inputs.Any(p => isFree[p.Index]))
            {
                continue;
            }

            if ((relax & PcRelaxations.NoDerivative) == 0 && !c.Inputs.Any(p => p.Kind == NodeKind.Parameter))
            {
                continue; // backward weights only: no weights to transport, so pooling, reshapes and sums send their exact VJP
            }

            if (!Offers(c, isFree))
            {
                throw new ArgumentException(
                    $"The relaxation(s) {relax} act on weighted layers y = f(x ⋆ W + b) with a parameter W (dense, conv2d), but node '{c.Name}' (op '{c.Op!.Kind}') "
                    + "passes errors to a free value through weights another way. Drop the relaxation, or build the graph from layers that offer it.");
            }
        }
    }
}
