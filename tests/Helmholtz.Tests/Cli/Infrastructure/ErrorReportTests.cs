using Helmholtz.Cli.Infrastructure;
using Helmholtz.Tests.Cli.Commands;

namespace Helmholtz.Tests.Cli.Infrastructure;

/// <summary>
/// What users see when something is wrong: parse errors and bad values name the option as typed and what it accepts
/// (exit 2), divergence is an error (exit 2), and an unexpected failure is reported as a bug (exit 1). Commands that
/// fail before any work run in process; those that start a progress display run as a child process, since Spectre
/// allows one live display per process and other test classes run commands at the same time.
/// </summary>
public sealed class ErrorReportTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("helmholtz-errors-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("error: --shuffle 'maybe': expected true or false.", "train", "--shuffle", "maybe")]
    [InlineData("error: --epochs needs a value (an integer).", "train", "--epochs")]
    [InlineData("error: --epochs needs a value (an integer).", "train", "--epochs", "--lr", "0.1")]
    [InlineData("error: --epochs 'x': expected an integer.", "train", "--epochs=x")]
    [InlineData("error: --goal 'x': expected an integer.", "aif", "run", "grid", "--goal", "x")]
    [InlineData("error: Option --lr must be > 0.", "aif", "control", "--env", "cartpole", "--lr", "0")]
    [InlineData("error: Option --lr must be > 0.", "aif", "control", "--env", "cartpole", "--agent", "dqn", "--lr", "0")]
    [InlineData("error: --batch-size 0: must be 1…65536.", "aif", "control", "--env", "cartpole", "--agent", "dqn", "--batch-size", "0")]
    [InlineData("error: Option --tau must be in (0, 1].", "aif", "control", "--env", "cartpole", "--agent", "dqn", "--tau", "0")]
    [InlineData("error: Option --epsilon-end must be in [0, 1].", "aif", "control", "--env", "cartpole", "--agent", "dqn", "--epsilon-end", "2")]
    [InlineData("error: --width 0: must be 1…65536.", "pc", "depth", "--width", "0")]
    [InlineData("Did you mean 'tmaze'?", "bench", "aif", "--env", "tmze")]
    [InlineData("error: LearningRate", "aif", "control", "--env", "cartpole", "--agent", "planner", "--lr", "0", "--episodes", "1")]
    [InlineData("error: --pixel-variance 0: must be a finite number > 0.", "pc", "generative", "--pixel-variance", "0")]
    [InlineData("error: Unknown option '--T' for this command (see --help).", "aif", "run", "tmaze", "--T", "5")]
    [InlineData("error: --iterations 0: must be 1…100000.", "pc", "agreement", "--T", "0")] // --T is pc agreement's --iterations
    [InlineData("Did you mean 'cartpole'?", "aif", "control", "--env", "cartpol")]
    [InlineData("Did you mean 'pc-fixed'?", "train", "--algo", "pcfixed")]
    [InlineData("Did you mean 'mlp'?", "train", "--model", "mpl")]
    public void BadInputNamesTheOptionAsTypedAndWhatItAccepts(string expected, params string[] args)
    {
        var (code, _, stderr) = CliInProcess.Run(args);
        Assert.Equal(2, code);
        if (expected == "error: LearningRate")
        {
            // The planner's learning rate is --lr too.
            CliInProcess.AssertErrorLine(stderr, l => l.Contains("--lr", StringComparison.Ordinal) && !l.Contains("LearningRate", StringComparison.Ordinal), "--lr");
        }
        else if (expected.StartsWith("error:", StringComparison.Ordinal))
        {
            CliInProcess.AssertErrorLine(stderr, l => l == expected, expected);
        }
        else
        {
            CliInProcess.AssertErrorLine(stderr, l => l.EndsWith(expected, StringComparison.Ordinal), expected);
        }
    }

    [Theory]
    [InlineData("explore")]
    [InlineData("exploration")]
    public void JsonModePrintsOnlyTheJsonObjectOnStdout(string command)
    {
        string table = Path.Combine(_root, "table.csv");
        File.WriteAllText(table, "objective,info_gain,seed,first_success,coverage\nreward,without,1,,0.25\nreward,with,1,,0.5\n");
        string[] args = command == "explore"
            ? ["aif", "explore", "--env", "sparse-mountaincar", "--objectives", "reward", "--seeds", "1", "--planned", "1", "--grid", "4", "--out", Path.Combine(_root, "explore"), "--json"]
            : ["aif", "exploration", "--table", table, "--out", Path.Combine(_root, "fig"), "--json"];
        var (code, stdout, stderr) = CliProcess.Run(args);
        Assert.True(code == 0, $"exit {code}: {stderr}");
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1 && lines[0].StartsWith("{\"arms\"", StringComparison.Ordinal), $"stdout holds more than the JSON object:\n{stdout}");
    }

    [Fact]
    public void AnUnexpectedFailureExitsOneWithItsTypeAndAHintToReportIt()
    {
        var (code, _, stderr) = CliInProcess.Capture(() => ErrorReport.Handle(new InvalidOperationException("the buffer is in a bad state."), ["train"]));
        Assert.Equal(1, code);
        string line = CliInProcess.AssertErrorLine(stderr, l => l.Contains("the buffer is in a bad state.", StringComparison.Ordinal), "the message");
        Assert.Contains("System.InvalidOperationException", line);
        Assert.Contains("please report it", line);
        Assert.Contains(ErrorReport.DebugVariable, line);
        Assert.DoesNotContain("   at Helmholtz", stderr); // no stack trace without the debug variable
    }

    [Fact]
    public void AFileSystemFailureExitsOneWithItsMessageAndIsNotCalledABug()
    {
        var (code, _, stderr) = CliInProcess.Capture(() => ErrorReport.Handle(new IOException("No space left on device : 'runs/a/metrics.csv'"), ["train"]));
        Assert.Equal(1, code);
        string line = CliInProcess.AssertErrorLine(stderr, l => l.Contains("No space left on device", StringComparison.Ordinal), "the message");
        Assert.DoesNotContain("please report it", line);
        Assert.Equal(1, ErrorReport.Handle(new UnauthorizedAccessException("Access to the path 'runs/a' is denied."), []));
        Assert.Equal(2, ErrorReport.Handle(new FileNotFoundException("model file 'm.json' not found"), [])); // a missing input stays bad input
    }

    [Fact]
    public void BadInputAndParseErrorsStayExitTwo()
    {
        Assert.Equal(2, ErrorReport.Handle(new ArgumentException("Epochs must be positive."), []));
        Assert.Equal(2, ErrorReport.Handle(new Helmholtz.Training.TrainingDivergedException("diverged"), []));
    }

    [Theory]
    [InlineData("The dqn agent diverged", "aif", "control", "--env", "cartpole", "--agent", "dqn", "--lr", "1e30", "--episodes", "3", "--warmup", "10")]
    [InlineData("The deep-aif agent diverged", "aif", "control", "--env", "cartpole", "--agent", "deep-aif", "--lr", "1e30", "--episodes", "3", "--warmup", "10")]
    [InlineData("The planner's model fit diverged", "aif", "control", "--env", "mountaincar-continuous", "--agent", "planner", "--lr", "1e30", "--episodes", "3", "--epochs", "2")]
    [InlineData("Predictive coding diverged", "pc", "agreement", "--iterations", "5", "--batch", "4", "--eta-v", "1e6", "--algo", "pc-standard", "--json")]
    [InlineData("The training loss became", "train", "--optimizer", "sgd", "--loss", "mse", "--lr", "1e30", "--max-batches", "3", "--epochs", "1", "--hidden", "8")]
    [InlineData("The evaluation loss became Infinity", "train", "--optimizer", "sgd", "--loss", "mse", "--lr", "1e30", "--max-batches", "1", "--epochs", "1", "--hidden", "8", "--json")]
    public void DivergenceEndsTheRunWithExitTwoAndNoResult(string expected, params string[] args)
    {
        string dir = Path.Combine(_root, "diverged");
        var (code, stdout, stderr) = CliProcess.Run([.. args, "--out", dir]);
        Assert.Equal(2, code);
        CliInProcess.AssertErrorLine(stderr, l => l.Contains(expected, StringComparison.Ordinal), expected);
        Assert.DoesNotContain("NaN", stdout);
        Assert.DoesNotContain("Infinity", stdout);
    }
}
