using Helmholtz.Tests.Cli.Commands;

namespace Helmholtz.Tests.Cli;

/// <summary><c>helmholtz --version</c> prints the version set in Directory.Build.props (the one place it is set).</summary>
public sealed class VersionTests
{
    [Fact]
    public void VersionIsTheOneOfDirectoryBuildProps()
    {
        var (code, stdout, _) = CliProcess.Run("--version");
        Assert.Equal(0, code);
        string props = File.ReadAllText(RepositoryFiles.Path("Directory.Build.props"));
        int start = props.IndexOf("<VersionPrefix>", StringComparison.Ordinal) + "<VersionPrefix>".Length;
        string version = props[start..props.IndexOf("</VersionPrefix>", StringComparison.Ordinal)];
        Assert.Equal(version, stdout.Trim());
    }
}
