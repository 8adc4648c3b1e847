using System.Buffers.Binary;
using System.IO.Compression;
using Helmholtz.Data;
using Xunit.Abstractions;

namespace Helmholtz.Tests.Data;

public sealed class IdxFileTests(ITestOutputHelper output)
{
    /// <summary>IDX bytes by the format's definition: 00 00 08 ndim, big-endian u32 dims, then the data.</summary>
    internal static byte[] Build(int[] dims, byte[] data, byte type = 0x08)
    {
        var bytes = new byte[4 + 4 * dims.Length + data.Length];
        bytes[2] = type;
        bytes[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(4 + 4 * i), (uint)dims[i]);
        }

        data.CopyTo(bytes, 4 + 4 * dims.Length);
        return bytes;
    }

    internal static byte[] Gzip(byte[] raw)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Optimal, leaveOpen: true))
        {
            gz.Write(raw);
        }

        return ms.ToArray();
    }

    private static byte[] Sequence(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 7)).ToArray();

    private static IdxFile Parse(byte[] bytes) => IdxFile.Read(new MemoryStream(bytes), "test.idx");

    private static void Rejects(byte[] bytes, string fragment)
    {
        var ex = Assert.Throws<IdxFormatException>(() => Parse(bytes));
        Assert.Contains("test.idx", ex.Message);
        Assert.Contains(fragment, ex.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadsRawAndGzippedFilesAlike(bool gzip)
    {
        byte[] data = Sequence(2 * 3 * 4);
        byte[] raw = Build([2, 3, 4], data);
        var idx = Parse(gzip ? Gzip(raw) : raw);
        Assert.Equal([2, 3, 4], idx.Dimensions.ToArray());
        Assert.Equal(data, idx.Data);
    }

    [Fact]
    public void GzipIsDetectedByContentNotByName()
    {
        using var dir = new TempDirectory();
        byte[] raw = Build([5], Sequence(5));
        File.WriteAllBytes(dir.File("looks-raw"), Gzip(raw));
        File.WriteAllBytes(dir.File("looks-zipped.gz"), raw);
        Assert.Equal(Sequence(5), IdxFile.Read(dir.File("looks-raw")).Data);
        Assert.Equal(Sequence(5), IdxFile.Read(dir.File("looks-zipped.gz")).Data);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RejectsEveryBrokenRuleWithAMessageNamingIt(bool gzip)
    {
        byte[] Z(byte[] b) => gzip ? Gzip(b) : b;
        Rejects(Z([0, 0, 8]), "shorter than the 4-byte magic");
        Rejects(Z([1, 0, 8, 1, 0, 0, 0, 0]), "does not start with two zero bytes");
        Rejects(Z(Build([1], [0], type: 0x0D)), "0x0D (float32) is not supported");
        Rejects(Z([0, 0, 8, 0]), "gives 0 dimensions");
        Rejects(Z([0, 0, 8, 5, .. new byte[20]]), "gives 5 dimensions");
        Rejects(Z([0, 0, 8, 3, 0, 0, 0, 1]), "ends inside the 3 dimension sizes");
        Rejects(Z(Build([4], [1, 2, 3])), gzip ? "ends after 3 of the 4 data bytes" : "need 4 data bytes, but the file has 3");
        Rejects(Z(Build([4], [1, 2, 3, 4, 5])), gzip ? "has bytes after the 4 data bytes" : "need 4 data bytes, but the file has 5");
        Rejects(Z([0, 0, 8, 1, 0x80, 0, 0, 0]), "larger than 2147483647");
        Rejects(Z(Build([65536, 65536], [])), "describe more than 1073741824 bytes");
    }

    [Fact]
    public void CorruptGzipIsAFormatError()
    {
        byte[] gz = Gzip(Build([100], Sequence(100)));
        gz[gz.Length / 2] ^= 0x55;
        Assert.Throws<IdxFormatException>(() => Parse(gz));
        Rejects([0x1f, 0x8b, 8, 0, 0, 0], "gzip");
    }

    [Fact]
    public void AHugeClaimedSizeInAGzipFileDoesNotAllocateIt()
    {
        // 1 GiB claimed, 10 bytes present: must fail fast without allocating the claim.
        byte[] gz = Gzip(Build([1024, 1024, 1024], Sequence(10)));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Rejects(gz, "ends after 10 of the 1073741824 data bytes");
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "allocated more than 16 MiB");
    }

    [Fact]
    public void FuzzedFilesEitherReadOrThrowTheFormatException()
    {
        byte[] raw = Build([3, 4, 5], Sequence(60));
        foreach ((byte[] valid, ulong seed) in new[] { (raw, 11UL), (Gzip(raw), 12UL) })
        {
            int ok = Fuzz.Run(valid, iterations: 2500, seed: seed, bytes =>
            {
                try
                {
                    Parse(bytes);
                    return true;
                }
                catch (IdxFormatException)
                {
                    return false;
                }
            }, lengthFieldBytes: 4);
            output.WriteLine($"seed {seed}: {ok} of 2500 mutants parsed");
            Assert.InRange(ok, 1, 2499);
        }
    }

    [Fact]
    public void FuzzOutcomesAreCleanRefusalsOrValidFiles()
    {
        // Counts each outcome (HELMHOLTZ_FUZZ_ITERATIONS=10000 for the long run): a mutant either reads as a
        // consistent IDX file (dimensions whose product is the data length) or throws IdxFormatException; nothing else.
        int iterations = Fuzz.Iterations(500);
        byte[] raw = Build([3, 4, 5], Sequence(60));
        foreach ((string kind, byte[] valid, ulong seed) in new[] { ("raw", raw, 21UL), ("gzip", Gzip(raw), 22UL) })
        {
            var outcomes = Fuzz.Count(valid, iterations, seed, bytes =>
            {
                var file = Parse(bytes);
                long product = 1;
                foreach (int d in file.Dimensions)
                {
                    product *= d;
                }

                Assert.Equal(product, file.Data.LongLength);
                return file.Dimensions.SequenceEqual([3, 4, 5]) && file.Data.AsSpan().SequenceEqual(Sequence(60));
            }, ex => ex is IdxFormatException, lengthFieldBytes: 4);
            output.WriteLine($"IDX {kind} ({valid.Length} bytes): {outcomes}");
            Assert.Empty(outcomes.Other);
        }
    }
}
