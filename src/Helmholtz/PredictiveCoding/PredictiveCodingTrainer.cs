using System.Numerics.Tensors;
using Helmholtz.Graphs;
using Helmholtz.Graphs.Ops;
using Helmholtz.Optim;
using Helmholtz.Tensors;
using Tensor = Helmholtz.Tensors.Tensor;

namespace Helmholtz.PredictiveCoding;

/// <summary>Trains a <see cref="Model"/> with predictive coding: value and error nodes over the model's own graph.</summary>
/// <remarks>
/// <para>Every op node n on a path to the model's output gets a value v_n, a prediction μ_n = op_n.Forward(parents) and an
/// error ε_n = Π_n(v_n − μ_n); inputs and parameters are not value nodes. The output's error is the per-sample loss
/// gradient ε_L = s·B·∂L/∂μ_L (the loss averages over the batch of size B), obtained from the loss op's Backward, so any
/// loss works. Inference takes T synchronous Euler steps of dv/dt = −∂F/∂v, F = ½ Σ_n (v_n − μ_n)ᵀ Π_n (v_n − μ_n) + the
/// output term, written per node as
/// v_n ← v_n − η_v (ε_n − Σ_{children c} VJP_{c→n}(ε_c)), where VJP_{c→n} is op_c.Backward's gradient for input n with
/// cotangent ε_c. The parameter gradient handed to the optimiser is g_θ = s·(1/B) Σ_c VJP_{c→θ}(ε_c) (∂F/∂θ / B in energy sign).</para>
/// <para>Signs follow <c>shared/baselines/torch_mlp.py</c> exactly. The fixed-prediction schedules (pc-fixed, relaxed,
/// activation relaxation) keep errors in gradient sign, s = +1: ε_L = μ_L − y for MSE, so at equilibrium
/// ε_n = B·∂L/∂v_n (Millidge, Tschantz &amp; Buckley 2020, up to the sign of their ε_L = y − μ_L; the two are the
/// same dynamics under v ↦ 2μ − v). Standard and incremental PC use the energy sign s = −1: ε_L = y − μ_L and
/// v_n − μ_n descend F (Whittington &amp; Bogacz 2017).</para>
/// <para>All buffers are allocated here; a training step allocates nothing. In fixed-prediction schedules only ops that
/// read a free value are differentiated during inference; in standard PC only predictions with a free parent are recomputed.</para>
/// <para>Inference is independent per sample, so with a thread budget above one (<see cref="OpContext.Threads"/>) the
/// fixed-prediction schedules split it over the batch: each thread runs the T steps on its own rows, with its own
/// buffers, and the rows are joined again for the parameter update. The small per-step products (64 rows by 128) are
/// below the size at which one GEMM is worth splitting, so this is the grain at which two cores help. Results are the
/// same as on one thread, bit for bit.</para>
/// </remarks>
public sealed class PredictiveCodingTrainer : ITrainingAlgorithm
{
    private readonly Graph _graph;
    private readonly OpContext _ctx;
    private readonly int _batch;
    private readonly float _sign;
    private readonly bool _fixedPredictions;
    private readonly bool _activationRelaxation;

    private readonly Node[] _valueNodes;   // op nodes on a path to the output, output last
    private readonly Node[] _free;         // hidden op nodes and free inputs: the values that move
    private readonly Node[] _freeAndOutput;
    private readonly Node _output;
    private readonly bool[] _isFree;
    private readonly Tensor?[] _v, _mu, _eps, _grad, _epsRaw;
    private readonly Tensor[][] _fwdIn, _curIn;
    private readonly Tensor?[][] _freeSlots, _paramSlots;
    private readonly bool[] _sendsToFree, _hasParams, _muVaries;
    private readonly Tensor[] _paramGrad;

    private readonly Op _lossOp;
    private readonly Tensor[] _lossFwdIn, _lossCurIn;
    private readonly Tensor?[] _lossSlots;
    private readonly Tensor _lossScale;
    private readonly Tensor? _outputMask;

    private readonly bool _usePrecision;
    private readonly Tensor?[] _precision, _variance;

    private readonly Tensor?[] _backW, _wBefore, _scratch, _phi;
    private float? _stepSize;
    private readonly float[] _nodeStep; // 0 = use StepSize

