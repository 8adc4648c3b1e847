using System.Globalization;
using Helmholtz.Training;

namespace Helmholtz.ActiveInference.Deep;

/// <summary>The control agents' divergence check: one finiteness test per accumulated quantity per episode.</summary>
internal static class ControlDivergence
{
    /// <summary>Throws <see cref="TrainingDivergedException"/> naming the agent, the quantity, the episode and the option to lower when <paramref name="value"/> is NaN or infinite.</summary>
    public static void Check(string agent, string quantity, double value, int episode, string rateOption)
    {
        if (!double.IsFinite(value))
        {
            throw new TrainingDivergedException(string.Create(
                CultureInfo.InvariantCulture,
                $"The {agent} agent diverged: its {quantity} became {value} in episode {episode}; lower {rateOption}."));
        }
    }
}
