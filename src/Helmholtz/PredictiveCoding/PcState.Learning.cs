using System.Numerics.Tensors;
using Helmholtz.Graphs;
using Helmholtz.Optim;
using Helmholtz.Tensors;

namespace Helmholtz.PredictiveCoding;

/// <summary>Learning: parameter gradients from the errors, precisions, error connections and backward weights.</summary>
public sealed partial class PcState
{
    /// <summary>∂F/∂θ from the current errors, averaged over the batch; aligned with the graph's parameters.</summary>
    /// <remarks>g_θ = s·(1/B) Σ_c VJP_{c→θ}(ε_c). The returned tensors are the state's buffers, overwritten by the next call.</remarks>
    public IReadOnlyList<FloatTensor> ComputeParameterGradients()
    {
        foreach (var g in _paramGrad)
        {
            g.Clear();
        }

        foreach (var c in _valueNodes)
        {
            if (_hasParams[c.Index] && _live[c.Index])
            {
                c.Op!.Backward(_ctx, InputsOf(c), OutputOf(c), _eps[c.Index]!, _paramSlots[c.Index]);
            }
        }

        float inv = _sign / _batch;
        foreach (var g in _paramGrad)
        {
            // −G/B, as the PyTorch reference loop's grads / batch (division first keeps the rounding of dividing by B).
            TensorPrimitives.Divide(g.Span, _batch, g.Span);
            if (inv < 0f)
            {
                TensorPrimitives.Negate(g.Span, g.Span);
            }
        }

        return _paramGrad;
    }

    /// <summary>Hands the parameter gradients to <paramref name="optimizer"/>; backward weights follow the forward weights' update.</summary>
    public void StepParameters(IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        CopyWeightsBeforeStep();
        optimizer.Step(_graph.Parameters, _paramGrad);
        AfterParameterStep();
    }

    /// <summary>Bogacz (2017, section 5) rule for Σ: ΔΣ = α·½(⟨e²⟩ − 1/Σ), e = Πε; and Φ ← Φ − α_Φ (Φε − ε)εᵀ / B.</summary>
    public void LearnPrecisionAndErrorConnections()
    {
        if (Options.LearnPrecision)
        {
            foreach (var n in _freeAndOutput)
            {
                var sigma = _variance[n.Index]!.Span;
                var pi = _precision[n.Index]!.Span;
                var e = (_epsRaw[n.Index] ?? _eps[n.Index]!).ReadOnlySpan;
                int s = n.SampleSize;
                float rate = Options.PrecisionLearningRate;
                for (int j = 0; j < s; j++)
                {
                    double sq = 0;
                    for (int b = 0; b < _batch; b++)
                    {
                        double x = e[b * s + j];
                        sq += x * x;
                    }

                    float next = sigma[j] + rate * 0.5f * (float)(sq / _batch - pi[j]);
                    sigma[j] = MathF.Max(next, 1e-4f);
                    pi[j] = 1f / sigma[j];
                }
            }
        }

        if ((Options.Relaxations & PcRelaxations.ErrorConnections) != 0 && Options.ErrorConnectionLearningRate > 0f)
        {
            foreach (var n in _freeAndOutput)
            {
                if (_phi[n.Index] is not { } phi)
                {
                    continue;
                }

                var raw = _epsRaw[n.Index]!;
                var diff = _scratch[n.Index]!;
                TensorPrimitives.Subtract(_eps[n.Index]!.Span, raw.Span, diff.Span);
                int s = n.SampleSize;
                float scale = 1f / _batch;
                TensorPrimitives.Multiply(diff.Span, scale, diff.Span);
                // Normalise by the error's size so that the rule's speed does not depend on the loss scale.
                float norm = TensorPrimitives.Dot(raw.ReadOnlySpan, raw.ReadOnlySpan) / _batch;
                float rate = Options.ErrorConnectionLearningRate / MathF.Max(norm, 1e-12f);
                Gemm.Multiply(Transpose.Yes, Transpose.No, s, s, _batch, -rate, diff.ReadOnlySpan, s, raw.ReadOnlySpan, s, 1f, phi.Span, s, _ctx.Threads);
            }
        }
    }

    /// <summary>Shares the learned tensors (precisions, error connections, backward weights) of <paramref name="owner"/>, which learning updates.</summary>
    internal void ShareLearnedTensors(PcState owner)
    {
        for (int i = 0; i < _graph.Nodes.Count; i++)
        {
            _precision[i] = owner._precision[i];
            _variance[i] = owner._variance[i];
            _phi[i] = owner._phi[i];
            _backW[i] = owner._backW[i];
        }
    }

    /// <summary>Backward weights B ~ N(0, 1/fan_in) (the scale of the PyTorch reference loop's forward init) and error connections Φ = I + N(0, ¼/s).</summary>
    private (bool RelaxMessages, bool UseDerivative) AllocateRelaxations(PcOptions options, int batchSize)
    {
        var rng = new Rng(options.Seed);
        var relax = options.Relaxations;
        bool relaxMessages = (relax & (PcRelaxations.BackwardWeights | PcRelaxations.NoDerivative)) != 0;
        if (relaxMessages)
        {
            foreach (var c in _valueNodes.Where(c => _sendsToFree[c.Index] && PcGraphLayout.Offers(c, _isFree)))
            {
                _relaxable[c.Index] = (IRelaxableOp)c.Op!;
                if ((relax & PcRelaxations.BackwardWeights) != 0)
                {
                    var w = _fwdIn[c.Index][1];
                    var b = new FloatTensor(w.Shape.ToArray());
                    rng.FillGaussian(b.Span, 0f, 1f / MathF.Sqrt(w.Length / w.Dim(0)));
                    _backW[c.Index] = b;
                    _wBefore[c.Index] = new FloatTensor(w.Shape.ToArray());
                }
            }
        }

        if ((relax & PcRelaxations.ErrorConnections) != 0)
        {
            foreach (var n in _free.Append(_output).Where(n => n.Kind == NodeKind.Op))
            {
                int s = n.SampleSize;
                var phi = new FloatTensor(s, s);
                rng.FillGaussian(phi.Span, 0f, 0.5f / MathF.Sqrt(s));
                for (int i = 0; i < s; i++)
                {
                    phi[i, i] += 1f;
                }

                _phi[n.Index] = phi;
                _epsRaw[n.Index] = new FloatTensor(n.RuntimeShape(batchSize));
                _scratch[n.Index] = new FloatTensor(n.RuntimeShape(batchSize));
            }
        }

        return (relaxMessages, (relax & PcRelaxations.NoDerivative) == 0);
    }

    private void CopyWeightsBeforeStep()
    {
        foreach (var c in _valueNodes)
        {
            if (_wBefore[c.Index] is { } before)
            {
                before.CopyFrom(_fwdIn[c.Index][1]);
            }
        }
    }

    /// <summary>Backward weights follow the forward weights' own (Hebbian) update: B ← (1 − λ) B + ΔW.</summary>
    private void AfterParameterStep()
    {
        foreach (var c in _valueNodes)
        {
            if (_backW[c.Index] is { } b)
            {
                var before = _wBefore[c.Index]!.Span;
                var bs = b.Span;
                if (Options.BackwardWeightDecay > 0f)
                {
                    TensorPrimitives.Multiply(bs, 1f - Options.BackwardWeightDecay, bs);
                }

                TensorPrimitives.Add(bs, _fwdIn[c.Index][1].ReadOnlySpan, bs);
                TensorPrimitives.Subtract(bs, before, bs);
            }
        }
    }
}
