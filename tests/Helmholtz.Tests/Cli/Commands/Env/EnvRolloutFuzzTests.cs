using System.Text;
using Helmholtz.Cli.Commands.Env;
using Helmholtz.Tests.Data;
using Xunit.Abstractions;

namespace Helmholtz.Tests.Cli.Commands.Env;

/// <summary>
/// Fuzzing of <c>env rollout --state/--actions</c> (HELMHOLTZ_FUZZ_ITERATIONS=10000 for the long run): every mutant of
/// the state or the actions JSON either rolls out or is refused with the command's bad-input
/// exceptions (<see cref="ArgumentException"/>, <see cref="FormatException"/>: exit code 2); any other exception or a
/// hang counts as "other", which must stay 0.
/// </summary>
public sealed class EnvRolloutFuzzTests(ITestOutputHelper output)
{
    public static TheoryData<string, string, string> Cases => new()
    {
        { "cartpole", "[0.01, -0.02, 0.03, 0.5]", "[0, 1, 0, 1, 1]" },
        { "acrobot", "[0.1, -0.2, 0.3, 0.4]", "[0, 1, 2, 1, 0]" },
        { "mountaincar", "[-0.5, 0.01]", "[0, 1, 2, 2, 0]" },
        { "mountaincar-continuous", "[-0.5, 0.01]", "[0.5, -0.3, [1.0], 2.5, -7]" },
        { "pendulum", "[1.0, 0.5]", "[0.5, -1.5, [2.0], 3.5, -7]" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void FuzzedStatesAndActionsRollOutOrAreRefusedAsBadInput(string env, string state, string actions)
    {
        int iterations = Fuzz.Iterations(100);
        ulong seed = (ulong)env.Length * 1009;
        var stateOutcomes = Fuzz.Count(Encoding.UTF8.GetBytes(state), iterations, seed, bytes => RollsOut(env, Encoding.UTF8.GetString(bytes), actions), IsBadInput, lengthFieldBytes: 0);
        var actionOutcomes = Fuzz.Count(Encoding.UTF8.GetBytes(actions), iterations, seed + 1, bytes => RollsOut(env, state, Encoding.UTF8.GetString(bytes)), IsBadInput, lengthFieldBytes: 0);
        output.WriteLine($"{env} --state: {stateOutcomes}");
        output.WriteLine($"{env} --actions: {actionOutcomes}");
        Assert.Empty(stateOutcomes.Other);
        Assert.Empty(actionOutcomes.Other);
        Assert.Empty(stateOutcomes.AcceptedChanged);
        Assert.Empty(actionOutcomes.AcceptedChanged);
    }

    private static bool RollsOut(string env, string state, string actions)
    {
        // A finite state beyond float32 gives ±∞ observations, as Gymnasium's float32 observation does: accepted.
        var rollout = EnvRolloutCommand.Rollout(env, state, actions);
        return rollout.Observations.Length == rollout.Rewards.Length;
    }

    private static bool IsBadInput(Exception ex) => ex is ArgumentException or FormatException;
}
