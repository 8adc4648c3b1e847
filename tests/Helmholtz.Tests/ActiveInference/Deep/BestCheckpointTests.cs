using Helmholtz.ActiveInference.Deep;
using Helmholtz.Environments.Control;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Deep;

public sealed class BestCheckpointTests
{
    private static DqnOptions Small => new() { HiddenSizes = [16], WarmupSteps = 50, BatchSize = 16 };

    private static double[] Train(ICheckpointableAgent agent, int episodes, Action<EpisodeRecord>? observe) =>
        new ControlExperiment(new CartPole(), agent, solveWindow: 3).Run(episodes, new Rng(7), observe).Returns;

    [Fact]
    public void Keeping_and_greedy_scoring_leave_training_unchanged()
    {
        double[] plain = Train(new DqnAgent(new CartPole(), Small, new Rng(1)), 12, null);
        var agent = new DqnAgent(new CartPole(), Small, new Rng(1));
        var best = new BestCheckpoint(agent, 3, new GreedySelection(new CartPole(), Every: 4, Episodes: 2, Seed: 5));
        double[] kept = Train(agent, 12, best.Observe);
        Assert.Equal(plain, kept);
        Assert.NotNull(best.Weights);
        Assert.True(best.BestEpisode is 4 or 8 or 12, $"evaluated at 4, 8, 12; best at {best.BestEpisode}");
    }

    [Fact]
    public void Moving_mean_selection_keeps_the_best_window_and_weights_load_back()
    {
        var agent = new DqnAgent(new CartPole(), Small, new Rng(2));
        var best = new BestCheckpoint(agent, 3);
        var records = new List<EpisodeRecord>();
        Train(agent, 10, r => { records.Add(r); best.Observe(r); });
        var top = records.Skip(2).MaxBy(r => r.MovingMean)!;
        Assert.Equal(top.MovingMean, best.BestMean);
        Assert.Equal(top.Episode, best.BestEpisode);

        // The kept weights act as they did: greedy play from them repeats exactly, and differs from later weights' only through the weights.
        agent.LoadWeights(best.Weights!);
        var first = GreedyEvaluation.Run(new CartPole(), agent, 3, new Rng(9));
        Train(agent, 2, null); // learns on
        agent.LoadWeights(best.Weights!);
        Assert.Equal(first, GreedyEvaluation.Run(new CartPole(), agent, 3, new Rng(9)));
        Assert.True(agent.Learning); // evaluation switched learning back on
    }

    [Fact]
    public void Learning_off_leaves_the_weights_alone_and_loading_checks_shapes()
    {
        var agent = new DeepAifAgent(new CartPole(), new DeepAifOptions { HiddenSizes = [8], TransitionHiddenSizes = [8], WarmupSteps = 10, BatchSize = 8 }, new Rng(3));
        Train(agent, 3, null);
        var before = agent.SaveWeights();
        agent.Learning = false;
        Train(agent, 3, null);
        var after = agent.SaveWeights();
        Assert.All(before, kv => Assert.Equal(kv.Value.ReadOnlySpan.ToArray(), after[kv.Key].ReadOnlySpan.ToArray()));
        var other = new DqnAgent(new CartPole(), Small, new Rng(4));
        Assert.Throws<ArgumentException>(() => other.LoadWeights(before));
    }

    [Fact]
    public void Freezing_stops_learning_at_the_first_full_window_at_the_threshold()
    {
        var agent = new DqnAgent(new CartPole(), Small, new Rng(5));
        var records = new List<EpisodeRecord>();
        var freeze = new FreezeWhenSolved(agent, threshold: 0, window: 3); // every CartPole return is > 0: freezes once 3 episodes are in
        IReadOnlyDictionary<string, FloatTensor>? atFreeze = null;
        Train(agent, 8, r =>
        {
            records.Add(r);
            freeze.Observe(r);
            if (freeze.FrozenAt == r.Episode)
            {
                atFreeze = agent.SaveWeights();
            }
        });
        Assert.Equal(records[2].Episode, freeze.FrozenAt);
        Assert.False(agent.Learning);
        var end = agent.SaveWeights();
        Assert.All(atFreeze!, kv => Assert.Equal(kv.Value.ReadOnlySpan.ToArray(), end[kv.Key].ReadOnlySpan.ToArray()));

        var never = new FreezeWhenSolved(new DqnAgent(new CartPole(), Small, new Rng(5)), threshold: 1e9, window: 3);
        foreach (var r in records)
        {
            never.Observe(r);
        }

        Assert.Null(never.FrozenAt);
    }
}
