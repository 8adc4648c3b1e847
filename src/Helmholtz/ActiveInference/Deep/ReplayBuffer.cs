using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep;

/// <summary>A fixed-capacity ring buffer of transitions (s, a, r, s′, terminated) with uniform sampling.</summary>
/// <remarks>
/// Storage is allocated once (flat float arrays), so adding and sampling allocate nothing. When full, each new
/// transition overwrites the oldest one. Sampling draws indices uniformly with replacement from the stored
/// transitions, as in DQN (Mnih et al. 2015); the same generator state gives the same indices.
/// </remarks>
public sealed class ReplayBuffer
{
    private readonly float[] _observations;
    private readonly float[] _nextObservations;
    private readonly int[] _actions;
    private readonly float[] _rewards;
    private readonly bool[] _terminated;
    private int _next;

    /// <summary>Creates an empty buffer for <paramref name="capacity"/> transitions of observations of <paramref name="observationSize"/> floats.</summary>
    public ReplayBuffer(int capacity, int observationSize)
    {
        if (capacity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "The replay buffer capacity must be positive.");
        }

        if (observationSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(observationSize), observationSize, "The observation size must be positive.");
        }

        // Two observations, an action, a reward and a flag per transition.
        double perTransition = 8.0 * observationSize + 9;
        var limits = WorkLimits.Default;
        limits.CheckBytes(capacity * perTransition, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"A replay buffer of BufferCapacity {capacity} (observations of {observationSize} floats)"),
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"BufferCapacity must be at most {(long)Math.Min(int.MaxValue, limits.MaxBytes / perTransition)}"));
        Capacity = capacity;
        ObservationSize = observationSize;
        _observations = new float[checked(capacity * observationSize)];
        _nextObservations = new float[capacity * observationSize];
        _actions = new int[capacity];
        _rewards = new float[capacity];
        _terminated = new bool[capacity];
    }

    /// <summary>The maximum number of transitions kept.</summary>
    public int Capacity { get; }

    /// <summary>Floats per observation.</summary>
    public int ObservationSize { get; }

    /// <summary>The number of transitions stored (at most <see cref="Capacity"/>).</summary>
    public int Count { get; private set; }

    /// <summary>The number of transitions ever added (including overwritten ones).</summary>
    public long Added { get; private set; }

    /// <summary>Stores one transition, overwriting the oldest when full.</summary>
    /// <param name="observation">s, of <see cref="ObservationSize"/> floats.</param>
    /// <param name="action">The discrete action taken.</param>
    /// <param name="reward">The reward received.</param>
    /// <param name="nextObservation">s′.</param>
    /// <param name="terminated">Whether s′ is terminal (no bootstrap from it); a time-limit truncation is not terminal.</param>
    public void Add(ReadOnlySpan<float> observation, int action, float reward, ReadOnlySpan<float> nextObservation, bool terminated)
    {
        if (observation.Length != ObservationSize || nextObservation.Length != ObservationSize)
        {
            throw new ArgumentException(
                $"Replay buffer observations have {ObservationSize} floats; got {observation.Length} and {nextObservation.Length}.");
        }

        int i = _next;
        observation.CopyTo(_observations.AsSpan(i * ObservationSize, ObservationSize));
        nextObservation.CopyTo(_nextObservations.AsSpan(i * ObservationSize, ObservationSize));
        _actions[i] = action;
        _rewards[i] = reward;
        _terminated[i] = terminated;
        _next = (i + 1) % Capacity;
        Count = Math.Min(Count + 1, Capacity);
        Added++;
    }

    /// <summary>Fills <paramref name="indices"/> with slots drawn uniformly, with replacement, from the stored transitions.</summary>
    /// <exception cref="InvalidOperationException">The buffer is empty.</exception>
    public void Sample(Rng rng, Span<int> indices)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (Count == 0)
        {
            throw new InvalidOperationException("Cannot sample from an empty replay buffer.");
        }

        for (int k = 0; k < indices.Length; k++)
        {
            indices[k] = rng.NextInt(Count);
        }
    }

    /// <summary>The observation s of slot <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> Observation(int index) => _observations.AsSpan(Slot(index) * ObservationSize, ObservationSize);

    /// <summary>The next observation s′ of slot <paramref name="index"/>.</summary>
    public ReadOnlySpan<float> NextObservation(int index) => _nextObservations.AsSpan(Slot(index) * ObservationSize, ObservationSize);

    /// <summary>The action of slot <paramref name="index"/>.</summary>
    public int Action(int index) => _actions[Slot(index)];

    /// <summary>The reward of slot <paramref name="index"/>.</summary>
    public float Reward(int index) => _rewards[Slot(index)];

    /// <summary>Whether slot <paramref name="index"/>'s next observation is terminal.</summary>
    public bool Terminated(int index) => _terminated[Slot(index)];

    private int Slot(int index) => (uint)index < (uint)Count
        ? index
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"Replay buffer slot must be in [0, {Count}).");
}
