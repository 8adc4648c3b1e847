using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Helmholtz.ActiveInference.Deep;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Data;
using Helmholtz.Tensors;
using Spectre.Console;

namespace Helmholtz.Cli.Commands.Control;

/// <summary><c>helmholtz aif control</c>: trains a deep agent on a control task, one seed or several in parallel processes.</summary>
internal sealed partial class ControlCommand : HelmholtzCommand<ControlSettings>
{
    /// <summary>The final JSON of one run (returns first, as the issue specifies).</summary>
    internal sealed record RunSummary(
        double[] Returns, int? FirstSuccessEpisode, int? SolvedEpisode, string Env, string Agent, string Objective, ulong Seed,
        int Episodes, int Successes, double FinalMean, double? Coverage, double Seconds, string Out);

    /// <summary>One seed's line of the summary across seeds.</summary>
    internal sealed record SeedRow(ulong Seed, int ExitCode, int Episodes, int? FirstSuccessEpisode, int? SolvedEpisode, double FinalMean, double BestMean, double? Coverage);

    /// <summary>The final JSON of a sweep over seeds.</summary>
    internal sealed record SweepSummary(
        ulong[] Seeds, int Solved, int Succeeded, double MeanFinalMean, double StdFinalMean, double? MedianSolvedEpisode,
        double? MedianFirstSuccessEpisode, SeedRow[] Runs, string Env, string Agent, string Objective, int Episodes, string Out);

    /// <summary>Episodes between redrawn return curves during a run.</summary>
    private const int FigureEvery = 50;

