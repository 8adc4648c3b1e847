namespace Helmholtz.Tensors;

/// <summary>Persistent GEMM worker threads: one product is split into parts, part 0 runs on the caller.</summary>
/// <remarks>
/// Workers are created on first use (at most <see cref="Environment.ProcessorCount"/> − 1), are background threads,
/// and sleep on a semaphore between products, so a multi-threaded product costs one wake-up per worker instead of a
/// thread-pool round trip. One product uses the pool at a time; a product that finds it busy (another thread is
/// multiplying) runs single-threaded, which gives the same bits because splits never change the arithmetic.
/// </remarks>
internal sealed unsafe class GemmWorkerPool
{
    /// <summary>The process-wide pool (internal; its only state is the threads and the job in flight).</summary>
    public static readonly GemmWorkerPool Shared = new(Math.Max(0, Environment.ProcessorCount - 1));

    private readonly Lock _gate = new();
    private readonly Worker?[] _workers;
    private GemmOperands _job;
    private delegate*<in GemmOperands, int, int, int, int, void> _run;
    private bool _splitN;
    private int _chunk;
    private int _pending;
    private Exception? _failure;

    private GemmWorkerPool(int capacity) => _workers = new Worker?[capacity];

    /// <summary>How many threads a product can use (the caller plus the workers).</summary>
    public int MaxParts => _workers.Length + 1;

    /// <summary>Runs <paramref name="run"/> over <paramref name="parts"/> chunks of rows or columns; false if the pool is busy.</summary>
    public bool TryRun(in GemmOperands job, delegate*<in GemmOperands, int, int, int, int, void> run, bool splitN, int chunk, int parts)
    {
        if (parts > MaxParts || !_gate.TryEnter())
        {
            return false;
        }

        try
        {
            _job = job;
            _run = run;
            _splitN = splitN;
            _chunk = chunk;
            _failure = null;
            Volatile.Write(ref _pending, parts - 1);
            for (int w = 0; w < parts - 1; w++)
            {
                (_workers[w] ??= new Worker(this, w + 1)).Signal();
            }

            try
            {
                RunPart(0);
            }
            finally
            {
                // Even if part 0 failed, wait: the workers hold pointers into spans pinned only for this call.
                var spinner = default(SpinWait);
                while (Volatile.Read(ref _pending) != 0)
                {
                    spinner.SpinOnce();
                }
            }

            if (_failure is not null)
            {
                throw new InvalidOperationException("A GEMM worker thread failed.", _failure);
            }

            return true;
        }
        finally
        {
            _gate.Exit();
        }
    }

    private void RunPart(int part)
    {
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
        private readonly SemaphoreSlim _wake = new(0);
        private readonly GemmWorkerPool _pool;
        private readonly int _part;

        public Worker(GemmWorkerPool pool, int part)
        {
            _pool = pool;
            _part = part;
            new Thread(Loop) { IsBackground = true, Name = $"Helmholtz GEMM worker {part}" }.Start();
        }

        public void Signal() => _wake.Release();

        private void Loop()
        {
            while (true)
            {
                _wake.Wait();
                try
                {
                    _pool.RunPart(_part);
                }
                catch (Exception ex)
                {
                    _pool._failure = ex;
                }
                finally
                {
                    Interlocked.Decrement(ref _pool._pending);
                }
            }
        }
    }
}
