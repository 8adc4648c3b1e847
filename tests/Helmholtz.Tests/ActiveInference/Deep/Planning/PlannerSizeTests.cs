using Helmholtz.ActiveInference.Deep;
using Helmholtz.ActiveInference.Deep.Planning;
using Helmholtz.Environments.Control;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Deep.Planning;

/// <summary>Planner and replay sizes that would exhaust memory are refused before allocating, with the estimate, the limit and the range.</summary>
public sealed class PlannerSizeTests
{
    [Theory]
    [InlineData(100_000_000, 200)]
    [InlineData(30, 1_000_000_000)]
    public void HugeHorizonOrCandidatesAreRefusedByTheAgent(int horizon, int candidates)
    {
        var options = PlannerOptions.CpuDefault with { Cem = new CemOptions(Horizon: horizon, Candidates: candidates) };
        var ex = Assert.Throws<WorkLimitException>(() => new PlanningAgent(EnvironmentCatalog.Create("mountaincar-continuous"), options, 1));
        Assert.Contains($"Horizon {horizon}, Candidates {candidates}", ex.Message, StringComparison.Ordinal);
        Assert.Contains("the limit is 4 GiB", ex.Message, StringComparison.Ordinal);
        Assert.Matches(@"Horizon must be 1…\d+|Candidates must be 20…\d+", ex.Message);
    }

    [Fact]
    public void TheStatedRangeFits()
    {
        // The largest horizon the message offers fits; one more does not (mountain car: 2 state values, 1 action value).
        var options = PlannerOptions.CpuDefault with { Cem = new CemOptions(Horizon: 100_000_000) };
        var ex = Assert.Throws<WorkLimitException>(() => options.CheckSize(2, 1));
        long max = long.Parse(System.Text.RegularExpressions.Regex.Match(ex.Message, @"Horizon must be 1…(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        (options with { Cem = new CemOptions(Horizon: (int)max) }).CheckSize(2, 1);
        Assert.Throws<WorkLimitException>(() => (options with { Cem = new CemOptions(Horizon: (int)max + 1) }).CheckSize(2, 1));
        PlannerOptions.CpuDefault.CheckSize(2, 1);
        PlannerOptions.Paper.CheckSize(2, 1);
    }

    [Fact]
    public void CemBuffersAreCheckedWithoutOverflow()
    {
        // Horizon × Candidates × actions = 3e15 overflows int; the estimate does not.
        Assert.Throws<WorkLimitException>(() => new CemPlanner(new CemOptions(Horizon: 3_000_000, Candidates: 1_000_000_000), [-1f], [1f]));
    }

    [Fact]
    public void CancellationStopsAPlanBetweenIterations()
    {
        var agent = new PlanningAgent(EnvironmentCatalog.Create("mountaincar-continuous"), PlannerOptions.CpuDefault, 1);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var action = new float[1];
        Assert.Throws<OperationCanceledException>(() => agent.Plan([-0.5f, 0f], action, cts.Token));
    }

    [Fact]
    public void HugeReplayBufferIsRefusedWithItsLargestCapacity()
    {
        var ex = Assert.Throws<WorkLimitException>(() => new ReplayBuffer(2_000_000_000, 4));
        Assert.Contains("BufferCapacity 2000000000", ex.Message, StringComparison.Ordinal);
        Assert.Contains("BufferCapacity must be at most 104755299", ex.Message, StringComparison.Ordinal); // 4 GiB / (8·4 + 9) bytes
    }
}
