using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Helmholtz.Tensors;

namespace Helmholtz.Data;

/// <summary>A set of named float32 tensors with string metadata, read from or written to the safetensors format.</summary>
/// <remarks>
/// Layout (https://github.com/huggingface/safetensors): an unsigned 64-bit little-endian header length N; N bytes of
/// UTF-8 JSON, an object mapping each tensor name to <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> plus an
/// optional <c>"__metadata__"</c> object of string to string; then the data buffer, little-endian, row-major, with
/// offsets relative to the buffer's start. The writer stores F32, names sorted by their UTF-8 bytes, metadata first,
/// compact JSON, and the header padded with spaces to a multiple of 8 bytes, as the reference writer does. The reader
/// accepts F32, and converts F64, F16 and BF16 to float32; other dtypes are rejected. Reading checks every rule the
/// reference reader checks (header length within the file and at most <see cref="MaxHeaderLength"/>, valid UTF-8 JSON
/// object starting with '{', complete entries, begin ≤ end, byte length = product(shape)·sizeof(dtype) without
/// overflow, tensors tiling the buffer with no gap or overlap and ending exactly at the end of the file, no
/// duplicate names) and throws <see cref="SafetensorsFormatException"/> for any breach, before allocating tensor data.
/// <para>Integrity: safetensors has no checksum, so the writer records one in the metadata, under
/// <see cref="DigestKey"/>, as <c>sha256:</c> and 64 lowercase hex digits — a string like any other metadata value, so
/// every safetensors reader still reads the file. The SHA-256 covers everything the file says apart from layout: the
/// number of other metadata entries and each of them (key order by UTF-8 bytes; key, value), each tensor's entry (name
/// order; name, dtype, rank, shape, data offsets), then the data buffer; a string is its UTF-8 byte count then its
/// bytes, and every count or number a u64 little-endian. The reader recomputes it whenever the key is present and
/// throws <see cref="SafetensorsFormatException"/> on a mismatch, so a changed byte of tensor data, shape or metadata
/// is found; files without the key (written by PyTorch, NumPy, ...) are read as before, unless a value of the
/// digest's form sits under a key within 8 edits of <see cref="DigestKey"/> (a damaged key, also refused).</para>
/// </remarks>
public sealed class SafetensorsFile
{
    /// <summary>The largest header accepted, in bytes (the reference reader's limit).</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>The metadata key under which the writer records the SHA-256 digest (see remarks); the writer replaces any value given for it.</summary>
    public const string DigestKey = "helmholtz.digest";

    private const string DigestPrefix = "sha256:";
    private const string MetadataKey = "__metadata__";
    private static readonly string[] UnsupportedDTypes =
        ["BOOL", "U8", "I8", "I16", "U16", "I32", "U32", "I64", "U64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64"];

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    private SafetensorsFile(string fileName, IReadOnlyDictionary<string, FloatTensor> tensors, IReadOnlyDictionary<string, string> metadata)
    {
        FileName = fileName;
        Tensors = tensors;
        Metadata = metadata;
    }

    /// <summary>The file this content was read from.</summary>
    public string FileName { get; }

