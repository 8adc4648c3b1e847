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
}
