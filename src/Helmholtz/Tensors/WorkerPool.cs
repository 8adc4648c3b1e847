namespace Helmholtz.Tensors;

/// <summary>Persistent worker threads: one GEMM product, or one coarse job (<see cref="TryRun(Action{int}, int)"/>), is split into parts that the caller and the workers claim.</summary>
/// <remarks>
/// Workers are created on first use (at most <see cref="Environment.ProcessorCount"/> − 1), are background threads,
/// and sleep on a semaphore between products, so a multi-threaded product costs one wake-up per worker instead of a
/// thread-pool round trip; after a part a worker keeps polling for 50 µs before it sleeps, so
/// back-to-back products do not even pay that. Parts are claimed from a shared counter and the caller claims too, so
/// when a worker is slow to start (a busy machine) the caller simply runs its part as well: a product is never slower
/// than waiting for one extra part. One product uses the pool at a time; a product that finds it busy (another thread
/// is multiplying) runs single-threaded. Who runs a part never changes the arithmetic, so results are bit-identical.
/// </remarks>
internal sealed unsafe class WorkerPool
{
    /// <summary>The process-wide pool (internal; its only state is the threads and the job in flight).</summary>
    public static readonly WorkerPool Shared = new(Math.Max(0, Environment.ProcessorCount - 1));

    private readonly Lock _gate = new();
    private readonly Worker?[] _workers;
    private GemmOperands _job;
    private delegate*<in GemmOperands, int, int, int, int, void> _run;
    private Action<int>? _body;
    private bool _splitN;
    private int _chunk;

    // (parts << 32) | next part to hand out, updated atomically so that a claim sees the part count of its own job;
    // parts = 0 between jobs, so a late worker's claim fails.
    private long _claim;
    private int _unfinished;
    private Exception? _failure;

    private WorkerPool(int capacity) => _workers = new Worker?[capacity];

    /// <summary>How many threads a product can use (the caller plus the workers).</summary>
    public int MaxParts => _workers.Length + 1;

    /// <summary>Runs <paramref name="run"/> over <paramref name="parts"/> chunks of rows or columns; false if the pool is busy.</summary>
    public bool TryRun(in GemmOperands job, delegate*<in GemmOperands, int, int, int, int, void> run, bool splitN, int chunk, int parts)
    {
        if (parts > MaxParts || _gate.IsHeldByCurrentThread || !_gate.TryEnter()) // held: a part is asking; run it on its own
        {
            return false;
        }

        _job = job;
        _run = run;
        _body = null;
        _splitN = splitN;
        _chunk = chunk;
        RunEntered(parts);
        return true;
    }

    /// <summary>Runs <paramref name="body"/>(0 … parts − 1), one call per part, on the caller and the workers; false (nothing run) if the pool is busy or too small.</summary>
    /// <remarks>For work split at coarse grain (a batch's rows), whose parts must not use the pool themselves. An
    /// exception from a part is rethrown as it was, after every part has finished.</remarks>
    public bool TryRun(Action<int> body, int parts)
    {
        if (parts > MaxParts || _gate.IsHeldByCurrentThread || !_gate.TryEnter()) // held: a part is asking; run it on its own
        {
            return false;
        }

        _body = body;
        RunEntered(parts);
        return true;
    }

    private void RunEntered(int parts)
    {
        try
        {
            _failure = null;
            Volatile.Write(ref _unfinished, parts);
            Interlocked.Exchange(ref _claim, (long)parts << 32);
            for (int w = 0; w < parts - 1; w++)
            {
                (_workers[w] ??= new Worker(this, w + 1)).Signal();
            }

            try
            {
                RunClaimedParts();
            }
            finally
            {
                // Even if a part failed, wait: other threads hold pointers into spans pinned only for this call.
                var spinner = default(SpinWait);
                while (Volatile.Read(ref _unfinished) != 0)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                }

                Interlocked.Exchange(ref _claim, 0);
            }

            if (_failure is not null)
            {
                if (_body is not null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(_failure).Throw();
                }

                throw new InvalidOperationException("A GEMM worker thread failed.", _failure);
            }
        }
        finally
        {
            _body = null;
            _gate.Exit();
        }
    }

    private void RunClaimedParts()
    {
        while (true)
        {
            long claim = Interlocked.Increment(ref _claim) - 1;
            int part = (int)(claim & 0xFFFF_FFFF), parts = (int)(claim >> 32);
            if (part >= parts)
            {
                return;
            }

            try
            {
                RunPart(part);
            }
            catch (Exception ex)
            {
                _failure = ex;
            }
            finally
            {
                Interlocked.Decrement(ref _unfinished);
            }
        }
    }

    private void RunPart(int part)
    {
        if (_body is not null)
        {
            _body(part);
            return;
        }

        int dim = _splitN ? _job.N : _job.M;
        int start = part * _chunk, end = Math.Min(dim, start + _chunk);
        if (start >= end)
        {
            return;
        }

        if (_splitN)
        {
            _run(_job, 0, _job.M, start, end);
        }
        else
        {
            _run(_job, start, end, 0, _job.N);
        }
    }

    private sealed class Worker
    {
        // After a part, a worker polls for the next one for this long before it sleeps, so products issued back to
        // back (predictive-coding inference, training steps) find it awake instead of paying a futex wake-up.
        private static readonly long SpinTicks = System.Diagnostics.Stopwatch.Frequency / 20_000; // 50 µs

        private readonly SemaphoreSlim _wake = new(0);
        private readonly WorkerPool _pool;
        private long _posted;
        private int _sleeping;

        public Worker(WorkerPool pool, int part)
        {
            _pool = pool;
            new Thread(Loop) { IsBackground = true, Name = $"Helmholtz worker {part}" }.Start();
        }

        public void Signal()
        {
            Interlocked.Increment(ref _posted);

            // Exactly one of Signal and the worker clears the sleeping flag; only Signal's win is paired with a Release.
            if (Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1)
            {
                _wake.Release();
            }
        }

        private void Loop()
        {
            long seen = 0;
            while (true)
            {
                WaitForWork(seen);
                seen++;
                _pool.RunClaimedParts();
            }
        }

        private void WaitForWork(long seen)
        {
            long deadline = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
            while (Volatile.Read(ref _posted) == seen)
            {
                if (System.Diagnostics.Stopwatch.GetTimestamp() < deadline)
                {
                    // Pure spinning measured better than yielding between polls, also on a busy machine: there the
                    // caller claims the parts a late worker has not started (see the class remarks).
                    Thread.SpinWait(20);
                    continue;
                }

                Interlocked.Exchange(ref _sleeping, 1);
                if (Volatile.Read(ref _posted) != seen && Interlocked.CompareExchange(ref _sleeping, 0, 1) == 1)
                {
                    return; // work arrived while announcing sleep, and Signal did not see the flag
                }

                _wake.Wait();
                deadline = System.Diagnostics.Stopwatch.GetTimestamp() + SpinTicks;
            }
        }
    }
}
