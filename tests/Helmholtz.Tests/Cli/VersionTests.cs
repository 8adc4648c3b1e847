using Helmholtz.Cli;
using Helmholtz.Tests.Cli.Commands;

namespace Helmholtz.Tests.Cli;

/// <summary><c>helmholtz --version</c> prints the version set in Directory.Build.props (the one place it is set).</summary>
public sealed class VersionTests
{
    [Theory]
    [InlineData("--version")]
    [InlineData("-v")]
    public void VersionIsTheOneOfDirectoryBuildProps(string option)
    {
        var (code, stdout, _) = CliProcess.Run(option);
        Assert.Equal(0, code);
        string props = File.ReadAllText(RepositoryFiles.Path("Directory.Build.props"));
        int start = props.IndexOf("<VersionPrefix>", StringComparison.Ordinal) + "<VersionPrefix>".Length;
        string version = props[start..props.IndexOf("</VersionPrefix>", StringComparison.Ordinal)];
        Assert.Equal(version, stdout.Trim());
    }

    /// <summary>
    /// Main answers <c>--version</c> before it builds the command tree (for start-up time); what it prints must be what
    /// the command tree itself prints for the same option.
    /// </summary>
    [Theory]
    [InlineData("--version")]
    [InlineData("-v")]
    public void TheEarlyAnswerIsWhatTheCommandTreePrints(string option)
    {
        Assert.True(Program.IsVersionRequest([option]));
        var writer = new StringWriter();
        int code = Program.CreateApp(HelpGoldenTests.PlainConsole(writer)).Run([option]);
        Assert.Equal(0, code);
        Assert.Equal(Program.Version + "\n", writer.ToString().ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData]
    [InlineData("--version", "train")]
    [InlineData("train", "--version")]
    [InlineData("--help")]
    [InlineData("--verbose")]
    public void OnlyTheVersionOptionAloneIsAnsweredEarly(params string[] args) =>
        Assert.False(Program.IsVersionRequest(args));
}
