using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json;

namespace Helmholtz.Training;

/// <summary>Who holds a run folder: the process, its host, when it started and what it runs.</summary>
/// <param name="ProcessId">The owner's process id.</param>
/// <param name="Host">The owner's machine name.</param>
/// <param name="Started">When the owning process started (UTC).</param>
/// <param name="Command">What the owner runs (for people; never parsed).</param>
/// <param name="Token">A random token that tells two holders with the same process id apart.</param>
public sealed record RunFolderOwner(int ProcessId, string Host, DateTimeOffset Started, string Command, string Token)
{
    /// <summary>A one-line description: process id, host, start time and command.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"process {ProcessId} on {Host}, started {Started.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC, running '{Command}'");
}

/// <summary>A run folder is in use by another live run.</summary>
public sealed class RunFolderLockedException : IOException
{
    /// <summary>Creates the exception for <paramref name="directory"/> held by <paramref name="owner"/>.</summary>
    public RunFolderLockedException(string directory, RunFolderOwner owner)
        : base($"Run folder '{directory}' is in use by {owner}. Wait for that run to end or choose another folder"
            + (owner.Host == Environment.MachineName ? "." : $" (it runs on another machine; if it has ended, delete {System.IO.Path.Combine(directory, RunFolderLock.FileName)})."))
    {
        Directory = directory;
        Owner = owner;
    }

    /// <summary>The folder.</summary>
    public string Directory { get; }

    /// <summary>The run that holds it.</summary>
    public RunFolderOwner Owner { get; }
}

/// <summary>
/// Exclusive ownership of a run folder while a run writes it: a lock file <c>run.lock</c> holding the owner's process
/// id, host, start time and command. Released by <see cref="Dispose"/> and, as a fallback, when the process exits or receives SIGTERM, SIGINT, SIGHUP or SIGQUIT.
/// </summary>
/// <remarks>
/// The lock file is only ever read and changed under an exclusive advisory lock on it (<see cref="FileShare.None"/>),
/// so deciding whether it is free and claiming it is one atomic step. A lock whose owner is gone (same host, and no
/// live process with that id and start time) is stale and is taken over; so is an empty or unreadable lock file (its
/// writer died while writing it). A lock held from another host cannot be checked and is always respected. The claim
/// is confirmed by reading the file back after the advisory lock is released, which also covers a lock file deleted
/// by its owner while this process waited on it.
/// </remarks>
public sealed class RunFolderLock : IDisposable
{
    /// <summary>The lock file's name inside the run folder.</summary>
    public const string FileName = "run.lock";

    // Transient contention (another process reading or writing the lock file at this instant) is retried this often.
    private const int Attempts = 200;
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(25);

    // A process's start time is recorded to the second; /proc gives it in clock ticks, so allow a little slack.
    private static readonly TimeSpan StartTimeSlack = TimeSpan.FromSeconds(2);

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly EventHandler _onExit;
    private readonly PosixSignalRegistration[] _onSignal;
    private readonly Lock _gate = new();
    private volatile bool _released;

