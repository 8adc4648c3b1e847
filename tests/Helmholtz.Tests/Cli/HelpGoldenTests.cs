using Helmholtz.Cli;
using Spectre.Console;

namespace Helmholtz.Tests.Cli;

/// <summary>
/// What users see is a reviewed change: the help text of every command, found by walking the command tree from the
/// top-level help, is compared with a stored file in TestData/cli. To accept a deliberate change, run the tests with
/// HELMHOLTZ_UPDATE_GOLDEN=1 and review the diff of those files.
/// </summary>
public sealed class HelpGoldenTests
{
    private const string GoldenPrefix = "help";

    public static TheoryData<string> Commands()
    {
        var data = new TheoryData<string>();
        foreach (var command in CommandTree())
        {
            data.Add(command);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void HelpMatchesGoldenFile(string command)
    {
        var (code, actual) = Help(command);
        Assert.Equal(0, code);
        string name = GoldenName(command);
        string source = RepositoryFiles.Path("tests/Helmholtz.Tests/TestData/cli/" + name);
        if (Environment.GetEnvironmentVariable("HELMHOLTZ_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(source, actual);
            return;
        }

        string expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "TestData", "cli", name));
        Assert.Equal(expected, actual);
    }

    /// <summary>Every help golden file belongs to a command that still exists, and the walk found the whole tree.</summary>
    [Fact]
    public void EveryGoldenFileBelongsToACommand()
    {
        var tree = CommandTree();
        var expected = tree.Select(GoldenName).Order(StringComparer.Ordinal).ToArray();
        var stored = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "TestData", "cli"), GoldenPrefix + "*.txt")
            .Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, stored);
        Assert.Contains("pc agreement", tree); // a leaf two levels down: the walk descends into branches
        Assert.Contains("aif run", tree);
    }

    /// <summary>The top level ("") and every branch and command under it, from the COMMANDS sections of the help texts.</summary>
    internal static IReadOnlyList<string> CommandTree()
    {
        var found = new List<string>();
        var pending = new Queue<string>([""]);
        while (pending.TryDequeue(out var command))
        {
            found.Add(command);
            foreach (var child in SubCommands(Help(command).Text))
            {
                pending.Enqueue(command.Length == 0 ? child : $"{command} {child}");
            }
        }

        return found;
    }

    /// <summary>The names listed under COMMANDS: in a help text (a name starts a line indented by four spaces).</summary>
    internal static IEnumerable<string> SubCommands(string help)
    {
        bool inCommands = false;
        foreach (var line in help.Split('\n'))
        {
            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                inCommands = line.StartsWith("COMMANDS:", StringComparison.Ordinal);
                continue;
            }

            if (inCommands && line.StartsWith("    ", StringComparison.Ordinal) && line.Length > 4 && !char.IsWhiteSpace(line[4]))
            {
                yield return line[4..].Split(' ', 2)[0];
            }
        }
    }

    /// <summary>A console without colours, ANSI codes or interaction that writes into <paramref name="writer"/>.</summary>
    internal static IAnsiConsole PlainConsole(TextWriter writer) => AnsiConsole.Create(new AnsiConsoleSettings
    {
        Ansi = AnsiSupport.No,
        ColorSystem = ColorSystemSupport.NoColors,
        Interactive = InteractionSupport.No,
        Out = new AnsiConsoleOutput(writer),
    });

    private static (int Code, string Text) Help(string command)
    {
        var writer = new StringWriter();
        var console = PlainConsole(writer);
        console.Profile.Width = 120;
        string[] args = [.. command.Split(' ', StringSplitOptions.RemoveEmptyEntries), "--help"];
        int code = Program.CreateApp(console).Run(args);
        string text = string.Join('\n', writer.ToString().Split('\n').Select(l => l.TrimEnd())).Trim() + "\n";
        return (code, text);
    }

    private static string GoldenName(string command) =>
        command.Length == 0 ? GoldenPrefix + ".txt" : $"{GoldenPrefix}-{command.Replace(' ', '-')}.txt";
}
