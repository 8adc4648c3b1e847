using System.Globalization;

namespace Helmholtz.Tensors;

/// <summary>Limits on the memory, search size and input files one request may ask for; checked before allocating or reading.</summary>
/// <remarks>
/// Sizes that look harmless (a horizon, a grid side, a buffer capacity) multiply into allocations or searches that
/// never finish. Each type that allocates by a user's sizes estimates the bytes (or tree nodes) first and calls
/// <see cref="CheckBytes"/> (or compares with <see cref="MaxTreeNodes"/>), so that an impossible request fails at once
/// with the estimate and the limit in the message instead of running out of memory or time.
/// </remarks>
/// <param name="MaxBytes">Largest estimated memory of one allocation plan (default 4 GiB).</param>
/// <param name="MaxFileBytes">Largest model, trajectory or table file read into memory (default 64 MiB).</param>
/// <param name="MaxTreeNodes">Largest number of belief nodes one sophisticated-inference search may expand (default 2,000,000).</param>
public sealed record WorkLimits(long MaxBytes = 4L << 30, long MaxFileBytes = 64L << 20, long MaxTreeNodes = 2_000_000)
{
    /// <summary>The default limits.</summary>
    public static WorkLimits Default { get; } = new();

    /// <summary>Throws <see cref="WorkLimitException"/> when <paramref name="bytes"/> exceeds <see cref="MaxBytes"/>.</summary>
    /// <param name="bytes">The estimate (a double, so that products of sizes cannot overflow).</param>
    /// <param name="what">What needs the memory, naming the properties that set it (e.g. "Horizon × Candidates").</param>
    /// <param name="range">The accepted range of the property, appended to the message when known (e.g. "Size must be 2…65").</param>
    public void CheckBytes(double bytes, string what, string? range = null)
    {
        ArgumentNullException.ThrowIfNull(what);
        if (!(bytes <= MaxBytes))
        {
            throw new WorkLimitException($"{what} needs an estimated {FormatBytes(bytes)} of memory; the limit is {FormatBytes(MaxBytes)}"
                + (range is null ? "." : $" ({range})."));
        }
    }

    /// <summary>Checks that <paramref name="path"/> is an existing file (not a directory) of at most <see cref="MaxFileBytes"/> bytes.</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file is, for the message (e.g. "model file").</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="WorkLimitException">The path is a directory, or the file is too large.</exception>
    public void CheckFile(string path, string what)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(what);
        if (Directory.Exists(path))
        {
            throw new WorkLimitException($"{what} '{path}' is a directory, not a file.");
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{what} '{path}' not found", path);
        }

        long length = new FileInfo(path).Length;
        if (length > MaxFileBytes)
        {
            throw new WorkLimitException($"{what} '{path}' is {FormatBytes(length)}; the limit is {FormatBytes(MaxFileBytes)}.");
        }
    }

    /// <summary>Reads a text file after <see cref="CheckFile"/>, reading at most <see cref="MaxFileBytes"/> bytes.</summary>
    /// <remarks>Devices and pipes (<c>/dev/zero</c>) report a length of 0 but never end: data beyond a reported length of 0
    /// marks them, and they are refused after the first block instead of being read to the limit.</remarks>
    /// <exception cref="WorkLimitException">The path is not a regular file, or its content exceeds the limit.</exception>
    public string ReadAllText(string path, string what)
    {
        CheckFile(path, what);
        long reported = new FileInfo(path).Length;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        using var limited = new MemoryStream();
        var buffer = new byte[81920];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            if (reported == 0)
            {
                throw new WorkLimitException($"{what} '{path}' is not a regular file (a device or pipe that reports no length); give a file.");
            }

            if (limited.Length + n > MaxFileBytes)
            {
                throw new WorkLimitException($"{what} '{path}' is larger than the limit of {FormatBytes(MaxFileBytes)}.");
            }

            limited.Write(buffer, 0, n);
        }

        limited.Position = 0;
        using var reader = new StreamReader(limited, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    /// <summary>Formats a byte count with a binary unit (B, KiB, MiB, GiB, TiB), invariant culture.</summary>
    public static string FormatBytes(double bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        int u = 0;
        while (bytes >= 1024 && u < units.Length - 1)
        {
            bytes /= 1024;
            u++;
        }

        return bytes >= 1024 || double.IsNaN(bytes) ? string.Create(CultureInfo.InvariantCulture, $"{bytes:G3} {units[u]}")
            : string.Create(CultureInfo.InvariantCulture, $"{bytes:0.#} {units[u]}");
    }
}

/// <summary>Thrown when a request would exceed a <see cref="WorkLimits"/> limit; the message states the estimate and the limit.</summary>
public sealed class WorkLimitException(string message) : ArgumentException(message);