    // Activity tracking: values start at their forward-pass predictions, so errors are exactly zero until the output error
    // has travelled down to a node; a node whose error is still zero sends no message, and a prediction whose parents have
    // not moved is not recomputed. Skipping that work changes no result (see Infer's remarks).
    private bool _track;
    private readonly bool[] _live;       // ε_n may be non-zero
    private readonly bool[] _moved;      // v_n moved in the last step
    private readonly bool[] _muMoved;    // μ_n was recomputed from moved parents in the last Predict
    private readonly bool[] _gradLive;   // some child sent n a message in the last SendMessages

    // Batch shards (fixed-prediction schedules with more than one thread): each runs inference on rows [start, start + batch).
    private const int MinShardRows = 16;
    private readonly PredictiveCodingTrainer[] _shards = [];
    private readonly int[] _shardStart = [];
    private readonly Node[] _shardReads = [];   // batched nodes whose forward values a shard's inference reads
    private readonly Action<int> _runShard;
    private readonly bool _isShard;

    /// <summary>Prepares a trainer for batches of <paramref name="batchSize"/>; options and graph are checked first.</summary>
    /// <exception cref="ArgumentException">An option is invalid, or the graph cannot run the chosen algorithm (the message says which node and why).</exception>
    public PredictiveCodingTrainer(Model model, int batchSize, PcOptions options, OpContext? context = null)
        : this(model, batchSize, options, context, [], maskOutput: false, precisions: false)
    {
    }

