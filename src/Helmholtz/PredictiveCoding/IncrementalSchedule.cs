namespace Helmholtz.PredictiveCoding;

/// <summary>Incremental PC (<c>pc-incremental</c>): standard PC whose parameters step at every inference step (Salvatori et al., incremental PC).</summary>
/// <remarks>
/// <list type="bullet">
/// <item>VJPs read the current values and the current predictions, as <see cref="StandardSchedule"/>.</item>
/// <item>Predictions move at every step, all of them: the parameters under them change between steps.</item>
/// <item>Errors, in energy sign, at every step: ε_L = −B·∂L/∂μ_L, ε_n = Π_n (v_n − μ_n).</item>
/// <item>Values: v_n ← v_n − η_v (ε_n − Σ_c VJP_{c→n}(ε_c)).</item>
/// <item>Parameters step at every inference step, from that step's errors, before the values move: values and parameters
/// descend <see cref="FreeEnergy"/> together. No activity tracking (every node works from step 1).</item>
/// </list>
/// </remarks>
public sealed class IncrementalSchedule : IPcSchedule
{
    private static readonly PcDynamics IncrementalDynamics = new(FixedPredictions: false, PredictionsAlwaysMove: true, TracksActivity: false, StepsParametersEveryStep: true);

    /// <inheritdoc />
    public string Name => "pc-incremental";

    /// <inheritdoc />
    public PcDynamics Dynamics => IncrementalDynamics;

    /// <inheritdoc />
    public void Begin(PcState state)
    {
    }

    /// <inheritdoc />
    public void FormErrors(PcState state, int iteration) => StandardSchedule.FormCurrentErrors(state, iteration);

    /// <inheritdoc />
    public float Step(PcState state) => StandardSchedule.DescendFreeEnergy(state);
}
