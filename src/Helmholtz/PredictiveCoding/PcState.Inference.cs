using System.Numerics.Tensors;
using Helmholtz.Graphs;
using Helmholtz.Tensors;

namespace Helmholtz.PredictiveCoding;

/// <summary>Inference primitives: predictions, errors, messages and the Euler step on the values.</summary>
public sealed partial class PcState
{
    /// <summary>Free values start at their forward-pass predictions (free inputs where the caller put them); errors and tracking flags reset.</summary>
    internal void InitialiseValues()
    {
        foreach (var n in _free)
        {
            _v[n.Index]!.CopyFrom(Executor.Value(n));
        }

        foreach (var n in _valueNodes)
        {
            int i = n.Index;
            bool always = !_track || n.Kind == NodeKind.Input || ReferenceEquals(n, _output);
            _live[i] = always;
            _moved[i] = !_track;
            _muMoved[i] = false;
            if (!always)
            {
                _eps[i]!.Clear();
            }

            if (_track && _muVaries[i])
            {
                _mu[i]!.CopyFrom(Executor.Value(n)); // the prediction from unmoved parents is the forward value
            }
        }

        foreach (var n in _free)
        {
            if (n.Kind == NodeKind.Input)
            {
                _live[n.Index] = true;
                _moved[n.Index] = true;
            }
        }
    }

    /// <summary>μ_n = op_n.Forward(current parent values) for every prediction that can change (only those with a moved parent when tracking).</summary>
    public void Predict()
    {
        foreach (var n in _valueNodes)
        {
            int i = n.Index;
            _muMoved[i] = false;
            if (_muVaries[i] && (!_track || AnyParentMoved(n)))
            {
                n.Op!.Forward(_ctx, _curIn[i], _mu[i]!);
                _muMoved[i] = true;
            }
        }
    }

    /// <summary>ε_L = s·B·∂L/∂μ_L from the loss op (at the forward pass for fixed predictions, else at the current μ_L), masked and weighted.</summary>
    /// <param name="iteration">The inference step, for the divergence report.</param>
    public void OutputError(int iteration)
    {
        var eps = _eps[_output.Index]!;
        eps.Clear();
        var inputs = _fixedPredictions ? _lossFwdIn : _lossCurIn;
        _lossOp.Backward(_ctx, inputs, Executor.Value(Model.Loss), _lossScale, _lossSlots);
        if (_outputMask is not null)
        {
            TensorPrimitives.Multiply(eps.Span, _outputMask.Span, eps.Span);
        }

        Weight(_output, eps);
        CheckFinite(_output, eps, iteration, "error");
    }

    /// <summary>ε_n = Π_n (v_n − μ_n) for every free node (Bogacz 2017, eq. 2.19); unchanged where neither v nor μ moved.</summary>
    /// <param name="iteration">The inference step, for the divergence report.</param>
    public void HiddenErrors(int iteration) => FreeErrors(iteration, valuesOnly: false);

    /// <summary>ε_n = Π_n v_n for every free node: activation relaxation's single population, whose value is its own error.</summary>
    /// <param name="iteration">The inference step, for the divergence report.</param>
    public void ValueErrors(int iteration) => FreeErrors(iteration, valuesOnly: true);

    /// <summary>grad_n = Σ_{children c} VJP_{c→n}(ε_c) for every free node; relaxed where the options ask for it.</summary>
    public void SendMessages()
    {
        foreach (var n in _free)
        {
            _grad[n.Index]!.Clear();
            _gradLive[n.Index] = false;
        }

        foreach (var c in _valueNodes)
        {
            if (!_sendsToFree[c.Index] || !_live[c.Index])
            {
                continue; // VJP(0) = 0
            }

            var parents = c.Inputs;
            for (int k = 0; k < parents.Count; k++)
            {
                _gradLive[parents[k].Index] = true; // indexed: a foreach over IReadOnlyList would allocate an enumerator
            }

            if (_relaxMessages && _relaxable[c.Index] is { } relaxable)
            {
                // Relaxing the constraints (Millidge et al. 2020): dx += (ε ⊙ f′ or ε) through W or the learned B.
                var inputs = InputsOf(c);
                var w = _backW[c.Index] ?? inputs[1];
                relaxable.RelaxedBackward(_ctx, inputs[0], w, OutputOf(c), _eps[c.Index]!, _useDerivative, _freeSlots[c.Index][0]!);
            }
            else
            {
                c.Op!.Backward(_ctx, InputsOf(c), OutputOf(c), _eps[c.Index]!, _freeSlots[c.Index]);
            }
        }
    }

