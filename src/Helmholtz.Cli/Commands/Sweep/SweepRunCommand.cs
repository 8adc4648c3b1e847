using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Sweeps;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Sweep;

/// <summary>Options of <c>helmholtz sweep run</c>.</summary>
internal sealed class SweepRunSettings : SweepFileSettings
{
    [CommandOption("--jobs <N>")]
    [Description("Runs at the same time.")]
    [DefaultValue(1)]
    public int Jobs { get; init; } = 1;

    [CommandOption("--index <I>")]
    [Description("Perform only the run with this 0-based index (what a Slurm array task or Kubernetes completion index calls).")]
    public int? Index { get; init; }

    [CommandOption("--retries <R>")]
    [Description("Extra attempts of a run that exits non-zero.")]
    [DefaultValue(0)]
    public int Retries { get; init; }

    [CommandOption("--json")]
    [Description("Print a summary as one JSON object on stdout.")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (Jobs < 1)
        {
            return ValidationResult.Error("--jobs must be at least 1.");
        }

        if (Retries < 0)
        {
            return ValidationResult.Error("--retries must be 0 or more.");
        }

        return Index is < 0 ? ValidationResult.Error("--index must be 0 or more.") : ValidationResult.Success();
    }
}

/// <summary>
/// <c>helmholtz sweep run</c>: every run (or one, with --index) as a child process of this executable, skipping runs
/// that finished; failures are reported after the others have run.
/// </summary>
internal sealed class SweepRunCommand : HelmholtzCommand<SweepRunSettings>
{
    protected override int Run(SweepRunSettings settings, CancellationToken cancellationToken)
    {
        var spec = SweepFiles.Load(settings);
        var all = spec.Expand();
        IReadOnlyList<SweepRun> runs = all;
        if (settings.Index is { } index)
        {
            if (index >= all.Count)
            {
                throw new BadInputException($"--index {index} is out of range: the sweep has {all.Count} runs (0–{all.Count - 1}).");
            }

            runs = [all[index]];
        }

        // SIGTERM (scancel, kill, a pod's termination) and Ctrl+C stop the children too, so a rerun starts clean.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
        var runner = new SweepRunner((run, ct) =>
        {
            var psi = SelfProcess.StartInfo();
            foreach (var a in run.Arguments)
            {
                psi.ArgumentList.Add(a);
            }

            return SweepProcess.Run(psi, run.Folder, ct);
        });
        var options = new SweepRunnerOptions(settings.Jobs, settings.Retries);
        var clock = Stopwatch.StartNew();
        int pending = runs.Count(r => !SweepMarker.IsDone(r));
        IReadOnlyList<SweepRunResult> results;
        string title = string.Create(CultureInfo.InvariantCulture, $"{spec.Name}: {pending} of {runs.Count} runs to do ({Math.Min(settings.Jobs, Math.Max(pending, 1))} at a time)");
        if (!Console.IsErrorRedirected && pending > 1)
        {
            results = null!;
            Infrastructure.Cli.Stderr.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask(Markup.Escape(title), maxValue: pending);
                    results = runner.Run(runs, options, onFinished: r =>
                    {
                        if (r.Status != SweepRunStatus.Skipped)
                        {
                            task.Increment(1);
                        }
                    }, cancellationToken: stop.Token);
                });
        }
        else
        {
            Console.Error.WriteLine(title);
            int finished = 0;
            results = runner.Run(runs, options, onFinished: r =>
            {
                if (r.Status is SweepRunStatus.Succeeded or SweepRunStatus.Failed)
                {
                    int k = Interlocked.Increment(ref finished);
                    string state = r.Status == SweepRunStatus.Succeeded ? "done" : $"failed (exit code {r.ExitCode})";
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{k}/{pending}] run {r.Run.Index} {state} in {r.Seconds:F1} s: {r.Run.Name}"));
                }
            }, cancellationToken: stop.Token);
        }

        var failed = results.Where(r => r.Status == SweepRunStatus.Failed).ToList();
        foreach (var r in failed)
        {
            string? why = SweepProcess.LastErrorLine(r.Run);
            Infrastructure.Cli.Error($"run {r.Run.Index} failed with exit code {r.ExitCode} after {r.Attempts} attempt(s): {r.Run.Folder}" + (why is null ? "" : $" ({why})"));
        }

        int ran = results.Count(r => r.Status == SweepRunStatus.Succeeded);
        int skipped = results.Count(r => r.Status == SweepRunStatus.Skipped);
        int cancelled = results.Count(r => r.Status == SweepRunStatus.Cancelled);
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{spec.Name}: {ran} ran, {skipped} already done, {failed.Count} failed{(cancelled > 0 ? $", {cancelled} cancelled" : "")} ({clock.Elapsed.TotalSeconds:F1} s); run folders in {spec.Output}"));
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(new
            {
                name = spec.Name,
                runs = results.Count,
                succeeded = ran,
                skipped,
                cancelled,
                failed = failed.Select(r => new { index = r.Run.Index, folder = r.Run.Folder, exit_code = r.ExitCode, attempts = r.Attempts }),
                seconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
                output = spec.Output,
            });
        }

        if (cancelled > 0)
        {
            Infrastructure.Cli.Error("cancelled: rerun the same command to continue");
        }

        return failed.Count > 0 || cancelled > 0 ? ExitCode.Failure : ExitCode.Ok;
    }
}