    internal PredictiveCodingTrainer(Model model, int batchSize, PcOptions options, OpContext? context, IReadOnlyCollection<Node> freeInputs, bool maskOutput, bool precisions, bool isShard = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        options.Validate();
        Model = model;
        Options = options;
        _graph = model.Graph;
        _ctx = context ?? new OpContext();
        _batch = batchSize;
        _fixedPredictions = options.Algorithm is PcAlgorithm.Fixed or PcAlgorithm.Relaxed or PcAlgorithm.ActivationRelaxation;
        _activationRelaxation = options.Algorithm == PcAlgorithm.ActivationRelaxation;
        _sign = _fixedPredictions ? 1f : -1f;
        _output = model.Output;

        var nodes = _graph.Nodes;
        int count = nodes.Count;
        (_valueNodes, _isFree) = ClassifyNodes(model, freeInputs);
        _free = nodes.Where(n => _isFree[n.Index]).ToArray();
        _freeAndOutput = [.. _free, _output];
        Executor = new Executor(_graph, batchSize, _ctx);
        var isValue = new bool[count];
        foreach (var n in _valueNodes)
        {
            isValue[n.Index] = true;
        }

        _v = new Tensor?[count];
        _mu = new Tensor?[count];
        _eps = new Tensor?[count];
        _grad = new Tensor?[count];
        _epsRaw = new Tensor?[count];
        foreach (var n in _free)
        {
            _v[n.Index] = new Tensor(n.RuntimeShape(batchSize));
            _grad[n.Index] = new Tensor(n.RuntimeShape(batchSize));
            _eps[n.Index] = new Tensor(n.RuntimeShape(batchSize));
            if (n.Kind == NodeKind.Input)
            {
                _mu[n.Index] = new Tensor(n.RuntimeShape(batchSize)); // a zero-mean prior
            }
        }

        _eps[_output.Index] = new Tensor(_output.RuntimeShape(batchSize));
        _sendsToFree = new bool[count];
        _hasParams = new bool[count];
        _muVaries = new bool[count];
        _fwdIn = new Tensor[count][];
        _curIn = new Tensor[count][];
        _freeSlots = new Tensor?[count][];
        _paramSlots = new Tensor?[count][];
        _paramGrad = _graph.Parameters.Select(p => new Tensor(p.Value.Shape.ToArray())).ToArray();
        var paramGradByNode = _graph.Parameters.Select((p, i) => (p.Node, g: _paramGrad[i])).ToDictionary(t => t.Node, t => t.g);
        foreach (var n in _valueNodes)
        {
            var ins = n.Inputs;
            _sendsToFree[n.Index] = ins.Any(p => _isFree[p.Index]);
            _hasParams[n.Index] = ins.Any(p => p.Kind == NodeKind.Parameter);
            _muVaries[n.Index] = options.Algorithm == PcAlgorithm.Incremental ? true : !_fixedPredictions && _sendsToFree[n.Index];
            _mu[n.Index] = _muVaries[n.Index] ? new Tensor(n.RuntimeShape(batchSize)) : Executor.Value(n);
            _fwdIn[n.Index] = ins.Select(p => Executor.Value(p)).ToArray();
            _curIn[n.Index] = ins.Select(p => _isFree[p.Index] ? _v[p.Index]! : Executor.Value(p)).ToArray();
            _freeSlots[n.Index] = ins.Select(p => _isFree[p.Index] ? _grad[p.Index] : null).ToArray();
            _paramSlots[n.Index] = ins.Select(p => p.Kind == NodeKind.Parameter ? paramGradByNode[p] : null).ToArray();
        }

        var loss = model.Loss;
        _lossOp = loss.Op!;
        _lossFwdIn = loss.Inputs.Select(p => Executor.Value(p)).ToArray();
        _lossCurIn = loss.Inputs.Select(p => ReferenceEquals(p, _output) ? _mu[_output.Index]! : Executor.Value(p)).ToArray();
        _lossSlots = loss.Inputs.Select(p => ReferenceEquals(p, _output) ? _eps[_output.Index] : null).ToArray();
        _lossScale = new Tensor([_sign * batchSize], 1);
        if (maskOutput)
        {
            _outputMask = new Tensor(_output.RuntimeShape(batchSize));
            _outputMask.Fill(1f);
        }

        _usePrecision = precisions || options.LearnPrecision || options.InitialVariance != 1f || (options.OutputVariance is { } ov && ov != 1f);
        _nodeStep = new float[count];
        _precision = new Tensor?[count];
        _variance = new Tensor?[count];
        if (_usePrecision)
        {
            foreach (var n in _free.Append(_output))
            {
                float variance = ReferenceEquals(n, _output) ? options.OutputVariance ?? options.InitialVariance : options.InitialVariance;
                _variance[n.Index] = new Tensor(n.SampleSize);
                _variance[n.Index]!.Fill(variance);
                _precision[n.Index] = new Tensor(n.SampleSize);
                _precision[n.Index]!.Fill(1f / variance);
            }
        }

        _track = options.Algorithm != PcAlgorithm.Incremental && !_activationRelaxation;
        _live = new bool[count];
        _moved = new bool[count];
        _muMoved = new bool[count];
        _gradLive = new bool[count];
        _backW = new Tensor?[count];
        _wBefore = new Tensor?[count];
        _scratch = new Tensor?[count];
        _phi = new Tensor?[count];
        var rng = new Rng(options.Seed);
        var relax = options.Relaxations;
        if ((relax & (PcRelaxations.BackwardWeights | PcRelaxations.NoDerivative)) != 0)
        {
            foreach (var c in _valueNodes.Where(c => _sendsToFree[c.Index]))
            {
                var w = _fwdIn[c.Index].Length > 1 ? _fwdIn[c.Index][1] : null;
                _scratch[c.Index] = new Tensor(c.RuntimeShape(batchSize));
                if ((relax & PcRelaxations.BackwardWeights) != 0)
                {
                    // Random backward weights at the scale of torch_mlp.py's forward init, N(0, 1/fan_in).
                    var b = new Tensor(w!.Shape.ToArray());
                    rng.FillGaussian(b.Span, 0f, 1f / MathF.Sqrt(w.Dim(1)));
                    _backW[c.Index] = b;
                    _wBefore[c.Index] = new Tensor(w.Shape.ToArray());
                }
            }
        }

        if ((relax & PcRelaxations.ErrorConnections) != 0)
        {
            foreach (var n in _free.Append(_output).Where(n => n.Kind == NodeKind.Op))
            {
                int s = n.SampleSize;
                var phi = new Tensor(s, s);
                rng.FillGaussian(phi.Span, 0f, 0.5f / MathF.Sqrt(s));
                for (int i = 0; i < s; i++)
                {
                    phi[i, i] += 1f;
                }

                _phi[n.Index] = phi;
                _epsRaw[n.Index] = new Tensor(n.RuntimeShape(batchSize));
                _scratch[n.Index] ??= new Tensor(n.RuntimeShape(batchSize));
            }
        }

        _isShard = isShard;
        _runShard = RunShard;
        int shards = Math.Min(Math.Min(_ctx.Threads, Environment.ProcessorCount), batchSize / MinShardRows);
        if (_fixedPredictions && !isShard && shards > 1 && options.Tolerance == 0f && freeInputs.Count == 0 && !maskOutput)
        {
            _shards = new PredictiveCodingTrainer[shards];
            _shardStart = new int[shards + 1];
            for (int k = 0; k < shards; k++)
            {
                _shardStart[k + 1] = _shardStart[k] + batchSize / shards + (k < batchSize % shards ? 1 : 0);
                var shard = new PredictiveCodingTrainer(model, _shardStart[k + 1] - _shardStart[k], options, new OpContext(1), [], false, precisions, isShard: true);
                for (int i = 0; i < count; i++)
                {
                    // One set of precisions, error connections and backward weights: the parent's, which learning updates.
                    shard._precision[i] = _precision[i];
                    shard._variance[i] = _variance[i];
                    shard._phi[i] = _phi[i];
                    shard._backW[i] = _backW[i];
                }

                _shards[k] = shard;
            }

            _shardReads = nodes.Where(n => n.Batched && (_isFree[n.Index] || _sendsToFree[n.Index] || IsReadBySender(n))).ToArray();
        }
    }