    protected override int Run(ControlSettings settings, CancellationToken cancellationToken)
    {
        ChildProcesses.ExitWithParent();
        var (environment, objective) = ControlAgents.Check(settings);
        if (settings.Seeds is not null)
        {
            var seeds = ControlSettings.ParseSeeds(settings.Seeds);
            string sweepOut = settings.Out ?? Path.Combine("runs", $"control-{environment.Name}-{settings.Agent}");
            return Sweep(settings, seeds, environment.Name, objective, sweepOut, cancellationToken);
        }

        string outDir = settings.Out ?? Path.Combine("runs", $"control-{environment.Name}-{settings.Agent}-seed-{settings.Seed}");
        var summary = RunOne(settings, environment, objective, outDir, cancellationToken);
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(summary);
        }
        else
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{summary.Agent} on {summary.Env}, seed {summary.Seed}: final {settings.SolveWindow}-episode mean {summary.FinalMean:F1}, first success {Show(summary.FirstSuccessEpisode)}, solved {Show(summary.SolvedEpisode)}; run folder {outDir}"));
        }

        return ExitCode.Ok;
    }

    /// <summary>Greedy episodes of the best checkpoint (with --evaluate): their returns and mean in greedy.json, one line on stderr.</summary>
    private static void Evaluate(ControlSettings s, Environments.IControlEnvironment environment, ICheckpointableAgent agent, BestCheckpoint best, int? frozenAt, string outDir, CancellationToken ct)
    {
        if (s.Evaluate is not { } n)
        {
            return;
        }

        agent.LoadWeights(best.Weights!);
        // Evaluation draws its resets from a generator of its own, so that it does not depend on how long training ran.
        double[] greedy = GreedyEvaluation.Run(environment, agent, n, new Rng(s.Seed ^ 0x9E3779B97F4A7C15UL), ct);
        double mean = greedy.Average();
        AtomicFile.WriteAllText(Path.Combine(outDir, "greedy.json"), JsonSerializer.Serialize(new
        {
            best_mean = best.BestMean, best_episode = best.BestEpisode, frozen_at = frozenAt, episodes = n, greedy_mean = mean, greedy_min = greedy.Min(), returns = greedy,
        }, Infrastructure.Cli.JsonOptions));
        Infrastructure.Cli.Stderr.MarkupLine(CultureInfo.InvariantCulture,
            $"best checkpoint ({(s.CheckpointEvery is null ? $"{s.SolveWindow}-episode mean" : "greedy score")} {best.BestMean:F1} at episode {best.BestEpisode}); greedy over {n} episodes: mean {mean:F1}, min {greedy.Min():F1}");
    }

    private static string Show(int? episode) => episode?.ToString(CultureInfo.InvariantCulture) ?? "never";

    internal static RunSummary RunOne(ControlSettings s, Environments.IControlEnvironment environment, string objective, string outDir, CancellationToken ct)
    {
        using var runFolder = RunFolderGuard.Take(OutPath.Folder(outDir));
        var rng = new Rng(s.Seed);
        var agent = ControlAgents.Create(s, environment, objective, rng.Fork());
        var config = new Dictionary<string, object?>
        {
            ["env"] = environment.Name,
            ["agent"] = agent.Name,
            ["objective"] = objective,
            ["seed"] = s.Seed,
            ["episodes"] = s.Episodes,
            ["solve_window"] = s.SolveWindow,
            ["options"] = ControlAgents.OptionsOf(s, objective),
        };
        AtomicFile.WriteAllText(Path.Combine(outDir, "config.json"), JsonSerializer.Serialize(config, Helmholtz.Training.Checkpoint.JsonOptions));

        bool coverage = environment.Goal.NeedsExploration;
        var positions = new List<double>();
        var velocities = new List<double>();
        var returns = new List<double>();
        var csv = new StringBuilder();
        string[]? diagnosticNames = null;
        double? threshold = environment.Goal.SolveThreshold;
        var clock = Stopwatch.StartNew();
        string metricsPath = Path.Combine(outDir, "metrics.csv");
        string title = $"{agent.Name} ({objective}) · {environment.Name} · seed {s.Seed}";
        var experiment = new ControlExperiment(environment, agent, s.SolveWindow);
        var checkpointable = agent as ICheckpointableAgent;
        var best = checkpointable is null ? null : new BestCheckpoint(checkpointable, s.SolveWindow,
            s.CheckpointEvery is { } every ? new GreedySelection(ControlAgents.Check(s).Environment, every, 10, s.Seed ^ 0x5DEECE66DUL) : null);
        var freeze = s.FreezeWhenSolved && checkpointable is not null && threshold is { } solveAt ? new FreezeWhenSolved(checkpointable, solveAt, s.SolveWindow) : null;

        void Episode(EpisodeRecord e)
        {
            var r = e.Result;
            returns.Add(r.Return);
            best?.Observe(e);
            freeze?.Observe(e);

            if (coverage)
            {
                ControlFigures.CollectStates(r, environment.StateSize, positions, velocities);
            }

            if (diagnosticNames is null)
            {
                diagnosticNames = r.Diagnostics.Keys.Order(StringComparer.Ordinal).ToArray();
                csv.Append("episode,return,steps,terminated,truncated,success,mean_").Append(s.SolveWindow).Append(",seconds");
                foreach (var name in diagnosticNames)
                {
                    csv.Append(',').Append(name);
                }

                csv.Append('\n');
            }

            csv.Append(CultureInfo.InvariantCulture, $"{e.Episode},{r.Return:R},{r.Steps},{(r.Terminated ? 1 : 0)},{(r.Truncated ? 1 : 0)},{(e.Success ? 1 : 0)},{e.MovingMean:R},{e.Seconds:F3}");
            foreach (var name in diagnosticNames)
            {
                csv.Append(',').Append(r.Diagnostics.TryGetValue(name, out double v) ? v.ToString("R", CultureInfo.InvariantCulture) : "");
            }

            csv.Append('\n');
            AtomicFile.WriteAllText(metricsPath, csv.ToString());
            if (e.Episode % FigureEvery == 0 && e.Episode < s.Episodes)
            {
                // A killed run keeps a recent curve as well as its metrics.
                ControlFigures.ReturnCurve(returns, s.SolveWindow, threshold, title, Path.Combine(outDir, "returns"));
            }
        }

        ControlExperimentResult result = null!;
        if (s.Quiet)
        {
            result = experiment.Run(s.Episodes, rng, Episode, ct);
        }
        else
        {
            Infrastructure.Cli.Stderr.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(title), maxValue: s.Episodes);
                    result = experiment.Run(s.Episodes, rng, e =>
                    {
                        Episode(e);
                        task.Value = returns.Count;
                        task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{title} · episode {returns.Count} · mean {e.MovingMean:F1}"));
                    }, ct);
                });
        }

        ControlFigures.ReturnCurve(returns, s.SolveWindow, threshold, title, Path.Combine(outDir, "returns"));
        if (best is not null && best.Save(Path.Combine(outDir, "best.safetensors")))
        {
            Evaluate(s, environment, checkpointable!, best, freeze?.FrozenAt, outDir, ct);
        }

        double? covered = null;
        if (coverage)
        {
            ControlFigures.Coverage(positions, velocities, $"visited states · {title}", Path.Combine(outDir, "coverage"));
            covered = ControlFigures.CoverageFraction(positions, velocities);
        }

        return new RunSummary([.. returns], result.FirstSuccessEpisode, result.SolvedEpisode, environment.Name, agent.Name, objective, s.Seed, returns.Count,
            result.Successes, result.FinalMean, covered, clock.Elapsed.TotalSeconds, outDir);
    }
}
