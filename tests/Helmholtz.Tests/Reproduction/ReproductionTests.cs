using Helmholtz.Reproduction;

namespace Helmholtz.Tests.Reproduction;

public sealed class CriterionTests
{
    // Hand-made numbers: the rule is |ours − published| ≤ tolerance → matches, otherwise the better or worse side.
    [Theory]
    [InlineData(0.0, 0.5, 1.0, Direction.HigherIsBetter, Verdict.Matches)]
    [InlineData(0.0, 1.0, 1.0, Direction.HigherIsBetter, Verdict.Matches)] // the boundary matches
    [InlineData(0.0, 1.5, 1.0, Direction.HigherIsBetter, Verdict.Better)]
    [InlineData(0.0, -1.5, 1.0, Direction.HigherIsBetter, Verdict.Worse)]
    [InlineData(1323.0, 421.0, 0.0, Direction.LowerIsBetter, Verdict.Better)] // deep AIF's median solve episode against van der Himst & Lanillos
    [InlineData(1323.0, 2000.0, 0.0, Direction.LowerIsBetter, Verdict.Worse)]
    [InlineData(-100.0, -97.7, 0.0, Direction.HigherIsBetter, Verdict.Better)]
    [InlineData(0.0, 2e-4, 1e-3, Direction.LowerIsBetter, Verdict.Matches)]
    public void Judge_follows_the_rule(double published, double ours, double tolerance, Direction direction, Verdict expected) =>
        Assert.Equal(expected, new Criterion(tolerance, direction).Judge(published, ours));

    [Fact]
    public void Judge_of_a_missing_number_is_not_reached()
    {
        var c = new Criterion(1, Direction.HigherIsBetter);
        Assert.Equal(Verdict.NotReached, c.Judge(0, double.NaN));
        Assert.Equal(Verdict.NotReached, c.Judge(double.NaN, 3));
    }

    [Fact]
    public void Describe_names_tolerance_and_side() =>
        Assert.Equal("matches if within ±0.5; lower is better", new Criterion(0.5, Direction.LowerIsBetter).Describe());
}

public sealed class PickTests
{
    private static readonly Measurement[] All =
    [
        new("a-s1", "acc", double.NaN, 0.8), new("a-s2", "acc", double.NaN, 0.9), new("a-s1", "acc", 1, 0.1),
        new("b-s1", "acc", double.NaN, 0.7), new("a-long-s1", "acc", double.NaN, 0.0), new("a-s3", "solved", double.NaN, double.NaN),
        new("a-s1", "solved", double.NaN, 400), new("a-s2", "solved", double.NaN, 500),
    ];

    [Fact]
    public void PerSeed_takes_single_numbers_of_the_variant_only() => Assert.Equal([0.8, 0.9], Pick.PerSeed(All, "a", "acc"));

    [Fact]
    public void Gap_is_the_difference_of_the_seed_means_scaled() => Assert.Equal(100 * (0.85 - 0.7), Pick.Gap(All, "a", "b", "acc", 100), 12);

    [Fact]
    public void Median_skips_missing_seeds_and_fraction_counts_them()
    {
        Assert.Equal(450, Pick.Median(All, "a", "solved"));
        Assert.Equal(2.0 / 3, Pick.Fraction(All, "a", "solved", _ => true), 12);
    }
}

