using Helmholtz.Cli;

namespace Helmholtz.Tests.Cli.Infrastructure;

/// <summary>
/// Runs <see cref="Program.Main"/> in this process with stdout and stderr captured. The console is process-wide, so
/// runs are serialised by a lock; output that another test class writes at the same moment can appear in the capture,
/// so assertions look for the expected line rather than comparing the whole text.
/// </summary>
internal static class CliInProcess
{
    private static readonly Lock Gate = new();

    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => Capture(() => Program.Main(args));

    /// <summary>Runs <paramref name="action"/> with stdout and stderr captured.</summary>
    public static (int Code, string Stdout, string Stderr) Capture(Func<int> action)
    {
        lock (Gate)
        {
            // Not disposed: a test class running in parallel may still hold the writer for a moment after it is swapped back.
            var (oldOut, oldError) = (Console.Out, Console.Error);
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            Console.SetOut(stdout);
            Console.SetError(stderr);
            try
            {
                int code = action();
                return (code, stdout.ToString(), stderr.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldError);
            }
        }
    }

    /// <summary>The lines of <paramref name="stderr"/> that start with <c>error:</c>.</summary>
    public static string[] ErrorLines(string stderr) =>
        stderr.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.StartsWith("error:", StringComparison.Ordinal)).ToArray();

    /// <summary>Asserts that one error line satisfies <paramref name="match"/>, printing every error line otherwise.</summary>
    public static string AssertErrorLine(string stderr, Func<string, bool> match, string expected)
    {
        var lines = ErrorLines(stderr);
        return lines.FirstOrDefault(match) ?? throw new Xunit.Sdk.XunitException($"no error line matches '{expected}'; stderr:\n{stderr}");
    }
}
