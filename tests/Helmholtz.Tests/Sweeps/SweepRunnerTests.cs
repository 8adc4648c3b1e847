using System.Collections.Concurrent;
using Helmholtz.Sweeps;
using Helmholtz.Tests.Data;

namespace Helmholtz.Tests.Sweeps;

/// <summary>The local runner with a fake executor: parallelism, skipping finished runs, failures, retries and cancellation.</summary>
public sealed class SweepRunnerTests
{
    private static IReadOnlyList<SweepRun> Runs(string dir, int count) =>
        SweepSpec.Parse($$"""{"command": ["train"], "seeds": "1-{{count}}"}""", dir, "r", new SweepConventions(["train"], "--seed", "--out")).Expand();

    [Fact]
    public void RunsInParallelSkipsFinishedRunsAndContinuesAfterAFailure()
    {
        using var dir = new TempDirectory();
        var runs = Runs(dir.Path, 6);
        SweepMarker.Write(runs[1], 0, 1); // finished in an earlier sweep
        int running = 0, most = 0;
        var executed = new ConcurrentBag<int>();
        var runner = new SweepRunner((run, _) =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            // Hold the first runs until two overlap, so that the parallelism is seen however loaded the machine is.
            SpinWait.SpinUntil(() => Volatile.Read(ref most) >= 2, 10_000);
            executed.Add(run.Index);
            Interlocked.Decrement(ref running);
            return run.Index == 3 ? 7 : 0;
        });

        var results = runner.Run(runs, new SweepRunnerOptions(Jobs: 2));

        Assert.Equal([0, 2, 3, 4, 5], executed.Order());
        Assert.Equal(2, most);
        Assert.Equal(SweepRunStatus.Skipped, results[1].Status);
        Assert.Equal(SweepRunStatus.Failed, results[3].Status);
        Assert.Equal(7, results[3].ExitCode);
        Assert.False(SweepMarker.IsDone(runs[3]));
        Assert.All(new[] { 0, 2, 4, 5 }, i => Assert.True(results[i].Status == SweepRunStatus.Succeeded && SweepMarker.IsDone(runs[i])));

        // The next sweep runs only the failed one.
        executed.Clear();
        var again = runner.Run(runs, new SweepRunnerOptions(Jobs: 2));
        Assert.Equal([3], executed);
        Assert.Equal(5, again.Count(r => r.Status == SweepRunStatus.Skipped));
    }

    [Fact]
    public void RetriesUntilARunSucceedsOrTheAttemptsAreSpent()
    {
        using var dir = new TempDirectory();
        var runs = Runs(dir.Path, 2);
        var attempts = new ConcurrentDictionary<int, int>();
        // Run 0 fails twice then succeeds; run 1 always fails.
        var runner = new SweepRunner((run, _) =>
        {
            int attempt = attempts.AddOrUpdate(run.Index, 1, (_, n) => n + 1);
            return run.Index == 1 || attempt <= 2 ? 1 : 0;
        });

        var results = runner.Run(runs, new SweepRunnerOptions(Jobs: 1, Retries: 2));

        Assert.Equal((SweepRunStatus.Succeeded, 3), (results[0].Status, results[0].Attempts));
        Assert.Equal((SweepRunStatus.Failed, 3), (results[1].Status, results[1].Attempts));
        Assert.Contains("\"attempts\": 3", File.ReadAllText(Path.Combine(runs[0].Folder, SweepMarker.FileName)), StringComparison.Ordinal);
    }

    [Fact]
    public void CancellingLeavesUnfinishedRunsUnmarkedAndARerunContinues()
    {
        using var dir = new TempDirectory();
        var runs = Runs(dir.Path, 4);
        using var cts = new CancellationTokenSource();
        var runner = new SweepRunner((run, ct) =>
        {
            if (run.Index == 1)
            {
                cts.Cancel(); // "killed" while run 1 is in progress
                ct.ThrowIfCancellationRequested();
            }

            return 0;
        });

        var results = runner.Run(runs, new SweepRunnerOptions(Jobs: 1), cancellationToken: cts.Token);

        Assert.Equal([SweepRunStatus.Succeeded, SweepRunStatus.Cancelled, SweepRunStatus.Cancelled, SweepRunStatus.Cancelled], results.Select(r => r.Status));
        Assert.Equal([true, false, false, false], runs.Select(SweepMarker.IsDone));
        var rerun = new SweepRunner((_, _) => 0).Run(runs, new SweepRunnerOptions(Jobs: 2));
        Assert.Equal([SweepRunStatus.Skipped, SweepRunStatus.Succeeded, SweepRunStatus.Succeeded, SweepRunStatus.Succeeded], rerun.Select(r => r.Status));
    }

    [Fact]
    public void AnExecutorThatCannotStartStopsTheSweepWithItsException()
    {
        using var dir = new TempDirectory();
        var runner = new SweepRunner((_, _) => throw new FileNotFoundException("no such program"));
        var ex = Assert.Throws<FileNotFoundException>(() => runner.Run(Runs(dir.Path, 3), new SweepRunnerOptions(Jobs: 2)));
        Assert.Equal("no such program", ex.Message);
    }

    [Theory]
    [InlineData(0, 0, "Jobs")]
    [InlineData(1, -1, "Retries")]
    public void InvalidOptionsNameTheProperty(int jobs, int retries, string property)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SweepRunnerOptions(jobs, retries).Validate());
        Assert.Equal(property, ex.ParamName);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
