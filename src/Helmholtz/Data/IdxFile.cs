using System.Buffers.Binary;
using System.IO.Compression;
using Helmholtz.Tensors;

namespace Helmholtz.Data;

/// <summary>The dimensions and unsigned-byte contents of an IDX file (the format of MNIST and Fashion-MNIST).</summary>
/// <remarks>
/// Layout (LeCun &amp; Cortes, "THE MNIST DATABASE of handwritten digits"): the magic number is four bytes
/// <c>0x00 0x00 &lt;type&gt; &lt;ndim&gt;</c>; then <c>ndim</c> big-endian unsigned 32-bit dimensions; then the data,
/// row-major. Only type 0x08 (unsigned byte, what the MNIST family uses) is accepted, with 1 to 4 dimensions, and the
/// data must be exactly the product of the dimensions long (a short file and trailing bytes are both errors), at most
/// <see cref="MaxDataBytes"/>. A file that starts with the gzip magic bytes 1f 8b is decompressed first, whatever its
/// name. Every breach, including a corrupt gzip stream, throws <see cref="IdxFormatException"/>.
/// </remarks>
public sealed class IdxFile
{
    /// <summary>The largest data section accepted, in bytes (1 GiB; Fashion-MNIST's training images are 47 MB).</summary>
    public const long MaxDataBytes = 1L << 30;

    /// <summary>The only supported element type code (unsigned byte).</summary>
    public const byte UnsignedByteType = 0x08;

    private readonly int[] _dimensions;

