namespace Helmholtz.PredictiveCoding;

/// <summary>Activation relaxation (<c>activation-relaxation</c>): one population of neurons relaxes from its forward activations to the backprop gradient.</summary>
/// <remarks>
/// <list type="bullet">
/// <item>VJPs read the forward pass, as <see cref="FixedPredictionSchedule"/> (Millidge, Tschantz, Seth &amp; Buckley 2020,
/// "Activation relaxation").</item>
/// <item>Predictions never move.</item>
/// <item>Errors: ε_L = B·∂L/∂μ_L once, before step 1; a free node's error is its value, ε_n = Π_n v_n (no separate error units).</item>
/// <item>Values: v_n ← v_n − η_v (v_n − Σ_c VJP_{c→n}(ε_c)), whose fixed point is v_n = B·∂L/∂v_n.</item>
/// <item>Parameters step once, after T steps. The values do not start at zero errors, so there is no activity tracking.</item>
/// </list>
/// </remarks>
public sealed class ActivationRelaxationSchedule : IPcSchedule
{
    private static readonly PcDynamics RelaxationDynamics = new(FixedPredictions: true, TracksActivity: false, PerSampleInference: true);

    /// <inheritdoc />
    public string Name => "activation-relaxation";

    /// <inheritdoc />
    public PcDynamics Dynamics => RelaxationDynamics;

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
        state.ValueErrors(iteration);
    }

    /// <inheritdoc />
    public float Step(PcState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.SendMessages();
        return state.MoveValues();
    }
}
