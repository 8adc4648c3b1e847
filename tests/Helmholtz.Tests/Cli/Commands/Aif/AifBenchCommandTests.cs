using System.Text.Json;

namespace Helmholtz.Tests.Cli.Commands.Aif;

/// <summary><c>helmholtz bench aif --agents N</c> and <c>--env factors</c>.</summary>
public sealed class AifBenchCommandTests
{
    [Fact]
    public void AgentsPrintsAgentStepsPerSecondAndBytesPerAgent()
    {
        var (code, stdout, stderr) = CliProcess.Run("bench", "aif", "--env", "tmaze", "--agents", "50", "--steps", "3", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        var root = doc.RootElement;
        Assert.Equal(50, root.GetProperty("agents").GetInt32());
        Assert.Equal(3, root.GetProperty("steps").GetInt32());
        Assert.True(root.GetProperty("agent_steps_per_second").GetDouble() > 0);
        Assert.True(root.GetProperty("bytes_per_agent").GetInt64() > 0);
    }

    [Fact]
    public void FactorsStepsTheTwelveFactorModel()
    {
        var (code, stdout, stderr) = CliProcess.Run("bench", "aif", "--env", "factors", "--steps", "2", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        Assert.Equal(16_777_216, doc.RootElement.GetProperty("states").GetInt32());
        Assert.True(doc.RootElement.GetProperty("ms_per_step").GetDouble() > 0);
    }

    [Theory]
    [InlineData("--agents", "0", "--agents")]
    [InlineData("--env", "dial", "batches run tmaze and grid only")]
    public void BadAgentSettingsAreRefused(string flag, string value, string message)
    {
        string[] args = flag == "--env" ? ["bench", "aif", "--env", value, "--agents", "4"] : ["bench", "aif", flag, value];
        var (code, _, stderr) = CliProcess.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr);
    }
}