    /// <summary>v_n ← v_n − η_v (ε_n − grad_n), the Euler step of dv/dt = −∂F/∂v; returns the largest |change| when a tolerance is set (else 0).</summary>
    public float MoveValues()
    {
        float eta = StepSize;
        float largest = 0f;
        foreach (var n in _free)
        {
            _moved[n.Index] = _live[n.Index] || _gradLive[n.Index];
            if (!_moved[n.Index])
            {
                continue; // ε = 0 and no message: v stays
            }

            // Two passes: d = grad − ε, then v ← v + step·d (unfused multiply-add: the same float32 results as v − step·(ε − grad)).
            var d = _grad[n.Index]!.Span;
            TensorPrimitives.Subtract(d, _eps[n.Index]!.Span, d);
            float step = _nodeStep[n.Index] > 0f ? _nodeStep[n.Index] : eta;
            if (Options.Tolerance > 0f)
            {
                largest = MathF.Max(largest, step * MathF.Abs(TensorPrimitives.MaxMagnitude(d))); // MaxMagnitude keeps the sign
            }

            var v = _v[n.Index]!.Span;
            TensorPrimitives.MultiplyAdd(d, step, v, v);
        }

        return largest;
    }

    /// <summary>Throws <see cref="PcDivergenceException"/> when <paramref name="t"/> holds a NaN or an infinity.</summary>
    public void CheckFinite(Node node, FloatTensor t, int iteration, string what)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(t);
        if (!float.IsFinite(TensorPrimitives.Sum(t.ReadOnlySpan)))
        {
            throw new PcDivergenceException(node.Name, iteration, what, StepSize);
        }
    }

    private void FreeErrors(int iteration, bool valuesOnly)
    {
        foreach (var n in _free)
        {
            int i = n.Index;
            if (_track && !_moved[i] && !_muMoved[i])
            {
                continue; // neither v nor μ changed: ε is what it was
            }

            _live[i] = true;
            var eps = _eps[i]!;
            if (valuesOnly)
            {
                eps.CopyFrom(_v[i]!);
            }
            else
            {
                TensorPrimitives.Subtract(_v[i]!.Span, _mu[i]!.Span, eps.Span);
            }

            Weight(n, eps);
            CheckFinite(n, eps, iteration, "error");
        }
    }

    /// <summary>Applies precision and error connections: ε ← Π ε, then ε ← ε Φᵀ (keeping the unconnected error for Φ's rule).</summary>
    private void Weight(Node n, FloatTensor eps)
    {
        if (_precision[n.Index] is { } pi)
        {
            MultiplyRows(eps, pi);
        }

        if (_phi[n.Index] is { } phi)
        {
            var raw = _epsRaw[n.Index]!;
            raw.CopyFrom(eps);
            int s = n.SampleSize;
            Gemm.Multiply(Transpose.No, Transpose.Yes, _batch, s, s, 1f, raw.ReadOnlySpan, s, phi.ReadOnlySpan, s, 0f, eps.Span, s, _ctx.Threads);
        }
    }

    private bool AnyParentMoved(Node n)
    {
        var parents = n.Inputs;
        for (int k = 0; k < parents.Count; k++)
        {
            if (_isFree[parents[k].Index] && _moved[parents[k].Index])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The inputs a VJP of c reads: the forward pass (fixed predictions) or the current values.</summary>
    private ReadOnlySpan<FloatTensor> InputsOf(Node c) => _fixedPredictions ? _fwdIn[c.Index] : _curIn[c.Index];

    /// <summary>The output a VJP of c reads: the forward value (fixed predictions) or the current prediction.</summary>
    private FloatTensor OutputOf(Node c) => _fixedPredictions ? Executor.Value(c) : _mu[c.Index]!;

    private void MultiplyRows(FloatTensor t, FloatTensor row)
    {
        int s = row.Length;
        var span = t.Span;
        for (int b = 0; b < _batch; b++)
        {
            var r = span.Slice(b * s, s);
            TensorPrimitives.Multiply(r, row.ReadOnlySpan, r);
        }
    }
}
