using Helmholtz.ActiveInference.Deep;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Deep;

public sealed class ReplayBufferTests
{
    [Fact]
    public void KeepsAtMostCapacityAndOverwritesTheOldest()
    {
        var buffer = new ReplayBuffer(capacity: 3, observationSize: 2);
        for (int t = 0; t < 5; t++)
        {
            buffer.Add([t, -t], action: t % 2, reward: 10 * t, [t + 1, -t - 1], terminated: t == 4);
        }

        Assert.Equal(3, buffer.Count);
        Assert.Equal(5, buffer.Added);

        // Slots are a ring: transitions 3 and 4 overwrote slots 0 and 1; slot 2 still holds transition 2.
        Assert.Equal([3f, -3f], buffer.Observation(0).ToArray());
        Assert.Equal([5f, -5f], buffer.NextObservation(1).ToArray());
        Assert.Equal(40f, buffer.Reward(1));
        Assert.True(buffer.Terminated(1));
        Assert.Equal(20f, buffer.Reward(2));
        Assert.Equal(0, buffer.Action(2));
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Reward(3));
    }

    [Fact]
    public void SamplingIsDeterministicPerSeedAndCoversTheStoredSlots()
    {
        var buffer = new ReplayBuffer(100, 1);
        for (int t = 0; t < 10; t++)
        {
            buffer.Add([t], 0, 0, [t], false);
        }

        var a = new int[1000];
        var b = new int[1000];
        buffer.Sample(new Rng(7), a);
        buffer.Sample(new Rng(7), b);
        Assert.Equal(a, b);
        Assert.All(a, i => Assert.InRange(i, 0, 9));

        // Uniform over 10 slots: each count is Binomial(1000, 0.1), sd 9.5; 60…140 is more than 4 sd either side.
        var counts = a.GroupBy(i => i).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(10, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 60, 140));

        var c2 = new int[1000];
        buffer.Sample(new Rng(8), c2);
        Assert.NotEqual(a, c2);
    }

    [Fact]
    public void RejectsBadSizesAndEmptySampling()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayBuffer(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReplayBuffer(5, 0));
        var buffer = new ReplayBuffer(5, 2);
        Assert.Throws<InvalidOperationException>(() => buffer.Sample(new Rng(1), new int[3]));
        var ex = Assert.Throws<ArgumentException>(() => buffer.Add([1f], 0, 0, [1f, 2f], false));
        Assert.Contains("2 floats", ex.Message);
    }
}
