using System.Globalization;
using System.Text.Json;
using Helmholtz.Data;
using Helmholtz.Graphs;
using Helmholtz.Optim;
using Helmholtz.Tensors;

namespace Helmholtz.Training;

/// <summary>A training checkpoint: parameters, optimiser state and where the run stands, in one safetensors file.</summary>
/// <remarks>
/// Parameters keep their PyTorch-compatible names, so the file loads directly as a PyTorch state dict (the optimiser
/// tensors are prefixed <c>optimizer.</c> and can be dropped). The metadata holds the epoch reached, the run's
/// configuration and its metrics so far, so that a resumed run continues to exactly the numbers of an uninterrupted one.
/// Written atomically: a crash mid-write leaves the previous checkpoint intact. Loading (<see cref="Load"/>,
/// <see cref="ReadTensors"/>) verifies the SHA-256 digest that <see cref="SafetensorsFile"/> records (files without one,
/// from PyTorch or NumPy, load as before) and refuses NaN and ±∞ values.
/// </remarks>
public sealed record Checkpoint(int Epoch, TrainingConfig Config, IReadOnlyList<EpochMetrics> Metrics)
{
    private const string OptimizerPrefix = "optimizer.";

    /// <summary>Options shared by every JSON the training code writes (config.json and checkpoint metadata).</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    /// <summary>Writes parameters, optimiser state and this record's run state to <paramref name="path"/>.</summary>
    public void Save(string path, Graph graph, IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(optimizer);
        var tensors = new Dictionary<string, FloatTensor>(graph.ParameterValues(), StringComparer.Ordinal);
        foreach (var (name, t) in optimizer.State())
        {
            tensors[OptimizerPrefix + name] = t;
        }

        var metadata = new Dictionary<string, string>
        {
            ["format"] = "helmholtz-checkpoint-1",
            ["epoch"] = Epoch.ToString(CultureInfo.InvariantCulture),
            ["config"] = JsonSerializer.Serialize(Config, JsonOptions),
            ["metrics"] = MetricsLog.ToCsv(Metrics),
        };
        SafetensorsFile.Write(path, tensors, metadata);
    }

    /// <summary>Reads a checkpoint and loads its parameters and optimiser state into <paramref name="graph"/> and <paramref name="optimizer"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not a Helmholtz checkpoint, holds a non-finite value or does not fit the model.</exception>
    /// <exception cref="SafetensorsFormatException">The file is not valid safetensors or does not match its recorded digest.</exception>
    public static Checkpoint Load(string path, Graph graph, IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(optimizer);
        var file = ReadTensors(path);
        var checkpoint = ReadMetadata(file);
        var parameters = file.Tensors.Where(kv => !kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var state = file.Tensors.Where(kv => kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[OptimizerPrefix.Length..], kv => kv.Value, StringComparer.Ordinal);
        try
        {
            graph.LoadParameters(parameters);
            optimizer.LoadState(state);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{path}: the checkpoint does not fit this model: {ex.Message}", ex);
        }

        return checkpoint;
    }

    /// <summary>
    /// Reads a safetensors file whose tensors are to be loaded into a model (a checkpoint, an initialisation, a
    /// generative model): its digest is verified when it has one, and every value must be finite.
    /// </summary>
    /// <exception cref="SafetensorsFormatException">The file is not valid safetensors or does not match its recorded digest.</exception>
    /// <exception cref="InvalidDataException">A tensor holds NaN or ±∞ (an F64 value beyond the float32 range reads as ±∞); the message names it.</exception>
    public static SafetensorsFile ReadTensors(string path)
    {
        var file = SafetensorsFile.Read(path);
        foreach (var (name, t) in file.Tensors)
        {
            ReadOnlySpan<float> values = t.ReadOnlySpan;
            for (int i = 0; i < values.Length; i++)
            {
                if (!float.IsFinite(values[i]))
                {
                    throw new InvalidDataException(string.Create(
                        CultureInfo.InvariantCulture,
                        $"{file.FileName}: tensor '{name}' holds {values[i]} at element {i}; a checkpoint's values must be finite (the run that wrote it diverged, or the file is corrupt)."));
                }
            }
        }

        return file;
    }

    /// <summary>Reads only the run state (epoch, config, metrics) of a checkpoint.</summary>
    public static Checkpoint ReadMetadata(string path) => ReadMetadata(SafetensorsFile.Read(path));

    private static Checkpoint ReadMetadata(SafetensorsFile file)
    {
        var m = file.Metadata;
        if (!m.TryGetValue("format", out var format) || format != "helmholtz-checkpoint-1"
            || !m.TryGetValue("epoch", out var epochText) || !int.TryParse(epochText, NumberStyles.None, CultureInfo.InvariantCulture, out int epoch)
            || !m.TryGetValue("config", out var configJson) || !m.TryGetValue("metrics", out var metricsCsv))
        {
            throw new InvalidDataException($"{file.FileName}: not a Helmholtz checkpoint (its metadata lacks format, epoch, config or metrics).");
        }

        TrainingConfig config;
        IReadOnlyList<EpochMetrics> metrics;
        try
        {
            config = JsonSerializer.Deserialize<TrainingConfig>(configJson, JsonOptions)
                ?? throw new InvalidDataException($"{file.FileName}: the checkpoint's config is empty.");
            metrics = MetricsLog.Parse(metricsCsv);
        }
        catch (Exception ex) when (ex is JsonException or FormatException)
        {
            throw new InvalidDataException($"{file.FileName}: the checkpoint's metadata is corrupt: {ex.Message}", ex);
        }

        return new Checkpoint(epoch, config, metrics);
    }
}
