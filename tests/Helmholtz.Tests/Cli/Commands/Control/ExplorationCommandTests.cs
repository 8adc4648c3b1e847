using Helmholtz.Cli.Commands.Control;
using Helmholtz.Tests.Data;

namespace Helmholtz.Tests.Cli.Commands.Control;

/// <summary><c>aif exploration</c>: parsing the results table, the summary per arm, the markdown table and the figure files.</summary>
public sealed class ExplorationCommandTests
{
    private const string Header = "objective,info_gain,seed,first_success,coverage\n";

    [Fact]
    public void SummarisesArmsAndDrawsTheFigure()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("r.csv"), Header + "feef,with,1,1,0.25\nfeef,with,2,,0.15\nfeef,without,1,,0.5\nfeef,without,2,3,0.1\n");
        var rows = ExplorationCommand.Parse(dir.File("r.csv"));
        var arms = ExplorationCommand.Summarise(rows);

        // Hand calculation: with = (0.25 + 0.15) / 2, one of two reached; without = (0.5 + 0.1) / 2, one of two.
        Assert.Equal(2, arms.Count);
        Assert.Equal(("feef", "with", 2, 1), (arms[0].Objective, arms[0].InfoGain, arms[0].Runs, arms[0].Succeeded));
        Assert.Equal(0.2, arms[0].MeanCoverage, 12);
        Assert.Equal(0.3, arms[1].MeanCoverage, 12);
        Assert.Equal((0.1, 0.5), (arms[1].MinCoverage, arms[1].MaxCoverage));

        // --within 1: the run that first succeeded in planned episode 3 no longer counts.
        Assert.Equal(0, ExplorationCommand.Summarise(rows, within: 1)[1].Succeeded);

        Assert.Contains("| reached ≤ 1 |", ExplorationCommand.Markdown(rows, within: 1), StringComparison.Ordinal);
        string md = ExplorationCommand.Markdown(rows);
        Assert.Contains("| `feef` | with | 1 (0.250) | none (0.150) | 1/2 | 0.200 |", md, StringComparison.Ordinal);
        Assert.Contains("| `feef` | without | none (0.500) | 3 (0.100) | 1/2 | 0.300 |", md, StringComparison.Ordinal);

        ExplorationCommand.Draw(rows, "test", dir.File("fig"), within: 1, baseline: 0.1);
        Assert.True(new FileInfo(dir.File("fig.png")).Length > 1000);
        Assert.Contains("<svg", File.ReadAllText(dir.File("fig.svg")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("objective,seed\nfeef,1\n", "expected the header")]
    [InlineData(Header + "feef,maybe,1,1,0.2\n", "line 2")]
    [InlineData(Header + "feef,with,1,x,0.2\n", "line 2")]
    [InlineData(Header + "feef,with,1,1,1.5\n", "coverage in [0, 1]")]
    public void BadTablesNameTheLine(string text, string message)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("r.csv"), text);
        var ex = Assert.Throws<InvalidDataException>(() => ExplorationCommand.Parse(dir.File("r.csv")));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }
}
