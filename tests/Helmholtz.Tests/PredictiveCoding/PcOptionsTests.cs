using Helmholtz.PredictiveCoding;

namespace Helmholtz.Tests.PredictiveCoding;

public sealed class PcOptionsTests
{
    public static TheoryData<string, string> Invalid() => new()
    {
        { "T0", "T (inference iterations)" },
        { "T-1", "T (inference iterations)" },
        { "eta0", "eta-v" },
        { "eta-1", "eta-v" },
        { "etaNaN", "eta-v" },
        { "relaxedNone", "at least one relaxation" },
        { "variance0", "initial variance" },
    };

    private static PcOptions Make(string which) => which switch
    {
        "T0" => new PcOptions { Iterations = 0 },
        "T-1" => new PcOptions { Iterations = -1 },
        "eta0" => new PcOptions { EtaV = 0f },
        "eta-1" => new PcOptions { EtaV = -1f },
        "etaNaN" => new PcOptions { EtaV = float.NaN },
        "relaxedNone" => new PcOptions { Algorithm = PcAlgorithm.Relaxed },
        "variance0" => new PcOptions { InitialVariance = 0f },
        _ => throw new ArgumentOutOfRangeException(nameof(which)),
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void InvalidOptionsAreRejectedBeforeAnyWork(string which, string phrase)
    {
        var model = PcTestKit.Mlp([3, 4, 2], seed: 1);
        var ex = Assert.Throws<ArgumentException>(() => new PredictiveCodingTrainer(model, 2, Make(which)));
        Assert.Contains(phrase, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NamesParseBothWays()
    {
        foreach (var name in new[] { "pc-fixed", "pc-standard", "pc-incremental", "relaxed", "activation-relaxation" })
        {
            var options = new PcOptions { Algorithm = PcOptions.ParseAlgorithm(name) };
            Assert.Equal(name, options.Name);
        }

        Assert.Equal(PcRelaxations.BackwardWeights | PcRelaxations.ErrorConnections, PcOptions.ParseRelaxations("backward-weights, error-connections"));
        Assert.Contains("pc-fixd", Assert.Throws<ArgumentException>(() => PcOptions.ParseAlgorithm("pc-fixd")).Message, StringComparison.Ordinal);
        Assert.Contains("no-derivatives", Assert.Throws<ArgumentException>(() => PcOptions.ParseRelaxations("no-derivatives")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DivergenceNamesTheNodeAndTheStepAndSuggestsALowerStep()
    {
        // η_v = 50 makes the fixed-prediction error dynamics ε ← (1 − η)ε + η·(message) grow as 49^t: overflow within T = 100.
        var model = PcTestKit.Mlp([3, 4, 4, 2], seed: 1);
        var (x, y) = PcTestKit.Batch(model, 2, seed: 2);
        var trainer = new PredictiveCodingTrainer(model, 2, new PcOptions { Iterations = 100, EtaV = 50f });
        PcTestKit.Load(trainer.Executor, model, x, y);
        var ex = Assert.Throws<PcDivergenceException>(() => trainer.TrainStep(new TestSgd(0.1f)));
        Assert.True(ex.Iteration is > 1 and <= 100, $"iteration {ex.Iteration}");
        Assert.Contains(ex.Node, new[] { "h1", "h2" });
        Assert.Contains($"step {ex.Iteration}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("lower η_v", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NonFiniteDataIsReportedAtTheForwardPass()
    {
        var model = PcTestKit.Mlp([3, 4, 2], seed: 1);
        var (x, y) = PcTestKit.Batch(model, 2, seed: 2);
        x.Span[0] = float.NaN;
        var trainer = new PredictiveCodingTrainer(model, 2, new PcOptions());
        PcTestKit.Load(trainer.Executor, model, x, y);
        var ex = Assert.Throws<PcDivergenceException>(() => trainer.Infer());
        Assert.Equal(0, ex.Iteration);
        Assert.Equal("out", ex.Node);
    }
}
