using System.Collections.Concurrent;
using System.Diagnostics;

namespace Helmholtz.Sweeps;

/// <summary>How a sweep's runs are executed locally.</summary>
/// <param name="Jobs">Runs executed at the same time (at least 1).</param>
/// <param name="Retries">Extra attempts of a run whose command exits non-zero (0: one attempt only).</param>
public sealed record SweepRunnerOptions(int Jobs = 1, int Retries = 0)
{
    /// <summary>Throws when <see cref="Jobs"/> is below 1 or <see cref="Retries"/> is negative.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names the property.</exception>
    public void Validate()
    {
        if (Jobs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Jobs), Jobs, "Jobs must be at least 1.");
        }

        if (Retries < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Retries), Retries, "Retries must be 0 or more.");
        }
    }
}

/// <summary>What became of one run of a sweep.</summary>
public enum SweepRunStatus
{
    /// <summary>Its folder already held a completion marker: not run again.</summary>
    Skipped,

    /// <summary>Its command exited with 0; the marker is written.</summary>
    Succeeded,

    /// <summary>Every attempt exited non-zero.</summary>
    Failed,

    /// <summary>Cancelled before or while it ran; it has no marker and runs again next time.</summary>
    Cancelled,
}

/// <summary>The outcome of one run.</summary>
/// <param name="Run">The run.</param>
/// <param name="Status">What became of it.</param>
/// <param name="ExitCode">The last attempt's exit code (0 for skipped runs; -1 when no attempt finished).</param>
/// <param name="Attempts">Attempts started (0 for skipped runs).</param>
/// <param name="Seconds">Wall-clock seconds of all attempts together.</param>
public sealed record SweepRunResult(SweepRun Run, SweepRunStatus Status, int ExitCode, int Attempts, double Seconds);

/// <summary>
/// Executes the runs of a sweep: skips those whose folder holds a <see cref="SweepMarker"/>, runs the others
/// <see cref="SweepRunnerOptions.Jobs"/> at a time through a caller-supplied executor, retries failures, and marks each
/// success. A failed run does not stop the others; a cancelled sweep leaves unfinished runs unmarked, so running the
/// same runs again continues where it stopped.
/// </summary>
/// <example><code>
/// var runner = new SweepRunner((run, ct) =&gt; SweepProcess.Run(MakeStartInfo(run), run.Folder, ct));
/// var results = runner.Run(spec.Expand(), new SweepRunnerOptions(Jobs: 2));
/// </code></example>
public sealed class SweepRunner
{
    private readonly Func<SweepRun, CancellationToken, int> _execute;

    /// <summary>Creates a runner whose <paramref name="execute"/> performs one attempt of a run and returns its exit code.</summary>
    /// <param name="execute">Called from worker threads, at most Jobs at a time; it should stop promptly (throwing <see cref="OperationCanceledException"/>) when its token is cancelled.</param>
    public SweepRunner(Func<SweepRun, CancellationToken, int> execute)
    {
        ArgumentNullException.ThrowIfNull(execute);
        _execute = execute;
    }

    /// <summary>Executes <paramref name="runs"/>; returns one result per run, in the order given.</summary>
    /// <param name="runs">The runs (all of a sweep, or a subset such as one index).</param>
    /// <param name="options">Parallelism and retries.</param>
    /// <param name="onStarted">Called on a worker thread when a run's first attempt starts.</param>
    /// <param name="onFinished">Called on a worker thread (or the calling thread, for skipped runs) as each run ends.</param>
    /// <param name="cancellationToken">Stops starting runs and cancels those running.</param>
    /// <exception cref="Exception">Whatever the executor threw other than a cancellation (the sweep stops starting runs).</exception>
    public IReadOnlyList<SweepRunResult> Run(IReadOnlyList<SweepRun> runs, SweepRunnerOptions options,
        Action<SweepRun>? onStarted = null, Action<SweepRunResult>? onFinished = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var results = new SweepRunResult?[runs.Count];
        var pending = new ConcurrentQueue<int>();
        for (int i = 0; i < runs.Count; i++)
        {
            if (SweepMarker.IsDone(runs[i]))
            {
                results[i] = new SweepRunResult(runs[i], SweepRunStatus.Skipped, 0, 0, 0);
                onFinished?.Invoke(results[i]!);
            }
            else
            {
                pending.Enqueue(i);
            }
        }

        System.Runtime.ExceptionServices.ExceptionDispatchInfo? error = null;
        void Worker()
        {
            try
            {
                while (!cancellationToken.IsCancellationRequested && Volatile.Read(ref error) is null && pending.TryDequeue(out int i))
                {
                    onStarted?.Invoke(runs[i]);
                    results[i] = Attempt(runs[i], options.Retries, cancellationToken);
                    onFinished?.Invoke(results[i]!);
                }
            }
            catch (Exception ex)
            {
                // An executor that cannot start a run at all (a missing program) stops the sweep; the caller sees the exception.
                Interlocked.CompareExchange(ref error, System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex), null);
            }
        }

        int workers = Math.Min(options.Jobs, pending.Count);
        var threads = Enumerable.Range(0, workers).Select(_ => new Thread(Worker) { IsBackground = true }).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        error?.Throw();
        for (int i = 0; i < runs.Count; i++)
        {
            results[i] ??= new SweepRunResult(runs[i], SweepRunStatus.Cancelled, -1, 0, 0);
        }

        return results!;
    }

    private SweepRunResult Attempt(SweepRun run, int retries, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        int code = -1;
        int attempts = 0;
        while (attempts <= retries && !ct.IsCancellationRequested)
        {
            attempts++;
            try
            {
                code = _execute(run, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return new SweepRunResult(run, SweepRunStatus.Cancelled, -1, attempts, clock.Elapsed.TotalSeconds);
            }

            if (code == 0)
            {
                SweepMarker.Write(run, clock.Elapsed.TotalSeconds, attempts);
                return new SweepRunResult(run, SweepRunStatus.Succeeded, 0, attempts, clock.Elapsed.TotalSeconds);
            }
        }

        var status = ct.IsCancellationRequested ? SweepRunStatus.Cancelled : SweepRunStatus.Failed;
        return new SweepRunResult(run, status, code, attempts, clock.Elapsed.TotalSeconds);
    }
}
