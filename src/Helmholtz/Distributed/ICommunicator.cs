namespace Helmholtz.Distributed;

/// <summary>A group of processes (ranks) that train one model together: the collective operations data-parallel training needs.</summary>
/// <remarks>
/// Every rank calls every collective in the same order with buffers of the same length; a collective returns on a rank
/// once every rank has entered it. Implementations: <see cref="SingleProcessCommunicator"/> (one rank, every operation a
/// no-op) and <see cref="MpiCommunicator"/> (Open MPI's <c>libmpi</c>).
/// </remarks>
public interface ICommunicator
{
    /// <summary>This process's index in the group, 0 … <see cref="Size"/> − 1.</summary>
    int Rank { get; }

    /// <summary>The number of ranks.</summary>
    int Size { get; }

    /// <summary>Replaces <paramref name="values"/> on every rank by the element-wise sum over all ranks.</summary>
    void AllReduceSum(Span<float> values);

    /// <summary>Replaces <paramref name="values"/> on every rank by the element-wise sum over all ranks.</summary>
    void AllReduceSum(Span<double> values);

    /// <summary>Copies <paramref name="values"/> of rank <paramref name="root"/> into the same buffer of every other rank.</summary>
    void Broadcast(Span<float> values, int root);

    /// <summary>Returns once every rank has called it.</summary>
    void Barrier();
}

/// <summary>The group of one process: sums and broadcasts leave their buffers as they are.</summary>
public sealed class SingleProcessCommunicator : ICommunicator
{
    /// <inheritdoc />
    public int Rank => 0;

    /// <inheritdoc />
    public int Size => 1;

    /// <inheritdoc />
    public void AllReduceSum(Span<float> values)
    {
    }

    /// <inheritdoc />
    public void AllReduceSum(Span<double> values)
    {
    }

    /// <inheritdoc />
    public void Broadcast(Span<float> values, int root) => ArgumentOutOfRangeException.ThrowIfNotEqual(root, 0);

    /// <inheritdoc />
    public void Barrier()
    {
    }
}

/// <summary>How a global batch is split over the ranks of a <see cref="ICommunicator"/>.</summary>
public static class DataParallel
{
    /// <summary>The rows of a batch of <paramref name="batchSize"/> that rank <paramref name="rank"/> of <paramref name="size"/> trains on: [r·B/P, (r+1)·B/P).</summary>
    /// <exception cref="ArgumentException">The batch has fewer rows than there are ranks.</exception>
    public static (int Start, int Count) Rows(int batchSize, int rank, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, size);
        if (batchSize < size)
        {
            throw new ArgumentException($"BatchSize must be at least the number of ranks ({size}) so that every rank has a row (got {batchSize}).");
        }

        int start = (int)((long)rank * batchSize / size), end = (int)((long)(rank + 1) * batchSize / size);
        return (start, end - start);
    }
}
