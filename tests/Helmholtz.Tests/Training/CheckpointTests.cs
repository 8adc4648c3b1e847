using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text.Json;
using Helmholtz.Data;
using Helmholtz.Tensors;
using Helmholtz.Tests.Data;
using Helmholtz.Training;
using Xunit.Abstractions;

namespace Helmholtz.Tests.Training;

/// <summary>Checkpoints detect corruption: the recorded digest, non-finite values, and a fuzz run over a real checkpoint.</summary>
public sealed class CheckpointTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    private static readonly TrainingConfig Config = new()
    {
        Algorithm = "bp",
        Model = "mlp",
        Hidden = [4],
        Dataset = "digits",
        Epochs = 1,
        BatchSize = 16,
        MaxBatches = 2,
        LearningRate = 0.1f,
        Optimizer = "sgd",
        Momentum = 0.5f,
        Seed = 3,
        Threads = 1,
    };

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void SavedCheckpointCarriesADigestAndLoadsBack()
    {
        string path = SaveCheckpoint(out _);
        var file = SafetensorsFile.Read(path);
        Assert.StartsWith("sha256:", file.Metadata[SafetensorsFile.DigestKey]);
        var run = TrainingSetup.Create(Config, Digits.Train);
        var loaded = Checkpoint.Load(path, run.Model.Graph, run.Optimizer);
        Assert.Equal(2, loaded.Epoch);
    }

    [Fact]
    public void AChangedByteOfTensorDataIsRefusedNamingTheFile()
    {
        string path = SaveCheckpoint(out _);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^5] ^= 0x01; // a low mantissa bit of the last tensor's last value: still a finite float
        File.WriteAllBytes(path, bytes);
        var run = TrainingSetup.Create(Config, Digits.Train);
        var ex = Assert.Throws<SafetensorsFormatException>(() => Checkpoint.Load(path, run.Model.Graph, run.Optimizer));
        Assert.Contains(path, ex.Message);
        Assert.Contains("does not match the SHA-256 digest", ex.Message);
        Assert.Throws<SafetensorsFormatException>(() => Checkpoint.ReadTensors(path));
    }

    [Fact]
    public void AForeignFileWithoutDigestIsAccepted()
    {
        // TestData/Data/numpy-written.safetensors: written by NumPy (bench/check_safetensors.py), no digest, finite values.
        string path = Path.Combine(AppContext.BaseDirectory, "TestData", "Data", "numpy-written.safetensors");
        var file = Checkpoint.ReadTensors(path);
        Assert.False(file.Metadata.ContainsKey(SafetensorsFile.DigestKey));
        Assert.Equal(4, file.Tensors.Count);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    [InlineData(float.NegativeInfinity, "-Infinity")]
    public void NonFiniteTensorsAreRefusedNamingTheTensor(float bad, string shown)
    {
        // Written by Helmholtz, so the digest matches: the value itself is what is refused.
        string path = _dir.File("nan.safetensors");
        SafetensorsFile.Write(path, new Dictionary<string, FloatTensor>
        {
            ["layers.0.weight"] = FloatTensor.FromSpan([1f, 2f], 1, 2),
            ["layers.0.bias"] = FloatTensor.FromSpan([0f, bad, 1f], 3),
        });
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadTensors(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains($"tensor 'layers.0.bias' holds {shown} at element 1", ex.Message);
    }

    [Fact]
    public void AnF64ValueBeyondTheFloat32RangeIsRefused()
    {
        // A foreign file (no digest) with an F64 value of 1e300: it reads as +Infinity in float32 and is refused.
        var f64 = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(f64, 1e300);
        string path = _dir.File("big.safetensors");
        File.WriteAllBytes(path, SafetensorsFileTests.Build("""{"w":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}""", f64));
        var ex = Assert.Throws<InvalidDataException>(() => Checkpoint.ReadTensors(path));
        Assert.Contains("tensor 'w' holds Infinity", ex.Message);
    }

    [Fact]
    public void FuzzedCheckpointsAreRefusedCleanlyOrLoadUnchanged()
    {
        // Random mutations of a real checkpoint (parameters, momentum buffers, run state), loaded as --resume does.
        // HELMHOLTZ_FUZZ_ITERATIONS=10000 runs the long version; the count below keeps the suite fast.
        int iterations = Fuzz.Iterations(300);
        string original = SaveCheckpoint(out var saved);
        byte[] valid = File.ReadAllBytes(original);
        var reference = SafetensorsFile.Read(original);
        string mutant = _dir.File("mutant.safetensors");
        var run = TrainingSetup.Create(Config, Digits.Train);
        var outcomes = Fuzz.Count(valid, iterations, seed: 2026, bytes =>
        {
            File.WriteAllBytes(mutant, bytes);
            var loaded = Checkpoint.Load(mutant, run.Model.Graph, run.Optimizer);
            return SameRunState(saved, loaded) && SameTensors(reference, SafetensorsFile.Read(mutant));
        }, ex => ex is SafetensorsFormatException or InvalidDataException);
        output.WriteLine($"checkpoint ({valid.Length} bytes): {outcomes}");
        Assert.Empty(outcomes.Other);
        Assert.True(outcomes.AcceptedChanged.Count == 0, string.Join("\n", outcomes.AcceptedChanged.Take(5)));
        Assert.True(outcomes.Refused > iterations * 9 / 10, outcomes.ToString());
    }

    private static readonly DatasetSplits Digits = DatasetCatalog.Load("digits");

    private string SaveCheckpoint(out Checkpoint saved)
    {
        var run = TrainingSetup.Create(Config, Digits.Train);
        saved = new Checkpoint(2, Config, [new EpochMetrics(1, 2, 0.5, 0.25, 0.875, 0.01), new EpochMetrics(2, 2, 0.4, 0.2, 0.9, 0.01)]);
        string path = _dir.File("checkpoint.safetensors");
        saved.Save(path, run.Model.Graph, run.Optimizer);
        return path;
    }

    private static bool SameRunState(Checkpoint a, Checkpoint b) =>
        a.Epoch == b.Epoch
        && JsonSerializer.Serialize(a.Config, Checkpoint.JsonOptions) == JsonSerializer.Serialize(b.Config, Checkpoint.JsonOptions)
        && a.Metrics.SequenceEqual(b.Metrics);

    private static bool SameTensors(SafetensorsFile a, SafetensorsFile b) =>
        a.Tensors.Keys.SequenceEqual(b.Tensors.Keys)
        && a.Tensors.All(kv => kv.Value.SameShape(b.Tensors[kv.Key])
            && MemoryMarshal.AsBytes(kv.Value.ReadOnlySpan).SequenceEqual(MemoryMarshal.AsBytes(b.Tensors[kv.Key].ReadOnlySpan)));
}
