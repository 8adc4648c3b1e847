using System.Diagnostics;

namespace Helmholtz.Sweeps;

/// <summary>Runs one attempt of a sweep run as a child process, its output kept in the run folder.</summary>
public static class SweepProcess
{
    /// <summary>The file in a run folder that receives the child's standard output (the last attempt's).</summary>
    public const string StdoutFileName = "sweep-stdout.log";

    /// <summary>The file in a run folder that receives the child's standard error (the last attempt's).</summary>
    public const string StderrFileName = "sweep-stderr.log";

    /// <summary>
    /// Starts <paramref name="start"/> (its streams redirected to <see cref="StdoutFileName"/> and
    /// <see cref="StderrFileName"/> in <paramref name="folder"/>, which is created), waits for it and returns its exit code.
    /// </summary>
    /// <param name="start">The program and arguments; redirection and shell use are set here.</param>
    /// <param name="folder">The run folder.</param>
    /// <param name="cancellationToken">Kills the child and its descendants, then throws <see cref="OperationCanceledException"/>.</param>
    /// <exception cref="System.ComponentModel.Win32Exception">The program could not be started.</exception>
    public static int Run(ProcessStartInfo start, string folder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentException.ThrowIfNullOrEmpty(folder);
        Directory.CreateDirectory(folder);
        start.UseShellExecute = false;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var stdout = new FileStream(Path.Combine(folder, StdoutFileName), FileMode.Create, FileAccess.Write, FileShare.Read);
        using var stderr = new FileStream(Path.Combine(folder, StderrFileName), FileMode.Create, FileAccess.Write, FileShare.Read);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName}.");
        var copyOut = process.StandardOutput.BaseStream.CopyToAsync(stdout, CancellationToken.None);
        var copyErr = process.StandardError.BaseStream.CopyToAsync(stderr, CancellationToken.None);
        try
        {
            process.WaitForExitAsync(cancellationToken).GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It exited between the cancellation and the kill.
            }

            process.WaitForExit();
            Task.WaitAll(copyOut, copyErr);
            throw;
        }

        process.WaitForExit();
        Task.WaitAll(copyOut, copyErr);
        return process.ExitCode;
    }

    /// <summary>The last non-empty line of a run's <see cref="StderrFileName"/>, or null when there is none.</summary>
    public static string? LastErrorLine(SweepRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        string path = Path.Combine(run.Folder, StderrFileName);
        if (!File.Exists(path))
        {
            return null;
        }

        return File.ReadLines(path).Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);
    }
}
