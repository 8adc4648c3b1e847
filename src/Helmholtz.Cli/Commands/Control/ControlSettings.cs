using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Control;

/// <summary>Settings of <c>helmholtz aif control</c>.</summary>
internal sealed class ControlSettings : CommandSettings
{
    [CommandOption("--env <ENV>")]
    [Description("Control task: cartpole, acrobot, mountaincar, mountaincar-continuous, sparse-mountaincar, pendulum")]
    public string? Env { get; init; }

    [CommandOption("--agent <AGENT>")]
    [Description("deep-aif (default), dqn or planner (model-based CEM planning; continuous actions).")]
    public string Agent { get; init; } = "deep-aif";

    [CommandOption("--objective <OBJECTIVE>")]
    [Description("What the agent minimises; deep-aif: efe (default; with the epistemic term) or reward (without it); dqn: reward; planner: feef (default), efe, fef, divergence, infogain or reward")]
    public string? Objective { get; init; }

    [CommandOption("--episodes <N>")]
    [Description("Episodes to run (default 500)")]
    public int Episodes { get; init; } = 500;

    [CommandOption("--seed <S>")]
    [Description("Random seed (default 1)")]
    public ulong Seed { get; init; } = 1;

    [CommandOption("--seeds <RANGE>")]
    [Description("Several seeds in parallel processes, e.g. 1-5 or 1,3,7; each in <out>/seed-<k>, with a summary across seeds")]
    public string? Seeds { get; init; }

