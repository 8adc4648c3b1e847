using System.Text.Json;
using Helmholtz.Tests.Data;

namespace Helmholtz.Tests.Cli.Commands;

/// <summary>
/// Issue 15 (items 4, 5, 7): sizes that would exhaust memory or never finish, and nonsense values, are refused before any
/// work with exit code 2 and one message that names the option and the accepted range or limit.
/// </summary>
public sealed class WorkLimitCommandTests
{
    [Theory]
    [InlineData("aif run grid --size 150", "--size 150: must be 2…65")]
    [InlineData("aif run grid --size 100000", "--size 100000: must be 2…65")]
    [InlineData("aif run grid --unknown-layout --size 3 --walls 1,3", "--goal 8: unreachable from the start (cell 0)")]
    [InlineData("bench aif --env grid --size 150", "--size 150: must be 2…65")]
    [InlineData("bench aif --env dial --cells 1000000 --settings 1000000", "--cells 1000000 × --settings 1000000 needs an estimated")]
    [InlineData("aif control --env cartpole --episodes 1 --buffer 2000000000", "--buffer must be at most")]
    [InlineData("aif control --env mountaincar-continuous --agent planner --episodes 1 --horizon 100000000", "--horizon must be 1…")]
    [InlineData("aif control --env mountaincar-continuous --agent planner --episodes 1 --candidates 1000000000", "--candidates must be 20…")]
    [InlineData("aif explore --grid 100000000", "--grid 100000000: must be 1…1000")]
    [InlineData("train --T 2000000000", "--T must be positive, 1…100000 (got 2000000000)")]
    [InlineData("train --model rnn --hidden 8,8,8", "--hidden must be one hidden state size for rnn")]
    [InlineData("pc depth --depths 100000", "--depths must list numbers of hidden layers, each 1…1000")]
    [InlineData("pc agreement --iterations 2000000000", "--iterations 2000000000: must be 1…100000.")]
    [InlineData("aif control --env cartpole --gradient-steps 100000", "--gradient-steps 100000: must be 1…10000")]
    [InlineData("train --threads 5000", "--threads must be positive, 1…1024 (got 5000)")]
    [InlineData("pc generative --latent 100000000", "--latent 100000000: must be 1…65536.")]
    public void RefusedUpFrontWithTheRange(string command, string message)
    {
        using var dir = new TempDirectory();
        // Bench commands write no files and take no --out.
        string[] args = command.StartsWith("bench", StringComparison.Ordinal) ? command.Split(' ') : [.. command.Split(' '), "--out", dir.File("out")];
        var (code, _, stderr) = CliProcess.Run(args);
        Assert.Equal(2, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.File("out")) && Directory.EnumerateFiles(dir.File("out"), "*", SearchOption.AllDirectories).Any(), "a refused command wrote files");
    }

    [Theory]
    [InlineData("/dev/zero", "not a regular file")]
    [InlineData(".", "is a directory")]
    public void ModelFilesMustBeRegularFiles(string model, string message)
    {
        if (!File.Exists("/dev/zero"))
        {
            return;
        }

        var trajectory = Path.Combine(AppContext.BaseDirectory, "TestData", "cli", "aif-trajectory.json");
        var (code, _, stderr) = CliProcess.Run("aif", "evaluate", "--model", model, "--trajectory", trajectory);
        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gamma", "-1")]
    [InlineData("si_gamma", "-2")]
    [InlineData("lr_pA", "-0.5")]
    public void NegativeModelFieldsAreRefused(string key, string value)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("m.json"), $$"""{"A": [[[1, 0], [0, 1]]], "B": [[[[1, 0], [0, 1]], [[0, 1], [1, 0]]]], "{{key}}": {{value}}}""");
        File.WriteAllText(dir.File("t.json"), """{"observations": [[0]]}""");
        var (code, _, stderr) = CliProcess.Run("aif", "evaluate", "--model", dir.File("m.json"), "--trajectory", dir.File("t.json"));
        Assert.Equal(2, code);
        Assert.Contains($"{key} = {value}: must be a finite number ≥ 0", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void SophisticatedHorizonBeyondTheNodeLimitIsRefused()
    {
        // Three two-valued modalities and two factors: a depth of 12 is far beyond two million nodes per step.
        using var dir = new TempDirectory();
        var source = Path.Combine(AppContext.BaseDirectory, "TestData", "pymdp", "fpi_2f_3m");
        var model = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(File.ReadAllText(Path.Combine(source, "model.json")))!;
        model.Remove("policy_len");
        model.Remove("E");
        model["planner"] = JsonSerializer.SerializeToElement("sophisticated");
        model["si_horizon"] = JsonSerializer.SerializeToElement(12);
        File.WriteAllText(dir.File("m.json"), JsonSerializer.Serialize(model));
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var (code, _, stderr) = CliProcess.Run("aif", "evaluate", "--model", dir.File("m.json"), "--trajectory", Path.Combine(source, "trajectory.json"));
        Assert.Equal(2, code);
        Assert.Contains("si_horizon = 12: the sophisticated tree search expands more than 2,000,000 belief nodes in one step", stderr, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"the refusal took {watch.Elapsed}");
    }

    [Fact]
    public void TooDeepSophisticatedSearchNamesThePolicyLength()
    {
        // The unknown 5×5 grid at depth 8 expands more than two million nodes from the first belief: refused up front.
        using var dir = new TempDirectory();
        var (code, _, stderr) = CliProcess.Run("aif", "run", "grid", "--unknown-layout", "--planner", "sophisticated", "--policy-len", "8", "--trials", "1", "--out", dir.File("out"));
        Assert.Equal(2, code);
        Assert.Contains("--policy-len 8 (the search depth of --planner sophisticated) is too deep", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("feef,with,1,2,nan", "coverage in [0, 1]")]
    [InlineData("feef,with,1,-3,0.5", "a planned episode ≥ 1")]
    public void ExplorationTableRefusesNonsense(string row, string message)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("r.csv"), "objective,info_gain,seed,first_success,coverage\n" + row + "\n");
        var (code, _, stderr) = CliProcess.Run("aif", "exploration", "--table", dir.File("r.csv"), "--out", dir.File("fig"));
        Assert.Equal(2, code);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.File("fig.png")));
    }

    [Fact]
    public void ExplorationRefusesANaNBaseline()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("r.csv"), "objective,info_gain,seed,first_success,coverage\nfeef,with,1,2,0.5\n");
        var (code, _, stderr) = CliProcess.Run("aif", "exploration", "--table", dir.File("r.csv"), "--out", dir.File("fig"), "--baseline", "nan");
        Assert.Equal(2, code);
        Assert.Contains("--baseline NaN: must be a coverage in [0, 1]", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void RecurrentRunRecordsTheOneLayerItTrains()
    {
        using var dir = new TempDirectory();
        var (code, _, stderr) = CliProcess.Run("train", "--model", "rnn", "--epochs", "1", "--max-batches", "1", "--out", dir.File("run"));
        Assert.True(code == 0, stderr);
        using var config = JsonDocument.Parse(File.ReadAllText(dir.File("run/config.json")));
        Assert.Equal("[128]", config.RootElement.GetProperty("hidden").GetRawText().Replace(" ", "", StringComparison.Ordinal).Replace("\n", "", StringComparison.Ordinal).Replace("\r", "", StringComparison.Ordinal));
    }
}
