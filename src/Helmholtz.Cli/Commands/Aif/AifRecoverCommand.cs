using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Helmholtz.ActiveInference.Fitting;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Aif;

/// <summary>Settings of <c>helmholtz aif recover</c>.</summary>
internal sealed class AifRecoverSettings : CommandSettings
{
    [CommandOption("--task <TASK>")]
    [Description("tmaze (T-maze with learning of the reward mapping) or bandit (two-armed bandit with reversals)")]
    public string Task { get; init; } = "tmaze";

    [CommandOption("--subjects <S>")]
    [Description("Simulated subjects (default 200)")]
    public int Subjects { get; init; } = 200;

    [CommandOption("--trials <T>")]
    [Description("Trials per subject (default 100)")]
    public int Trials { get; init; } = 100;

    [CommandOption("--seed <K>")]
    [Description("Seed of the true parameters and the simulations (default 1)")]
    public ulong Seed { get; init; } = 1;

    [CommandOption("--parameters <LIST>")]
    [Description("Free parameters, comma-separated (default: the task's; see aif fit)")]
    public string? Parameters { get; init; }

    [CommandOption("--prior-counts <P0>")]
    [Description("Prior Dirichlet count of reward and of loss per learned arm (default: the task's; see docs/active-inference/fitting.md)")]
    public double? PriorCounts { get; init; }

    [CommandOption("--forgetting <W>")]
    [Description("Forgetting rate ω in [[0, 1) of the agents where it is neither free nor tied to η (--memory 0) (default 0.02)")]
    public double? Forgetting { get; init; }

    [CommandOption("--preference <C>")]
    [Description("Log-preference C > 0 for reward and −C for loss (default: the task's)")]
    public double? Preference { get; init; }

    [CommandOption("--memory <M>")]
    [Description("Learning memory M ≥ 0: ties the forgetting rate to the learning rate, ω = η/(η + M), so η sets the per-outcome step; 0: untied (default: the task's)")]
    public double? Memory { get; init; }

    [CommandOption("--reversal-every <N>")]
    [Description("The bandit's better arm swaps, the T-maze's cue reverses its meaning, after every N trials; 0: never (default: the task's)")]
    public int? ReversalEvery { get; init; }

    [CommandOption("--group <N>")]
    [Description("Empirical Bayes iterations of a group-level prior (default 0)")]
    public int Group { get; init; }

    [CommandOption("--threads <N>")]
    [Description("Subjects simulated and fitted at once (default: one per processor)")]
    public int? Threads { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Run folder (default runs/aif-recover-TASK)")]
    public string? Out { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object on the last line of stdout")]
    public bool Json { get; init; }

    public override ValidationResult Validate() => OptionParsing.FirstError(
        Task is "tmaze" or "bandit" ? null : $"--task '{Task}': must be tmaze or bandit",
        OptionParsing.InRange("--subjects", Subjects, 2, 100_000),
        OptionParsing.InRange("--trials", Trials, 1, 100_000),
        AifFitSettings.DesignError(PriorCounts, Forgetting, Memory, ReversalEvery, Preference),
        OptionParsing.InRange("--group", Group, 0, 100),
        Threads is { } t ? OptionParsing.InRange("--threads", t, 1, 1024) : null);
}

/// <summary>Parameter recovery: simulate subjects with parameters drawn from the priors, fit them, and report true-vs-fitted correlations (<see cref="ParameterRecovery"/>).</summary>
internal sealed class AifRecoverCommand : HelmholtzCommand<AifRecoverSettings>
{
    internal sealed record RecoverySummary(string Task, int Subjects, int Trials, ulong Seed, string[] Parameters, string[] Priors, BehaviourTaskDesign Design, int GroupIterations,
        Dictionary<string, double> Correlations, Dictionary<string, double> CorrelationsNatural, double MeanChoices, double Seconds, string Figure, string Out);

    protected override int Run(AifRecoverSettings s, CancellationToken ct)
    {
        var design = new BehaviourTaskDesign { RewardPriorConcentration = s.PriorCounts, ForgettingRate = s.Forgetting, LearningMemory = s.Memory, ReversalEvery = s.ReversalEvery, RewardPreference = s.Preference };
        var task = BehaviourTask.ByName(s.Task, design)!;
        var priors = AifFitCommand.SelectPriors(s.Parameters, task.Priors);
        AifFitCommand.CheckTie(task.Model, priors);
        string outDir = OutPath.Folder(s.Out ?? Path.Combine("runs", $"aif-recover-{s.Task}"));
        using var runFolder = RunFolderGuard.Take(outDir);
        var clock = Stopwatch.StartNew();
        var result = ParameterRecovery.Run(task, new RecoveryOptions
        {
            Subjects = s.Subjects, Trials = s.Trials, Seed = s.Seed, Priors = priors,
            Fit = new FitOptions { GroupIterations = s.Group, MaxDegreeOfParallelism = s.Threads },
        }, null, ct);
        double seconds = clock.Elapsed.TotalSeconds;
        BehaviourCsv.Write(Path.Combine(outDir, "behaviour.csv"), result.Sessions);
        AtomicFile.WriteAllText(Path.Combine(outDir, "recovery.csv"), FitFigures.RecoveryCsv(result));
        AtomicFile.WriteAllText(Path.Combine(outDir, "estimates.csv"), FitFigures.EstimatesCsv(result.Fit));
        string figure = Path.Combine(outDir, "recovery");
        FitFigures.Recovery(result, figure);
        var summary = new RecoverySummary(s.Task, s.Subjects, s.Trials, s.Seed, result.Parameters.Select(ParameterScale.Name).ToArray(),
            result.Fit.Priors.Select(p => p.ToString()).ToArray(), task.Design, s.Group,
            result.Correlations.ToDictionary(p => ParameterScale.Name(p.Key), p => Math.Round(p.Value, 4)),
            result.NaturalCorrelations.ToDictionary(p => ParameterScale.Name(p.Key), p => Math.Round(p.Value, 4)),
            result.Sessions.Average(x => x.Choices), Math.Round(seconds, 1), figure + ".png", outDir);
        AtomicFile.WriteAllText(Path.Combine(outDir, "recovery.json"), System.Text.Json.JsonSerializer.Serialize(summary, Infrastructure.Cli.JsonOptions) + "\n");
        if (s.Json)
        {
            Infrastructure.Cli.WriteJson(summary);
        }
        else
        {
            var table = new Table().AddColumns("parameter", "prior", "r (transformed scale)", "r (natural scale)");
            for (int j = 0; j < result.Parameters.Count; j++)
            {
                var p = result.Parameters[j];
                table.AddRow(ParameterScale.Name(p), result.Fit.Priors[j].ToString(), result.Correlations[p].ToString("F3", CultureInfo.InvariantCulture),
                    result.NaturalCorrelations[p].ToString("F3", CultureInfo.InvariantCulture));
            }

            var console = Infrastructure.Cli.Results(json: false);
            console.Write(table);
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Subjects} subjects × {s.Trials} trials in {seconds:F1} s; figure {figure}.png"));
        }

        return ExitCode.Ok;
    }
}