    private bool IsReadBySender(Node n) => _graph.Consumers[n.Index].Any(c => _sendsToFree[c.Index]);

    /// <summary>The model being trained.</summary>
    public Model Model { get; }

    /// <summary>The options this trainer was made with (validated).</summary>
    public PcOptions Options { get; }

    /// <inheritdoc />
    public string Name => Options.Name;

    /// <inheritdoc />
    public Executor Executor { get; }

    /// <summary>The number of inference steps the last batch ran (less than T after an early stop).</summary>
    public int LastIterations { get; private set; }

    /// <summary>The value nodes (op nodes on a path to the output, the output last), in topological order.</summary>
    public IReadOnlyList<Node> ValueNodes => _valueNodes;

    /// <summary>The current value of a free node (a hidden op node, or a free input in generative mode).</summary>
    public Tensor Value(Node node) => _v[Check(node).Index] ?? throw new ArgumentException($"Node '{node.Name}' is not a free value node of this network.", nameof(node));

    /// <summary>The current (precision-weighted) error of a value node, in this schedule's sign convention (see remarks of the class).</summary>
    public Tensor Error(Node node) => _eps[Check(node).Index] ?? throw new ArgumentException($"Node '{node.Name}' has no error node in this network.", nameof(node));

    /// <summary>The current prediction μ of a value node (its forward-pass value when it cannot change).</summary>
    public Tensor Prediction(Node node) => _mu[Check(node).Index] ?? throw new ArgumentException($"Node '{node.Name}' is not a value node of this network.", nameof(node));

    /// <summary>The diagonal variance Σ of a free node or the output (null when precisions are all 1 and not learned).</summary>
    public Tensor? Variance(Node node) => _variance[Check(node).Index];

    /// <summary>Learned backward weights B of a dense value node (null unless the backward-weights relaxation is on).</summary>
    public Tensor? BackwardWeights(Node node) => _backW[Check(node).Index];

    /// <summary>The Euler step used by inference: <see cref="PcOptions.EtaV"/> unless a caller that bounds the curvature lowers it (generative mode).</summary>
    internal float StepSize
    {
        get => _stepSize ?? Options.EtaV;
        set => _stepSize = value > 0f && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The inference step must be positive and finite.");
    }

    /// <summary>Whether inference skips the nodes the output error has not reached yet (default true; false does all the work, for tests).</summary>
    internal bool SkipInactiveNodes
    {
        get => _track;
        set
        {
            _track = value && Options.Algorithm != PcAlgorithm.Incremental && !_activationRelaxation;
            foreach (var shard in _shards)
            {
                shard.SkipInactiveNodes = value;
            }
        }
    }

    /// <summary>How many threads fixed-prediction inference is split over (1 = not split).</summary>
    internal int InferenceShards => Math.Max(1, _shards.Length);

    /// <summary>Sets a per-node Euler step (0 = <see cref="StepSize"/>), for callers that precondition inference by the curvature of each node's block.</summary>
    internal void SetStepSize(Node node, float eta) => _nodeStep[Check(node).Index] = eta;

