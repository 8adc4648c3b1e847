using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;

namespace CustomSchedule;

/// <summary>Fixed-prediction PC whose inference moves the values with heavy-ball momentum, written outside the library.</summary>
/// <remarks>
/// Polyak's heavy ball on dv/dt = −∂F/∂v: u ← β·u − ∂F/∂v, v ← v + η_v·u, where −∂F/∂v = Σ_c VJP_{c→n}(ε_c) − ε_n is the
/// state's message minus its error. β = 0 is <c>pc-fixed</c> itself. The schedule keeps its own buffers (one velocity per
/// free node) and uses only the public <see cref="PcState"/> primitives, so it needs no change to the library.
/// </remarks>
public sealed class MomentumSchedule(float beta) : IPcSchedule
{
    // Moves values itself, so the state may not skip nodes by watching PcState.MoveValues; and keeps one velocity set.
    private static readonly PcDynamics MomentumDynamics = new(FixedPredictions: true, TracksActivity: false);
    private readonly Dictionary<int, FloatTensor> _velocity = [];

    /// <summary>The momentum coefficient β in [0, 1).</summary>
    public float Beta { get; } = beta is >= 0f and < 1f ? beta : throw new ArgumentOutOfRangeException(nameof(beta), beta, "Beta must be in [0, 1).");

    /// <inheritdoc />
    public string Name => "pc-momentum";

    /// <inheritdoc />
    public PcDynamics Dynamics => MomentumDynamics;

    /// <inheritdoc />
    public void Begin(PcState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.OutputError(0); // fixed prediction: the output error is the loss gradient at the forward pass, formed once
        foreach (var n in state.FreeNodes)
        {
            if (!_velocity.TryGetValue(n.Index, out var u))
            {
                u = new FloatTensor(state.Value(n).Shape.ToArray());
                _velocity[n.Index] = u;
            }

            u.Clear(); // every batch starts at rest
        }
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
        foreach (var n in state.FreeNodes)
        {
            var u = _velocity[n.Index].Span;
            var message = state.Message(n).ReadOnlySpan;
            var error = state.Error(n).ReadOnlySpan;
            var v = state.Value(n).Span;
            float eta = state.StepSizeOf(n);
            for (int i = 0; i < v.Length; i++)
            {
                u[i] = Beta * u[i] + (message[i] - error[i]);
                v[i] += eta * u[i];
            }
        }

        return 0f; // no tolerance-based early stop
    }
}