    [CommandOption("--parallel <P>")]
    [Description("With --seeds: processes at a time (default: the number of cores)")]
    public int? Parallel { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Run folder (default runs/control-<env>-<agent>[[-seed-<S>]])")]
    public string? Out { get; init; }

    [CommandOption("--solve-window <N>")]
    [Description("Episodes of the moving mean that defines 'solved' (default 100)")]
    public int SolveWindow { get; init; } = 100;

    [CommandOption("--hidden <SIZES>")]
    [Description("Hidden widths of the networks, comma-separated (default 128,128)")]
    public string? Hidden { get; init; }

    [CommandOption("--lr <RATE>")]
    [Description("Adam learning rate of the Q / EFE-value and policy networks (default 5e-4)")]
    public double? LearningRate { get; init; }

    [CommandOption("--discount <G>")]
    [Description("Discount of the bootstrapped targets (default 0.99)")]
    public double? Discount { get; init; }

    [CommandOption("--batch-size <B>")]
    [Description("Replay minibatch size (default 64)")]
    public int? BatchSize { get; init; }

    [CommandOption("--buffer <N>")]
    [Description("Replay buffer capacity (default 50000)")]
    public int? Buffer { get; init; }

    [CommandOption("--warmup <STEPS>")]
    [Description("Random-action steps before learning starts (default 1000)")]
    public int? Warmup { get; init; }

    [CommandOption("--tau <T>")]
    [Description("Polyak rate of the target network per update (default 0.005; 1: hard copies every --target-interval updates)")]
    public double? Tau { get; init; }

    [CommandOption("--target-interval <N>")]
    [Description("Updates between hard target copies when --tau is 1 (default 500)")]
    public int? TargetInterval { get; init; }

    [CommandOption("--train-every <STEPS>")]
    [Description("dqn, deep-aif: environment steps between training rounds (default 1)")]
    public int? TrainEvery { get; init; }

    [CommandOption("--gradient-steps <K>")]
    [Description("dqn, deep-aif: updates per training round (default 1)")]
    public int? GradientSteps { get; init; }

    [CommandOption("--lr-decay <STEPS>")]
    [Description("dqn, deep-aif: environment steps over which the learning rates fall linearly to --lr-final of their start (default 0: constant)")]
    public int? LearningRateDecay { get; init; }

    [CommandOption("--lr-final <F>")]
    [Description("dqn, deep-aif: the learning rates' fraction of their start after --lr-decay (default 0.1)")]
    public double? LearningRateFinal { get; init; }

    [CommandOption("--epsilon-decay <STEPS>")]
    [Description("dqn: steps of the linear ε decay from 1 (default 10000)")]
    public int? EpsilonDecay { get; init; }

    [CommandOption("--epsilon-end <E>")]
    [Description("dqn: ε after the decay (default 0.01)")]
    public double? EpsilonEnd { get; init; }

    [CommandOption("--precision <GAMMA>")]
    [Description("deep-aif: (initial) precision γ of σ(−γG) (default 5)")]
    public double? Precision { get; init; }

    [CommandOption("--precision-start <GAMMA>")]
    [Description("deep-aif: γ at the first step when --precision-anneal is set (default 5)")]
    public double? PrecisionStart { get; init; }

    [CommandOption("--precision-anneal <STEPS>")]
    [Description("deep-aif: environment steps over which γ rises linearly from --precision-start to --precision (default 0: constant)")]
    public int? PrecisionAnneal { get; init; }

    [CommandOption("--learn-precision")]
    [Description("deep-aif: learn ln γ on the policy's free energy")]
    public bool LearnPrecision { get; init; }

    [CommandOption("--entropy-weight <BETA>")]
    [Description("deep-aif: weight β of the policy entropy term (default 1: the KL divergence)")]
    public double? EntropyWeight { get; init; }

    [CommandOption("--epistemic-weight <W>")]
    [Description("deep-aif: scale of the transition prediction error in the EFE (default 1; 0 with --objective reward)")]
    public double? EpistemicWeight { get; init; }

    [CommandOption("--greedy")]
    [Description("deep-aif: act by argmax q(a|s) instead of sampling")]
    public bool Greedy { get; init; }

    [CommandOption("--preset <NAME>")]
    [Description("planner: cpu (default: ensemble 5, width 64, horizon 30, 200 candidates, top 20, 3 iterations) or paper (25, 3×200, 30, 500, 50, 5)")]
    public string? Preset { get; init; }

    [CommandOption("--ensemble <E>")]
    [Description("planner: ensemble members")]
    public int? Ensemble { get; init; }

    [CommandOption("--horizon <H>")]
    [Description("planner: planned decisions")]
    public int? Horizon { get; init; }

    [CommandOption("--candidates <C>")]
    [Description("planner: CEM candidates per iteration")]
    public int? Candidates { get; init; }

    [CommandOption("--elites <K>")]
    [Description("planner: CEM elites (top-k)")]
    public int? Elites { get; init; }

    [CommandOption("--iterations <I>")]
    [Description("planner: CEM iterations per plan")]
    public int? Iterations { get; init; }

    [CommandOption("--warm-start")]
    [Description("planner: start each plan from the previous plan shifted by one decision (receding-horizon warm start)")]
    public bool WarmStart { get; init; }

    [CommandOption("--use-mean")]
    [Description("planner: roll out each ensemble member's mean instead of sampling its Gaussian")]
    public bool UseMean { get; init; }

    [CommandOption("--action-repeat <R>")]
    [Description("planner: environment steps per decision (default 3)")]
    public int? ActionRepeat { get; init; }

    [CommandOption("--epochs <N>")]
    [Description("planner: model epochs per refit (default 100)")]
    public int? Epochs { get; init; }

    [CommandOption("--info-gain-scale <BETA>")]
    [Description("planner: the one scale β of the information-gain (and entropy) terms (default 1)")]
    public double? InfoGainScale { get; init; }

    [CommandOption("--no-info-gain")]
    [Description("planner: switch the objective's information-gain term off")]
    public bool NoInfoGain { get; init; }

    [CommandOption("--evaluate <N>")]
    [Description("deep-aif, dqn: after training, run N greedy episodes (argmax actions, no learning) of the best checkpoint (best.safetensors, kept automatically at the best solve-window mean) and write greedy.json")]
    public int? Evaluate { get; init; }

    [CommandOption("--checkpoint-every <K>")]
    [Description("deep-aif, dqn: choose the best checkpoint by 10 greedy episodes every K training episodes (in an environment of their own; training is unchanged) instead of by the solve-window mean")]
    public int? CheckpointEvery { get; init; }

    [CommandOption("--freeze-when-solved")]
    [Description("deep-aif, dqn: stop learning once the solve-window mean reaches the task's threshold (default off: the agent keeps learning)")]
    public bool FreezeWhenSolved { get; init; }

    [CommandOption("--quiet")]
    [Description("No progress bar")]
    public bool Quiet { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object on the last line of stdout")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Env))
        {
            return ValidationResult.Error("--env is required (cartpole, acrobot, mountaincar, mountaincar-continuous, sparse-mountaincar, pendulum)");
        }

        if (Episodes < 1)
        {
            return ValidationResult.Error($"--episodes {Episodes}: must be ≥ 1");
        }

        if (SolveWindow < 1)
        {
            return ValidationResult.Error($"--solve-window {SolveWindow}: must be ≥ 1");
        }

        if (CheckpointEvery is < 1 or > 100_000)
        {
            return ValidationResult.Error($"--checkpoint-every {CheckpointEvery}: must be 1…100000");
        }

        if (Evaluate is < 1 or > 100_000)
        {
            return ValidationResult.Error($"--evaluate {Evaluate}: must be 1…100000");
        }

        if (Parallel is < 1)
        {
            return ValidationResult.Error($"--parallel {Parallel}: must be ≥ 1");
        }

        return Infrastructure.OptionParsing.FirstError([.. Ranges().Select(r => r.Value is { } v ? Infrastructure.OptionParsing.InRange(r.Flag, v, r.Min, r.Max) : null)]);
    }

    // Upper bounds of the sizes that multiply the work per step or the memory; the planner's horizon and candidates,
    // and the replay buffer, are bounded by the library's memory estimate, whose message states their range.
    private IEnumerable<(string Flag, int? Value, int Min, int Max)> Ranges() =>
    [
        ("--episodes", Episodes, 1, 1_000_000),
        ("--solve-window", SolveWindow, 1, 1_000_000),
        ("--batch-size", BatchSize, 1, 65_536),
        ("--warmup", Warmup, 0, 100_000_000),
        ("--target-interval", TargetInterval, 1, 100_000_000),
        ("--train-every", TrainEvery, 1, 1_000_000),
        ("--gradient-steps", GradientSteps, 1, 10_000),
        ("--ensemble", Ensemble, 1, 1_000),
        ("--iterations", Iterations, 1, 1_000),
        ("--action-repeat", ActionRepeat, 1, 10_000),
        ("--epochs", Epochs, 1, 100_000),
    ];

    /// <summary>The hidden widths from <c>--hidden</c>, or null for the agent's default.</summary>
    public IReadOnlyList<int>? HiddenSizes()
    {
        if (Hidden is null)
        {
            return null;
        }

        var parts = Hidden.Split(',', StringSplitOptions.TrimEntries);
        var sizes = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out sizes[i]) || sizes[i] < 1)
            {
                throw new FormatException($"--hidden '{Hidden}': expected positive integers separated by commas, e.g. 128,128.");
            }
        }

        return sizes;
    }

    /// <summary>Parses <c>--seeds</c>: "a-b" (inclusive) or a comma-separated list, distinct, at most 64 seeds.</summary>
    public static IReadOnlyList<ulong> ParseSeeds(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var seeds = new List<ulong>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int dash = part.IndexOf('-', StringComparison.Ordinal);
            if (dash > 0)
            {
                if (!ulong.TryParse(part[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out ulong a)
                    || !ulong.TryParse(part[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out ulong b) || b < a || b - a >= 64)
                {
                    throw new FormatException($"--seeds '{text}': '{part}' is not a range a-b of seeds with a ≤ b (at most 64 seeds).");
                }

                for (ulong s = a; s <= b; s++)
                {
                    seeds.Add(s);
                }
            }
            else if (ulong.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out ulong s))
            {
                seeds.Add(s);
            }
            else
            {
                throw new FormatException($"--seeds '{text}': '{part}' is not a seed (a non-negative integer) or a range a-b.");
            }
        }

        if (seeds.Count == 0 || seeds.Count > 64 || seeds.Distinct().Count() != seeds.Count)
        {
            throw new FormatException($"--seeds '{text}': give 1 to 64 distinct seeds, e.g. 1-5.");
        }

        return seeds;
    }
}