    /// <summary>Creates an IDX content from its dimensions and row-major data (not copied).</summary>
    /// <exception cref="ArgumentException">There are not 1 to 4 dimensions, or the data length is not their product.</exception>
    public IdxFile(int[] dimensions, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(dimensions);
        ArgumentNullException.ThrowIfNull(data);
        if (dimensions.Length is < 1 or > 4)
        {
            throw new ArgumentException($"An IDX file has 1 to 4 dimensions, not {dimensions.Length}.", nameof(dimensions));
        }

        long product = 1;
        foreach (int d in dimensions)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(dimensions));
            product *= d;
            if (product > MaxDataBytes)
            {
                throw new ArgumentException($"Dimensions {FloatTensor.Format(dimensions)} exceed {MaxDataBytes} bytes.", nameof(dimensions));
            }
        }

        if (product != data.Length)
        {
            throw new ArgumentException($"Dimensions {FloatTensor.Format(dimensions)} need {product} bytes, but the data has {data.Length}.", nameof(data));
        }

        _dimensions = (int[])dimensions.Clone();
        Data = data;
    }

    /// <summary>The dimensions, outermost first (for MNIST images: count, rows, columns).</summary>
    public ReadOnlySpan<int> Dimensions => _dimensions;

    /// <summary>The data, row-major.</summary>
    public byte[] Data { get; }

    /// <summary>Reads and validates the IDX file at <paramref name="path"/>, gzipped or not.</summary>
    /// <exception cref="IdxFormatException">The file breaks the format; the message says how.</exception>
    public static IdxFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads and validates IDX content, gzipped or not, from <paramref name="stream"/>, naming it <paramref name="fileName"/> in errors.</summary>
    /// <exception cref="IdxFormatException">The content breaks the format; the message says how.</exception>
    public static IdxFile Read(Stream stream, string fileName)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fileName);
        long? length = stream.CanSeek ? stream.Length - stream.Position : null;
        Span<byte> magic = stackalloc byte[2];
        int got = ReadFully(stream, magic, fileName, compressed: false);
        bool gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        // The two bytes already read are needed again: by the decompressor, or as the IDX magic's first half.
        Stream source = new PrefixedStream(magic[..got].ToArray(), stream);
        if (!gzip)
        {
            return Parse(source, fileName, compressed: false, length);
        }

        using var unzipped = new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
        return Parse(unzipped, fileName, compressed: true, knownLength: null);
    }

    private static IdxFile Parse(Stream s, string file, bool compressed, long? knownLength)
    {
        string what = compressed ? "the decompressed gzip data" : "the file";
        Span<byte> head = stackalloc byte[4];
        int got = ReadFully(s, head, file, compressed);
        if (got < 4)
        {
            throw Fail(file, $"{what} is {got} bytes long, shorter than the 4-byte magic number");
        }

        if (head[0] != 0 || head[1] != 0)
        {
            throw Fail(file, $"the magic number {Convert.ToHexString(head)} does not start with two zero bytes");
        }

        if (head[2] != UnsignedByteType)
        {
            throw Fail(file, $"element type 0x{head[2]:X2} ({TypeName(head[2])}) is not supported; only 0x08 (unsigned byte) is");
        }

        int ndim = head[3];
        if (ndim is < 1 or > 4)
        {
            throw Fail(file, $"the magic number gives {ndim} dimensions; 1 to 4 are supported");
        }

        Span<byte> dimBytes = stackalloc byte[16];
        got = ReadFully(s, dimBytes[..(4 * ndim)], file, compressed);
        if (got < 4 * ndim)
        {
            throw Fail(file, $"{what} ends inside the {ndim} dimension sizes");
        }

        var dims = new int[ndim];
        long product = 1;
        for (int i = 0; i < ndim; i++)
        {
            uint d = BinaryPrimitives.ReadUInt32BigEndian(dimBytes[(4 * i)..]);
            if (d > int.MaxValue)
            {
                throw Fail(file, $"dimension {i} is {d}, larger than {int.MaxValue}");
            }

            dims[i] = (int)d;
        }

        bool tooBig = false;
        foreach (int d in dims)
        {
            // Saturating product: a later zero dimension would make it zero, and is checked below.
            if (!tooBig)
            {
                product *= d;
                tooBig = product > MaxDataBytes;
            }
        }

        if (dims.Contains(0))
        {
            product = 0;
            tooBig = false;
        }

        if (tooBig)
        {
            throw Fail(file, $"dimensions {FloatTensor.Format(dims)} describe more than {MaxDataBytes} bytes");
        }

        long headerBytes = 4 + 4L * ndim;
        if (knownLength is long total && total - headerBytes != product)
        {
            throw Fail(file, $"dimensions {FloatTensor.Format(dims)} need {product} data bytes, but the file has {total - headerBytes}");
        }

        byte[] data = knownLength is null ? ReadGrowing(s, (int)product, file, dims) : new byte[product];
        if (knownLength is not null && ReadFully(s, data, file, compressed) != data.Length)
        {
            throw Fail(file, $"the file ended early while reading {product} data bytes");
        }

        Span<byte> extra = stackalloc byte[1];
        if (ReadFully(s, extra, file, compressed) != 0)
        {
            throw Fail(file, $"{what} has bytes after the {product} data bytes that dimensions {FloatTensor.Format(dims)} describe");
        }

        return new IdxFile(dims, data);
    }

    /// <summary>Reads exactly <paramref name="length"/> bytes, growing the buffer as data arrives so that a corrupt header cannot force a huge allocation.</summary>
    private static byte[] ReadGrowing(Stream s, int length, string file, int[] dims)
    {
        var buffer = new byte[Math.Min(length, 1 << 20)];
        int filled = 0;
        while (filled < length)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(length, 2L * buffer.Length));
            }

            int n = ReadFully(s, buffer.AsSpan(filled), file, compressed: true);
            filled += n;
            if (filled < buffer.Length)
            {
                throw Fail(file, $"the decompressed gzip data ends after {filled} of the {length} data bytes that dimensions {FloatTensor.Format(dims)} describe");
            }
        }

        return buffer;
    }

    private static int ReadFully(Stream s, Span<byte> destination, string file, bool compressed)
    {
        try
        {
            return s.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException ex) when (compressed)
        {
            throw Fail(file, $"the gzip stream is corrupt ({ex.Message})", ex);
        }
    }

    private static string TypeName(byte code) => code switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown type",
    };

    private static IdxFormatException Fail(string file, string problem, Exception? inner = null) => new(file, problem, inner);

    /// <summary>A read-only stream that yields a few already-read bytes and then the rest of another stream.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream rest) : Stream
    {
        private int _used;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_used < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _used);
                prefix.AsSpan(_used, n).CopyTo(buffer);
                _used += n;
                return n;
            }

            return rest.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
