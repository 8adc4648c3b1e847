namespace Helmholtz.Tests.Cli;

/// <summary>
/// Every file the library and the CLI write goes through <see cref="Helmholtz.Data.AtomicFile"/>: a scan of the sources
/// for the calls that write a file directly (ScottPlot's Save*, File.Write*/Append*/Create*, write-mode streams).
/// </summary>
public sealed class DirectWritesTests
{
    // The atomic writer itself; the run-folder lock, which rewrites its small file in place under an advisory lock; and
    // a sweep run's stdout/stderr logs, streamed while the child runs (a log is meant to show a partial run).
    private static readonly string[] Allowed = ["AtomicFile.cs", "RunFolderLock.cs", "SweepProcess.cs"];

    // "File." not preceded by a letter, so that AtomicFile.WriteAllText does not match.
    private static readonly System.Text.RegularExpressions.Regex DirectWrite = new(
        @"\.Save(Png|Svg|Jpeg|Bmp|Webp)\(|(?<![A-Za-z])File\.(WriteAll|AppendAll|Create\(|CreateText|OpenWrite|AppendText)|FileMode\.(Create|Append|Truncate)\b");

    [Fact]
    public void NoSourceFileWritesAFileDirectly()
    {
        string root = RepositoryFiles.Root;

        var found = new List<string>();
        foreach (string project in new[] { "src", "samples" })
        {
            string dir = Path.Combine(root, project);
            if (!Directory.Exists(dir))
            {
                continue;
            }

            foreach (string file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
            {
                if (Allowed.Contains(Path.GetFileName(file)) || file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                {
                    continue;
                }

                string[] lines = File.ReadAllLines(file);
                for (int i = 0; i < lines.Length; i++)
                {
                    if (DirectWrite.Match(lines[i]) is { Success: true } hit)
                    {
                        found.Add($"{Path.GetRelativePath(root, file)}:{i + 1}: {hit.Value}");
                    }
                }
            }
        }

        Assert.True(found.Count == 0, "Direct file writes (use AtomicFile or Plots.Figures.Save):\n" + string.Join('\n', found));
    }
}
