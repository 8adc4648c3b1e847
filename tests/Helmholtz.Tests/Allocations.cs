namespace Helmholtz.Tests;

/// <summary>Measures steady-state allocation on the calling thread.</summary>
internal static class Allocations
{
    /// <summary>The fewest bytes <paramref name="action"/> allocated on this thread over <paramref name="rounds"/> runs.</summary>
    /// <remarks>A one-off allocation by the runtime (type loading, a tier-up while the whole suite runs in parallel) can
    /// land in any single window; an allocation the code makes on every call shows in every round.</remarks>
    public static long Least(Action action, int rounds = 3)
    {
        ArgumentNullException.ThrowIfNull(action);
        long least = long.MaxValue;
        for (int r = 0; r < rounds; r++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
