using Helmholtz.Graphs;
using Helmholtz.Tensors;

namespace Helmholtz.PredictiveCoding;

/// <summary>Row copies between a state and the state of a slice of its batch (<see cref="ShardedInference"/>).</summary>
public sealed partial class PcState
{
    /// <summary>The batched nodes whose forward values inference reads: free nodes, the nodes that send to them, their inputs, and
    /// the loss's inputs (the target, for schedules that form the output error at every step).</summary>
    internal Node[] InferenceReads() => _graph.Nodes
        .Where(n => n.Batched && (_isFree[n.Index] || _sendsToFree[n.Index] || _graph.Consumers[n.Index].Any(c => _sendsToFree[c.Index])
            || Model.Loss.Inputs.Contains(n)))
        .ToArray();

    /// <summary>Starts this shard on rows [start, start + BatchSize) of <paramref name="parent"/>: forward values, step sizes, initial values and output error.</summary>
    internal void LoadRows(PcState parent, int start, Node[] reads)
    {
        int rows = _batch;
        foreach (var n in reads)
        {
            CopyRows(parent.Executor.Value(n), start, Executor.Value(n), 0, rows);
        }

        _stepSize = parent._stepSize;
        parent._nodeStep.CopyTo(_nodeStep, 0);
        InitialiseValues();
        CopyRows(parent._eps[_output.Index]!, start, _eps[_output.Index]!, 0, rows);
    }

    /// <summary>Writes this shard's values and errors back into rows [start, start + BatchSize) of <paramref name="parent"/>, and
    /// where predictions move (standard PC) the predictions and the output error that learning reads.</summary>
    internal void StoreRows(PcState parent, int start)
    {
        int rows = _batch;
        if (!_fixedPredictions)
        {
            foreach (var n in parent._valueNodes)
            {
                if (parent._muVaries[n.Index])
                {
                    CopyRows(_mu[n.Index]!, 0, parent._mu[n.Index]!, start, rows);
                }
            }

            CopyRows(_eps[_output.Index]!, 0, parent._eps[_output.Index]!, start, rows);
        }

        foreach (var n in parent._free)
        {
            int i = n.Index;
            CopyRows(_v[i]!, 0, parent._v[i]!, start, rows);
            CopyRows(_eps[i]!, 0, parent._eps[i]!, start, rows);
            if (parent._epsRaw[i] is { } raw)
            {
                CopyRows(_epsRaw[i]!, 0, raw, start, rows);
            }
        }
    }

    /// <summary>Marks as live every value node that is live in <paramref name="shard"/>.</summary>
    internal void JoinActivity(PcState shard)
    {
        foreach (var n in _valueNodes)
        {
            _live[n.Index] |= shard._live[n.Index];
        }
    }

    private static void CopyRows(FloatTensor from, int fromRow, FloatTensor to, int toRow, int rows)
    {
        int width = from.Length / from.Dim(0);
        from.ReadOnlySpan.Slice(fromRow * width, rows * width).CopyTo(to.Span.Slice(toRow * width, rows * width));
    }
}
