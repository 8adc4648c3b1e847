using Helmholtz.Tests.Data;

namespace Helmholtz.Tests.Cli.Commands;

/// <summary><c>aif explore</c> rejects bad input before any run, with one message and exit code 2, and writes nothing.</summary>
public sealed class ExploreCommandTests
{
    [Theory]
    [InlineData("cartpole", "reward", "1", "1", "needs a continuous mountain car task")]
    [InlineData("sparse-mountaincar", "curiosity", "1", "1", "curiosity")]
    [InlineData("sparse-mountaincar", ",", "1", "1", "--objectives: give at least one objective")]
    [InlineData("sparse-mountaincar", "reward", "3-1", "1", "--seeds '3-1'")]
    [InlineData("sparse-mountaincar", "reward", "1", "0", "--planned 0: must be 1…1000")]
    public void BadInputExitsWithCode2AndWritesNothing(string env, string objectives, string seeds, string planned, string message)
    {
        using var dir = new TempDirectory();
        var (code, _, stderr) = CliProcess.Run("aif", "explore", "--env", env, "--objectives", objectives, "--seeds", seeds, "--planned", planned, "--out", dir.Path);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr.Replace("\n", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
    }
}
