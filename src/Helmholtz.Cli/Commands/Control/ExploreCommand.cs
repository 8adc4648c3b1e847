using System.ComponentModel;
using System.Globalization;
using System.Text;
using Helmholtz.ActiveInference.Deep;
using Helmholtz.ActiveInference.Deep.Planning;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Data;
using Helmholtz.Environments.Control;
using Helmholtz.Tensors;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Control;

/// <summary>Settings of <c>helmholtz aif explore</c>.</summary>
internal sealed class ExploreSettings : CommandSettings
{
    [CommandOption("--env <ENV>")]
    [Description("A mountain car task (default sparse-mountaincar)")]
    public string Env { get; init; } = "sparse-mountaincar";

    [CommandOption("--objectives <LIST>")]
    [Description("Comma-separated objectives (default: all six: reward,infogain,feef,efe,fef,divergence); each runs with and without its information-gain term (reward once)")]
    public string Objectives { get; init; } = string.Join(",", Objective.Names);

    [CommandOption("--seeds <RANGE>")]
    [Description("Seeds, \"a-b\" or a list (default 1-5); seed s: agent seed s, environment generator seed s + 1000")]
    public string Seeds { get; init; } = "1-5";

    [CommandOption("--planned <N>")]
    [Description("Planned episodes after the random seed episode; a run stops at its first success (default 3)")]
    public int Planned { get; init; } = 3;

    /// <summary>Largest coverage grid side (a million cells; two episodes visit a few thousand states).</summary>
    internal const int MaxGrid = 1_000;

    /// <summary>Most planned episodes per run.</summary>
    internal const int MaxPlanned = 1_000;

    [CommandOption("--grid <CELLS>")]
    [Description("Coverage grid: CELLS × CELLS over position × velocity, counted over episodes 0 and 1 (default 20)")]
    public int Grid { get; init; } = 20;

    [CommandOption("--parallel <P>")]
    [Description("Runs at a time, one thread each (default: the processor count)")]
    public int? Parallel { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Folder for exploration.csv and exploration.png/.svg (default runs/explore)")]
    public string Out { get; init; } = Path.Combine("runs", "explore");

    [CommandOption("--json")]
    [Description("Print one JSON object on the last line of stdout")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        OptionParsing.FirstError(
            OptionParsing.InRange("--planned", Planned, 1, MaxPlanned),
            OptionParsing.InRange("--grid", Grid, 1, MaxGrid),
            Parallel is < 1 ? $"--parallel {Parallel}: must be ≥ 1" : null);
}

/// <summary>
/// <c>helmholtz aif explore</c>: the exploration experiment of docs/exploration.md. For every objective, with and without
/// its information-gain term, and every seed: the planner's random seed episode (episode 0), then planned episodes until
/// the first success or <c>--planned</c>; it records the first-success episode and the state coverage of episodes 0
/// and 1, then writes the table and figure of <c>aif exploration</c>.
/// </summary>
internal sealed class ExploreCommand : HelmholtzCommand<ExploreSettings>
{
    protected override int Run(ExploreSettings settings, CancellationToken cancellationToken)
    {
        using var runFolder = RunFolderGuard.Take(OutPath.Folder(settings.Out));
        var probe = EnvironmentCatalog.Create(settings.Env);
        if (!probe.Name.Contains("mountaincar", StringComparison.Ordinal) || probe.ActionSpace is not Environments.BoxSpace)
        {
            throw new ArgumentException($"aif explore needs a continuous mountain car task (sparse-mountaincar or mountaincar-continuous); got '{settings.Env}'.");
        }

        var seeds = ControlSettings.ParseSeeds(settings.Seeds);
        var arms = new List<(string Objective, bool WithInfoGain)>();
        foreach (var name in settings.Objectives.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var kind = Objective.Parse(name); // throws with the known names
            string canonical = Objective.Names[(int)kind];
            if (kind != ObjectiveKind.Reward)
            {
                arms.Add((canonical, true));
            }

            arms.Add((canonical, false));
        }

        if (arms.Count == 0)
        {
            throw new ArgumentException("--objectives: give at least one objective.");
        }

        var jobs = arms.SelectMany(a => seeds.Select(s => (a.Objective, a.WithInfoGain, Seed: s))).ToArray();
        var rows = new ExplorationCommand.Row[jobs.Length];
        var seedCoverage = new double[jobs.Length];
        int parallel = Math.Min(settings.Parallel ?? Environment.ProcessorCount, jobs.Length);
        int done = 0;
        void RunAll(Action? onDone)
        {
            Parallel.For(0, jobs.Length, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = cancellationToken }, i =>
            {
                (rows[i], seedCoverage[i]) = RunOne(settings, jobs[i].Objective, jobs[i].WithInfoGain, jobs[i].Seed, cancellationToken);
                Interlocked.Increment(ref done);
                onDone?.Invoke();
            });
        }

        Infrastructure.Cli.Stderr.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask($"exploration runs on {probe.Name}", maxValue: jobs.Length);
                RunAll(() => task.Value = Volatile.Read(ref done));
            });

