using Helmholtz.Tests.Cli.Infrastructure;

namespace Helmholtz.Tests.Cli.Commands.Pc;

public sealed class PcAgreementCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("helmholtz-agreement-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void TheThesisSpellingTIsTheNumberOfInferenceIterations()
    {
        string Json(string name, params string[] steps)
        {
            var (code, stdout, stderr) = CliInProcess.Run(["pc", "agreement", "--batch", "4", "--json", "--out", Path.Combine(_root, name), .. steps]);
            Assert.True(code == 0, $"exit code {code}; stderr: {stderr}");
            return stdout.TrimEnd().Split('\n')[^1].Replace(Path.Combine(_root, name), "OUT", StringComparison.Ordinal);
        }

        string viaT = Json("t", "--T", "1");
        Assert.Equal(Json("iterations", "--iterations", "1"), viaT);
        Assert.NotEqual(Json("default"), viaT); // one step is fewer than the MLP is deep, so PC has not yet reached backprop as with the default 200
    }

    [Fact]
    public void PipedResultsGoToStdoutUnwrapped()
    {
        string dir = Path.Combine(_root, "piped");
        var (code, stdout, stderr) = CliProcess.Run("pc", "agreement", "--batch", "4", "--T", "1", "--out", dir);
        Assert.True(code == 0, $"exit code {code}; stderr: {stderr}");
        string[] lines = stdout.Split('\n');
        Assert.Contains(lines, l => l.StartsWith("╭", StringComparison.Ordinal)); // the table
        string summary = Assert.Single(lines, l => l.StartsWith("pc-fixed vs backprop on mlp", StringComparison.Ordinal));
        Assert.EndsWith("figure in " + dir, summary.TrimEnd(), StringComparison.Ordinal); // one line, longer than 80 columns
    }
}