    private RunFolderLock(string path, RunFolderOwner owner)
    {
        Path = path;
        Owner = owner;
        _onExit = (_, _) => Release();
        AppDomain.CurrentDomain.ProcessExit += _onExit;

        // A terminating signal ends the process without running finally blocks: release first, then let the signal's
        // default action (termination) go ahead, as the handler does not cancel it.
        _onSignal = OperatingSystem.IsWindows() ? [] :
            [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP, PosixSignal.SIGQUIT }.Select(s => PosixSignalRegistration.Create(s, _ => Release()))];
    }

    /// <summary>The lock file's path.</summary>
    public string Path { get; }

    /// <summary>This process's entry in the lock file.</summary>
    public RunFolderOwner Owner { get; }

    /// <summary>Whether the lock is still held (not yet released).</summary>
    public bool IsHeld => !_released;

    /// <summary>The stale owner whose lock was taken over, or null when the folder was free.</summary>
    public RunFolderOwner? Replaced { get; private set; }

    /// <summary>Takes the lock of <paramref name="directory"/> (creating the folder) for a run described by <paramref name="command"/>.</summary>
    /// <exception cref="RunFolderLockedException">Another live run holds the folder.</exception>
    /// <exception cref="IOException">The lock file stayed busy for several seconds or cannot be written.</exception>
    public static RunFolderLock Acquire(string directory, string command)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentNullException.ThrowIfNull(command);
        Directory.CreateDirectory(directory);
        string path = System.IO.Path.Combine(directory, FileName);
        var me = CurrentOwner(command);
        string mine = JsonSerializer.Serialize(me, Json);
        RunFolderOwner? replaced = null;

        // The release handlers are in place before the lock file is written, so that a signal arriving just after the
        // write still removes it; releasing deletes the file only while it holds this owner's token.
        var held = new RunFolderLock(path, me);
        try
        {
            for (int attempt = 0; attempt < Attempts; attempt++)
            {
                string? seen = TryClaim(path, me, mine, ref replaced);
                if (seen is null)
                {
                    // Our entry was written (or was already there); confirm that the file at the path is the one we wrote.
                    if (ReadOrNull(path) == mine)
                    {
                        held.Replaced = replaced;
                        return held;
                    }
                }
                else if (Parse(seen) is { } owner && ReadOrNull(path) == seen)
                {
                    throw new RunFolderLockedException(directory, owner);
                }

                Thread.Sleep(RetryDelay);
            }

            throw new IOException($"Could not lock run folder '{directory}': {path} stayed busy for {(Attempts * RetryDelay).TotalSeconds:0} s.");
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>Releases the lock: if the lock file still holds this owner's entry, deletes the folder's hidden temporaries (<c>.*.tmp</c>) and the lock file. Idempotent.</summary>
    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= _onExit;
        foreach (var registration in _onSignal)
        {
            registration.Dispose();
        }

        Release();
    }

    /// <summary>Whether <paramref name="owner"/> is certainly gone: it ran on this host and no live process has its id and start time.</summary>
    public static bool IsStale(RunFolderOwner owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        if (owner.Host != Environment.MachineName)
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(owner.ProcessId);
            if (process.HasExited)
            {
                return true;
            }

            // A live process with that id but a different start time is a later process that reused the id.
            return (process.StartTime.ToUniversalTime() - owner.Started.UtcDateTime).Duration() > StartTimeSlack;
        }
        catch (ArgumentException)
        {
            return true; // no process with that id
        }
        catch (InvalidOperationException)
        {
            return true; // it exited while we looked
        }
    }

    /// <summary>
    /// Under the exclusive advisory lock: writes <paramref name="mine"/> when the file is free, stale, unreadable or
    /// already ours and returns null; returns the file's content when a live owner holds it, or "" when the file is busy.
    /// </summary>
    private static string? TryClaim(string path, RunFolderOwner me, string mine, ref RunFolderOwner? replaced)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex) when (ex is not (DirectoryNotFoundException or PathTooLongException))
        {
            return ""; // another process holds the advisory lock right now
        }

        using (stream)
        {
            string text;
            using (var reader = new StreamReader(stream, leaveOpen: true))
            {
                text = reader.ReadToEnd();
            }

            var owner = Parse(text);
            if (owner is not null && owner.Token != me.Token)
            {
                if (!IsStale(owner))
                {
                    return text;
                }

                replaced = owner;
            }

            stream.SetLength(0);
            stream.Position = 0;
            using (var writer = new StreamWriter(stream, leaveOpen: true))
            {
                writer.Write(mine);
            }

            stream.Flush(flushToDisk: true);
        }

        return null;
    }

    private void Release()
    {
        // A signal handler and Dispose may race at exit: the second caller waits until the first has finished.
        lock (_gate)
        {
            if (_released)
            {
                return;
            }

            DeleteIfOurs();
            _released = true;
        }
    }

    private void DeleteIfOurs()
    {
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            try
            {
                using var stream = new FileStream(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
                using var reader = new StreamReader(stream);
                if (Parse(reader.ReadToEnd())?.Token == Owner.Token)
                {
                    // Still the owner: a temporary of a write cut short (by the signal that brought us here) goes too.
                    RunFolder.RemoveStaleTemporaries(System.IO.Path.GetDirectoryName(Path)!);
                    File.Delete(Path);
                }

                return;
            }
            catch (FileNotFoundException)
            {
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException)
            {
                Thread.Sleep(RetryDelay);
            }
            catch (UnauthorizedAccessException)
            {
                return;
            }
        }
    }

    private static RunFolderOwner CurrentOwner(string command)
    {
        using var self = Process.GetCurrentProcess();
        var started = new DateTimeOffset(self.StartTime.ToUniversalTime());
        return new RunFolderOwner(Environment.ProcessId, Environment.MachineName, started, command, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)));
    }

    private static RunFolderOwner? Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        try
        {
            var owner = JsonSerializer.Deserialize<RunFolderOwner>(text, Json);
            return owner is { Host: not null, Command: not null, Token: not null } ? owner : null;
        }
        catch (JsonException)
        {
            return null; // torn by a writer that died: stale
        }
    }

    private static string? ReadOrNull(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
