namespace Helmholtz.Environments.Control;

/// <summary>Settings shared by every classic-control task (see <see cref="ControlEnvironment.Options"/>).</summary>
public sealed record ControlEnvironmentOptions
{
    /// <summary>Gymnasium's behaviour: out-of-box continuous actions are clipped where Gymnasium clips them.</summary>
    public static ControlEnvironmentOptions Default { get; } = new();

    /// <summary>
    /// Whether a continuous (box) action outside the action space throws instead of being clipped as Gymnasium clips
    /// it; for catching planner bugs. Discrete actions outside the space always throw.
    /// </summary>
    public bool StrictActions { get; init; }
}