public sealed class ReproductionRunnerTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "helmholtz-repro-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>A reproduction with hand-made numbers: variant "pc" 0.5 pp below "bp", "slow" 3 pp below; <paramref name="runs"/> counts unit runs.</summary>
    private static Helmholtz.Reproduction.Reproduction Fake(int[] runs) => new("fake", "a hand-made result", "chapter 0", "Fig. 0", "none",
        new ReproductionSize("quick"), new ReproductionSize("full"),
        (size, seeds) => seeds.SelectMany(seed => new[] { ("bp", 0.90), ("pc", 0.895), ("slow", 0.87) }.Select(v => new ReproductionUnit(Pick.Unit(v.Item1, seed), _ =>
        {
            runs[0]++;
            return [new Measurement(Pick.Unit(v.Item1, seed), "final_test_accuracy", double.NaN, v.Item2), new Measurement(Pick.Unit(v.Item1, seed), "test_accuracy", 1, v.Item2)];
        }))).ToList(),
        [
            new PublishedResult("pc − bp (pp)", "0", 0, "paper", new Criterion(1, Direction.HigherIsBetter), all => Pick.Gap(all, "pc", "bp", "final_test_accuracy", 100), "+0.00;-0.00;0.00"),
            new PublishedResult("slow − bp (pp)", "0", 0, "paper", new Criterion(1, Direction.HigherIsBetter), all => Pick.Gap(all, "slow", "bp", "final_test_accuracy", 100), "+0.00;-0.00;0.00"),
            new PublishedResult("never (episode)", "100", 100, "paper", new Criterion(0, Direction.LowerIsBetter), _ => double.NaN, "F0"),
        ],
        new FigureSpec("test_accuracy", "t", "x", "y"), new RunTime(1, 2, false));

    [Fact]
    public void Report_has_the_published_helmholtz_verdict_table()
    {
        var outcome = ReproductionRunner.Run(Fake([0]), new ReproductionSize("quick"), [1, 2], _dir, resume: false, command: "helmholtz reproduce fake --quick");
        string report = File.ReadAllText(Path.Combine(_dir, "report.md"));
        Assert.Contains("| quantity | published | Helmholtz | verdict | criterion | source |", report, StringComparison.Ordinal);
        Assert.Contains("| pc − bp (pp) | 0 | -0.50 | matches | matches if within ±1; higher is better | paper |", report, StringComparison.Ordinal);
        Assert.Contains("| slow − bp (pp) | 0 | -3.00 | worse |", report, StringComparison.Ordinal);
        Assert.Contains("| never (episode) | 100 | not reached | not reached |", report, StringComparison.Ordinal);
        Assert.Contains("This is not a full run", report, StringComparison.Ordinal);
        Assert.Contains("`helmholtz reproduce fake --quick`", report, StringComparison.Ordinal);
        Assert.Equal((1, 0, 1, 1), (outcome.Count(Verdict.Matches), outcome.Count(Verdict.Better), outcome.Count(Verdict.Worse), outcome.Count(Verdict.NotReached)));
        var csv = ReproductionRunner.ReadCsv(File.ReadAllText(Path.Combine(_dir, "measurements.csv")));
        Assert.Equal(outcome.Measurements, csv);
        Assert.True(File.Exists(Path.Combine(_dir, "summary.json")));
    }

    [Fact]
    public void Resume_runs_only_the_unfinished_units_and_a_fresh_run_refuses_a_used_folder()
    {
        int[] runs = [0];
        var fake = Fake(runs);
        var size = new ReproductionSize("quick");
        ReproductionRunner.Run(fake, size, [1], _dir, resume: false);
        Assert.Equal(3, runs[0]);
        File.Delete(Path.Combine(_dir, "units", "slow-s1.csv")); // as if killed before the last unit finished
        var outcome = ReproductionRunner.Run(fake, size, [1], _dir, resume: true);
        Assert.Equal(4, runs[0]);
        Assert.Equal((1, 2), (outcome.UnitsRun, outcome.UnitsResumed));
        Assert.Throws<InvalidOperationException>(() => ReproductionRunner.Run(fake, size, [1], _dir, resume: false));
        Assert.Throws<InvalidOperationException>(() => ReproductionRunner.Run(fake, size, [1, 2], _dir, resume: true));
    }

    [Fact]
    public void Csv_round_trips_exactly_including_missing_x_and_nan()
    {
        Measurement[] m = [new("u-s1", "m", double.NaN, 0.1 + 0.2), new("u-s1", "m", 3, double.NaN), new("u-s1", "m", 1e-300, -1.5e10)];
        var back = ReproductionRunner.ReadCsv(ReproductionRunner.ToCsv(m));
        Assert.Equal(m.Length, back.Count);
        Assert.Equal(0.1 + 0.2, back[0].Value);
        Assert.True(double.IsNaN(back[0].X) && double.IsNaN(back[1].Value));
        Assert.Equal(1e-300, back[2].X);
    }
}

