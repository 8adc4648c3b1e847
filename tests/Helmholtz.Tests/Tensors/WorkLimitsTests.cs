using Helmholtz.Tensors;
using Helmholtz.Tests.Data;

namespace Helmholtz.Tests.Tensors;

/// <summary><see cref="WorkLimits"/>: memory estimates and bounded file reads refuse with the estimate and the limit.</summary>
public sealed class WorkLimitsTests
{
    [Fact]
    public void CheckBytesStatesTheEstimateTheLimitAndTheRange()
    {
        var limits = new WorkLimits(MaxBytes: 1L << 20);
        limits.CheckBytes(1L << 20, "exactly the limit");
        var ex = Assert.Throws<WorkLimitException>(() => limits.CheckBytes(3.0 * (1L << 30), "Horizon 7", "Horizon must be 1…2"));
        Assert.Equal("Horizon 7 needs an estimated 3 GiB of memory; the limit is 1 MiB (Horizon must be 1…2).", ex.Message);

        // Products of sizes can exceed every integer type; the estimate is a double and never wraps to a small number.
        Assert.Throws<WorkLimitException>(() => limits.CheckBytes(double.PositiveInfinity, "infinite"));
        Assert.Throws<WorkLimitException>(() => limits.CheckBytes(double.NaN, "unknown"));
    }

    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(64L << 20, "64 MiB")]
    [InlineData(4L << 30, "4 GiB")]
    public void FormatsBytesWithBinaryUnits(long bytes, string expected) => Assert.Equal(expected, WorkLimits.FormatBytes(bytes));

    [Fact]
    public void ReadsASmallFileAndRefusesALargeOne()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("small.json"), "{\"a\": 1}");
        File.WriteAllText(dir.File("large.json"), new string(' ', 11));
        var limits = new WorkLimits(MaxFileBytes: 10);
        Assert.Equal("{\"a\": 1}", limits.ReadAllText(dir.File("small.json"), "model file"));
        var ex = Assert.Throws<WorkLimitException>(() => limits.ReadAllText(dir.File("large.json"), "model file"));
        Assert.Contains("is 11 B; the limit is 10 B", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefusesDirectoriesMissingFilesAndDevices()
    {
        using var dir = new TempDirectory();
        Assert.Contains("is a directory", Assert.Throws<WorkLimitException>(() => WorkLimits.Default.ReadAllText(dir.Path, "model file")).Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => WorkLimits.Default.ReadAllText(dir.File("missing.json"), "model file"));
        if (File.Exists("/dev/zero"))
        {
            // /dev/zero reports a length of 0 and never ends: refused after the first block, not read to the limit.
            var ex = Assert.Throws<WorkLimitException>(() => WorkLimits.Default.ReadAllText("/dev/zero", "model file"));
            Assert.Contains("not a regular file", ex.Message, StringComparison.Ordinal);
        }
    }
}
