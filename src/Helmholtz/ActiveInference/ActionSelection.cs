namespace Helmholtz.ActiveInference;

/// <summary>How an agent turns its distribution over actions into an action (pymdp's <c>action_selection</c>), for the discrete and the deep agents alike.</summary>
public enum ActionSelection
{
    /// <summary>The most probable action (argmax; the first one on ties, as NumPy's argmax).</summary>
    Deterministic,

    /// <summary>A draw from the distribution (the discrete agent: softmax(α · ln marginal) per factor; the deep agent: a ~ q(a|s)).</summary>
    Stochastic,
}
