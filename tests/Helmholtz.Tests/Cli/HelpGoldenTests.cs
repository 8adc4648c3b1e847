using Helmholtz.Cli;
using Spectre.Console;

namespace Helmholtz.Tests.Cli;

/// <summary>
/// What users see is a reviewed change: help texts are compared with stored files in TestData/cli. To accept a
/// deliberate change, run the tests with HELMHOLTZ_UPDATE_GOLDEN=1 and review the diff of those files.
/// </summary>
public sealed class HelpGoldenTests
{
    public static TheoryData<string> Commands() => new()
    {
        "",
        "train",
        "quickstart",
        "bench train",
        "bench gemm",
        "pc agreement",
        "pc complete",
        "env rollout",
        "aif control",
        "aif explore",
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public void HelpMatchesGoldenFile(string command)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 120;
        string[] args = [.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"];
        int code = Program.CreateApp(console).Run(args);
        Assert.Equal(0, code);
        string actual = string.Join('\n', writer.ToString().Split('\n').Select(l => l.TrimEnd())).Trim() + "\n";
        string name = command.Length == 0 ? "help.txt" : $"help-{command.Replace(' ', '-')}.txt";
        string source = Path.Combine(SourceDirectory(), "TestData", "cli", name);
        if (Environment.GetEnvironmentVariable("HELMHOLTZ_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(source, actual);
            return;
        }

        string expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "cli", name));
        Assert.Equal(expected, actual);
    }

    private static string SourceDirectory([System.Runtime.CompilerServices.CallerFilePath] string path = "") =>
        Path.GetDirectoryName(Path.GetDirectoryName(path))!;
}
