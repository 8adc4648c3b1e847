namespace Helmholtz.PredictiveCoding;

/// <summary>Fixed-prediction PC (<c>pc-fixed</c>; with relaxations, <c>relaxed</c>): predictions and Jacobians stay at the forward pass.</summary>
/// <remarks>
/// <list type="bullet">
/// <item>VJPs read the forward pass: the forward inputs and outputs of every op (Millidge, Tschantz &amp; Buckley 2020).</item>
/// <item>Predictions never move: μ_n is the forward value of node n.</item>
/// <item>Errors: ε_L = B·∂L/∂μ_L once, before step 1 (gradient sign); ε_n = Π_n (v_n − μ_n) at every step.</item>
/// <item>Values: v_n ← v_n − η_v (ε_n − Σ_c VJP_{c→n}(ε_c)); relaxed messages where the options ask for them.</item>
/// <item>Parameters step once, after T steps, with g_θ = (1/B) Σ_c VJP_{c→θ}(ε_c). At η_v = 1, after as many steps as the
/// graph is deep, the errors equal backprop's gradients (Theorem 1 of the paper).</item>
/// </list>
/// Inference is independent per sample, so <see cref="ShardedInference"/> may split it over the batch.
/// </remarks>
public sealed class FixedPredictionSchedule : IPcSchedule
{
    private static readonly PcDynamics FixedDynamics = new(FixedPredictions: true, PerSampleInference: true);

    /// <summary>Creates the schedule; <paramref name="relaxed"/> only changes its name (the relaxations are options of the state).</summary>
    public FixedPredictionSchedule(bool relaxed = false) => Name = relaxed ? "relaxed" : "pc-fixed";

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public PcDynamics Dynamics => FixedDynamics;

    /// <inheritdoc />
    public void Begin(PcState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.OutputError(0);
    }

    /// <inheritdoc />
    public void FormErrors(PcState state, int iteration)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.HiddenErrors(iteration);
    }

    /// <inheritdoc />
    public float Step(PcState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.SendMessages();
        return state.MoveValues();
    }
}
