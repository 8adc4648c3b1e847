using Helmholtz.Tensors;

namespace Helmholtz.Environments.Discrete;

/// <summary>Options of the two-armed bandit: how often each arm pays and when the better arm changes.</summary>
public sealed record TwoArmedBanditOptions
{
    /// <summary>P(reward) of the better arm.</summary>
    public double BetterRewardProbability { get; init; } = 0.8;

    /// <summary>P(reward) of the worse arm.</summary>
    public double WorseRewardProbability { get; init; } = 0.2;

    /// <summary>The better arm swaps after every this many trials (a reversal schedule); 0: never.</summary>
    public int ReversalEvery { get; init; }

    /// <summary>The better arm of the first trials (0 or 1).</summary>
    public int FirstBetterArm { get; init; }
}

/// <summary>
/// The two-armed bandit: each trial the agent starts at a start location and chooses one of two arms, which pays with
/// its reward probability; the trial then ends. With <see cref="TwoArmedBanditOptions.ReversalEvery"/> the arms swap
/// roles on a fixed schedule (a reversal-learning task).
/// </summary>
/// <remarks>
/// Factors: location (0 start, 1 arm 0, 2 arm 1), controlled by two "choose arm u" actions; which arm is better
/// (for records only). Modalities: location (observed exactly) and reward (0 none, 1 reward, 2 loss). The trial counter
/// that drives reversals advances at every <see cref="Reset"/>.
/// </remarks>
public sealed class TwoArmedBandit : IDiscreteEnvironment
{
    private readonly TwoArmedBanditOptions _o;
    private int _loc;
    private int _better;
    private int _trial = -1;

    /// <summary>Creates the bandit.</summary>
    /// <exception cref="ArgumentException">A probability outside [0, 1], a negative reversal interval or a first better arm other than 0 or 1.</exception>
    public TwoArmedBandit(TwoArmedBanditOptions? options = null)
    {
        _o = options ?? new TwoArmedBanditOptions();
        if (!(_o.BetterRewardProbability is >= 0 and <= 1) || !(_o.WorseRewardProbability is >= 0 and <= 1))
        {
            throw new ArgumentException("BetterRewardProbability and WorseRewardProbability: must be in [0, 1]", nameof(options));
        }

        if (_o.ReversalEvery < 0 || _o.FirstBetterArm is not (0 or 1))
        {
            throw new ArgumentException("ReversalEvery must be ≥ 0 and FirstBetterArm 0 or 1", nameof(options));
        }
    }

    /// <summary>Number of arms (2).</summary>
    public const int Arms = 2;

    /// <summary>Number of locations: the start and the two arms.</summary>
    public const int Locations = 3;

    /// <summary>The task's options.</summary>
    public TwoArmedBanditOptions Options => _o;

    /// <inheritdoc/>
    public IReadOnlyList<int> State => [_loc, _better];

    /// <summary>The better arm of the current trial (0 or 1).</summary>
    public int BetterArm => _better;

    /// <summary>P(reward) of <paramref name="arm"/> when <paramref name="betterArm"/> is the better one.</summary>
    public double RewardProbability(int arm, int betterArm) => arm == betterArm ? _o.BetterRewardProbability : _o.WorseRewardProbability;

    /// <inheritdoc/>
    public int[] Reset(Rng rng)
    {
        _trial++;
        _loc = 0;
        int block = _o.ReversalEvery > 0 ? _trial / _o.ReversalEvery : 0;
        _better = (_o.FirstBetterArm + block) % 2;
        return [0, 0];
    }

    /// <inheritdoc/>
    public (int[] Observation, bool Done) Step(ReadOnlySpan<int> action, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        if (action.Length < 1 || action[0] is not (0 or 1))
        {
            throw new ArgumentException("action: the bandit's one control must be 0 or 1 (the arm)", nameof(action));
        }

        _loc = action[0] + 1;
        int reward = rng.NextDouble() < RewardProbability(action[0], _better) ? 1 : 2;
        return ([_loc, reward], true);
    }
}
