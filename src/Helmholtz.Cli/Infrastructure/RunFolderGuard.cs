using Helmholtz.Training;

namespace Helmholtz.Cli.Infrastructure;

/// <summary>
/// A command's hold on the run folder it writes: the library's <see cref="RunFolderLock"/> taken with this command line
/// as the owner's description, a one-line note when a stale lock is taken over, and, when the command created the
/// folder and left it empty (it failed before writing anything), the folder removed again on release.
/// </summary>
internal sealed class RunFolderGuard : IDisposable
{
    private readonly RunFolderLock _lock;
    private readonly string _directory;
    private readonly bool _created;

    private RunFolderGuard(RunFolderLock held, string directory, bool created)
    {
        _lock = held;
        _directory = directory;
        _created = created;
    }

    /// <summary>Locks <paramref name="directory"/> (created if missing) for this command; a folder held by a live run is refused with exit code 2.</summary>
    public static RunFolderGuard Take(string directory) => Take(new RunFolder(directory));

    /// <summary>Locks <paramref name="folder"/> for this command (so that the library sees it locked), as <see cref="Take(string)"/>.</summary>
    public static RunFolderGuard Take(RunFolder folder)
    {
        bool existed = Directory.Exists(folder.Directory);
        RunFolderLock held;
        try
        {
            held = folder.Lock(CommandLine());
        }
        catch (RunFolderLockedException ex)
        {
            throw new BadInputException(ex.Message);
        }

        if (held.Replaced is { } stale)
        {
            Console.Error.WriteLine($"note: took over the lock of run folder '{folder.Directory}' from {stale}, which is no longer running.");
        }

        return new RunFolderGuard(held, folder.Directory, !existed);
    }

    /// <summary>Releases the lock, and removes the folder if this command created it and nothing was written.</summary>
    public void Dispose()
    {
        _lock.Dispose();
        if (_created)
        {
            try
            {
                if (Directory.Exists(_directory) && !Directory.EnumerateFileSystemEntries(_directory).Any())
                {
                    Directory.Delete(_directory);
                }
            }
            catch (IOException)
            {
                // Another run may have just started writing there: leave it.
            }
        }
    }

    /// <summary>This process's command line as a user would type it, for the lock file.</summary>
    internal static string CommandLine()
    {
        var words = Environment.GetCommandLineArgs().Skip(1).Select(a => a.Length > 0 && !a.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"') ? a : $"'{a}'");
        return string.Join(' ', words.Prepend("helmholtz"));
    }
}

/// <summary>Checks of <c>--out</c> values: an empty value is an error; a path with a trailing slash names that folder.</summary>
internal static class OutPath
{
    /// <summary>A folder given with <paramref name="flag"/>: refuses an empty value (it would write into the working directory under hidden names).</summary>
    public static string Folder(string? value, string flag = "--out")
    {
        if (value is null)
        {
            throw new BadInputException($"{flag} needs a folder.");
        }

        if (string.IsNullOrWhiteSpace(value))
        {
            throw new BadInputException($"{flag} '{value}': empty; give a folder, e.g. {flag} runs/mine.");
        }

        return value;
    }

    /// <summary>
    /// A figure's base path (the name without .png/.svg) given with <paramref name="flag"/>: an empty value is an error,
    /// and a value that ends in a slash or names an existing folder puts <paramref name="defaultName"/> in that folder.
    /// </summary>
    public static string FigureBase(string value, string defaultName, string flag = "--out")
    {
        Folder(value, flag);
        return EndsInSeparator(value) || Directory.Exists(value) ? Path.Combine(value, defaultName) : value;
    }

    private static bool EndsInSeparator(string value) =>
        value.EndsWith(Path.DirectorySeparatorChar) || value.EndsWith(Path.AltDirectorySeparatorChar);
}
