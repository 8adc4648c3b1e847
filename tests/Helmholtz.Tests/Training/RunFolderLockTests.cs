using System.Diagnostics;
using System.Text.Json;
using Helmholtz.Tests.Data;
using Helmholtz.Training;

namespace Helmholtz.Tests.Training;

/// <summary>Run-folder locks: one owner at a time, the owner named in the refusal, stale locks taken over, release on dispose.</summary>
public sealed class RunFolderLockTests
{
    [Fact]
    public void ASecondOwnerIsRefusedWithTheFirstNamed()
    {
        using var dir = new TempDirectory();
        string folder = dir.File("run");
        using (var first = RunFolderLock.Acquire(folder, "train --out run"))
        {
            Assert.True(File.Exists(Path.Combine(folder, RunFolderLock.FileName)));
            var ex = Assert.Throws<RunFolderLockedException>(() => RunFolderLock.Acquire(folder, "train --out run (second)"));
            Assert.Equal(Environment.ProcessId, ex.Owner.ProcessId);
            Assert.Equal("train --out run", ex.Owner.Command);
            Assert.Contains($"process {Environment.ProcessId}", ex.Message, StringComparison.Ordinal);
            Assert.Contains("train --out run", ex.Message, StringComparison.Ordinal);
            Assert.Contains(" UTC", ex.Message, StringComparison.Ordinal);
        }

        // Released: the lock file is gone and the folder can be taken again.
        Assert.False(File.Exists(Path.Combine(folder, RunFolderLock.FileName)));
        using var again = RunFolderLock.Acquire(folder, "again");
        Assert.Null(again.Replaced);
    }

    [Fact]
    public void ConcurrentAcquirersGetExactlyOneOwner()
    {
        using var dir = new TempDirectory();
        string folder = dir.File("run");
        var results = new RunFolderLock?[8];
        Parallel.For(0, results.Length, i =>
        {
            try
            {
                results[i] = RunFolderLock.Acquire(folder, $"contender {i}");
            }
            catch (RunFolderLockedException)
            {
            }
        });
        Assert.Single(results, r => r is not null);
        foreach (var r in results)
        {
            r?.Dispose();
        }
    }

    [Fact]
    public void AStaleLockIsTakenOverAndReported()
    {
        using var dir = new TempDirectory();
        string folder = dir.File("run");
        Directory.CreateDirectory(folder);

        // A process id above Linux's largest pid_max (2^22) cannot be alive.
        var dead = new RunFolderOwner(1 << 30, Environment.MachineName, DateTimeOffset.UtcNow.AddHours(-1), "train --out run", "0011223344556677");
        File.WriteAllText(Path.Combine(folder, RunFolderLock.FileName), JsonSerializer.Serialize(dead, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
        Assert.True(RunFolderLock.IsStale(dead));
        using var held = RunFolderLock.Acquire(folder, "resume");
        Assert.Equal(dead, held.Replaced);
        Assert.Contains(held.Owner.Token, File.ReadAllText(held.Path), StringComparison.Ordinal);
    }

    [Fact]
    public void ALiveProcessWithTheRecordedStartTimeIsNotStaleButAReusedIdIs()
    {
        using var self = Process.GetCurrentProcess();
        var started = new DateTimeOffset(self.StartTime.ToUniversalTime());
        var live = new RunFolderOwner(Environment.ProcessId, Environment.MachineName, started, "x", "t");
        Assert.False(RunFolderLock.IsStale(live));
        Assert.True(RunFolderLock.IsStale(live with { Started = started.AddDays(-1) }));
        Assert.False(RunFolderLock.IsStale(live with { Host = "another-host-" + Environment.MachineName, ProcessId = 1 << 30 }));
    }

    [Fact]
    public void AnEmptyOrTornLockFileIsTakenOver()
    {
        using var dir = new TempDirectory();
        string folder = dir.File("run");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, RunFolderLock.FileName), "{\"process_id\":12");
        using var held = RunFolderLock.Acquire(folder, "x");
        Assert.True(held.IsHeld);
    }

    [Fact]
    public void ALockFromAnotherHostIsRespected()
    {
        using var dir = new TempDirectory();
        string folder = dir.File("run");
        Directory.CreateDirectory(folder);
        var remote = new RunFolderOwner(1 << 30, "elsewhere-" + Environment.MachineName, DateTimeOffset.UtcNow, "train", "aa");
        File.WriteAllText(Path.Combine(folder, RunFolderLock.FileName), JsonSerializer.Serialize(remote, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
        var ex = Assert.Throws<RunFolderLockedException>(() => RunFolderLock.Acquire(folder, "x"));
        Assert.Contains("another machine", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RunFolderLockRemovesStaleTemporaries()
    {
        using var dir = new TempDirectory();
        string folder = dir.File("run");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, ".checkpoint.safetensors.0a1b2c3d4e5f.tmp"), "partial");
        File.WriteAllText(Path.Combine(folder, "keep.tmp"), "not hidden: not ours");
        File.WriteAllText(Path.Combine(folder, ".notes.tmp"), "hidden but not named as AtomicFile names its temporaries");
        var run = new RunFolder(folder);
        using (run.Lock("resume"))
        {
            Assert.True(run.IsLocked);
            Assert.Equal([".notes.tmp", "keep.tmp", RunFolderLock.FileName], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        }

        Assert.False(run.IsLocked);

        // The release removes a temporary that a write cut short by a signal left, and the lock file.
        using (var again = run.Lock("again"))
        {
            File.WriteAllText(Path.Combine(folder, ".metrics.csv.abcdef012345.tmp"), "partial");
        }

        Assert.Equal([".notes.tmp", "keep.tmp"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }
}

/// <summary>Liveness of a process that is not this process's child (as a second run sees the first).</summary>
public sealed class RunFolderLockOtherProcessTests
{
    [Fact]
    public void AnotherLiveProcessIsNotStale()
    {
        // sh starts sleep in the background and exits, so sleep is not our child: what a second run sees of the first.
        var psi = new ProcessStartInfo("/bin/sh", ["-c", "sleep 30 > /dev/null 2>&1 & echo $!"]) { RedirectStandardOutput = true };
        using var sh = Process.Start(psi)!;
        int pid = int.Parse(sh.StandardOutput.ReadToEnd().Trim(), System.Globalization.CultureInfo.InvariantCulture);
        sh.WaitForExit();
        using var sleeper = Process.GetProcessById(pid);
        try
        {
            var owner = new RunFolderOwner(pid, Environment.MachineName, new DateTimeOffset(sleeper.StartTime.ToUniversalTime()), "sleep 30", "t");
            Assert.False(RunFolderLock.IsStale(owner));
        }
        finally
        {
            sleeper.Kill();
        }
    }
}
