using Helmholtz.Environments.Discrete;

namespace Helmholtz.ActiveInference.Discrete;

/// <summary>What an agent believes about the two-armed bandit: its preferences, its prior about the arms, its options.</summary>
public sealed record TwoArmedBanditModelOptions
{
    /// <summary>Log-preference for the reward outcome.</summary>
    public double RewardPreference { get; init; } = 2;

    /// <summary>Log-preference for the loss outcome.</summary>
    public double LossPreference { get; init; } = -2;

    /// <summary>Prior Dirichlet count of reward and of loss for each arm: the agent does not know which arm pays and learns it (pA).</summary>
    public double RewardPriorConcentration { get; init; } = 1;

    /// <summary>Scale of the Dirichlet counts of the mappings the agent already knows (location, no reward at the start).</summary>
    public double KnownConcentration { get; init; } = 100;

    /// <summary>Agent options (one-step policies: one choice per trial).</summary>
    public AgentOptions Agent { get; init; } = new();
}

public static partial class TaskModels
{
    /// <summary>Index of the two-armed bandit's reward modality (outcomes: 0 none, 1 reward, 2 loss).</summary>
    public const int BanditRewardModality = 1;

    /// <summary>
    /// The two-armed bandit model. One factor, location (0 start, 1 arm 0, 2 arm 1), with two controls "choose arm u"
    /// that lead from anywhere to arm u. Modalities: location (exact) and reward (0 none, 1 reward, 2 loss); the
    /// reward mapping of the arms is unknown (flat Dirichlet counts pA, <see cref="TwoArmedBanditModelOptions.RewardPriorConcentration"/>
    /// each for reward and loss) and learned from outcomes; the rest is known (counts <see cref="TwoArmedBanditModelOptions.KnownConcentration"/>).
    /// </summary>
    public static GenerativeModel ForTwoArmedBandit(TwoArmedBandit bandit, TwoArmedBanditModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(bandit);
        var o = options ?? new TwoArmedBanditModelOptions();
        const int S = TwoArmedBandit.Locations, U = TwoArmedBandit.Arms;
        var aLoc = new double[S * S];
        for (int s = 0; s < S; s++)
        {
            aLoc[s * S + s] = 1;
        }

        // Reward counts [outcome, location]: "none" at the start; reward and loss equally likely a priori in each arm.
        var pRew = new double[3 * S];
        pRew[0 * S + 0] = o.KnownConcentration;
        for (int s = 1; s < S; s++)
        {
            pRew[1 * S + s] = o.RewardPriorConcentration;
            pRew[2 * S + s] = o.RewardPriorConcentration;
        }

        var b = new double[S * S * U];
        for (int prev = 0; prev < S; prev++)
        {
            for (int u = 0; u < U; u++)
            {
                b[((u + 1) * S + prev) * U + u] = 1;
            }
        }

        var d = new double[S];
        d[0] = 1;
        return new GenerativeModel(
            [new ModelArray([S, S], aLoc), new ModelArray([3, S], Normalised(pRew, 3))],
            [new ModelArray([S, S, U], b)],
            c: [new double[S], [0, o.RewardPreference, o.LossPreference]],
            d: [d],
            pA: [new ModelArray([S, S], aLoc.Select(x => x * o.KnownConcentration).ToArray()), new ModelArray([3, S], pRew)],
            options: o.Agent);
    }
}
