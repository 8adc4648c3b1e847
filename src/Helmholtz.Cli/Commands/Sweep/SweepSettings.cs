using System.ComponentModel;
using Helmholtz.Sweeps;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Sweep;

/// <summary>The sweep file argument and output-root override that every file-taking <c>sweep</c> verb shares.</summary>
internal class SweepFileSettings : CommandSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("The sweep file (JSON: command, axes, seeds, output; see docs/sweeps.md).")]
    public string File { get; init; } = "";

    [CommandOption("--output <DIR>")]
    [Description("Output root of the run folders, instead of the file's 'output' field.")]
    public string? Output { get; init; }
}

/// <summary>How the CLI reads sweep files: the commands a sweep may name and their seed and run-folder options.</summary>
internal static class SweepFiles
{
    /// <summary>The commands that take --seed and --out, so that a sweep can set both per run.</summary>
    public static readonly SweepConventions Conventions = new(
        ["train", "aif run", "aif control", "pc generative", "pc complete", "pc depth", "pc agreement", "quickstart"], "--seed", "--out");

    /// <summary>Reads the sweep file of <paramref name="settings"/>, with its output root replaced when --output is given.</summary>
    public static SweepSpec Load(SweepFileSettings settings)
    {
        if (!System.IO.File.Exists(settings.File))
        {
            throw new FileNotFoundException($"{settings.File}: no such sweep file.");
        }

        var spec = SweepSpec.Read(settings.File, Conventions);
        return settings.Output is null ? spec : spec with { Output = Path.GetFullPath(settings.Output) };
    }

    /// <summary>The <c>sweep run</c> words that perform the run at <paramref name="index"/> of the same file (and output root).</summary>
    public static List<string> RunWords(IEnumerable<string> program, string file, string index, string? output, int retries)
    {
        var words = new List<string>(program) { "sweep", "run", file, "--index", index };
        if (output is not null)
        {
            words.AddRange(["--output", output]);
        }

        if (retries > 0)
        {
            words.AddRange(["--retries", retries.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        return words;
    }

    /// <summary>Writes <paramref name="text"/> atomically to <paramref name="path"/>, or to stdout when it is null.</summary>
    public static void Emit(string text, string? path)
    {
        if (path is null)
        {
            Console.Out.Write(text);
            return;
        }

        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        Helmholtz.Data.AtomicFile.WriteAllText(path, text);
    }
}
