using System.Text.Json;
using Helmholtz.Tests.Cli.Infrastructure;

namespace Helmholtz.Tests.Cli.Commands.Aif;

public sealed class ExampleFilesTests
{
    [Fact]
    public void TheReadmesEvaluateExampleRunsOnTheShippedFiles()
    {
        var (code, stdout, stderr) = CliInProcess.Run("aif", "evaluate", "--model", RepositoryFiles.Path("examples/aif/model.json"),
            "--trajectory", RepositoryFiles.Path("examples/aif/trajectory.json"), "--json");
        Assert.True(code == 0, $"exit code {code}; stderr: {stderr}");
        using var json = JsonDocument.Parse(stdout.TrimEnd().Split('\n')[^1]);
        Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
        Assert.Contains("examples/aif/model.json", File.ReadAllText(RepositoryFiles.Path("README.md")), StringComparison.Ordinal);
    }
}
