namespace Helmholtz.Tests;

/// <summary>The clone the tests were built from: tests that check committed files (sources, examples, props) find them here.</summary>
internal static class RepositoryFiles
{
    /// <summary>The folder that holds Helmholtz.slnx, found by walking up from the test assembly.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The absolute path of <paramref name="relative"/> (forward slashes) inside the clone.</summary>
    public static string Path(string relative) => System.IO.Path.Combine(Root, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Helmholtz.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Helmholtz.slnx above {AppContext.BaseDirectory}: the tests run inside a clone.");
    }
}
