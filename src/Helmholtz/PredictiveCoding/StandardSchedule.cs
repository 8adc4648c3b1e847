namespace Helmholtz.PredictiveCoding;

/// <summary>Standard PC (<c>pc-standard</c>): predictions recomputed from the current values at every step (Whittington &amp; Bogacz 2017).</summary>
/// <remarks>
/// <list type="bullet">
/// <item>VJPs read the current values and the current predictions.</item>
/// <item>Predictions move: μ_n = op_n.Forward(current parents) whenever a parent has moved.</item>
/// <item>Errors, in energy sign, at every step: ε_L = −B·∂L/∂μ_L (y − μ_L for MSE), ε_n = Π_n (v_n − μ_n).</item>
/// <item>Values: v_n ← v_n − η_v ∂F/∂v_n = v_n − η_v (ε_n − Σ_c VJP_{c→n}(ε_c)), a gradient step on
/// <see cref="FreeEnergy"/>, so F does not rise for a small enough η_v.</item>
/// <item>Parameters step once, after T steps, with g_θ = −(1/B) Σ_c VJP_{c→θ}(ε_c) = ∂F/∂θ / B.</item>
/// </list>
/// </remarks>
public sealed class StandardSchedule : IPcSchedule
{
    // Each sample's values, predictions and output error depend only on its own rows, so ShardedInference may split the batch.
    private static readonly PcDynamics StandardDynamics = new(FixedPredictions: false, PerSampleInference: true);

    /// <inheritdoc />
    public string Name => "pc-standard";

    /// <inheritdoc />
    public PcDynamics Dynamics => StandardDynamics;

    /// <inheritdoc />
    public void Begin(PcState state)
    {
    }

    /// <inheritdoc />
    public void FormErrors(PcState state, int iteration) => FormCurrentErrors(state, iteration);

    /// <summary>Predictions from the current values, then the output and hidden errors (standard and incremental PC).</summary>
    internal static void FormCurrentErrors(PcState state, int iteration)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Predict();
        state.OutputError(iteration);
        state.HiddenErrors(iteration);
    }

    /// <inheritdoc />
    public float Step(PcState state) => DescendFreeEnergy(state);

    /// <summary>One Euler step of the values down ∂F/∂v: messages, then v ← v − η_v (ε − Σ VJP(ε)).</summary>
    internal static float DescendFreeEnergy(PcState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.SendMessages();
        return state.MoveValues();
    }
}