public sealed class ReproductionCatalogTests
{
    [Fact]
    public void Catalogue_holds_every_id_of_issues_11_and_12_once()
    {
        string[] ids =
        [
            "pc-backprop-agreement", "pc-vs-bp-training", "relaxed-pc", "activation-relaxation", "generative-pc", "pc-depth", "residual-depth", "tmaze-epistemic",
            "tmaze-learning", "deep-aif-cartpole", "deep-aif-acrobot", "feef-mountaincar", "exploration-objectives", "pendulum-planner",
        ];
        Assert.Equal(ids, ReproductionCatalog.Ids);
        Assert.All(ReproductionCatalog.All, r =>
        {
            Assert.NotEmpty(r.Comparisons);
            Assert.Equal("quick", r.Quick.Name);
            Assert.Equal("full", r.Full.Name);
            Assert.True(r.Seconds.Quick <= 120, $"{r.Id}: quick run {r.Seconds.Quick} s");
            Assert.Distinct(r.Units(r.Full, [1, 2]).Select(u => u.Name)); // markers must not collide
        });
        Assert.Throws<ArgumentException>(() => ReproductionCatalog.Get("no-such-result"));
    }

    // Smaller sizes than --quick keep these in-process runs to seconds; the real --quick sizes run through the CLI.
    [Fact]
    public void TMaze_with_information_gain_samples_the_cue_and_without_does_not()
    {
        var r = ReproductionCatalog.Get("tmaze-epistemic");
        var outcome = ReproductionRunner.Run(r, r.Quick with { Name = "tiny", Episodes = 8 }, [1], null, resume: false);
        Assert.Equal(Verdict.Matches, outcome.Rows[0].Verdict); // cue first with IG: 1
        Assert.Equal(Verdict.Matches, outcome.Rows[2].Verdict); // cue first without IG: 0
        Assert.Equal(Verdict.Matches, outcome.Rows[3].Verdict); // sophisticated inference: 1
    }

    [Fact]
    public void Pc_agreement_error_falls_with_inference_steps_on_all_four_graphs()
    {
        var r = ReproductionCatalog.Get("pc-backprop-agreement");
        var outcome = ReproductionRunner.Run(r, r.Quick with { Name = "tiny", Steps = 16 }, [1], null, resume: false);
        foreach (string model in new[] { "mlp", "cnn", "rnn", "lstm" })
        {
            var curve = outcome.Measurements.Where(m => m.Unit == model + "-s1" && m.Metric == "max_relative_error").OrderBy(m => m.X).ToList();
            Assert.Equal([1.0, 2, 4, 8, 16], curve.Select(m => m.X));
            // The error travels one node per step, so the 28-step recurrent graphs are still far from backprop at T = 16; it must fall all the same.
            Assert.True(curve[^1].Value < curve[0].Value, $"{model}: error {curve[0].Value} at T = 1, {curve[^1].Value} at T = 16");
            Assert.True(model != "mlp" || curve[^1].Value < 0.01, $"mlp: error {curve[^1].Value} at T = 16");
        }
    }

    [Fact]
    public void Pc_vs_bp_training_and_deep_aif_run_end_to_end_at_a_tiny_size()
    {
        var train = ReproductionCatalog.Get("pc-vs-bp-training");
        var t = ReproductionRunner.Run(train, train.Quick with { Name = "tiny", MaxBatches = 3, Variants = 1 }, [1], null, resume: false);
        Assert.False(double.IsNaN(t.Rows[0].Ours)); // the MLP row; the other models were not run
        Assert.True(double.IsNaN(t.Rows[1].Ours));
        var control = ReproductionCatalog.Get("deep-aif-cartpole");
        var c = ReproductionRunner.Run(control, control.Quick with { Name = "tiny", Episodes = 3 }, [1], null, resume: false);
        Assert.Equal(3, c.Measurements.Count(m => m.Unit == "deep-aif-s1" && m.Metric == "return"));
        Assert.Equal(Verdict.NotReached, c.Rows[0].Verdict); // no solve in 3 episodes
    }
}
