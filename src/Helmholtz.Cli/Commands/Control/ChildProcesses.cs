using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Helmholtz.Cli.Commands.Control;

/// <summary>
/// The child processes of a sweep over seeds: on SIGTERM, SIGINT or SIGHUP to the parent they are sent SIGTERM, waited
/// for (then killed if they linger), and the parent exits non-zero; each child also watches its standard input, a
/// pipe from the parent, and exits when the parent is gone (the pipe closes however the parent died).
/// </summary>
internal sealed class ChildProcesses : IDisposable
{
    /// <summary>The environment variable that tells a child to exit when its standard input closes.</summary>
    public const string WatchParentVariable = "HELMHOLTZ_EXIT_WITH_PARENT";

    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<int, Process> _running = new();
    private readonly CancellationTokenSource _stop;
    private readonly PosixSignalRegistration[] _signals;

    /// <summary>Starts forwarding termination signals (and cancellation of <paramref name="cancellationToken"/>) to the children.</summary>
    public ChildProcesses(CancellationToken cancellationToken)
    {
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _signals = OperatingSystem.IsWindows() ? [] :
            [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP }.Select(s => PosixSignalRegistration.Create(s, OnSignal))];
        _stop.Token.Register(TerminateAll);
    }

    /// <summary>The signal that stopped the sweep, or null.</summary>
    public PosixSignal? Signal { get; private set; }

    /// <summary>Cancelled when the sweep must stop.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>The exit code for a stopped sweep: 128 + the signal number (130 for SIGINT, 143 for SIGTERM), or 1 when cancelled otherwise.</summary>
    public int StoppedExitCode => Signal switch
    {
        PosixSignal.SIGINT => 130,
        PosixSignal.SIGTERM => 143,
        PosixSignal.SIGHUP => 129,
        _ => 1,
    };

    /// <summary>Starts a child with its standard input a pipe from this process, so that it can watch for the parent's death.</summary>
    public Process Start(ProcessStartInfo psi)
    {
        psi.RedirectStandardInput = true;
        psi.Environment[WatchParentVariable] = "1";
        var p = Process.Start(psi) ?? throw new InvalidOperationException("Could not start a child process.");
        _running[p.Id] = p;
        if (_stop.IsCancellationRequested)
        {
            Terminate(p);
        }

        return p;
    }

    /// <summary>Forgets an exited child.</summary>
    public void Exited(Process p) => _running.TryRemove(p.Id, out _);

    /// <summary>Stops forwarding; kills any child still running (as after an exception in the parent).</summary>
    public void Dispose()
    {
        foreach (var s in _signals)
        {
            s.Dispose();
        }

        foreach (var p in _running.Values)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill();
                    p.WaitForExit(Grace);
                }
            }
            catch (InvalidOperationException)
            {
            }
        }

        _stop.Dispose();
    }

    /// <summary>In a child: exits (running the exit handlers, which release its run-folder lock) once standard input closes, i.e. the parent is gone.</summary>
    public static void ExitWithParent()
    {
        if (Environment.GetEnvironmentVariable(WatchParentVariable) != "1")
        {
            return;
        }

        var watcher = new Thread(() =>
        {
            using var stdin = Console.OpenStandardInput();
            var buffer = new byte[64];
            try
            {
                while (stdin.Read(buffer) > 0)
                {
                }
            }
            catch (IOException)
            {
            }

            Console.Error.WriteLine("error: the parent process has gone; stopping.");
            Environment.Exit(143);
        })
        { IsBackground = true, Name = "parent watch" };
        watcher.Start();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // Keep the parent alive until its children have stopped; it then exits with 128 + the signal number.
        context.Cancel = true;
        Signal ??= context.Signal;
        Console.Error.WriteLine($"error: {context.Signal}: stopping {_running.Count} seed process(es)");
        _stop.Cancel();
    }

    private void TerminateAll()
    {
        foreach (var p in _running.Values)
        {
            Terminate(p);
        }

        // Give them time to release their run folders, then make sure.
        var deadline = DateTime.UtcNow + Grace;
        foreach (var p in _running.Values)
        {
            var left = deadline - DateTime.UtcNow;
            try
            {
                if (!p.WaitForExit(left > TimeSpan.Zero ? left : TimeSpan.Zero))
                {
                    p.Kill();
                }
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    private static void Terminate(Process p)
    {
        try
        {
            if (!p.HasExited)
            {
                // .NET sends only SIGKILL (Process.Kill), which would leave the child no time to release its run folder.
                using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
                kill?.WaitForExit();
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
            p.Kill(); // no kill(1) on this system
        }
    }
}
