using System.Globalization;
using Helmholtz.Sweeps;
using Helmholtz.Tests.Data;

namespace Helmholtz.Tests.Sweeps;

/// <summary>Collecting run folders into the tidy table, and the mean and 95 % interval over seeds.</summary>
public sealed class SweepTableTests
{
    private static readonly SweepConventions Conventions = new(["train"], "--seed", "--out");

    [Fact]
    public void MarkedRunsBecomeOneRowPerEpochWithTheSweptOptionsAsColumns()
    {
        using var dir = new TempDirectory();
        var runs = SweepSpec.Parse("""{"command": ["train"], "axes": [{"grid": {"--lr": [0.1, 0.2]}}], "seeds": "1-3", "output": "."}""", dir.Path, "t", Conventions).Expand();
        // lr=0.1 with three seeds; lr=0.2 with seed 1 finished and seed 2 killed part-way (metrics, no marker).
        Finish(runs[0], "epoch,loss,epoch_seconds\n1,1,0.5\n2,0.5,0.25\n");
        Finish(runs[1], "epoch,loss,epoch_seconds\n1,2,0.5\n2,0.5,0.25\n");
        Finish(runs[2], "epoch,loss,epoch_seconds\n1,3,0.5\n2,0.5,0.25\n");
        Finish(runs[3], "epoch,loss,epoch_seconds\n1,4,0.5\n");
        Directory.CreateDirectory(runs[4].Folder);
        File.WriteAllText(Path.Combine(runs[4].Folder, "metrics.csv"), "epoch,loss,epoch_seconds\n1,9,0.5\n");

        var table = SweepTable.Read(dir.Path);

        Assert.Equal(["lr"], table.OptionColumns);
        Assert.Equal("epoch", table.XColumn);
        Assert.Equal(["loss", "epoch_seconds"], table.MetricColumns);
        Assert.Equal([runs[4].Name], table.Unfinished);
        Assert.Equal(
            "run,lr,seed,epoch,loss,epoch_seconds\n" +
            $"{runs[0].Name},0.1,1,1,1,0.5\n{runs[0].Name},0.1,1,2,0.5,0.25\n" +
            $"{runs[1].Name},0.1,2,1,2,0.5\n{runs[1].Name},0.1,2,2,0.5,0.25\n" +
            $"{runs[2].Name},0.1,3,1,3,0.5\n{runs[2].Name},0.1,3,2,0.5,0.25\n" +
            $"{runs[3].Name},0.2,1,1,4,0.5\n",
            table.ToCsv());
    }

    [Fact]
    public void TheIntervalIsMeanPlusMinusStudentTTimesTheStandardError()
    {
        using var dir = new TempDirectory();
        var runs = SweepSpec.Parse("""{"command": ["train"], "axes": [{"grid": {"--lr": [0.1, 0.2]}}], "seeds": "1-3", "output": "."}""", dir.Path, "t", Conventions).Expand();
        Finish(runs[0], "epoch,loss\n1,1\n2,0.5\n");
        Finish(runs[1], "epoch,loss\n1,2\n2,0.5\n");
        Finish(runs[2], "epoch,loss\n1,3\n2,0.5\n");
        Finish(runs[3], "epoch,loss\n1,4\n");

        var table = SweepTable.Read(dir.Path);
        var series = table.Summarize();

        // By hand: losses 1, 2, 3 at epoch 1 have mean 2 and sd √((1 + 0 + 1)/2) = 1. With 2 degrees of freedom
        // P(|T| ≤ t) = t/√(t² + 2), so t(0.975, 2) = √(2·0.95²/(1 − 0.95²)) ≈ 4.3027; half-width t·1/√3 ≈ 2.4841.
        double half = Math.Sqrt(2 * 0.95 * 0.95 / (1 - (0.95 * 0.95))) / Math.Sqrt(3);
        var a = Assert.Single(series, s => s.Group[0] == "0.1");
        Assert.Equal(2, a.Points.Count);
        Assert.Equal((1.0, 3, 2.0, 1.0), (a.Points[0].X, a.Points[0].Count, a.Points[0].Mean, a.Points[0].StandardDeviation));
        Assert.Equal(2 - half, a.Points[0].Lower, 1e-12);
        Assert.Equal(2 + half, a.Points[0].Upper, 1e-12);
        Assert.Equal(2.4841377, half, 1e-6);
        // Equal values: zero width. One seed: no interval.
        Assert.Equal((0.5, 0.0, 0.5, 0.5), (a.Points[1].Mean, a.Points[1].StandardDeviation, a.Points[1].Lower, a.Points[1].Upper));
        var b = Assert.Single(series, s => s.Group[0] == "0.2");
        Assert.Equal(1, b.Points[0].Count);
        Assert.True(double.IsNaN(b.Points[0].Lower) && double.IsNaN(b.Points[0].Upper));

        var lines = table.SummaryCsv(series).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("lr,epoch,metric,n,mean,sd,ci95_low,ci95_high", lines[0]);
        var f = lines[1].Split(',');
        Assert.Equal("0.1,1,loss,3,2,1", string.Join(',', f[..6]));
        Assert.Equal(2 - half, double.Parse(f[6], CultureInfo.InvariantCulture), 1e-12);
        Assert.Equal(2 + half, double.Parse(f[7], CultureInfo.InvariantCulture), 1e-12);
        Assert.Equal("0.2,1,loss,1,4,,,", lines[3]);
    }

