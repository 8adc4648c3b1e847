namespace Helmholtz.Graphs;

/// <summary>The loss a supervised model is trained with.</summary>
public enum LossKind
{
    /// <summary>½‖ŷ − y‖² summed over outputs, averaged over the batch.</summary>
    Mse,

    /// <summary>Softmax cross-entropy on logits, averaged over the batch.</summary>
    CrossEntropy,
}

/// <summary>A supervised network: a graph with its data input, prediction, target and scalar loss nodes.</summary>
/// <param name="Graph">The computation graph (parameters included).</param>
/// <param name="Input">The batched data input (e.g. images [batch, 784]).</param>
/// <param name="Output">The prediction ŷ (e.g. logits [batch, 10]).</param>
/// <param name="Target">The batched target y, same shape as the output (one-hot for labels).</param>
/// <param name="Loss">The scalar loss L(ŷ, y).</param>
/// <param name="LossKind">Which loss <paramref name="Loss"/> computes.</param>
public sealed record Model(Graph Graph, Node Input, Node Output, Node Target, Node Loss, LossKind LossKind);