        var csv = new StringBuilder("objective,info_gain,seed,first_success,coverage\n");
        foreach (var r in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Objective},{(r.WithInfoGain ? "with" : "without")},{r.Seed},{r.FirstSuccess},{r.Coverage:R}\n");
        }

        string table = Path.Combine(settings.Out, "exploration.csv");
        AtomicFile.WriteAllText(table, csv.ToString());
        double baseline = seeds.Select(s => seedCoverage[Array.FindIndex(jobs, j => j.Seed == s)]).Average();
        string figure = Path.Combine(settings.Out, "exploration");
        ExplorationCommand.Draw(rows, $"state coverage by objective ({probe.Name}, episodes 0–1)", figure, settings.Planned, baseline);
        (settings.Json ? Console.Error : Console.Out).Write(ExplorationCommand.Markdown(rows, settings.Planned));
        Infrastructure.Cli.Stderr.MarkupLine(CultureInfo.InvariantCulture,
            $"{rows.Length} runs; the random seed episode alone covers {baseline:F3} (mean over seeds, the dashed line); table [blue]{Markup.Escape(table)}[/], figure [blue]{Markup.Escape(figure)}.png[/]");
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(new { Arms = ExplorationCommand.Summarise(rows, settings.Planned), SeedEpisodeCoverage = baseline, Table = table, Figure = figure + ".png" });
        }

        return ExitCode.Ok;
    }

    /// <summary>One run: the seed episode, then planned episodes until the first success; coverage of episodes 0 and 1, and of episode 0 alone.</summary>
    private static (ExplorationCommand.Row Row, double SeedEpisodeCoverage) RunOne(ExploreSettings s, string objective, bool withInfoGain, ulong seed, CancellationToken ct)
    {
        var env = EnvironmentCatalog.Create(s.Env);
        var options = ControlAgents.PlannerOptionsOf(new ControlSettings { Env = s.Env, Agent = "planner", NoInfoGain = !withInfoGain }, objective) with { Threads = 1 };
        var agent = new PlanningAgent(env, options, seed);
        var rng = new Rng(seed + 1000);
        var positions = new List<double>();
        var velocities = new List<double>();
        double seedEpisodeCoverage = 0;
        int? firstSuccess = null;
        for (int run = 1; run <= options.SeedEpisodes + s.Planned; run++)
        {
            var result = agent.RunEpisode(env, rng, ct);
            int episode = agent.EpisodeNumber(run);
            if (episode <= 1)
            {
                ControlFigures.CollectStates(result, env.StateSize, positions, velocities);
                if (episode == 0)
                {
                    seedEpisodeCoverage = ControlFigures.CoverageFraction(positions, velocities, s.Grid);
                }
            }

            if (episode >= 1 && ControlTasks.IsSuccess(env.Name, result))
            {
                firstSuccess = episode;
                break;
            }
        }

        return (new ExplorationCommand.Row(objective, withInfoGain, seed, firstSuccess, ControlFigures.CoverageFraction(positions, velocities, s.Grid)), seedEpisodeCoverage);
    }
}
