using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Aif;

/// <summary>Settings of <c>helmholtz aif run</c>.</summary>
internal sealed class AifRunSettings : CommandSettings
{
    [CommandArgument(0, "<ENV>")]
    [Description("tmaze, grid or bandit")]
    public string Env { get; init; } = "tmaze";

    [CommandOption("--trials <N>")]
    [Description("Number of trials (default 100)")]
    public int Trials { get; init; } = 100;

    [CommandOption("--seed <S>")]
    [Description("Random seed (default 1)")]
    public ulong Seed { get; init; } = 1;

    [CommandOption("--learn")]
    [Description("T-maze/bandit: the agent does not know which arm pays in which context (flat Dirichlet prior pA over the reward outcome of each arm) and learns it across trials, with parameter information gain (novelty) in the EFE")]
    public bool Learn { get; init; }

    [CommandOption("--learn-prior <A>")]
    [Description("With --learn: prior Dirichlet count of reward and of loss for each arm in each context (default 1, as pymdp's T-maze learning demo)")]
    public double LearnPrior { get; init; } = 1;

    [CommandOption("--learn-d")]
    [Description("T-maze/bandit: the rewarded arm is fixed (arm 1) and the agent learns D (Dirichlet pD over the context) across trials")]
    public bool LearnD { get; init; }

    [CommandOption("--no-info-gain")]
    [Description("Switch off the state information gain term of the EFE")]
    public bool NoInfoGain { get; init; }

    [CommandOption("--cue-validity <P>")]
    [Description("T-maze/bandit: probability that the cue is right (default 1)")]
    public double CueValidity { get; init; } = 1.0;

    [CommandOption("--reward-prob <P>")]
    [Description("T-maze/bandit: probability of reward in the rewarded arm (default 0.98)")]
    public double RewardProbability { get; init; } = 0.98;

    [CommandOption("--size <N>")]
    [Description("Grid side length (default 5)")]
    public int Size { get; init; } = 5;

    [CommandOption("--unknown-layout")]
    [Description("Grid: the agent does not know where the goal is (flat Dirichlet pA over a goal sensor at every cell) nor, with --walls, which moves walls block (pB), and learns both across trials with novelty in the EFE; trials end at the goal")]
    public bool UnknownLayout { get; init; }

    [CommandOption("--goal <CELL>")]
    [Description("Grid: goal cell, row-major (default: bottom-right corner)")]
    public int? Goal { get; init; }

    [CommandOption("--walls <CELLS>")]
    [Description("Grid: comma-separated wall cells, row-major (default none)")]
    public string? Walls { get; init; }

    [CommandOption("--goal-preference <C>")]
    [Description("Grid with --unknown-layout: log-preference for the goal outcome (default 3)")]
    public double GoalPreference { get; init; } = 3;

    [CommandOption("--max-steps <N>")]
    [Description("Grid: steps per trial before it is cut off (default 4 × size, 3 × size² with --unknown-layout)")]
    public int? MaxSteps { get; init; }

    [CommandOption("--policy-len <L>")]
    [Description("Policy length, or the search depth with --planner sophisticated (default 2 for tmaze/bandit, 3 for grid, 2 × (size − 1), at most 8 (6 with --planner sophisticated), for grid --unknown-layout)")]
    public int? PolicyLength { get; init; }

    [CommandOption("--planner <PLANNER>")]
    [Description("efe (enumerate policies, pymdp 0.0.7.1; default) or sophisticated (recursive tree search over actions and outcomes)")]
    public string Planner { get; init; } = "efe";

    [CommandOption("--stochastic")]
    [Description("Stochastic action selection with precision alpha = 16 instead of argmax")]
    public bool Stochastic { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Folder for figures (PNG and SVG); default runs/aif-<env>, with -unknown, -si, -learn or -learn-d and -noig appended for those variants")]
    public string? Out { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object on the last line of stdout")]
    public bool Json { get; init; }

    /// <summary>Most trials of one run.</summary>
    internal const int MaxTrials = 1_000_000;

    public override ValidationResult Validate()
    {
        if (Env is not ("tmaze" or "grid" or "bandit"))
        {
            return ValidationResult.Error($"environment '{Env}': must be tmaze, grid or bandit");
        }

        if (Planner is not ("efe" or "sophisticated"))
        {
            return ValidationResult.Error($"--planner '{Planner}': must be efe or sophisticated");
        }

        if (Trials < 1)
        {
            return ValidationResult.Error($"--trials {Trials}: must be 1…{MaxTrials}.");
        }

        if (PolicyLength is < 1 or > 8)
        {
            return ValidationResult.Error($"--policy-len {PolicyLength}: must be 1…8.");
        }

        if ((UnknownLayout || Goal is not null || Walls is not null || MaxSteps is not null) && Env != "grid")
        {
            return ValidationResult.Error("--unknown-layout, --goal, --walls and --max-steps are for the grid");
        }

        if (MaxSteps is < 1)
        {
            return ValidationResult.Error($"--max-steps {MaxSteps}: must be ≥ 1");
        }

        int maxSize = Helmholtz.ActiveInference.Discrete.TaskModels.MaxGridWorldSize(UnknownLayout);
        if (Size < 2 || Size > maxSize)
        {
            return ValidationResult.Error($"--size {Size}: must be 2…{maxSize}{(UnknownLayout ? " with --unknown-layout" : "")} (the grid model's memory grows as size⁴)");
        }

        return Trials > MaxTrials ? ValidationResult.Error($"--trials {Trials}: must be 1…{MaxTrials}.") : ValidationResult.Success();
    }
}
