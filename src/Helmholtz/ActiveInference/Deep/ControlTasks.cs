namespace Helmholtz.ActiveInference.Deep;

/// <summary>Success and "solved" by catalogue name (each environment owns its <see cref="Environments.TaskGoal"/>), and moving means of returns.</summary>
/// <remarks>
/// <para>Success (the task's goal reached in one episode): <c>mountaincar</c>, <c>mountaincar-continuous</c>,
/// <c>sparse-mountaincar</c>: the episode terminated (they terminate only at the goal, x ≥ 0.5 or 0.45 with v ≥ 0);
/// <c>cartpole</c>: the episode lasted the full 500 steps without termination (the pole stayed up); <c>acrobot</c>:
/// terminated (the tip swung above the bar); <c>pendulum</c>: return ≥ −200 (there is no goal state, so the
/// threshold below stands for it).</para>
/// <para>Solved (a moving mean of the returns over <c>window</c> episodes, 100 by default, at or above the threshold;
/// the first episode at which the mean over the last window episodes reaches it): CartPole-v1 475 and
/// MountainCar-v0 −110 (Gymnasium's <c>reward_threshold</c>), MountainCarContinuous-v0 90 (Gymnasium's), Acrobot-v1
/// −100 (the issue's; Gymnasium registers none), Pendulum-v1 −200 (the issue's; Gymnasium registers none),
/// sparse mountain car 0.9 (goal reached in 90 % of episodes; our choice, its return is 1 on success).</para>
/// </remarks>
public static class ControlTasks
{
    /// <summary>Whether <paramref name="episode"/> reached the goal of the task named <paramref name="environment"/> (its <see cref="Environments.IControlEnvironment.Goal"/>).</summary>
    public static bool IsSuccess(string environment, EpisodeResult episode)
    {
        ArgumentNullException.ThrowIfNull(episode);
        return Goal(environment).IsSuccess(episode.Return, episode.Terminated, episode.Truncated);
    }

    /// <summary>The standard solve threshold of the task's moving-mean return, or null when it has none.</summary>
    public static double? SolveThreshold(string environment) => Goal(environment).SolveThreshold;

    /// <summary>The 1-based episode at which the mean of the last <paramref name="window"/> returns first reaches <paramref name="threshold"/>, or null.</summary>
    /// <remarks>Needs at least <paramref name="window"/> episodes (so a lucky start does not count as solving).</remarks>
    public static int? SolvedEpisode(IReadOnlyList<double> returns, double threshold, int window = 100)
    {
        ArgumentNullException.ThrowIfNull(returns);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(window);
        double sum = 0;
        for (int k = 0; k < returns.Count; k++)
        {
            sum += returns[k];
            if (k >= window)
            {
                sum -= returns[k - window];
            }

            if (k + 1 >= window && sum / window >= threshold - 1e-9)
            {
                return k + 1;
            }
        }

        return null;
    }

    /// <summary>The mean of the last min(<paramref name="window"/>, count) returns (NaN for none).</summary>
    public static double MovingMean(IReadOnlyList<double> returns, int window = 100)
    {
        ArgumentNullException.ThrowIfNull(returns);
        int n = Math.Min(window, returns.Count);
        if (n == 0)
        {
            return double.NaN;
        }

        double s = 0;
        for (int k = returns.Count - n; k < returns.Count; k++)
        {
            s += returns[k];
        }

        return s / n;
    }

    private static Environments.TaskGoal Goal(string environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return Environments.Control.EnvironmentCatalog.Create(environment).Goal;
    }
}
