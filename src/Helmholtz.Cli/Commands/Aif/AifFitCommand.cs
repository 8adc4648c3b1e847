using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Helmholtz.ActiveInference.Discrete;
using Helmholtz.ActiveInference.Fitting;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Aif;

/// <summary>Settings of <c>helmholtz aif fit</c>.</summary>
internal sealed class AifFitSettings : CommandSettings
{
    [CommandOption("--model <M>")]
    [Description("tmaze or bandit (the tasks of aif recover), or a model file (JSON, as aif evaluate; it learns pA/pB/pD where it has them)")]
    public string? Model { get; init; }

    [CommandOption("--data <CSV>")]
    [Description("Behaviour file: subject,trial,obs_0…,action_0… one row per observation (docs/active-inference/fitting.md)")]
    public string? Data { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Run folder for estimates.csv, fit.json and the figure (default runs/aif-fit)")]
    public string? Out { get; init; }

    [CommandOption("--parameters <LIST>")]
    [Description("Free parameters, comma-separated: gamma, alpha, preference_scale, learning_rate, forgetting_rate (default: the task's; for a model file gamma,alpha and, when it learns, learning_rate,forgetting_rate)")]
    public string? Parameters { get; init; }

    [CommandOption("--prior-counts <P0>")]
    [Description("With --model tmaze|bandit: prior Dirichlet count of reward and of loss per learned arm (default: the task's)")]
    public double? PriorCounts { get; init; }

    [CommandOption("--forgetting <W>")]
    [Description("With --model tmaze|bandit: forgetting rate ω in [[0, 1) where it is neither free nor tied to η (--memory 0) (default 0.02)")]
    public double? Forgetting { get; init; }

    [CommandOption("--preference <C>")]
    [Description("With --model tmaze|bandit: log-preference C > 0 for reward and −C for loss (default: the task's)")]
    public double? Preference { get; init; }

    [CommandOption("--memory <M>")]
    [Description("With --model tmaze|bandit: learning memory M ≥ 0: ties the forgetting rate to the learning rate, ω = η/(η + M), so η sets the per-outcome step; 0: untied (default: the task's)")]
    public double? Memory { get; init; }

    [CommandOption("--reversal-every <N>")]
    [Description("With --model tmaze|bandit: the bandit's better arm swaps, the T-maze's cue reverses its meaning, after every N trials; 0: never (default: the task's)")]
    public int? ReversalEvery { get; init; }

    [CommandOption("--group <N>")]
    [Description("Empirical Bayes iterations of a group-level prior (default 0: the stated priors only)")]
    public int Group { get; init; }

    [CommandOption("--threads <N>")]
    [Description("Subjects fitted at once (default: one per processor)")]
    public int? Threads { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object on the last line of stdout")]
    public bool Json { get; init; }

    public override ValidationResult Validate() => OptionParsing.FirstError(
        Model is null ? "--model is required" : null,
        Data is null ? "--data is required" : null,
        Model is "tmaze" or "bandit" || (PriorCounts is null && Forgetting is null && Memory is null && ReversalEvery is null && Preference is null)
            ? DesignError(PriorCounts, Forgetting, Memory, ReversalEvery, Preference)
            : "--prior-counts, --forgetting, --memory, --reversal-every and --preference: only with --model tmaze or bandit",
        OptionParsing.InRange("--group", Group, 0, 100),
        Threads is { } t ? OptionParsing.InRange("--threads", t, 1, 1024) : null);

    /// <summary>The message for a task design option out of range (shared with <c>aif recover</c>), or null.</summary>
    internal static string? DesignError(double? priorCounts, double? forgetting, double? memory, int? reversalEvery, double? preference) => OptionParsing.FirstError(
        preference is { } c ? OptionParsing.Positive("--preference", c) : null,
        priorCounts is { } p ? OptionParsing.Positive("--prior-counts", p) : null,
        memory is { } m && !(m >= 0 && double.IsFinite(m)) ? OptionParsing.Invalid("--memory", m, "a finite number ≥ 0") : null,
        forgetting is { } w && !(w >= 0 && w < 1) ? OptionParsing.Invalid("--forgetting", w, "in [0, 1)") : null,
        reversalEvery is { } r ? OptionParsing.InRange("--reversal-every", r, 0, 100_000) : null) is { Successful: false } e ? e.Message : null;
}

/// <summary>Fits agents to recorded behaviour: MAP estimates per subject with Laplace standard errors (<see cref="BehaviourFitter"/>).</summary>
internal sealed class AifFitCommand : HelmholtzCommand<AifFitSettings>
{
    internal sealed record SubjectSummary(string Subject, int Choices, double LogLikelihood, Dictionary<string, double> Estimates, Dictionary<string, double> StandardErrors);

    internal sealed record FitSummary(string Model, BehaviourTaskDesign? Design, string Data, int Subjects, int Choices, string[] Parameters, string[] Priors, int GroupIterations, double Seconds,
        SubjectSummary[] Estimates, string Out);

    /// <summary>The model and default priors for <c>--model</c>: a task name (with its resolved design) or a model file (no design).</summary>
    internal static (BehaviourModel Model, IReadOnlyList<ParameterPrior> Priors, AgentParameters Fixed, BehaviourTaskDesign? Design) Resolve(string model, BehaviourTaskDesign? design = null)
    {
        if (BehaviourTask.ByName(model, design) is { } task)
        {
            return (task.Model, task.Priors, task.Fixed, task.Design);
        }

        var generative = ModelFile.Load(model);
        var behaviour = new BehaviourModel(generative, BehaviourModel.ScheduleFor(generative));
        bool learns = generative.PA is not null || generative.PB is not null;
        var priors = BehaviourTask.DefaultPriors.Where(p => learns || p.Parameter is FitParameter.Gamma or FitParameter.Alpha).ToArray();
        return (behaviour, priors, behaviour.Defaults, null);
    }

    /// <summary>The priors of the parameters named in <paramref name="list"/> (default priors), or <paramref name="defaults"/> when null.</summary>
    internal static IReadOnlyList<ParameterPrior> SelectPriors(string? list, IReadOnlyList<ParameterPrior> defaults)
    {
        if (list is null)
        {
            return defaults;
        }

        var result = new List<ParameterPrior>();
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var p = ParameterScale.Parse(name) ?? throw new BadInputException(
                $"--parameters: unknown parameter '{name}' (known: {string.Join(", ", Enum.GetValues<FitParameter>().Select(ParameterScale.Name))})");
            if (result.Any(r => r.Parameter == p))
            {
                throw new BadInputException($"--parameters: '{name}' is listed twice");
            }

            result.Add(defaults.FirstOrDefault(d => d.Parameter == p) ?? BehaviourTask.DefaultPrior(p));
        }

        return result.Count > 0 ? result : throw new BadInputException("--parameters: name at least one parameter");
    }

    /// <summary>Refuses a free forgetting rate where the task ties it to the learning rate.</summary>
    internal static void CheckTie(BehaviourModel model, IReadOnlyList<ParameterPrior> priors)
    {
        if (model.LearningMemory is not null && priors.Any(p => p.Parameter == FitParameter.ForgettingRate))
        {
            throw new BadInputException("--parameters forgetting_rate: the task ties the forgetting rate to the learning rate (ω = η/(η + M)); add --memory 0 to make it free");
        }
    }

    protected override int Run(AifFitSettings s, CancellationToken ct)
    {
        var (model, defaults, fixedValues, taskDesign) = Resolve(s.Model!, new BehaviourTaskDesign { RewardPriorConcentration = s.PriorCounts, ForgettingRate = s.Forgetting, LearningMemory = s.Memory, ReversalEvery = s.ReversalEvery, RewardPreference = s.Preference });
        var priors = SelectPriors(s.Parameters, defaults);
        CheckTie(model, priors);
        var sessions = BehaviourCsv.Read(s.Data!, model.Model);
        string outDir = OutPath.Folder(s.Out ?? Path.Combine("runs", "aif-fit"));
        using var runFolder = RunFolderGuard.Take(outDir);
        var options = new FitOptions { Priors = priors, GroupIterations = s.Group, MaxDegreeOfParallelism = s.Threads };
        var clock = Stopwatch.StartNew();
        var fit = new BehaviourFitter(new AgentChoiceLikelihood(model), fixedValues, options).Fit(sessions, null, ct);
        double seconds = clock.Elapsed.TotalSeconds;
        AtomicFile.WriteAllText(Path.Combine(outDir, "estimates.csv"), FitFigures.EstimatesCsv(fit));
        FitFigures.Estimates(fit, Path.Combine(outDir, "estimates"));
        var names = fit.Parameters.Select(ParameterScale.Name).ToArray();
        var summary = new FitSummary(s.Model!, taskDesign, s.Data!, sessions.Count, sessions.Sum(x => x.Choices), names, fit.Priors.Select(p => p.ToString()).ToArray(), s.Group, seconds,
            fit.Subjects.Select(x => new SubjectSummary(x.Subject, x.Choices, x.LogLikelihood,
                names.Select((n, j) => (n, x.Estimates.Get(fit.Parameters[j]))).ToDictionary(p => p.n, p => p.Item2),
                names.Select((n, j) => (n, x.NaturalSe[j])).ToDictionary(p => p.n, p => p.Item2))).ToArray(), outDir);
        AtomicFile.WriteAllText(Path.Combine(outDir, "fit.json"), System.Text.Json.JsonSerializer.Serialize(summary, Infrastructure.Cli.JsonOptions) + "\n");

        var table = new Table().AddColumns(["subject", "choices", "ln p(choices)", .. names.Select(n => $"{n} ± SE")]);
        foreach (var x in fit.Subjects.Take(20))
        {
            table.AddRow([x.Subject, x.Choices.ToString(CultureInfo.InvariantCulture), x.LogLikelihood.ToString("F2", CultureInfo.InvariantCulture),
                .. fit.Parameters.Select((p, j) => string.Create(CultureInfo.InvariantCulture, $"{x.Estimates.Get(p):G4} ± {x.NaturalSe[j]:G3}"))]);
        }

        if (fit.Subjects.Count > 20)
        {
            table.Caption($"first 20 of {fit.Subjects.Count} subjects");
        }

        Infrastructure.Cli.Results(s.Json).Write(table);
        if (s.Json)
        {
            Infrastructure.Cli.WriteJson(summary);
        }
        else
        {
            Infrastructure.Cli.Results(json: false).WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"fitted {sessions.Count} subjects ({summary.Choices} choices) in {seconds:F1} s; priors: {string.Join("; ", summary.Priors)}; files in {outDir}"));
        }

        return ExitCode.Ok;
    }
}
