using System.Text.Json;

namespace Helmholtz.Tests.Cli.Commands.Aif;

/// <summary>aif fit and aif recover as the built binary runs them: the files they write, and exit code 2 with the CSV reader's message.</summary>
public sealed class AifFitCommandTests
{
    [Fact]
    public void RecoverThenFitWriteTheirFiles()
    {
        string dir = Directory.CreateTempSubdirectory("h13-fit").FullName;
        try
        {
            string recover = Path.Combine(dir, "recover");
            var (code, stdout, stderr) = CliProcess.Run("aif", "recover", "--task", "bandit", "--subjects", "4", "--trials", "15", "--seed", "3",
                "--parameters", "gamma", "--out", recover, "--json");
            Assert.True(code == 0, stderr);
            using (var json = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]))
            {
                Assert.True(json.RootElement.GetProperty("correlations").TryGetProperty("gamma", out _));
            }

            Assert.True(File.Exists(Path.Combine(recover, "recovery.png")));
            Assert.True(File.Exists(Path.Combine(recover, "recovery.csv")));

            string fit = Path.Combine(dir, "fit");
            (code, stdout, stderr) = CliProcess.Run("aif", "fit", "--model", "bandit", "--data", Path.Combine(recover, "behaviour.csv"), "--parameters", "gamma",
                "--out", fit, "--json");
            Assert.True(code == 0, stderr);
            var rows = File.ReadAllLines(Path.Combine(fit, "estimates.csv"));
            Assert.Equal("subject,choices,log_likelihood,log_posterior,gamma,gamma_se,gamma_z,gamma_z_se", rows[0]);
            Assert.Equal(5, rows.Length);
            Assert.True(File.Exists(Path.Combine(fit, "estimates.png")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void AFreeForgettingRateIsRefusedWhereTheDesignTiesItToTheLearningRate()
    {
        string dir = Directory.CreateTempSubdirectory("h13-fit").FullName;
        try
        {
            var (code, _, stderr) = CliProcess.Run("aif", "recover", "--task", "bandit", "--subjects", "2", "--trials", "1",
                "--parameters", "gamma,forgetting_rate", "--out", Path.Combine(dir, "out"));
            Assert.Equal(2, code);
            Assert.Contains("ties the forgetting rate to the learning rate", stderr);
            (code, _, stderr) = CliProcess.Run("aif", "recover", "--task", "bandit", "--memory", "-1", "--out", Path.Combine(dir, "out"));
            Assert.Equal(2, code);
            Assert.Contains("--memory -1", stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ABadBehaviourFileExitsTwoWithFileLineAndColumn()
    {
        string dir = Directory.CreateTempSubdirectory("h13-fit").FullName;
        try
        {
            string data = Path.Combine(dir, "bad.csv");
            File.WriteAllText(data, "subject,trial,obs_0,obs_1,action_0\na,0,0,0,7\na,0,1,1,\n");
            var (code, _, stderr) = CliProcess.Run("aif", "fit", "--model", "bandit", "--data", data, "--out", Path.Combine(dir, "out"));
            Assert.Equal(2, code);
            Assert.Contains("bad.csv, line 2, column 5 (action_0): unknown action 7: factor 0 has controls 0…1", stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
