using System.Buffers.Binary;
using System.Text;
using Helmholtz.Data;
using Helmholtz.Tensors;
using Xunit.Abstractions;

namespace Helmholtz.Tests.Data;

public sealed class SafetensorsFileTests(ITestOutputHelper output)
{
    /// <summary>Builds a file by the format's definition: u64 LE header length, the header bytes, the buffer.</summary>
    internal static byte[] Build(string header, byte[] buffer)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + buffer.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)h.Length);
        h.CopyTo(bytes, 8);
        buffer.CopyTo(bytes, 8 + h.Length);
        return bytes;
    }

    private static byte[] F32(params float[] values)
    {
        var b = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), values[i]);
        }

        return b;
    }

    private static byte[] U64(ulong value)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return b;
    }

    private static byte[] Str(string value) => [.. U64((ulong)Encoding.UTF8.GetByteCount(value)), .. Encoding.UTF8.GetBytes(value)];

    private static SafetensorsFile Parse(byte[] bytes) => SafetensorsFile.Read(new MemoryStream(bytes), "test.safetensors");

    private static SafetensorsFormatException Rejects(byte[] bytes, string fragment)
    {
        var ex = Assert.Throws<SafetensorsFormatException>(() => Parse(bytes));
        Assert.Contains("test.safetensors", ex.Message);
        Assert.Contains(fragment, ex.Message);
        return ex;
    }

    [Fact]
    public void RoundTripThroughAFileKeepsNamesShapesValuesAndMetadata()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.safetensors");
        var w = FloatTensor.FromSpan([1f, -2f, 3.5f, float.NaN, float.PositiveInfinity, -0f], 2, 3);
        var tensors = new Dictionary<string, FloatTensor>
        {
            ["layers.0.weight"] = w,
            ["layers.0.bias"] = FloatTensor.FromSpan([0.25f, 1e-30f], 2),
            ["scalar"] = FloatTensor.FromSpan([7f]),
            ["empty"] = new FloatTensor(0, 4),
        };
        SafetensorsFile.Write(path, tensors, new Dictionary<string, string> { ["format"] = "pt", ["epoch"] = "3" });
        var read = SafetensorsFile.Read(path);
        Assert.Equal(["empty", "layers.0.bias", "layers.0.weight", "scalar"], read.Tensors.Keys);
        foreach (var (name, t) in tensors)
        {
            Assert.True(read.Tensors[name].SameShape(t), name);
            Assert.Equal(t.Data.Select(BitConverter.SingleToInt32Bits), read.Tensors[name].Data.Select(BitConverter.SingleToInt32Bits));
        }

        Assert.Equal("pt", read.Metadata["format"]);
        Assert.Equal("3", read.Metadata["epoch"]);
        Assert.Equal(path, read.FileName);
    }

    [Fact]
    public void WriterProducesTheReferenceLayoutByteForByte()
    {
        // Expected bytes written out by hand from the format definition and the reference writer's rules:
        // metadata first, names sorted, compact JSON with keys dtype/shape/data_offsets, spaces up to a multiple of 8.
        var stream = new MemoryStream();
        SafetensorsFile.Write(stream, new Dictionary<string, FloatTensor>
        {
            ["w"] = FloatTensor.FromSpan([1f, 2f], 1, 2),
            ["b"] = FloatTensor.FromSpan([3f], 1),
        }, new Dictionary<string, string> { ["k"] = "v", [SafetensorsFile.DigestKey] = "replaced by the writer" });

        // The digest, from its definition (SafetensorsFile remarks): 1 other metadata entry (k, v); tensors b then w
        // (name, dtype, rank, shape, offsets); then the data buffer. Strings are a u64 LE byte count and UTF-8 bytes.
        byte[] data = [.. F32(3f), .. F32(1f, 2f)];
        byte[] digestInput =
        [
            .. U64(1), .. Str("k"), .. Str("v"),
            .. Str("b"), .. Str("F32"), .. U64(1), .. U64(1), .. U64(0), .. U64(4),
            .. Str("w"), .. Str("F32"), .. U64(2), .. U64(1), .. U64(2), .. U64(4), .. U64(12),
            .. data,
        ];
        string digest = "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(digestInput));
        string json = $$$"""{"__metadata__":{"helmholtz.digest":"{{{digest}}}","k":"v"},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1,2],"data_offsets":[4,12]}}""";
        string padded = json + new string(' ', (8 - json.Length % 8) % 8);
        byte[] expected = Build(padded, data);
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(stream.ToArray()));
        Assert.Equal(expected, stream.ToArray());
        Assert.Equal(0, (stream.Length - 12) % 8);
    }

    [Fact]
    public void DigestFindsAChangedDataByteShapeOrMetadataValue()
    {
        var stream = new MemoryStream();
        SafetensorsFile.Write(stream, new Dictionary<string, FloatTensor>
        {
            ["w"] = FloatTensor.FromSpan([1f, 2f, 3f, 4f, 5f, 6f], 2, 3),
        }, new Dictionary<string, string> { ["epoch"] = "3" });
        byte[] valid = stream.ToArray();
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], Parse(valid).Get("w").Data);
        string text = Encoding.Latin1.GetString(valid);

        byte[] data = (byte[])valid.Clone();
        data[^1] ^= 0x40; // 6f → another finite float
        Rejects(data, "does not match the SHA-256 digest recorded in its metadata (helmholtz.digest)");

        // A transposed shape and a changed metadata value are structurally valid; only the digest finds them.
        Rejects(Encoding.Latin1.GetBytes(text.Replace("\"shape\":[2,3]", "\"shape\":[3,2]", StringComparison.Ordinal)), "does not match the SHA-256 digest");
        Rejects(Encoding.Latin1.GetBytes(text.Replace("\"epoch\":\"3\"", "\"epoch\":\"4\"", StringComparison.Ordinal)), "does not match the SHA-256 digest");
        Rejects(Encoding.Latin1.GetBytes(text.Replace("\"helmholtz.digest\":\"sha256:", "\"helmholtz.digest\":\"sha257:", StringComparison.Ordinal)), "is not 'sha256:' and 64 lowercase hex digits");

        // A damaged key must not pass the file off as one without a digest.
        Rejects(Encoding.Latin1.GetBytes(text.Replace("\"helmholtz.digest\"", "\"helmholtz.digust\"", StringComparison.Ordinal)), "holds a digest under 'helmholtz.digust'");

        // Padding spaces are layout, not content.
        Assert.Equal(6, Parse(valid).Get("w").Length);
    }

    [Fact]
    public void ReadsAHandBuiltReferenceFileWithEveryFloatDType()
    {
        // Entries out of offset order, header padded with spaces, and F64/F16/BF16 values that are exact in float32:
        // F64 2.5 = 0x4004000000000000; F16 -1.5 = 0xBE00; BF16 3.0 = 0x4040 (top half of float32 3.0f = 0x40400000).
        var buffer = new List<byte>();
        buffer.AddRange(F32(1f, 2f, 3f, 4f, 5f, 6f)); // [0, 24)
        var f64 = new byte[8];
        BinaryPrimitives.WriteDoubleLittleEndian(f64, 2.5);
        buffer.AddRange(f64); // [24, 32)
        buffer.AddRange([0x00, 0xBE]); // [32, 34)
        buffer.AddRange([0x40, 0x40]); // [34, 36)
        string header = """{"h":{"dtype":"F16","shape":[1],"data_offsets":[32,34]},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"__metadata__":{"format":"pt"},"d":{"dtype":"F64","shape":[1,1],"data_offsets":[24,32]},"z":{"dtype":"BF16","shape":[],"data_offsets":[34,36]}}    """;
        var file = Parse(Build(header, [.. buffer]));
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], file.Get("a").Data);
        Assert.True(file.Get("a").HasShape([2, 3]));
        Assert.Equal([2.5f], file.Get("d").Data);
        Assert.Equal([-1.5f], file.Get("h").Data);
        Assert.Equal([3f], file.Get("z").Data);
        Assert.Equal(0, file.Get("z").Rank);
        Assert.Equal("pt", file.Metadata["format"]);
        var missing = Assert.Throws<KeyNotFoundException>(() => file.Get("nope"));
        Assert.Contains("'nope'", missing.Message);
        Assert.Contains("a, d, h, z", missing.Message);
    }

    [Fact]
    public void RejectsEveryBrokenRuleWithAMessageNamingIt()
    {
        byte[] eight = F32(1f, 2f);
        Rejects([1, 2, 3], "shorter than the 8-byte header length");
        var huge = Build("{}", []);
        BinaryPrimitives.WriteUInt64LittleEndian(huge, 200_000_000);
        Rejects(huge, "exceeds the limit");
        var beyond = Build("{}", []);
        BinaryPrimitives.WriteUInt64LittleEndian(beyond, 3);
        Rejects(beyond, "exceeds the 2 bytes");
        Rejects(Build("[]", []), "does not start with '{'");
        Rejects(Build("{\"a\":", []), "not valid JSON");
        var badUtf8 = Build("{\"\u00e9\":1}", []);
        badUtf8[11] = 0xFF;
        Rejects(badUtf8, "not valid UTF-8");
        Rejects(Build("""{"a":{"shape":[2],"data_offsets":[0,8]}}""", eight), "no string \"dtype\"");
        Rejects(Build("""{"a":{"dtype":"F32","data_offsets":[0,8]}}""", eight), "no \"shape\"");
        Rejects(Build("""{"a":{"dtype":"F32","shape":[2]}}""", eight), "no \"data_offsets\"");
        Rejects(Build("""{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", eight), "unsupported dtype 'I64'");
        Rejects(Build("""{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,8]}}""", eight), "unknown dtype 'Q7'");
        Rejects(Build("""{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", eight), "not a non-negative integer");
        Rejects(Build("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}""", eight), "begin > end");
        Rejects(Build("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,16]}}""", eight), "beyond the 8-byte data buffer");
        Rejects(Build("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", eight), "needs 12 bytes");
        Rejects(Build("""{"a":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}}""", eight), "larger than");
        Rejects(Build("""{"a":{"dtype":"F32","shape":[2147483647,2147483647,2147483647],"data_offsets":[0,8]}}""", eight), "more elements");
        Rejects(Build("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", eight), "overlap");
        Rejects(Build("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}""", eight), "belong to no tensor");
        Rejects(Build("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", eight), "cover only the first 4");
        Rejects(Build("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[0],"data_offsets":[8,8]}}""", eight), "appears twice");
        Rejects(Build("""{"__metadata__":{"k":1},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", eight), "not a string");
        Rejects(Build("""{"__metadata__":[],"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", eight), "not an object of strings");
    }

    [Fact]
    public void ZeroElementTensorsMayShareAnOffset()
    {
        // As in the reference validator: a zero-length tensor occupies [k, k) and does not break the tiling.
        var file = Parse(Build("""{"e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"f":{"dtype":"F16","shape":[0],"data_offsets":[4,4]}}""", F32(9f)));
        Assert.Equal(3, file.Tensors.Count);
        Assert.Equal(0, file.Get("e").Length);
    }

    [Fact]
    public void WriterRejectsReservedAndEmptyNames()
    {
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(new MemoryStream(), new Dictionary<string, FloatTensor> { ["__metadata__"] = new FloatTensor(1) }));
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(new MemoryStream(), new Dictionary<string, FloatTensor> { [""] = new FloatTensor(1) }));
    }

    [Fact]
    public void FuzzedFilesEitherReadOrThrowTheFormatException()
    {
        var valid = Build(
            """{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"F16","shape":[2],"data_offsets":[16,20]},"c":{"dtype":"BF16","shape":[1],"data_offsets":[20,22]},"d":{"dtype":"F64","shape":[1],"data_offsets":[22,30]}}  """,
            [.. F32(1, 2, 3, 4), 0, 0x3C, 0, 0x40, 0x80, 0x3F, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F]);
        Assert.Equal(4, Parse(valid).Tensors.Count);
        int ok = Fuzz.Run(valid, iterations: 4000, seed: 1234, bytes =>
        {
            try
            {
                Parse(bytes);
                return true;
            }
            catch (SafetensorsFormatException)
            {
                return false;
            }
        });

        // Some mutations (a flipped bit inside the float data or in padding) leave a valid file; most do not.
        output.WriteLine($"{ok} of 4000 mutants parsed");
        Assert.InRange(ok, 1, 3999);
    }
}

public sealed class SafetensorsInteropTests
{
    [Fact]
    public void ReadsAFileWrittenByNumpy()
    {
        // TestData/Data/numpy-written.safetensors was made by `/usr/bin/python3 bench/check_safetensors.py write FILE`
        // (numpy 1.24.2, Debian 12): every tensor holds arange(n) * 0.5 - 1 in its own dtype, all exact in float32.
        var file = SafetensorsFile.Read(Path.Combine(AppContext.BaseDirectory, "TestData", "Data", "numpy-written.safetensors"));
        Assert.Equal(["a.f32", "b.f64", "c.f16", "d.bf16"], file.Tensors.Keys);
        int[][] shapes = [[3, 4], [2, 2], [5], [2, 3]];
        int k = 0;
        foreach (FloatTensor t in file.Tensors.Values)
        {
            Assert.True(t.HasShape(shapes[k++]), FloatTensor.Format(t.Shape));
            for (int i = 0; i < t.Length; i++)
            {
                Assert.Equal(i * 0.5f - 1f, t.Data[i]);
            }
        }

        Assert.Equal("numpy 1.24.2", file.Metadata["writer"]);
    }
}
