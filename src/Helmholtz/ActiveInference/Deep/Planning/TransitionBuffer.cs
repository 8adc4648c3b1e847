namespace Helmholtz.ActiveInference.Deep.Planning;

/// <summary>All transitions (s, a, r, s′) collected so far, as flat float32 rows; the model is refitted on all of them.</summary>
/// <remarks>With an action repeat, one transition spans the repeated environment steps and r is their summed reward.</remarks>
public sealed class TransitionBuffer
{
    private readonly List<float> _states = [];
    private readonly List<float> _actions = [];
    private readonly List<float> _rewards = [];
    private readonly List<float> _nextStates = [];

    /// <summary>Creates an empty buffer for states of <paramref name="stateSize"/> and actions of <paramref name="actionSize"/> elements.</summary>
    public TransitionBuffer(int stateSize, int actionSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stateSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(actionSize);
        StateSize = stateSize;
        ActionSize = actionSize;
    }

    /// <summary>Elements per state.</summary>
    public int StateSize { get; }

    /// <summary>Elements per action.</summary>
    public int ActionSize { get; }

    /// <summary>Number of stored transitions.</summary>
    public int Count => _rewards.Count;

    /// <summary>Appends one transition (copied).</summary>
    public void Add(ReadOnlySpan<float> state, ReadOnlySpan<float> action, double reward, ReadOnlySpan<float> nextState)
    {
        if (state.Length != StateSize || nextState.Length != StateSize || action.Length != ActionSize)
        {
            throw new ArgumentException($"A transition needs states of {StateSize} and actions of {ActionSize} elements; got {state.Length}, {action.Length}, {nextState.Length}.");
        }

        _states.AddRange(state);
        _actions.AddRange(action);
        _rewards.Add((float)reward);
        _nextStates.AddRange(nextState);
    }

    /// <summary>State i.</summary>
    public ReadOnlySpan<float> State(int i) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_states).Slice(i * StateSize, StateSize);

    /// <summary>Action i.</summary>
    public ReadOnlySpan<float> Action(int i) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_actions).Slice(i * ActionSize, ActionSize);

    /// <summary>Next state i.</summary>
    public ReadOnlySpan<float> NextState(int i) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_nextStates).Slice(i * StateSize, StateSize);

    /// <summary>Reward i.</summary>
    public float Reward(int i) => _rewards[i];
}