    [Fact]
    public void FoldersWithoutMarkersAreDescribedByTheConfigFieldsThatDiffer()
    {
        using var dir = new TempDirectory();
        Write(dir.Path, "a", """{"lr": 0.1, "seed": 1, "epochs": 2, "hidden": [128, 128], "optim": {"momentum": 0.9}}""", "episode,return\n1,10\n");
        Write(dir.Path, "b", """{"lr": 0.2, "seed": 2, "epochs": 2, "hidden": [64], "optim": {"momentum": 0.9}}""", "episode,return\n1,20\n");

        var table = SweepTable.Read(dir.Path);

        Assert.Equal(["lr", "hidden"], table.OptionColumns);
        Assert.Equal("run,lr,hidden,seed,episode,return\na,0.1,\"[128,128]\",1,1,10\nb,0.2,[64],2,1,20\n", table.ToCsv());
        Assert.Empty(table.Unfinished);
    }

    [Fact]
    public void RunsWhoseMetricsStartWithDifferentColumnsAreRefused()
    {
        using var dir = new TempDirectory();
        Write(dir.Path, "a", "{}", "epoch,loss\n1,1\n");
        Write(dir.Path, "b", "{}", "episode,return\n1,1\n");
        var ex = Assert.Throws<InvalidDataException>(() => SweepTable.Read(dir.Path));
        Assert.Contains("the first column is", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => SweepTable.Read(Directory.CreateDirectory(Path.Combine(dir.Path, "empty")).FullName));
    }

    [Theory]
    [InlineData(0.975, 4, 2.776445, 5e-7)] // R 4.x qt(0.975, 4), 6 decimals
    [InlineData(0.975, 9, 2.262157, 5e-7)] // qt(0.975, 9)
    [InlineData(0.975, 30, 2.042272, 5e-7)] // qt(0.975, 30)
    [InlineData(0.995, 3, 5.840909, 5e-7)] // qt(0.995, 3)
    public void StudentQuantilesMatchTables(double p, int df, double expected, double tolerance) =>
        Assert.Equal(expected, StudentT.Quantile(p, df), tolerance);

    [Fact]
    public void StudentQuantilesMatchClosedFormsAndTheNormalLimit()
    {
        Assert.Equal(Math.Tan(0.475 * Math.PI), StudentT.Quantile(0.975, 1), 1e-9); // ν = 1: A = 2θ/π
        Assert.Equal(Math.Sqrt(2 * 0.95 * 0.95 / (1 - (0.95 * 0.95))), StudentT.Quantile(0.975, 2), 1e-12); // ν = 2: A = t/√(t² + 2)
        Assert.Equal(1.961151, StudentT.Quantile(0.975, 2000), 5e-7); // qt(0.975, 2000); the normal limit is 1.959964
    }

    private static void Finish(SweepRun run, string metrics)
    {
        Directory.CreateDirectory(run.Folder);
        File.WriteAllText(Path.Combine(run.Folder, "metrics.csv"), metrics);
        SweepMarker.Write(run, 1, 1);
    }

    private static void Write(string root, string name, string config, string metrics)
    {
        string folder = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
        File.WriteAllText(Path.Combine(folder, "config.json"), config);
        File.WriteAllText(Path.Combine(folder, "metrics.csv"), metrics);
    }
}
