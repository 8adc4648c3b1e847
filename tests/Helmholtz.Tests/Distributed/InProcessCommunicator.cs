using Helmholtz.Distributed;

namespace Helmholtz.Tests.Distributed;

/// <summary>P ranks as threads of one process: every collective meets at a barrier and sums in rank order, so every rank gets the same bits (as Open MPI's all-reduce does for two ranks).</summary>
internal sealed class InProcessGroup(int size)
{
    private readonly Barrier _barrier = new(size);
    private readonly float[][] _floats = new float[size][];
    private readonly double[][] _doubles = new double[size][];

    public int Size => size;

    public ICommunicator Rank(int rank) => new Member(this, rank);

    /// <summary>Runs <paramref name="body"/> on one thread per rank and returns each rank's result.</summary>
    public T[] Run<T>(Func<ICommunicator, T> body)
    {
        var results = new T[size];
        var errors = new Exception?[size];
        var threads = Enumerable.Range(0, size).Select(r => new Thread(() =>
        {
            try
            {
                results[r] = body(Rank(r));
            }
            catch (Exception ex)
            {
                errors[r] = ex;
                _barrier.RemoveParticipant(); // the others must not wait for a rank that failed
            }
        })).ToArray();
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        var first = errors.FirstOrDefault(e => e is not null);
        return first is null ? results : throw new AggregateException(first);
    }

    private void Sum(int rank, Span<float> values)
    {
        _floats[rank] = values.ToArray();
        _barrier.SignalAndWait();
        for (int i = 0; i < values.Length; i++)
        {
            float s = _floats[0][i];
            for (int r = 1; r < size; r++)
            {
                s += _floats[r][i];
            }

            values[i] = s;
        }

        _barrier.SignalAndWait();
    }

    private void Sum(int rank, Span<double> values)
    {
        _doubles[rank] = values.ToArray();
        _barrier.SignalAndWait();
        for (int i = 0; i < values.Length; i++)
        {
            double s = _doubles[0][i];
            for (int r = 1; r < size; r++)
            {
                s += _doubles[r][i];
            }

            values[i] = s;
        }

        _barrier.SignalAndWait();
    }

    private void Broadcast(int rank, Span<float> values, int root)
    {
        if (rank == root)
        {
            _floats[root] = values.ToArray();
        }

        _barrier.SignalAndWait();
        _floats[root].CopyTo(values);
        _barrier.SignalAndWait();
    }

    private sealed class Member(InProcessGroup group, int rank) : ICommunicator
    {
        public int Rank => rank;

        public int Size => group.Size;

        public void AllReduceSum(Span<float> values) => group.Sum(rank, values);

        public void AllReduceSum(Span<double> values) => group.Sum(rank, values);

        public void Broadcast(Span<float> values, int root) => group.Broadcast(rank, values, root);

        public void Barrier() => group._barrier.SignalAndWait();
    }
}

/// <summary>Rank 0 of 2 whose all-reduce does nothing: trains on its half of each batch alone (the control that shows the sum matters).</summary>
internal sealed class UnreducedHalf : ICommunicator
{
    public int Rank => 0;

    public int Size => 2;

    public void AllReduceSum(Span<float> values)
    {
    }

    public void AllReduceSum(Span<double> values)
    {
    }

    public void Broadcast(Span<float> values, int root)
    {
    }

    public void Barrier()
    {
    }
}
