using System.Diagnostics;

namespace Helmholtz.Tests.Cli.Commands;

/// <summary>Runs the built CLI (Helmholtz.Cli.dll beside the tests) as a child process, so that Spectre's help writer and the error handler are the real ones.</summary>
internal static class CliProcess
{
    public static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Helmholtz.Cli.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // A fixed width and no colour, so the text does not depend on the terminal that runs the tests.
        psi.Environment["COLUMNS"] = "100";
        psi.Environment["NO_COLOR"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(60_000), "the CLI did not exit within 60 s");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
