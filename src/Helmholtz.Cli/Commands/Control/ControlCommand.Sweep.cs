using System.Globalization;
using System.Text;
using System.Text.Json;
using Helmholtz.ActiveInference.Deep;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Data;
using Spectre.Console;

namespace Helmholtz.Cli.Commands.Control;

/// <summary><c>helmholtz aif control --seeds</c>: every seed in a child process, then a summary across seeds.</summary>
internal sealed partial class ControlCommand
{
    /// <summary>Runs every seed as a child process of this same executable, then summarises across seeds.</summary>
    private static int Sweep(ControlSettings s, IReadOnlyList<ulong> seeds, string env, string objective, string outDir, CancellationToken ct)
    {
        using var runFolder = RunFolderGuard.Take(OutPath.Folder(outDir));
        string[] forwarded = ForwardedArguments(Environment.GetCommandLineArgs().Skip(1).ToArray());
        int parallel = s.Parallel ?? Math.Min(seeds.Count, Environment.ProcessorCount);
        var results = new RunSummary?[seeds.Count];
        var codes = new int[seeds.Count];
        var errors = new string[seeds.Count];
        using var children = new ChildProcesses(ct);

        void RunSeed(int i)
        {
            if (children.Token.IsCancellationRequested)
            {
                codes[i] = ExitCode.Failure;
                errors[i] = "not started";
                return;
            }

            ulong seed = seeds[i];
            string seedDir = Path.Combine(outDir, $"seed-{seed}");
            var psi = SelfProcess.StartInfo();
            foreach (var a in forwarded)
            {
                psi.ArgumentList.Add(a);
            }

            foreach (var a in new[] { "--seed", seed.ToString(CultureInfo.InvariantCulture), "--out", seedDir, "--json", "--quiet" })
            {
                psi.ArgumentList.Add(a);
            }

            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
            using var p = children.Start(psi);
            var stderr = p.StandardError.ReadToEndAsync(CancellationToken.None);
            string stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            children.Exited(p);
            codes[i] = p.ExitCode;
            errors[i] = stderr.Result.Trim();
            string? last = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
            if (p.ExitCode == 0 && last is not null)
            {
                results[i] = JsonSerializer.Deserialize<RunSummary>(last, Infrastructure.Cli.JsonOptions);
            }
        }

        void RunAll(Action? tick)
        {
            Parallel.For(0, seeds.Count, new ParallelOptions { MaxDegreeOfParallelism = parallel }, i =>
            {
                RunSeed(i);
                tick?.Invoke();
            });
        }

        if (s.Quiet)
        {
            RunAll(null);
        }
        else
        {
            Infrastructure.Cli.Stderr.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape($"{s.Agent} · {env} · {seeds.Count} seeds × {s.Episodes} episodes ({parallel} at a time)"), maxValue: seeds.Count * s.Episodes);
                    var run = Task.Run(() => RunAll(null), CancellationToken.None);
                    while (!run.Wait(1000, CancellationToken.None))
                    {
                        task.Value = seeds.Sum(seed => EpisodesDone(Path.Combine(outDir, $"seed-{seed}", "metrics.csv")));
                    }

                    task.Value = task.MaxValue;
                });
        }

        if (children.Token.IsCancellationRequested)
        {
            // Stopped by a signal or cancellation: every child has been stopped; no summary of a partial sweep.
            Infrastructure.Cli.Error($"sweep stopped; {codes.Count(c => c == 0)} of {seeds.Count} seeds had finished (run folders under {outDir})");
            return children.StoppedExitCode;
        }

        for (int i = 0; i < seeds.Count; i++)
        {
            if (codes[i] != 0)
            {
                Infrastructure.Cli.Error($"seed {seeds[i]} failed (exit code {codes[i]}): {errors[i]}");
            }
        }

        var rows = seeds.Select((seed, i) => results[i] is { } r
            ? new SeedRow(seed, codes[i], r.Episodes, r.FirstSuccessEpisode, r.SolvedEpisode, r.FinalMean, BestMean(r.Returns, s.SolveWindow), r.Coverage)
            : new SeedRow(seed, codes[i], 0, null, null, double.NaN, double.NaN, null)).ToArray();
        var ok = rows.Where(r => r.ExitCode == 0).ToArray();
        double mean = ok.Length == 0 ? double.NaN : ok.Average(r => r.FinalMean);
        double std = ok.Length < 2 ? 0 : Math.Sqrt(ok.Sum(r => (r.FinalMean - mean) * (r.FinalMean - mean)) / (ok.Length - 1));
        var sweep = new SweepSummary([.. seeds], ok.Count(r => r.SolvedEpisode is not null), ok.Count(r => r.FirstSuccessEpisode is not null), mean, std,
            Median(ok.Select(r => r.SolvedEpisode)), Median(ok.Select(r => r.FirstSuccessEpisode)), rows, env, s.Agent, objective, s.Episodes, outDir);

        var table = new Table().Border(TableBorder.Rounded).AddColumns("seed", "episodes", "first success", "solved", $"final {s.SolveWindow}-mean", $"best {s.SolveWindow}-mean", "coverage");
        foreach (var r in rows)
        {
            table.AddRow(r.Seed.ToString(CultureInfo.InvariantCulture), r.ExitCode == 0 ? r.Episodes.ToString(CultureInfo.InvariantCulture) : $"failed ({r.ExitCode})",
                Show(r.FirstSuccessEpisode), Show(r.SolvedEpisode), r.FinalMean.ToString("F1", CultureInfo.InvariantCulture), r.BestMean.ToString("F1", CultureInfo.InvariantCulture),
                r.Coverage?.ToString("P0", CultureInfo.InvariantCulture) ?? "");
        }

        table.Caption(string.Create(CultureInfo.InvariantCulture,
            $"solved {sweep.Solved}/{seeds.Count}; final mean {mean:F1} ± {std:F1} (sd over seeds); median solved episode {sweep.MedianSolvedEpisode?.ToString(CultureInfo.InvariantCulture) ?? "–"}"));
        Infrastructure.Cli.Results(s.Json).Write(table);

        var csv = new StringBuilder("seed,exit_code,episodes,first_success_episode,solved_episode,final_mean,best_mean,coverage\n");
        foreach (var r in rows)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{r.Seed},{r.ExitCode},{r.Episodes},{r.FirstSuccessEpisode},{r.SolvedEpisode},{r.FinalMean:R},{r.BestMean:R},{r.Coverage:R}\n");
        }

        AtomicFile.WriteAllText(Path.Combine(outDir, "summary.csv"), csv.ToString());
        AtomicFile.WriteAllText(Path.Combine(outDir, "summary.json"), JsonSerializer.Serialize(sweep, Infrastructure.Cli.JsonOptions));
        var curves = seeds.Select((seed, i) => (seed, results[i]?.Returns as IReadOnlyList<double>)).Where(x => x.Item2 is { Count: > 0 })
            .Select(x => (x.seed, x.Item2!)).ToList();
        if (curves.Count > 0)
        {
            ControlFigures.SeedCurves(curves, s.SolveWindow, ControlTasks.SolveThreshold(env), $"{s.Agent} ({objective}) · {env} · {curves.Count} seeds", Path.Combine(outDir, "returns"));
        }

        if (s.Json)
        {
            Infrastructure.Cli.WriteJson(sweep);
        }

        if (codes.Any(c => c != 0))
        {
            return codes.All(c => c == ExitCode.BadInput) ? ExitCode.BadInput : ExitCode.Failure;
        }

        return ExitCode.Ok;
    }

    private static double BestMean(double[] returns, int window)
    {
        var mean = ControlFigures.TrailingMean(returns, window);
        double best = double.NegativeInfinity;
        for (int k = Math.Min(window, returns.Length) - 1; k < mean.Length; k++)
        {
            best = Math.Max(best, mean[k]);
        }

        return best;
    }

    private static double? Median(IEnumerable<int?> values)
    {
        var v = values.Where(x => x is not null).Select(x => (double)x!.Value).Order().ToArray();
        return v.Length == 0 ? null : v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
    }

    private static int EpisodesDone(string metricsPath)
    {
        try
        {
            return File.Exists(metricsPath) ? Math.Max(0, File.ReadLines(metricsPath).Count() - 1) : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>This process's arguments without the options the parent sets per seed (--seeds, --seed, --out, --json, --quiet, --parallel).</summary>
    internal static string[] ForwardedArguments(string[] args)
    {
        string[] withValue = ["--seeds", "--seed", "--out", "--parallel"];
        string[] flags = ["--json", "--quiet"];
        var kept = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string name = a.Contains('=', StringComparison.Ordinal) ? a[..a.IndexOf('=', StringComparison.Ordinal)] : a;
            if (withValue.Contains(name))
            {
                if (!a.Contains('=', StringComparison.Ordinal))
                {
                    i++;
                }

                continue;
            }

            if (!flags.Contains(a))
            {
                kept.Add(a);
            }
        }

        return [.. kept];
    }
}
