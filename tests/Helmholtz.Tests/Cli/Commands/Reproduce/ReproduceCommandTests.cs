using Helmholtz.Reproduction;
using Helmholtz.Tests.Cli.Infrastructure;

namespace Helmholtz.Tests.Cli.Commands.Reproduce;

public sealed class ReproduceCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "helmholtz-reproduce-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("helmholtz reproduce pc-depth --resume --out /tmp/full/pc-depth", "helmholtz reproduce pc-depth")]
    [InlineData("helmholtz reproduce tmaze-learning --quick --out runs/x --seeds 1,2", "helmholtz reproduce tmaze-learning --quick --seeds 1,2")]
    [InlineData("helmholtz reproduce deep-aif-acrobot", "helmholtz reproduce deep-aif-acrobot")]
    public void The_results_page_shows_commands_without_the_local_run_folder(string command, string shown) =>
        Assert.Equal(shown, Helmholtz.Cli.Commands.Reproduce.ResultsPage.Rerun(command));

    [Fact]
    public void List_prints_every_id()
    {
        var (code, stdout, _) = CliInProcess.Run("reproduce", "list");
        Assert.Equal(0, code);
        Assert.All(ReproductionCatalog.Ids, id => Assert.Contains(id, stdout, StringComparison.Ordinal));
    }

    [Fact]
    public void Quick_run_writes_figures_csv_and_report_then_refuses_the_folder_without_resume_and_report_builds_the_page()
    {
        string run = Path.Combine(_dir, "tmaze-learning");
        var (code, _, stderr) = CliInProcess.Run("reproduce", "tmaze-learning", "--quick", "--out", run);
        Assert.True(code == 0, stderr);
        foreach (string file in new[] { "report.md", "measurements.csv", "summary.json", "tmaze-learning.png", "tmaze-learning.svg", "units/learn-s1.csv" })
        {
            Assert.True(File.Exists(Path.Combine(run, file)), file);
        }

        Assert.Contains("| quantity | published | Helmholtz | verdict |", File.ReadAllText(Path.Combine(run, "report.md")), StringComparison.Ordinal);
        var again = CliInProcess.Run("reproduce", "tmaze-learning", "--quick", "--out", run);
        Assert.Equal(2, again.Code);
        CliInProcess.AssertErrorLine(again.Stderr, l => l.Contains("--resume", StringComparison.Ordinal), "add --resume");
        var resumed = CliInProcess.Run("reproduce", "tmaze-learning", "--quick", "--out", run, "--resume");
        Assert.Equal(0, resumed.Code);
        Assert.Contains("0 units run, 1 resumed", File.ReadAllText(Path.Combine(run, "report.md")), StringComparison.Ordinal);

        string page = Path.Combine(_dir, "docs", "results.md");
        var report = CliInProcess.Run("reproduce", "report", "--from", _dir, "--out", page);
        Assert.True(report.Code == 0, report.Stderr);
        string text = File.ReadAllText(page);
        Assert.Contains("[tmaze-learning](#tmaze-learning) (*quick*)", text, StringComparison.Ordinal);
        Assert.Contains("0 of 1 results come from full runs; the full runs of the others are pending", text, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "docs", "results", "tmaze-learning-quick.png")));
    }

    [Fact]
    public void Report_keeps_each_summary_beside_the_page_so_later_runs_add_to_it_and_a_quick_run_never_replaces_a_full_one()
    {
        string page = Path.Combine(_dir, "docs", "results.md");
        string kept = Path.Combine(_dir, "docs", "results");
        void Report(string from)
        {
            var r = CliInProcess.Run("reproduce", "report", "--from", from, "--out", page);
            Assert.True(r.Code == 0, r.Stderr);
        }

        Assert.Equal(0, CliInProcess.Run("reproduce", "tmaze-learning", "--quick", "--out", Path.Combine(_dir, "quick", "tmaze-learning")).Code);
        Report(Path.Combine(_dir, "quick"));
        Assert.True(File.Exists(Path.Combine(kept, "tmaze-learning.json")));
        Assert.True(File.Exists(Path.Combine(kept, "tmaze-learning-quick.png")));

        // The full run replaces the kept quick one, and its figure replaces the quick figure.
        Assert.Equal(0, CliInProcess.Run("reproduce", "tmaze-learning", "--out", Path.Combine(_dir, "full", "tmaze-learning")).Code);
        Report(Path.Combine(_dir, "full"));
        Assert.False(File.Exists(Path.Combine(kept, "tmaze-learning-quick.png")));
        Assert.True(File.Exists(Path.Combine(kept, "tmaze-learning-full.png")));

        // Another result's run adds a row; the kept full tmaze-learning stays, and a quick run does not replace it.
        Assert.Equal(0, CliInProcess.Run("reproduce", "tmaze-epistemic", "--quick", "--out", Path.Combine(_dir, "other", "tmaze-epistemic")).Code);
        Report(Path.Combine(_dir, "other"));
        Report(Path.Combine(_dir, "quick"));
        string text = File.ReadAllText(page);
        Assert.Contains("| [tmaze-learning](#tmaze-learning) |", text, StringComparison.Ordinal);
        Assert.Contains("[tmaze-epistemic](#tmaze-epistemic) (*quick*)", text, StringComparison.Ordinal);
        Assert.Contains("1 of 2 results come from full runs", text, StringComparison.Ordinal);

        // A corrupt kept summary is named, and the page is not touched.
        File.WriteAllText(Path.Combine(kept, "tmaze-epistemic.json"), "{ not json");
        var bad = CliInProcess.Run("reproduce", "report", "--from", Path.Combine(_dir, "full"), "--out", page);
        Assert.NotEqual(0, bad.Code);
        CliInProcess.AssertErrorLine(bad.Stderr, l => l.Contains("tmaze-epistemic.json", StringComparison.Ordinal), "the corrupt file");
        Assert.Equal(text, File.ReadAllText(page));
    }

    [Fact]
    public void Unknown_id_and_bad_seeds_are_bad_input()
    {
        var unknown = CliInProcess.Run("reproduce", "no-such-result", "--quick", "--out", Path.Combine(_dir, "x"));
        Assert.Equal(2, unknown.Code);
        CliInProcess.AssertErrorLine(unknown.Stderr, l => l.Contains("Unknown reproduction 'no-such-result'", StringComparison.Ordinal), "Unknown reproduction");
        var seeds = CliInProcess.Run("reproduce", "tmaze-learning", "--quick", "--seeds", "5-1", "--out", Path.Combine(_dir, "y"));
        Assert.Equal(2, seeds.Code);
        CliInProcess.AssertErrorLine(seeds.Stderr, l => l.Contains("--seeds", StringComparison.Ordinal), "--seeds");
    }
}
