using System.Globalization;
using Helmholtz.Tests.Cli.Infrastructure;

namespace Helmholtz.Tests.Cli.Commands.Pc;

public sealed class PcTransferTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("helmholtz-pc-transfer-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void GridWritesOneRowPerRunAndASummaryReadFromIt()
    {
        string dir = Path.Combine(_root, "grid");
        var (code, _, stderr) = CliInProcess.Run(["pc", "transfer", "--widths", "8,16", "--depths", "3,5", "--lrs", "0.003,0.03,0.3", "--params", "mupc",
            "--variant", "pc-standard:depth:0.2", "--max-batches", "3", "--dataset", "digits", "--threads", "1", "--out", dir]);
        Assert.True(code == 0, $"exit code {code}; stderr: {stderr}");
        var rows = File.ReadAllLines(Path.Combine(dir, "transfer.csv"));
        Assert.Equal("width,depth,param,method,lr,seed,dataset,epochs,max_batches,test_accuracy,test_loss,train_loss,epoch_seconds,diverged", rows[0]);
        var runs = rows.Skip(1).Select(r => r.Split(',')).ToArray();
        Assert.Equal(2 * 2 * 3 * 2, runs.Length); // widths × depths × rates × (bp + PC)

        // The summary, recomputed from transfer.csv: per method and cell the best rate, and what the rate best in the first
        // cell (width 8, depth 3) loses there.
        var summary = File.ReadAllLines(Path.Combine(dir, "transfer-summary.csv")).Skip(1).Select(r => r.Split(',')).ToArray();
        Assert.Equal(2 * 4, summary.Length);
        foreach (var method in runs.Select(r => r[3]).Distinct())
        {
            double Acc(string[] r) => r[13] == "1" ? -1 : double.Parse(r[9], CultureInfo.InvariantCulture);
            string BestRate(IEnumerable<string[]> cell) => cell.OrderByDescending(Acc).ThenBy(r => double.Parse(r[4], CultureInfo.InvariantCulture)).First()[4];
            string reference = BestRate(runs.Where(r => r[3] == method && r[0] == "8" && r[1] == "3"));
            foreach (var s in summary.Where(s => s[1] == method))
            {
                var cell = runs.Where(r => r[3] == method && r[0] == s[2] && r[1] == s[3]).ToArray();
                Assert.Equal(BestRate(cell), s[4]);
                Assert.Equal(reference, s[6]);
                double expected = 100 * (cell.Max(Acc) - Acc(cell.Single(r => r[4] == reference)));
                Assert.Equal(expected, double.Parse(s[8], CultureInfo.InvariantCulture), 9);
                Assert.True(expected >= 0);
            }
        }

        Assert.True(File.Exists(Path.Combine(dir, "transfer-mupc-bp.png")));
        Assert.True(File.Exists(Path.Combine(dir, "transfer-mupc-pc-standard.svg")));

        // --from redraws the same summary and figures from transfer.csv alone.
        string redrawn = Path.Combine(_root, "redrawn");
        (code, _, stderr) = CliInProcess.Run(["pc", "transfer", "--from", dir, "--out", redrawn]);
        Assert.True(code == 0, $"exit code {code}; stderr: {stderr}");
        Assert.Equal(File.ReadAllText(Path.Combine(dir, "transfer-summary.csv")), File.ReadAllText(Path.Combine(redrawn, "transfer-summary.csv")));
        Assert.True(File.Exists(Path.Combine(redrawn, "transfer-mupc-pc-standard.png")));
    }

    [Fact]
    public void RedrawingFromACorruptTableNamesTheLine()
    {
        string dir = Path.Combine(_root, "corrupt");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "transfer.csv"),
            "width,depth,param,method,lr,seed,dataset,epochs,max_batches,test_accuracy,test_loss,train_loss,epoch_seconds,diverged\n8,3,mupc,bp,0.1,1,digits,1,3,0.5,0.4,0.4,1,0\n8,x,mupc,bp,0.3,1,digits,1,3,0.5,0.4,0.4,1,0\n");
        var (code, _, stderr) = CliInProcess.Run(["pc", "transfer", "--from", dir, "--out", Path.Combine(_root, "corrupt-out")]);
        Assert.NotEqual(0, code);
        Assert.Contains("line 3", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_root, "corrupt-out", "transfer-summary.csv")));
    }

    [Fact]
    public void BadListsAreRejectedBeforeAnyTraining()
    {
        var (code, _, stderr) = CliInProcess.Run(["pc", "transfer", "--lrs", "0.1,-1", "--dataset", "digits", "--out", Path.Combine(_root, "bad")]);
        Assert.Equal(2, code);
        Assert.Contains("--lrs must list positive learning rates", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "bad"))); // nothing written

        (code, _, stderr) = CliInProcess.Run(["pc", "transfer", "--params", "mupc:0.1", "--dataset", "digits", "--out", Path.Combine(_root, "bad")]);
        Assert.Equal(2, code);
        Assert.Contains("the rates come from --lrs", stderr, StringComparison.Ordinal);
    }
}