    /// <summary>Sets a fixed diagonal variance Σ (all features) of a free node or the output; the trainer must have been made with precisions.</summary>
    internal void SetVariance(Node node, float variance)
    {
        var sigma = _variance[Check(node).Index] ?? throw new InvalidOperationException($"Node '{node.Name}' has no precision in this trainer.");
        sigma.Fill(variance);
        _precision[node.Index]!.Fill(1f / variance);
    }

    /// <summary>The output error mask (generative mode): 1 where the output is observed, 0 where it is free.</summary>
    internal Tensor? OutputMask => _outputMask;

    /// <inheritdoc />
    public float TrainStep(IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (Options.Algorithm == PcAlgorithm.Incremental)
        {
            return TrainIncremental(optimizer);
        }

        float loss = Infer();
        ComputeParameterGradients();
        LearnPrecisionAndErrorConnections();
        CopyWeightsBeforeStep();
        optimizer.Step(_graph.Parameters, _paramGrad);
        AfterParameterStep();
        return loss;
    }

    /// <summary>Forward pass and T inference steps on the batch in the executor's buffers; returns the forward-pass loss.</summary>
    /// <remarks>Hidden values start at their forward-pass predictions, so at step t only nodes within t ops of the output
    /// have moved. Work on the others is skipped exactly: their errors are zero, so their messages VJP(0) are zero, and
    /// their predictions are recomputed only once a parent has moved. On LeNet with T = 8 the second convolution is
    /// predicted and differentiated in 3 steps instead of 9 and 8. Incremental PC and activation relaxation do all the work.</remarks>
    /// <exception cref="PcDivergenceException">A value or error became NaN or infinite.</exception>
    public float Infer()
    {
        Executor.Forward();
        float loss = Executor.Value(Model.Loss).Span[0];
        InitialiseValues();
        if (_shards.Length > 0)
        {
            RunShards();
            return loss;
        }

        Iterate();
        return loss;
    }

    /// <summary>T inference steps from the initialised values (or fewer, once the largest change is below the tolerance), then the final errors.</summary>
    private void Iterate()
    {
        int t = 0;
        while (t < Options.Iterations)
        {
            t++;
            if (!_fixedPredictions)
            {
                Predict();
                OutputError(t);
            }

            HiddenErrors(t);
            float change = Step();
            if (Options.Tolerance > 0f && change <= Options.Tolerance)
            {
                break;
            }
        }

        LastIterations = t;
        if (!_fixedPredictions)
        {
            Predict();
            OutputError(t);
        }

        HiddenErrors(t);
    }

    /// <summary>Runs inference on every shard in parallel, then joins their values and errors into this trainer's buffers.</summary>
    private void RunShards()
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

