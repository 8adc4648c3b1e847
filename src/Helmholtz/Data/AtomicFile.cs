using System.Security.Cryptography;
using System.Text;

namespace Helmholtz.Data;

/// <summary>Writes files atomically: readers see either the old file or the complete new one, never a partial write.</summary>
/// <remarks>
/// The content goes to a temporary file in the target's own directory (so that the final step is a same-filesystem
/// rename), is flushed to the storage device (<c>fsync</c>), and is then renamed over the target, which POSIX
/// <c>rename(2)</c> does atomically. If the writer or any step throws, the temporary file is deleted and the old
/// target, if any, is left untouched. The directory entry itself is not synced, so after a power failure the rename
/// may be lost (the old file then remains), but a torn file cannot appear. Every file the library and the CLI write
/// (checkpoints, CSV, JSON, figures) goes through this class. Concurrent writers to one path do not corrupt it: each
/// uses its own temporary name and the last rename wins.
/// </remarks>
public static class AtomicFile
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Creates or replaces <paramref name="path"/> with what <paramref name="write"/> writes to the given stream.</summary>
    /// <param name="path">The target file; its directory must exist.</param>
    /// <param name="write">Writes the whole content; it must not dispose or keep the stream.</param>
    /// <exception cref="DirectoryNotFoundException">The target's directory does not exist.</exception>
    /// <exception cref="IOException">The write failed (a full disk, a device error): the message names <paramref name="path"/>.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string target = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(target)
            ?? throw new ArgumentException($"'{path}' names a root directory, not a file.", nameof(path));
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Cannot write '{path}': directory '{directory}' does not exist.");
        }

        if (Directory.Exists(target))
        {
            throw new IOException($"Cannot write '{path}': it is a directory.");
        }

        // A hidden, unique sibling: same filesystem as the target, and never mistaken for a finished file.
        string temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: true);
        }
        catch (IOException ex)
        {
            // A full disk or a failing device: name the file that could not be written, not the hidden temporary.
            TryDelete(temp);
            string reason = ex.Message.Replace($" : '{temp}'", string.Empty, StringComparison.Ordinal).Replace(temp, target, StringComparison.Ordinal);
            throw new IOException($"Cannot write '{path}': {reason}", ex);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Creates or replaces <paramref name="path"/> with <paramref name="text"/> encoded as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        byte[] bytes = Utf8NoBom.GetBytes(text);
        Write(path, s => s.Write(bytes));
    }

    /// <summary>Creates or replaces <paramref name="path"/> with <paramref name="bytes"/>.</summary>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, s => s.Write(bytes));
    }

    /// <summary>Creates or replaces <paramref name="path"/> with the lines of <paramref name="lines"/>, each ended by '\n', as UTF-8.</summary>
    public static void WriteAllLines(string path, IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        Write(path, s =>
        {
            using var writer = new StreamWriter(s, Utf8NoBom, bufferSize: 1 << 16, leaveOpen: true) { NewLine = "\n" };
            foreach (string line in lines)
            {
                writer.WriteLine(line);
            }
        });
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // The original exception matters more than a leftover hidden temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
