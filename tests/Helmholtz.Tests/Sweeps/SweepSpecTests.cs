using Helmholtz.Sweeps;

namespace Helmholtz.Tests.Sweeps;

public sealed class SweepSpecTests
{
    private static readonly SweepConventions Conventions = new(["train", "aif run"], "--seed", "--out");

    private static SweepSpec Parse(string json) => SweepSpec.Parse(json, "/base", "demo", Conventions);

    [Fact]
    public void GridListZipAndSeedsExpandInOrderWithDeterministicFolders()
    {
        var spec = Parse("""
            { "command": ["train", "--epochs", "1"],
              "axes": [ {"grid": {"--algo": ["bp", "pc-fixed"], "--lr": [0.01, 0.02]}},
                        {"list": [{"--hidden": "64"}, {"--hidden": "128,128"}]},
                        {"zip": {"--inference-steps": [10, 20, 30], "--inference-rate": [0.1, 0.05, 0.02]}} ],
              "seeds": "1-2", "output": "out" }
            """);
        var runs = spec.Expand();
        Assert.Equal(4 * 2 * 3 * 2, runs.Count);
        Assert.Equal("/base/out", spec.Output);
        Assert.Equal("algo=bp_lr=0.01_hidden=64_inference-steps=10_inference-rate=0.1_seed=1", runs[0].Name);
        Assert.Equal("algo=bp_lr=0.01_hidden=64_inference-steps=10_inference-rate=0.1_seed=2", runs[1].Name);
        Assert.Equal("algo=pc-fixed_lr=0.02_hidden=128-128_inference-steps=30_inference-rate=0.02_seed=2", runs[^1].Name);
        Assert.Equal(["train", "--epochs", "1", "--algo", "bp", "--lr", "0.01", "--hidden", "64", "--inference-steps", "10", "--inference-rate", "0.1", "--seed", "1", "--out", "/base/out/" + runs[0].Name], runs[0].Arguments);
        Assert.Equal(runs.Count, runs.Select(r => r.Name).Distinct().Count());
        Assert.Equal(runs.Select(r => r.Name), spec.Expand().Select(r => r.Name));
        Assert.Equal(Enumerable.Range(0, runs.Count), runs.Select(r => r.Index));
    }

    [Theory]
    [InlineData("""{"command": ["trian"]}""", "command: 'trian' is not a known command")]
    [InlineData("""{"command": ["train"], "axes": [{"grid": {"--lr": []}}]}""", "axes[0].grid.--lr: must be a non-empty array")]
    [InlineData("""{"command": ["train"], "axes": [{"zip": {"--a": [1, 2], "--b": [1]}}]}""", "axes[0].zip: the arrays must have the same length (--a has 2, --b has 1)")]
    [InlineData("""{"command": ["train", "--out", "x"]}""", "command: must not contain '--out'")]
    [InlineData("""{"command": ["train"], "axes": [{"grid": {"--lr": [1]}}, {"list": [{"--lr": 2}]}]}""", "axes[1].list[0].--lr: '--lr' is swept by more than one axis")]
    public void InvalidFilesNameTheField(string json, string expected)
    {
        var ex = Assert.Throws<InvalidDataException>(() => Parse(json));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}

public sealed class SweepMarkerTests
{
    [Fact]
    public void ARunIsDoneOnlyOnceItsMarkerIsWritten()
    {
        string dir = Path.Combine(Path.GetTempPath(), "sweep-marker-" + Guid.NewGuid().ToString("N"));
        try
        {
            var spec = SweepSpec.Parse("""{"command": ["train"], "seeds": [3]}""", dir, "m", new SweepConventions(["train"], "--seed", "--out"));
            var run = spec.Expand().Single();
            Assert.False(SweepMarker.IsDone(run));
            SweepMarker.Write(run, 1.5, 1);
            Assert.True(SweepMarker.IsDone(run));
            Assert.Contains("\"seed\": 3", File.ReadAllText(Path.Combine(run.Folder, SweepMarker.FileName)), StringComparison.Ordinal);
            File.Delete(Path.Combine(run.Folder, SweepMarker.FileName));
            Assert.False(SweepMarker.IsDone(run));
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
