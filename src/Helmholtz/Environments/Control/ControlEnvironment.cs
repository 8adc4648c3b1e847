using System.Globalization;
using Helmholtz.Tensors;

namespace Helmholtz.Environments.Control;

/// <summary>
/// The shared part of the classic-control tasks: argument checks, the explicit state, and Gymnasium's
/// <c>TimeLimit</c> (truncated once the step count since reset reaches <see cref="MaxEpisodeSteps"/>).
/// </summary>
/// <remarks>See <see cref="IControlEnvironment"/> for the contract. Subclasses exist only in this assembly.</remarks>
public abstract class ControlEnvironment : IControlEnvironment
{
    private readonly double[] _state;
    private bool _needsReset = true;

    private protected ControlEnvironment(string name, BoxSpace observationSpace, Space actionSpace, int stateSize, int maxEpisodeSteps)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEpisodeSteps);
        Name = name;
        ObservationSpace = observationSpace;
        ActionSpace = actionSpace;
        MaxEpisodeSteps = maxEpisodeSteps;
        _state = new double[stateSize];
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public BoxSpace ObservationSpace { get; }

    /// <inheritdoc/>
    public Space ActionSpace { get; }

    /// <inheritdoc/>
    public int StateSize => _state.Length;

    /// <inheritdoc/>
    public virtual TaskGoal Goal => TaskGoal.Terminal;

    /// <inheritdoc/>
    public int MaxEpisodeSteps { get; }

    /// <inheritdoc/>
    public int ElapsedSteps { get; private set; }

    /// <summary>How actions outside the action space are treated (Gymnasium's clipping by default).</summary>
    public ControlEnvironmentOptions Options
    {
        get;
        init => field = value ?? throw new ArgumentNullException(nameof(value));
    } = ControlEnvironmentOptions.Default;

    /// <inheritdoc/>
    public bool NeedsReset => _needsReset;

    /// <summary>The internal state, read and advanced in place by the subclass.</summary>
    private protected Span<double> State => _state;

    /// <inheritdoc/>
    public void Reset(Rng rng, Span<float> observation)
    {
        ArgumentNullException.ThrowIfNull(rng);
        CheckObservation(observation);
        SampleInitialState(rng, _state);
        StartEpisode(observation);
    }

    /// <inheritdoc/>
    public void SetState(ReadOnlySpan<double> state, Span<float> observation)
    {
        if (state.Length != _state.Length)
        {
            throw new ArgumentException(
                $"The {Name} state has {_state.Length} elements ({StateLayout}); got {state.Length}.", nameof(state));
        }

        for (int i = 0; i < state.Length; i++)
        {
            if (!double.IsFinite(state[i]))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"The {Name} state element {i} is {state[i]}; every element must be finite."),
                    nameof(state));
            }
        }

        CheckObservation(observation);
        state.CopyTo(_state);
        StartEpisode(observation);
    }

    /// <inheritdoc/>
    public void GetState(Span<double> destination)
    {
        if (destination.Length != _state.Length)
        {
            throw new ArgumentException(
                $"The {Name} state has {_state.Length} elements; the destination has {destination.Length}.", nameof(destination));
        }

        _state.CopyTo(destination);
    }

    /// <inheritdoc/>
    public StepResult Step(int action, Span<float> observation)
    {
        if (ActionSpace is not DiscreteSpace discrete)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Action {action} is an integer but the {Name} action space is {ActionSpace}; pass a float vector."),
                nameof(action));
        }

        if (!discrete.Contains(action))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"Action {action} is outside the {Name} action space {ActionSpace}."),
                nameof(action));
        }

        return Advance(action, default, observation);
    }

    /// <inheritdoc/>
    public StepResult Step(ReadOnlySpan<float> action, Span<float> observation)
    {
        switch (ActionSpace)
        {
            case DiscreteSpace discrete:
                if (action.Length == 1 && action[0] == MathF.Round(action[0]) && action[0] >= 0 && action[0] < discrete.N)
                {
                    return Advance((int)action[0], default, observation);
                }

                break;
            case BoxSpace box:
                // Gymnasium clips an out-of-box continuous action inside the task's step (each task clips where its
                // Gymnasium counterpart does); a wrong length or a non-finite value has no meaning there.
                if (action.Length == box.Size && IsFinite(action) && (!Options.StrictActions || box.Contains(action)))
                {
                    return Advance(-1, action, observation);
                }

                if (action.Length == box.Size && IsFinite(action))
                {
                    throw new ArgumentException(
                        $"Action {BoxSpace.FormatVector(action)} is outside the {Name} action space {ActionSpace} (StrictActions is set; by default it would be clipped as Gymnasium does).",
                        nameof(action));
                }

                if (action.Length == box.Size)
                {
                    throw new ArgumentException(
                        $"Action {BoxSpace.FormatVector(action)} is not finite; every element of a {Name} action must be a finite number.", nameof(action));
                }

                break;
        }

        throw new ArgumentException(
            $"Action {BoxSpace.FormatVector(action)} is outside the {Name} action space {ActionSpace}.", nameof(action));
    }

    private static bool IsFinite(ReadOnlySpan<float> values)
    {
        foreach (float v in values)
        {
            if (!float.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Names the state elements in order, for error messages (e.g. "x, x_dot, theta, theta_dot").</summary>
    private protected abstract string StateLayout { get; }

    /// <summary>Draws the initial state into <paramref name="state"/> from the task's initial-state distribution.</summary>
    private protected abstract void SampleInitialState(Rng rng, Span<double> state);

    /// <summary>Writes the observation of the current state, cast to float32 as Gymnasium does.</summary>
    private protected abstract void Observe(Span<float> observation);

    /// <summary>Advances <see cref="State"/> by one step under a valid action and returns the reward.</summary>
    /// <param name="discreteAction">The index for a discrete action space; −1 otherwise.</param>
    /// <param name="boxAction">
    /// The vector for a box action space (finite and of the box's size; outside the box unless
    /// <see cref="ControlEnvironmentOptions.StrictActions"/>, so the task clips it where Gymnasium does); empty otherwise.
    /// </param>
    /// <param name="terminated">Whether the new state is terminal.</param>
    private protected abstract double Dynamics(int discreteAction, ReadOnlySpan<float> boxAction, out bool terminated);

    private StepResult Advance(int discreteAction, ReadOnlySpan<float> boxAction, Span<float> observation)
    {
        if (_needsReset)
        {
            throw new InvalidOperationException(ElapsedSteps == 0
                ? $"The {Name} environment has no episode: call Reset or SetState before Step."
                : $"The {Name} episode ended after {ElapsedSteps} steps: call Reset or SetState before stepping again.");
        }

        CheckObservation(observation);
        double reward = Dynamics(discreteAction, boxAction, out bool terminated);
        ElapsedSteps++;
        CheckFinite(reward);
        bool truncated = ElapsedSteps >= MaxEpisodeSteps;
        _needsReset = terminated || truncated;
        Observe(observation);
        return new StepResult(reward, terminated, truncated);
    }

    /// <summary>Ends the episode with a clear error when the step overflowed (only extreme finite states get there).</summary>
    private void CheckFinite(double reward)
    {
        for (int i = 0; i < _state.Length; i++)
        {
            if (!double.IsFinite(_state[i]))
            {
                _needsReset = true;
                throw new EnvironmentOverflowException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"The {Name} dynamics overflowed in step {ElapsedSteps}: {StateLayout.Split(", ")[i]} became {_state[i]} from a finite state; the state is too far outside the task's range. Reset or set a smaller state."));
            }
        }

        if (!double.IsFinite(reward))
        {
            _needsReset = true;
            throw new EnvironmentOverflowException(string.Create(
                CultureInfo.InvariantCulture,
                $"The {Name} reward overflowed in step {ElapsedSteps}: it is {reward} from a finite state; the state is too far outside the task's range. Reset or set a smaller state."));
        }
    }

    private void StartEpisode(Span<float> observation)
    {
        ElapsedSteps = 0;
        _needsReset = false;
        Observe(observation);
    }

    private void CheckObservation(Span<float> observation)
    {
        if (observation.Length != ObservationSpace.Size)
        {
            throw new ArgumentException(
                $"The {Name} observation has {ObservationSpace.Size} elements; the buffer has {observation.Length}.", nameof(observation));
        }
    }

    /// <summary>A uniform draw from [low, high), as NumPy's <c>uniform</c> computes it: low + (high − low)·u.</summary>
    private protected static double Uniform(Rng rng, double low, double high) => low + ((high - low) * rng.NextDouble());
}
