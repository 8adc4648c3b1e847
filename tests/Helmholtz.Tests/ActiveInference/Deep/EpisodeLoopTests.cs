using Helmholtz.ActiveInference.Deep;
using Helmholtz.Environments.Control;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Deep;

/// <summary>The episode loop hands learners the terminal flag, never the time-limit flag, so truncated episodes bootstrap.</summary>
public sealed class EpisodeLoopTests
{
    private sealed class Recorder : IStepLearner
    {
        public List<bool> Terminated { get; } = [];

        public int Act(ReadOnlySpan<float> observation, Rng rng) => Terminated.Count % 2;

        public void Observe(ReadOnlySpan<float> observation, int action, double reward, ReadOnlySpan<float> nextObservation, bool terminated, Rng rng) =>
            Terminated.Add(terminated);
    }

    [Fact]
    public void ATruncatedEpisodeIsNotTerminalForTheLearner()
    {
        // Alternating pushes keep the pole up for far more than 5 steps from CartPole's ±0.05 reset, so the
        // 5-step time limit ends the episode (truncated) with the pole still standing (not terminated).
        var env = new CartPole(maxEpisodeSteps: 5);
        var learner = new Recorder();
        var result = new EpisodeLoop("test", 4, 2).Run(env, new Rng(1), learner, CancellationToken.None);
        Assert.True(result.Truncated);
        Assert.False(result.Terminated);
        Assert.Equal(5, learner.Terminated.Count);
        Assert.All(learner.Terminated, t => Assert.False(t));
    }

    [Fact]
    public void ATerminalStepIsTerminalForTheLearner()
    {
        // Always pushing right topples the pole (|θ| > 12°) within a few dozen steps, well inside 500.
        var env = new CartPole();
        var learner = new AlwaysRight();
        var result = new EpisodeLoop("test", 4, 2).Run(env, new Rng(1), learner, CancellationToken.None);
        Assert.True(result.Terminated);
        Assert.False(result.Truncated);
        Assert.True(learner.Terminated[^1]);
        Assert.All(learner.Terminated.Take(learner.Terminated.Count - 1), t => Assert.False(t));
    }

    private sealed class AlwaysRight : IStepLearner
    {
        public List<bool> Terminated { get; } = [];

        public int Act(ReadOnlySpan<float> observation, Rng rng) => 1;

        public void Observe(ReadOnlySpan<float> observation, int action, double reward, ReadOnlySpan<float> nextObservation, bool terminated, Rng rng) =>
            Terminated.Add(terminated);
    }
}