        LastIterations = Options.Iterations;
        foreach (var shard in _shards)
        {
            foreach (var n in _valueNodes)
            {
                _live[n.Index] |= shard._live[n.Index];
            }
        }
    }

    private void RunShard(int k)
    {
        var shard = _shards[k];
        int start = _shardStart[k], rows = _shardStart[k + 1] - start;
        foreach (var n in _shardReads)
        {
            CopyRows(Executor.Value(n), start, shard.Executor.Value(n), 0, rows);
        }

        shard._stepSize = _stepSize;
        _nodeStep.CopyTo(shard._nodeStep, 0);
        shard.InitialiseValues();
        CopyRows(_eps[_output.Index]!, start, shard._eps[_output.Index]!, 0, rows);
        shard.Iterate();
        foreach (var n in _free)
        {
            int i = n.Index;
            CopyRows(shard._v[i]!, 0, _v[i]!, start, rows);
            CopyRows(shard._eps[i]!, 0, _eps[i]!, start, rows);
            if (_epsRaw[i] is { } raw)
            {
                CopyRows(shard._epsRaw[i]!, 0, raw, start, rows);
            }
        }
    }

    private static void CopyRows(Tensor from, int fromRow, Tensor to, int toRow, int rows)
    {
        int width = from.Length / from.Dim(0);
        from.ReadOnlySpan.Slice(fromRow * width, rows * width).CopyTo(to.Span.Slice(toRow * width, rows * width));
    }

    /// <summary>∂F/∂θ from the current errors (after <see cref="Infer"/>), averaged over the batch; aligned with the graph's parameters.</summary>
    /// <remarks>The returned tensors are the trainer's buffers, overwritten by the next call.</remarks>
    public IReadOnlyList<Tensor> ComputeParameterGradients()
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
            // −G/B, as torch_mlp.py's grads / batch (division first keeps the rounding of dividing by B).
            TensorPrimitives.Divide(g.Span, _batch, g.Span);
            if (inv < 0f)
            {
                TensorPrimitives.Negate(g.Span, g.Span);
            }
        }

        return _paramGrad;
    }

    private float TrainIncremental(IOptimizer optimizer)
    {
        Executor.Forward();
        float loss = Executor.Value(Model.Loss).Span[0];
        InitialiseValues();
        int t = 0;
        while (t < Options.Iterations)
        {
            t++;
            Predict();
            OutputError(t);
            HiddenErrors(t);
            SendMessages();
            ComputeParameterGradients();
            LearnPrecisionAndErrorConnections();
            float change = MoveValues();
            CopyWeightsBeforeStep();
            optimizer.Step(_graph.Parameters, _paramGrad);
            AfterParameterStep();
            if (Options.Tolerance > 0f && change <= Options.Tolerance)
            {
                break;
            }
        }

        LastIterations = t;
        return loss;
    }

    private void InitialiseValues()
    {
        foreach (var n in _free)
        {
            // Hidden values start at their forward-pass predictions; free latents (generative mode) where the caller put them.
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

        if (_fixedPredictions && !_isShard)
        {
            OutputError(0); // a shard gets its rows of the parent's output error instead
        }
    }

    /// <summary>μ_n = op_n.Forward(current parent values) for every prediction that can change.</summary>
    private void Predict()
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

    private void OutputError(int iteration)
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
        Check(_output, eps, iteration, "error");
    }

    private void HiddenErrors(int iteration)
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
            if (_activationRelaxation)
            {
                eps.CopyFrom(_v[i]!);
            }
            else
            {
                TensorPrimitives.Subtract(_v[i]!.Span, _mu[i]!.Span, eps.Span);
            }

            Weight(n, eps);
            Check(n, eps, iteration, "error");
        }
    }

    /// <summary>Applies precision and error connections: ε ← Π ε, then ε ← ε Φᵀ (keeping the unconnected error for Φ's rule).</summary>
    private void Weight(Node n, Tensor eps)
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

    private float Step()
    {
        SendMessages();
        return MoveValues();
    }

    /// <summary>grad_n = Σ_{children c} VJP_{c→n}(ε_c) for every free node n.</summary>
    private void SendMessages()
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

            if (_scratch[c.Index] is not null && c.Op is DenseOp dense && (Options.Relaxations & (PcRelaxations.BackwardWeights | PcRelaxations.NoDerivative)) != 0)
            {
                RelaxedDenseMessage(c, dense);
            }
            else
            {
                c.Op!.Backward(_ctx, InputsOf(c), OutputOf(c), _eps[c.Index]!, _freeSlots[c.Index]);
            }
        }
    }

    /// <summary>The relaxed backward message of a dense layer: dx += (ε ⊙ f′ or ε) · (W or B).</summary>
    private void RelaxedDenseMessage(Node c, DenseOp dense)
    {
        var inputs = InputsOf(c);
        var dx = _freeSlots[c.Index][0]!;
        Tensor x = inputs[0], w = inputs[1];
        int fanIn = w.Dim(1), fanOut = w.Dim(0);
        ReadOnlySpan<float> g = _eps[c.Index]!.ReadOnlySpan;
        if ((Options.Relaxations & PcRelaxations.NoDerivative) == 0 && dense.Activation != Activation.Identity)
        {
            var scratch = _scratch[c.Index]!.Span;
            ActivationKernels.MultiplyByDerivative(dense.Activation, OutputOf(c).ReadOnlySpan, g, scratch);
            g = scratch;
        }

        var m = _backW[c.Index] ?? w;
        Gemm.Multiply(Transpose.No, Transpose.No, x.Dim(0), fanIn, fanOut, 1f, g, fanOut, m.ReadOnlySpan, fanIn, 1f, dx.Span, fanIn, _ctx.Threads);
    }

    /// <summary>v_n ← v_n − η_v (ε_n − grad_n); returns the largest |change|.</summary>
    private float MoveValues()
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

    /// <summary>Bogacz (2017, section 5) rule for Σ: ΔΣ = α·½(⟨e²⟩ − 1/Σ), e = Πε; and Φ ← Φ − α_Φ (Φε − ε)εᵀ / B.</summary>
    private void LearnPrecisionAndErrorConnections()
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

    private ReadOnlySpan<Tensor> InputsOf(Node c) => _fixedPredictions ? _fwdIn[c.Index] : _curIn[c.Index];

    private Tensor OutputOf(Node c) => _fixedPredictions ? Executor.Value(c) : _mu[c.Index]!;

    private void MultiplyRows(Tensor t, Tensor row)
    {
        int s = row.Length;
        var span = t.Span;
        for (int b = 0; b < _batch; b++)
        {
            var r = span.Slice(b * s, s);
            TensorPrimitives.Multiply(r, row.ReadOnlySpan, r);
        }
    }

    private void Check(Node n, Tensor t, int iteration, string what)
    {
        if (!float.IsFinite(TensorPrimitives.Sum(t.ReadOnlySpan)))
        {
            throw new PcDivergenceException(n.Name, iteration, what, StepSize);
        }
    }

    private Node Check(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Index >= _graph.Nodes.Count || !ReferenceEquals(_graph.Nodes[node.Index], node))
        {
            throw new ArgumentException($"Node '{node.Name}' does not belong to this trainer's graph.", nameof(node));
        }

        return node;
    }

    /// <summary>Finds the value nodes and checks that the graph and options fit each other.</summary>
    private (Node[] Values, bool[] IsFree) ClassifyNodes(Model model, IReadOnlyCollection<Node> freeInputs)
    {
        var nodes = _graph.Nodes;
        var loss = model.Loss;
        if (loss.Op is null || !loss.Inputs.Contains(model.Output))
        {
            throw new ArgumentException($"Predictive coding needs the loss node '{loss.Name}' to be an op that reads the output '{model.Output.Name}'.");
        }

        if (model.Output.Kind != NodeKind.Op)
        {
            throw new ArgumentException($"Predictive coding needs the output '{model.Output.Name}' to be computed by an op.");
        }

        foreach (var consumer in _graph.Consumers[model.Output.Index])
        {
            if (!ReferenceEquals(consumer, loss))
            {
                throw new ArgumentException(
                    $"Predictive coding clamps the output '{model.Output.Name}', so only the loss may read it; node '{consumer.Name}' reads it too.");
            }
        }

        var ancestor = new bool[nodes.Count];
        ancestor[model.Output.Index] = true;
        for (int i = model.Output.Index; i >= 0; i--)
        {
            if (ancestor[i])
            {
                foreach (var p in nodes[i].Inputs)
                {
                    ancestor[p.Index] = true;
                }
            }
        }

        var isFree = new bool[nodes.Count];
        var values = new List<Node>();
        foreach (var n in nodes)
        {
            if (!ancestor[n.Index] || n.Kind != NodeKind.Op)
            {
                continue;
            }

            if (!n.Batched)
            {
                throw new ArgumentException(
                    $"Predictive coding needs one value per sample, but op node '{n.Name}' is unbatched (it depends only on parameters).");
            }

            values.Add(n);
            isFree[n.Index] = !ReferenceEquals(n, model.Output);
        }

        foreach (var input in freeInputs)
        {
            if (input.Kind != NodeKind.Input || !ancestor[input.Index])
            {
                throw new ArgumentException($"Node '{input.Name}' cannot be a free latent: it must be an input that the output depends on.");
            }

            isFree[input.Index] = true;
        }

        var relax = Options.Relaxations & (PcRelaxations.BackwardWeights | PcRelaxations.NoDerivative);
        if (relax != 0)
        {
            foreach (var c in values)
            {
                if (!c.Inputs.Any(p => isFree[p.Index]))
                {
                    continue;
                }

                bool ok = c.Op is DenseOp && isFree[c.Inputs[0].Index] && c.Inputs[1].Kind == NodeKind.Parameter
                    && !c.Inputs.Skip(1).Any(p => isFree[p.Index]);
                if (!ok)
                {
                    throw new ArgumentException(
                        $"The relaxation(s) {relax} act on dense layers y = f(x·Wᵀ + b) with a parameter W, but node '{c.Name}' (op '{c.Op!.Kind}') "
                        + "passes errors to a free value another way. Use them on MLPs, or drop the relaxation.");
                }
            }
        }

        return (values.ToArray(), isFree);
    }
}
