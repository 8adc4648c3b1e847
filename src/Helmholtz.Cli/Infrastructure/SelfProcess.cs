using System.Diagnostics;

namespace Helmholtz.Cli.Infrastructure;

/// <summary>Starts this same executable as a child (seed processes of <c>aif control --seeds</c>, runs of <c>sweep run</c>).</summary>
internal static class SelfProcess
{
    /// <summary>The words that start this executable: the apphost alone, or <c>dotnet</c> and <c>Helmholtz.Cli.dll</c>; absolute paths.</summary>
    public static IReadOnlyList<string> CommandWords()
    {
        string path = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this executable is unknown.");
        return string.Equals(Path.GetFileNameWithoutExtension(path), "dotnet", StringComparison.OrdinalIgnoreCase)
            ? [path, typeof(SelfProcess).Assembly.Location]
            : [path];
    }

    /// <summary>A start description of this executable with no arguments yet (add them to its ArgumentList).</summary>
    public static ProcessStartInfo StartInfo()
    {
        var words = CommandWords();
        var psi = new ProcessStartInfo(words[0]) { UseShellExecute = false };
        foreach (var w in words.Skip(1))
        {
            psi.ArgumentList.Add(w);
        }

        return psi;
    }
}
