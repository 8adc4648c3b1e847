using System.Globalization;
using System.Text.Json;
using Helmholtz.Data;

namespace Helmholtz.Sweeps;

/// <summary>The completion marker of a run folder: written atomically once the run's command has exited with 0.</summary>
/// <remarks>A run is done exactly when its folder holds this file; a run killed part-way has none and is run again.</remarks>
public static class SweepMarker
{
    /// <summary>The marker's file name inside a run folder.</summary>
    public const string FileName = "sweep-done.json";

    /// <summary>True when <paramref name="run"/>'s folder holds a completion marker.</summary>
    public static bool IsDone(SweepRun run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return File.Exists(Path.Combine(run.Folder, FileName));
    }

    /// <summary>Writes the marker of <paramref name="run"/> (its index, values, seed, arguments and wall time).</summary>
    public static void Write(SweepRun run, double seconds, int attempts)
    {
        ArgumentNullException.ThrowIfNull(run);
        Directory.CreateDirectory(run.Folder);
        var record = new Dictionary<string, object?>
        {
            ["index"] = run.Index,
            ["name"] = run.Name,
            ["options"] = run.Values.ToDictionary(v => v.Option, v => v.Text, StringComparer.Ordinal),
            ["seed"] = run.Seed,
            ["arguments"] = run.Arguments,
            ["seconds"] = Math.Round(seconds, 3),
            ["attempts"] = attempts,
            ["finished_utc"] = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
        };
        AtomicFile.WriteAllText(Path.Combine(run.Folder, FileName), JsonSerializer.Serialize(record, new JsonSerializerOptions { WriteIndented = true }));
    }
}