    /// <summary>The tensors by name, converted to float32.</summary>
    public IReadOnlyDictionary<string, FloatTensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> entries (empty when the file has none), including <see cref="DigestKey"/> when present.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The file has no such tensor; the message lists the names it has.</exception>
    public FloatTensor Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Tensors.TryGetValue(name, out FloatTensor? t))
        {
            return t;
        }

        throw new KeyNotFoundException($"{FileName}: no tensor named '{name}'; it holds {Tensors.Count}: {string.Join(", ", Tensors.Keys)}.");
    }

    /// <summary>Reads and validates the safetensors file at <paramref name="path"/>.</summary>
    /// <exception cref="SafetensorsFormatException">The file breaks the format; the message says how.</exception>
    public static SafetensorsFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads and validates safetensors content from <paramref name="stream"/>, naming it <paramref name="fileName"/> in errors.</summary>
    /// <exception cref="SafetensorsFormatException">The content breaks the format; the message says how.</exception>
    public static SafetensorsFile Read(Stream stream, string fileName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fileName);
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }

        long total = stream.Length - stream.Position;
        if (total < 8)
        {
            throw Fail(fileName, $"it is {total} bytes long, shorter than the 8-byte header length field");
        }

        Span<byte> lengthField = stackalloc byte[8];
        stream.ReadExactly(lengthField);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthField);
        if (headerLength > MaxHeaderLength)
        {
            throw Fail(fileName, $"the header length {headerLength} exceeds the limit of {MaxHeaderLength} bytes");
        }

        if (headerLength > (ulong)(total - 8))
        {
            throw Fail(fileName, $"the header length {headerLength} exceeds the {total - 8} bytes that follow the length field");
        }

        var header = new byte[headerLength];
        stream.ReadExactly(header);
        long bufferLength = total - 8 - (long)headerLength;
        List<Entry> entries = ParseHeader(fileName, header, bufferLength, out Dictionary<string, string> metadata);
        CheckTiling(fileName, entries, bufferLength);
        string? recorded = metadata.GetValueOrDefault(DigestKey);
        if (recorded is not null && !IsDigestText(recorded))
        {
            throw Fail(fileName, $"its {DigestKey} metadata is not '{DigestPrefix}' and 64 lowercase hex digits");
        }

        // A damaged key would otherwise pass the file off as one without a digest (as PyTorch writes them).
        if (recorded is null && metadata.FirstOrDefault(kv => IsDigestText(kv.Value) && EditDistance(kv.Key, DigestKey) <= 8) is { Key: { } damaged })
        {
            throw Fail(fileName, $"its metadata holds a digest under '{damaged}' instead of {DigestKey}: the file was corrupted after it was written");
        }

        using IncrementalHash? hash = recorded is null ? null : IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        if (hash is not null)
        {
            HashHeader(hash, metadata, entries.OrderBy(e => e.Name, Utf8Order.Instance).Select(e => (e.Name, e.DType, e.Shape, e.Begin, e.End)));
        }

        var tensors = new Dictionary<string, FloatTensor>(entries.Count, StringComparer.Ordinal);
        byte[]? scratch = null;
        foreach (Entry e in entries)
        {
            // Entries are sorted by offset and tile the buffer, so a sequential read visits each exactly once.
            var data = new float[e.Elements];
            if (e.DType == "F32" && BitConverter.IsLittleEndian)
            {
                stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
                hash?.AppendData(MemoryMarshal.AsBytes(data.AsSpan()));
            }
            else
            {
                scratch ??= new byte[1 << 16];
                ReadConverted(stream, e.DType, data, scratch, hash);
            }

            tensors.Add(e.Name, new FloatTensor(data, e.Shape));
        }

        if (hash is not null && DigestText(hash) != recorded)
        {
            throw Fail(fileName, $"its content does not match the SHA-256 digest recorded in its metadata ({DigestKey}); the file was changed or corrupted after it was written");
        }

        var sorted = new Dictionary<string, FloatTensor>(tensors.Count, StringComparer.Ordinal);
        foreach (string name in tensors.Keys.Order(Utf8Order.Instance))
        {
            sorted.Add(name, tensors[name]);
        }

        return new SafetensorsFile(fileName, sorted, metadata);
    }

    /// <summary>Writes <paramref name="tensors"/> as F32 (and the optional metadata) to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="ArgumentException">A name is empty or <c>__metadata__</c>, or a tensor or metadata value is null.</exception>
    /// <remarks>The metadata gains <see cref="DigestKey"/>, the file's SHA-256 digest (see the type's remarks).</remarks>
    public static void Write(string path, IReadOnlyDictionary<string, FloatTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        byte[] header = BuildHeader(tensors, metadata, out List<string> order);
        AtomicFile.Write(path, s => WriteBody(s, header, order, tensors));
    }

    /// <summary>Writes <paramref name="tensors"/> as F32 (and the optional metadata) to <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentException">A name is empty or <c>__metadata__</c>, or a tensor or metadata value is null.</exception>
    /// <remarks>The metadata gains <see cref="DigestKey"/>, the file's SHA-256 digest (see the type's remarks).</remarks>
    public static void Write(Stream stream, IReadOnlyDictionary<string, FloatTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] header = BuildHeader(tensors, metadata, out List<string> order);
        WriteBody(stream, header, order, tensors);
    }

    private static byte[] BuildHeader(IReadOnlyDictionary<string, FloatTensor> tensors, IReadOnlyDictionary<string, string>? metadata, out List<string> order)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        foreach (KeyValuePair<string, FloatTensor> kv in tensors)
        {
            if (string.IsNullOrEmpty(kv.Key) || kv.Key == MetadataKey)
            {
                throw new ArgumentException($"'{kv.Key}' cannot name a tensor in a safetensors file.");
            }

            if (kv.Value is null)
            {
                throw new ArgumentException($"FloatTensor '{kv.Key}' is null.");
            }
        }

        order = tensors.Keys.Order(Utf8Order.Instance).ToList();
        var entries = new List<(string Name, string DType, int[] Shape, long Begin, long End)>(order.Count);
        long end = 0;
        foreach (string name in order)
        {
            FloatTensor t = tensors[name];
            long bytes = (long)t.Length * sizeof(float);
            entries.Add((name, "F32", t.Shape.ToArray(), end, end + bytes));
            end += bytes;
        }

        var withDigest = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, string> kv in metadata ?? new Dictionary<string, string>())
        {
            if (kv.Key != DigestKey)
            {
                withDigest.Add(kv.Key, kv.Value ?? throw new ArgumentException($"Metadata value for '{kv.Key}' is null."));
            }
        }

        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            HashHeader(hash, withDigest, entries);
            foreach (string name in order)
            {
                AppendLittleEndian(hash, tensors[name].ReadOnlySpan);
            }

            withDigest.Add(DigestKey, DigestText(hash));
        }

        var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartObject(MetadataKey);
            foreach (string key in withDigest.Keys.Order(Utf8Order.Instance))
            {
                json.WriteString(key, withDigest[key]);
            }

            json.WriteEndObject();

            long offset = 0;
            foreach (string name in order)
            {
                FloatTensor t = tensors[name];
                long bytes = (long)t.Length * sizeof(float);
                json.WriteStartObject(name);
                json.WriteString("dtype", "F32");
                json.WriteStartArray("shape");
                foreach (int d in t.Shape)
                {
                    json.WriteNumberValue(d);
                }

                json.WriteEndArray();
                json.WriteStartArray("data_offsets");
                json.WriteNumberValue(offset);
                json.WriteNumberValue(offset + bytes);
                json.WriteEndArray();
                json.WriteEndObject();
                offset += bytes;
            }

            json.WriteEndObject();
        }

        // The reference writer pads with spaces so that the buffer starts 8-byte aligned.
        int padding = (int)((8 - buffer.Length % 8) % 8);
        for (int i = 0; i < padding; i++)
        {
            buffer.WriteByte((byte)' ');
        }

        return buffer.ToArray();
    }

    /// <summary>Feeds the digest's header part: the other metadata entries by key, then the tensor entries in the given (name) order.</summary>
    private static void HashHeader(
        IncrementalHash hash,
        IReadOnlyDictionary<string, string> metadata,
        IEnumerable<(string Name, string DType, int[] Shape, long Begin, long End)> entries)
    {
        var keys = metadata.Keys.Where(k => k != DigestKey).Order(Utf8Order.Instance).ToList();
        AppendNumber(hash, (ulong)keys.Count);
        foreach (string key in keys)
        {
            AppendText(hash, key);
            AppendText(hash, metadata[key]);
        }

        foreach (var (name, dtype, shape, begin, end) in entries)
        {
            AppendText(hash, name);
            AppendText(hash, dtype);
            AppendNumber(hash, (ulong)shape.Length);
            foreach (int d in shape)
            {
                AppendNumber(hash, (ulong)d);
            }

            AppendNumber(hash, (ulong)begin);
            AppendNumber(hash, (ulong)end);
        }
    }

    private static void AppendNumber(IncrementalHash hash, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, value);
        hash.AppendData(bytes);
    }

    private static void AppendText(IncrementalHash hash, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        AppendNumber(hash, (ulong)bytes.Length);
        hash.AppendData(bytes);
    }

    /// <summary>Feeds float32 values to the digest as the little-endian bytes the file stores.</summary>
    private static void AppendLittleEndian(IncrementalHash hash, ReadOnlySpan<float> data)
    {
        if (BitConverter.IsLittleEndian)
        {
            hash.AppendData(MemoryMarshal.AsBytes(data));
            return;
        }

        Span<byte> one = stackalloc byte[4];
        foreach (float v in data)
        {
            BinaryPrimitives.WriteSingleLittleEndian(one, v);
            hash.AppendData(one);
        }
    }

    private static string DigestText(IncrementalHash hash) => DigestPrefix + Convert.ToHexStringLower(hash.GetCurrentHash());

    /// <summary>Levenshtein distance (for a damaged digest key; the keys compared are short).</summary>
    private static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitute, Math.Min(previous[j], current[j - 1]) + 1);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static bool IsDigestText(string text)
    {
        if (text.Length != DigestPrefix.Length + 64 || !text.StartsWith(DigestPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (char c in text.AsSpan(DigestPrefix.Length))
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteBody(Stream stream, byte[] header, List<string> order, IReadOnlyDictionary<string, FloatTensor> tensors)
    {
        Span<byte> lengthField = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(lengthField, (ulong)header.Length);
        stream.Write(lengthField);
        stream.Write(header);
        byte[]? scratch = null;
        foreach (string name in order)
        {
            ReadOnlySpan<float> data = tensors[name].ReadOnlySpan;
            if (BitConverter.IsLittleEndian)
            {
                stream.Write(MemoryMarshal.AsBytes(data));
                continue;
            }

            scratch ??= new byte[1 << 16];
            for (int i = 0; i < data.Length;)
            {
                int n = Math.Min(data.Length - i, scratch.Length / 4);
                for (int j = 0; j < n; j++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(scratch.AsSpan(4 * j), data[i + j]);
                }

                stream.Write(scratch, 0, 4 * n);
                i += n;
            }
        }
    }

    private static List<Entry> ParseHeader(string file, byte[] header, long bufferLength, out Dictionary<string, string> metadata)
    {
        if (header.Length == 0 || header[0] != (byte)'{')
        {
            throw Fail(file, "the JSON header does not start with '{'");
        }

        if (!Utf8.IsValid(header))
        {
            throw Fail(file, "the JSON header is not valid UTF-8");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            throw Fail(file, $"the header is not valid JSON ({ex.Message})", ex);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Fail(file, "the JSON header is not an object");
            }

            metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var names = new HashSet<string>(StringComparer.Ordinal);
            var entries = new List<Entry>();
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(p.Name))
                {
                    throw Fail(file, $"the name '{p.Name}' appears twice in the header");
                }

                if (p.Name == MetadataKey)
                {
                    ParseMetadata(file, p.Value, metadata);
                    continue;
                }

                entries.Add(ParseEntry(file, p.Name, p.Value, bufferLength));
            }

            return entries;
        }
    }

    private static void ParseMetadata(string file, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Fail(file, "__metadata__ is not an object of strings");
        }

        foreach (JsonProperty m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
            {
                throw Fail(file, $"__metadata__ entry '{m.Name}' is a {m.Value.ValueKind}, not a string");
            }

            if (!metadata.TryAdd(m.Name, m.Value.GetString()!))
            {
                throw Fail(file, $"__metadata__ entry '{m.Name}' appears twice");
            }
        }
    }

    private static Entry ParseEntry(string file, string name, JsonElement value, long bufferLength)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Fail(file, $"the entry for tensor '{name}' is not an object");
        }

        if (!value.TryGetProperty("dtype", out JsonElement dtypeElement) || dtypeElement.ValueKind != JsonValueKind.String)
        {
            throw Fail(file, $"tensor '{name}' has no string \"dtype\"");
        }

        string dtype = dtypeElement.GetString()!;
        int size = dtype switch
        {
            "F32" => 4,
            "F64" => 8,
            "F16" or "BF16" => 2,
            _ => 0,
        };
        if (size == 0)
        {
            string what = Array.IndexOf(UnsupportedDTypes, dtype) >= 0 ? "an unsupported dtype" : "an unknown dtype";
            throw Fail(file, $"tensor '{name}' has {what} '{dtype}'; Helmholtz reads F32, F64, F16 and BF16 (as float32)");
        }

        if (!value.TryGetProperty("shape", out JsonElement shapeElement) || shapeElement.ValueKind != JsonValueKind.Array)
        {
            throw Fail(file, $"tensor '{name}' has no \"shape\" array");
        }

        int rank = shapeElement.GetArrayLength();
        if (rank > 32)
        {
            throw Fail(file, $"tensor '{name}' has rank {rank}; at most 32 dimensions are accepted");
        }

        var shape = new int[rank];
        long elements = 1;
        bool tooMany = false;
        int i = 0;
        foreach (JsonElement d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetUInt64(out ulong dim))
            {
                throw Fail(file, $"tensor '{name}' has a shape entry {d.GetRawText()} that is not a non-negative integer");
            }

            if (dim > int.MaxValue)
            {
                throw Fail(file, $"tensor '{name}' has a dimension {dim} larger than {int.MaxValue}");
            }

            shape[i++] = (int)dim;

            // Saturate instead of overflowing; a zero dimension later still makes the product zero.
            if (!tooMany)
            {
                elements *= (long)dim;
                if (elements > Array.MaxLength)
                {
                    tooMany = true;
                }
            }
        }

        if (shape.Contains(0))
        {
            elements = 0;
            tooMany = false;
        }

        if (tooMany)
        {
            throw Fail(file, $"tensor '{name}' of shape {FloatTensor.Format(shape)} has more elements than an array can hold");
        }

        if (!value.TryGetProperty("data_offsets", out JsonElement offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
        {
            throw Fail(file, $"tensor '{name}' has no \"data_offsets\" array of two integers");
        }

        if (!offsets[0].TryGetUInt64Strict(out ulong begin) || !offsets[1].TryGetUInt64Strict(out ulong end))
        {
            throw Fail(file, $"tensor '{name}' has data_offsets {offsets.GetRawText()} that are not non-negative integers");
        }

        if (begin > end)
        {
            throw Fail(file, $"tensor '{name}' has data_offsets [{begin}, {end}] with begin > end");
        }

        if (end > (ulong)bufferLength)
        {
            throw Fail(file, $"tensor '{name}' has data_offsets [{begin}, {end}] beyond the {bufferLength}-byte data buffer");
        }

        long expected = elements * size;
        if (end - begin != (ulong)expected)
        {
            throw Fail(file, $"tensor '{name}' ({dtype}, shape {FloatTensor.Format(shape)}) needs {expected} bytes, but data_offsets [{begin}, {end}] span {end - begin}");
        }

        return new Entry(name, dtype, shape, (int)elements, (long)begin, (long)end);
    }

    private static void CheckTiling(string file, List<Entry> entries, long bufferLength)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long position = 0;
        string? previous = null;
        foreach (Entry e in entries)
        {
            if (e.Begin > position)
            {
                throw Fail(file, $"bytes [{position}, {e.Begin}) of the data buffer belong to no tensor (before '{e.Name}')");
            }

            if (e.Begin < position)
            {
                throw Fail(file, $"tensors '{previous}' and '{e.Name}' overlap in the data buffer");
            }

            position = e.End;
            previous = e.Name;
        }

        if (position != bufferLength)
        {
            throw Fail(file, $"the data buffer is {bufferLength} bytes but the tensors cover only the first {position}");
        }
    }

    private static void ReadConverted(Stream stream, string dtype, float[] destination, byte[] scratch, IncrementalHash? hash)
    {
        int size = dtype switch { "F64" => 8, "F32" => 4, _ => 2 };
        int perChunk = scratch.Length / size;
        for (int i = 0; i < destination.Length;)
        {
            int n = Math.Min(destination.Length - i, perChunk);
            Span<byte> bytes = scratch.AsSpan(0, n * size);
            stream.ReadExactly(bytes);
            hash?.AppendData(bytes);
            Span<float> dst = destination.AsSpan(i, n);
            switch (dtype)
            {
                case "F64":
                    for (int j = 0; j < n; j++)
                    {
                        dst[j] = (float)BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * j)..]);
                    }

                    break;
                case "F32":
                    for (int j = 0; j < n; j++)
                    {
                        dst[j] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * j)..]);
                    }

                    break;
                case "F16":
                    for (int j = 0; j < n; j++)
                    {
                        dst[j] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes[(2 * j)..]);
                    }

                    break;
                default:
                    // bfloat16 is the top half of a float32's bits, so widening is exact.
                    for (int j = 0; j < n; j++)
                    {
                        dst[j] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(bytes[(2 * j)..]) << 16);
                    }

                    break;
            }

            i += n;
        }
    }

    private static SafetensorsFormatException Fail(string file, string problem, Exception? inner = null) => new(file, problem, inner);

    private sealed record Entry(string Name, string DType, int[] Shape, int Elements, long Begin, long End);

    /// <summary>Orders strings by their UTF-8 bytes, as Rust's <c>String</c> ordering (used by the reference writer) does.</summary>
    private sealed class Utf8Order : IComparer<string>
    {
        public static readonly Utf8Order Instance = new();

        public int Compare(string? x, string? y) =>
            Encoding.UTF8.GetBytes(x ?? string.Empty).AsSpan().SequenceCompareTo(Encoding.UTF8.GetBytes(y ?? string.Empty));
    }
}

internal static class JsonElementExtensions
{
    /// <summary>Reads a non-negative integer JSON number, rejecting every other kind of value.</summary>
    public static bool TryGetUInt64Strict(this JsonElement e, out ulong value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out value);
    }
}
