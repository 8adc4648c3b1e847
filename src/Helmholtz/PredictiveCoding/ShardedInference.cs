using Helmholtz.Graphs;
using Helmholtz.Tensors;

namespace Helmholtz.PredictiveCoding;

/// <summary>Runs a schedule's inference split over the batch: each thread runs the T steps on its own rows, with its own state.</summary>
/// <remarks>
/// Works with any schedule whose <see cref="PcDynamics.PerSampleInference"/> is true: a sample's inference reads only
/// its own rows (the forward values of the free nodes, of the nodes that send to them and of their inputs) and its own
/// rows of the output error formed in <see cref="IPcSchedule.Begin"/>. The rows are joined again for the parameter
/// update. The small per-step products (64 rows by 128) are below the size at which one GEMM is worth splitting, so this
/// is the grain at which two cores help. Results are the same as on one thread, bit for bit. Precisions, error
/// connections and backward weights are the parent state's (learning updates them there).
/// </remarks>
internal sealed class ShardedInference
{
    private const int MinShardRows = 16;
    private readonly IPcSchedule _schedule;
    private readonly PcState _parent;
    private readonly PcState[] _shards;
    private readonly int[] _start;
    private readonly Node[] _reads;
    private readonly Action<int> _runShard;

    private ShardedInference(IPcSchedule schedule, PcState parent, PcState[] shards, int[] start)
    {
        _schedule = schedule;
        _parent = parent;
        _shards = shards;
        _start = start;
        _reads = parent.InferenceReads();
        _runShard = RunShard;
    }

    /// <summary>How many shards the batch is split into.</summary>
    public int Count => _shards.Length;

    /// <summary>Splits <paramref name="parent"/>'s batch over up to <see cref="OpContext.Threads"/> shards of at least 16 rows, or returns null where that does not pay or is not allowed.</summary>
    public static ShardedInference? TryCreate(IPcSchedule schedule, PcState parent, OpContext context, bool precisions)
    {
        int batch = parent.BatchSize;
        int count = Math.Min(Math.Min(context.Threads, Environment.ProcessorCount), batch / MinShardRows);
        if (!schedule.Dynamics.PerSampleInference || count <= 1 || parent.Options.Tolerance != 0f)
        {
            return null;
        }

        var shards = new PcState[count];
        var start = new int[count + 1];
        for (int k = 0; k < count; k++)
        {
            start[k + 1] = start[k] + batch / count + (k < batch % count ? 1 : 0);
            shards[k] = new PcState(parent.Model, start[k + 1] - start[k], parent.Options, schedule.Dynamics, new OpContext(1), [], maskOutput: false, precisions);
            shards[k].ShareLearnedTensors(parent);
        }

        return new ShardedInference(schedule, parent, shards, start);
    }

    /// <summary>Sets activity tracking on every shard.</summary>
    public void SetSkipInactiveNodes(bool value)
    {
        foreach (var shard in _shards)
        {
            shard.SkipInactiveNodes = value;
        }
    }

    /// <summary>Runs inference on every shard in parallel (after the parent's <see cref="IPcSchedule.Begin"/>), then joins their values and errors.</summary>
    public void Run()
    {
        // The persistent workers that run GEMM parts are awake right after the forward pass; if they are busy (another
        // thread is multiplying), the shards run one after the other here, with the same result.
        if (!WorkerPool.Shared.TryRun(_runShard, _shards.Length))
        {
            for (int k = 0; k < _shards.Length; k++)
            {
                RunShard(k);
            }
        }

        _parent.LastIterations = _parent.Options.Iterations;
        foreach (var shard in _shards)
        {
            _parent.JoinActivity(shard);
        }
    }

    private void RunShard(int k)
    {
        var shard = _shards[k];
        shard.LoadRows(_parent, _start[k], _reads);
        PcInference.Iterate(_schedule, shard);
        shard.StoreRows(_parent, _start[k]);
    }
}
