using System.Text.Json;
using Helmholtz.Tests.Data;

namespace Helmholtz.Tests.Cli.Commands;

/// <summary><c>pc generative</c> then <c>pc complete</c> on the embedded digits, as a user runs them (a tiny model, one epoch).</summary>
public sealed class PcGenerativeCommandTests
{
    [Fact]
    public void CompletionWritesTheFigureAndComparesWithTheMeanFill()
    {
        using var dir = new TempDirectory();
        var (code, _, stderr) = CliProcess.Run("pc", "generative", "--epochs", "1", "--latent", "4", "--hidden", "16", "-T", "5", "--out", dir.Path);
        Assert.True(code == 0, $"exit code {code}; stderr: {stderr}");
        string checkpoint = dir.File("checkpoint.safetensors");

        double MeanFill(string mask, string seed)
        {
            var (c, stdout, err) = CliProcess.Run("pc", "complete", "--checkpoint", checkpoint, "--mask", mask, "--seed", seed, "--out", dir.Path, "--json");
            Assert.True(c == 0, $"exit code {c}; stderr: {err}");
            using var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
            Assert.Equal(mask, json.RootElement.GetProperty("mask").GetString());
            Assert.Equal(2000, json.RootElement.GetProperty("images").GetInt32());
            Assert.True(double.IsFinite(json.RootElement.GetProperty("pc_mse").GetDouble()));
            return json.RootElement.GetProperty("mean_fill_mse").GetDouble();
        }

        double bottom = MeanFill("bottom", "1"), random1 = MeanFill("random", "1"), random2 = MeanFill("random", "2");
        Assert.True(File.Exists(dir.File("completion.png")) && File.Exists(dir.File("completion.svg")));
        Assert.True(File.Exists(dir.File("completion-random.png")), "the random mask's figure must not overwrite the bottom mask's");
        Assert.NotEqual(bottom, random1); // different pixels hidden
        Assert.NotEqual(random1, random2); // the seed draws the random halves
        Assert.InRange(random1, 0.5 * bottom, 1.5 * bottom);

        var (bad, _, badErr) = CliProcess.Run("pc", "complete", "--checkpoint", checkpoint, "--mask", "diagonal");
        Assert.Equal(2, bad);
        Assert.Contains("--mask must be bottom, top, left, right or random (got 'diagonal')", badErr);
    }
}
