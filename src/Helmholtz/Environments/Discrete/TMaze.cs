using Helmholtz.Tensors;

namespace Helmholtz.Environments.Discrete;

/// <summary>A discrete environment an active inference agent acts in; it knows no agent (models of it are built in <c>ActiveInference.Discrete.TaskModels</c>).</summary>
public interface IDiscreteEnvironment
{
    /// <summary>The true hidden state, one index per factor (for records and evaluation; an agent never reads it).</summary>
    IReadOnlyList<int> State { get; }

    /// <summary>Starts a trial and returns the first observation (one outcome per modality).</summary>
    int[] Reset(Rng rng);

    /// <summary>Applies an action (one control per factor); returns the next observation and whether the trial ended.</summary>
    (int[] Observation, bool Done) Step(ReadOnlySpan<int> action, Rng rng);
}

/// <summary>Options of the epistemic T-maze (and its K-armed generalisation, the epistemic bandit): the task only.</summary>
public sealed record TMazeOptions
{
    /// <summary>Number of reward arms (2 = the T-maze; more = an epistemic bandit with a hint location).</summary>
    public int Arms { get; init; } = 2;

    /// <summary>P(the cue shows the rewarded arm).</summary>
    public double CueValidity { get; init; } = 1.0;

    /// <summary>P(reward) in the rewarded arm (the other arms pay with 1 − this, split evenly).</summary>
    public double RewardProbability { get; init; } = 0.98;

    /// <summary>Maximum moves per trial (the trial also ends when an arm is entered).</summary>
    public int MaxMoves { get; init; } = 2;

    /// <summary>If set, the rewarded arm is always this one (for learning an unknown reward location); otherwise drawn each trial.</summary>
    public int? FixedContext { get; init; }

    /// <summary>
    /// A reversal schedule: after every this many trials the cue's meaning reverses, so that in every second block of trials the
    /// cue shows the arm after the rewarded one, (context + 1) mod K, where it otherwise shows the rewarded arm; 0: never. An agent
    /// that knows what the cue shows and learns which arm pays in which cued context has to relearn that mapping at each reversal.
    /// </summary>
    public int ReversalEvery { get; init; }
}

/// <summary>
/// The epistemic T-maze (Friston et al. 2015; pymdp's TMazeEnv), with absorbing arms: the agent starts in the centre;
/// one location shows a cue for the rewarded arm; entering an arm ends the trial with reward or loss; at most
/// <see cref="TMazeOptions.MaxMoves"/> moves. With more than two arms it is a multi-armed epistemic bandit.
/// </summary>
/// <remarks>
/// Factors: location (0 centre, 1…K arms, K+1 cue) controlled by "go to" actions; context (which arm pays), not
/// controlled. Modalities: location (observed exactly), reward (0 none, 1 reward, 2 loss), cue (which arm the cue
/// points to; uniform away from the cue location).
/// </remarks>
public sealed class TMaze : IDiscreteEnvironment
{
    private readonly TMazeOptions _o;
    private readonly int _k;
    private readonly int _nLoc;
    private int _loc;
    private int _context;
    private int _moves;
    private int _trial = -1;

    /// <summary>Creates the maze.</summary>
    public TMaze(TMazeOptions? options = null)
    {
        _o = options ?? new TMazeOptions();
        _k = _o.Arms;
        if (_k < 2)
        {
            throw new ArgumentException($"arms = {_k}: need at least 2");
        }

        if (!(_o.CueValidity >= 0 && _o.CueValidity <= 1) || !(_o.RewardProbability >= 0 && _o.RewardProbability <= 1))
        {
            throw new ArgumentException("cue validity and reward probability must be in [0, 1]");
        }

        if (_o.ReversalEvery < 0)
        {
            throw new ArgumentException($"reversal every = {_o.ReversalEvery}: must be ≥ 0 (0: never)");
        }

        _nLoc = _k + 2;
    }

    /// <summary>The task's options.</summary>
    public TMazeOptions Options => _o;

    /// <summary>Number of reward arms K.</summary>
    public int Arms => _k;

    /// <summary>Number of locations: the centre, K arms and the cue.</summary>
    public int Locations => _nLoc;

    /// <inheritdoc/>
    public IReadOnlyList<int> State => [_loc, _context];

    /// <summary>Index of the cue location.</summary>
    public int CueLocation => _k + 1;

    /// <summary>Whether a location is a reward arm.</summary>
    public bool IsArm(int location) => location >= 1 && location <= _k;

    /// <summary>The rewarded arm of the current trial (0-based context).</summary>
    public int Context => _context;

    /// <summary>P(reward) in arm <paramref name="arm"/> (0-based) when arm <paramref name="context"/> is the rewarded one.</summary>
    public double RewardProbability(int arm, int context) =>
        arm == context ? _o.RewardProbability : (1 - _o.RewardProbability) / (_k - 1);

    /// <summary>P(the cue shows arm <paramref name="cue"/>) at the cue location when arm <paramref name="context"/> is the rewarded one (outside a reversed block).</summary>
    public double CueProbability(int cue, int context) =>
        cue == context ? _o.CueValidity : (1 - _o.CueValidity) / (_k - 1);

    /// <summary>Whether the cue's meaning is reversed in the current trial (<see cref="TMazeOptions.ReversalEvery"/>).</summary>
    public bool Reversed => _o.ReversalEvery > 0 && _trial >= 0 && (_trial / _o.ReversalEvery) % 2 == 1;

    /// <inheritdoc/>
    public int[] Reset(Rng rng)
    {
        _trial++;
        _loc = 0;
        _moves = 0;
        _context = _o.FixedContext ?? rng.NextInt(_k);
        return Observe(rng);
    }

    /// <inheritdoc/>
    public (int[] Observation, bool Done) Step(ReadOnlySpan<int> action, Rng rng)
    {
        if (!IsArm(_loc))
        {
            _loc = action[0];
        }

        _moves++;
        return (Observe(rng), IsArm(_loc) || _moves >= _o.MaxMoves);
    }

    /// <summary>The current location.</summary>
    public int Location => _loc;

    private int[] Observe(Rng rng)
    {
        int reward = 0;
        if (IsArm(_loc))
        {
            reward = rng.NextDouble() < RewardProbability(_loc - 1, _context) ? 1 : 2;
        }

        int cue;
        if (_loc == CueLocation)
        {
            cue = rng.NextDouble() < _o.CueValidity ? _context : Other(rng);
            if (Reversed)
            {
                cue = (cue + 1) % _k;
            }
        }
        else
        {
            cue = rng.NextInt(_k);
        }

        return [_loc, reward, cue];
    }

    private int Other(Rng rng)
    {
        int c = rng.NextInt(_k - 1);
        return c >= _context ? c + 1 : c;
    }
}
