using System.Diagnostics;
using System.Globalization;

namespace Helmholtz.Tests.Cli.Commands.Control;

/// <summary>
/// Process hygiene of <c>aif control --seeds</c>: the built CLI runs a two-seed sweep in child processes; a SIGTERM to
/// the parent stops both children and the parent exits 143, and a parent killed outright (SIGKILL) takes its children
/// with it (they watch the pipe on their standard input). Run folders are left unlocked.
/// </summary>
public sealed class ControlSignalTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("helmholtz-signal-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void SigtermToTheParentStopsEverySeedProcess()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var parent = StartSweep(out string outDir);
        var children = WaitForChildren(parent.Id, 2);
        using (var kill = Process.Start("kill", ["-TERM", parent.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }

        Assert.True(parent.WaitForExit(30_000), "the parent did not exit within 30 s of SIGTERM");
        Assert.Equal(143, parent.ExitCode);
        AssertAllGone(children);
        // A folder the run created and left empty (the seeds were stopped before writing) is removed with its lock.
        Assert.True(!Directory.Exists(outDir) || Directory.GetFiles(outDir, "run.lock", SearchOption.AllDirectories).Length == 0, "a run.lock survived SIGTERM");
    }

    [Fact]
    public void ChildrenExitWhenTheParentIsKilled()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var parent = StartSweep(out _);
        var children = WaitForChildren(parent.Id, 2);
        parent.Kill(); // SIGKILL: the parent gets no chance to forward anything
        parent.WaitForExit();
        AssertAllGone(children);
    }

    private Process StartSweep(out string outDir)
    {
        outDir = Path.Combine(_root, "sweep");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = _root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "Helmholtz.Cli.dll"), "aif", "control", "--env", "cartpole", "--agent", "dqn",
                     "--episodes", "100000", "--seeds", "1-2", "--parallel", "2", "--quiet", "--out", outDir })
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>Polls /proc until <paramref name="parent"/> has <paramref name="count"/> child processes (60 s at most).</summary>
    private static int[] WaitForChildren(int parent, int count)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            int[] kids = ChildrenOf(parent);
            if (kids.Length >= count)
            {
                // Let the children get past their start-up, so that the signal meets a running run.
                Thread.Sleep(1000);
                return kids;
            }

            Thread.Sleep(100);
        }

        throw new TimeoutException($"process {parent} did not start {count} children within 60 s");
    }

    private static int[] ChildrenOf(int parent)
    {
        var kids = new List<int>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }

            try
            {
                // /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so read after the last ')'.
                string stat = File.ReadAllText(Path.Combine(dir, "stat"));
                string[] rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (int.Parse(rest[1], CultureInfo.InvariantCulture) == parent && rest[0] != "Z")
                {
                    kids.Add(pid);
                }
            }
            catch (IOException)
            {
            }
        }

        return [.. kids];
    }

    private static void AssertAllGone(int[] pids)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(20))
        {
            if (pids.All(p => !IsAlive(p)))
            {
                return;
            }

            Thread.Sleep(100);
        }

        Assert.Fail($"seed processes still running 20 s after their parent stopped: {string.Join(", ", pids.Where(IsAlive))}");
    }

    // A zombie (exited, not yet reaped by a dead parent's reaper) counts as gone.
    private static bool IsAlive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
