namespace Helmholtz.Tests.Cli.Commands;

/// <summary>
/// What users see from <c>helmholtz aif evaluate</c>, compared with reviewed golden files in TestData/cli: the help text
/// and the one-line error for a model whose column does not sum to 1 (exit code 2). The CLI runs as a child process
/// (the built Helmholtz.Cli.dll beside the tests) so that Spectre's help writer and the error handler are the real ones.
/// </summary>
public sealed class AifCommandGoldenTests
{
    private static (int Code, string Stdout, string Stderr) RunCli(params string[] args) => CliProcess.Run(args);

    private static string Golden(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "cli", name));

    private static string Normalise(string text) => string.Join('\n', text.Replace("\r\n", "\n").Split('\n').Select(l => l.TrimEnd())).Trim();

    [Fact]
    public void HelpTextMatchesGoldenFile()
    {
        var (code, stdout, stderr) = RunCli("aif", "evaluate", "--help");
        Assert.True(code == 0, $"exit code {code}; stderr: {stderr}");
        Assert.Equal(Normalise(Golden("aif-evaluate-help.txt")), Normalise(stdout));
    }

    [Fact]
    public void NonNormalisedColumnGivesTheGoldenErrorAndExitCode2()
    {
        var model = Path.Combine("TestData", "cli", "aif-bad-model.json");
        var (code, stdout, stderr) = RunCli("aif", "evaluate", "--model", model, "--trajectory", Path.Combine("TestData", "cli", "aif-trajectory.json"), "--json");
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal(Normalise(Golden("aif-evaluate-bad-column.txt")), Normalise(stderr));
    }
}
