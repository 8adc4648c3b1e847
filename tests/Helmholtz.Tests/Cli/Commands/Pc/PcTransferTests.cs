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
        Assert.Equal("width,depth,param,method,lr,seed,test_accuracy,test_loss,train_loss,epoch_seconds,diverged", rows[0]);
        var runs = rows.Skip(1).Select(r => r.Split(',')).ToArray();
        Assert.Equal(2 * 2 * 3 * 2, runs.Length); // widths × depths × rates × (bp + PC)

        // The summary, recomputed from transfer.csv: per method and cell the best rate, and what the rate best in the first
        // cell (width 8, depth 3) loses there.
        var summary = File.ReadAllLines(Path.Combine(dir, "transfer-summary.csv")).Skip(1).Select(r => r.Split(',')).ToArray();
        Assert.Equal(2 * 4, summary.Length);
        foreach (var method in runs.Select(r => r[3]).Distinct())
        {
            double Acc(string[] r) => r[10] == "1" ? -1 : double.Parse(r[6], CultureInfo.InvariantCulture);
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
    }

    [Fact]
    public void BadListsAreRejectedBeforeAnyTraining()
    {
        var (code, _, stderr) = CliInProcess.Run(["pc", "transfer", "--lrs", "0.1,-1", "--dataset", "digits", "--out", Path.Combine(_root, "bad")]);
        Assert.Equal(2, code);
        Assert.Contains("--lrs must list positive learning rates", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_root, "bad"))); // nothing written
    }
}
