using Helmholtz.Graphs;
using Helmholtz.Tensors;

namespace Helmholtz.PredictiveCoding;

/// <summary>The state of a predictive-coding network over a model's graph: values, predictions, errors, messages, precisions.</summary>
/// <remarks>
/// <para>Every op node n on a path to the model's output is a value node with a prediction μ_n = op_n.Forward(parents)
/// and an error ε_n; the hidden ones (and, in generative mode, free inputs) are free: they hold a value v_n that
/// inference moves. The output's error is the per-sample loss gradient ε_L = s·B·∂L/∂μ_L (B the batch size), taken from
/// the loss op's Backward, so any loss works; s = +1 for fixed-prediction dynamics (gradient sign) and −1 otherwise
/// (energy sign), see <see cref="PredictiveCodingTrainer"/>.</para>
/// <para>The state offers the primitives a schedule (<see cref="IPcSchedule"/>) is made of: predict, form errors, send
/// messages, move values, compute parameter gradients and step. Which inputs a VJP reads and whether predictions move
/// follow from the <see cref="PcDynamics"/> it was made with. All buffers are allocated here; the primitives allocate
/// nothing.</para>
/// <para>Activity tracking: values start at their forward-pass predictions, so errors are exactly zero until the output
/// error has travelled down to a node; a node whose error is still zero sends no message, and a prediction whose parents
/// have not moved is not recomputed. Skipping that work changes no result.</para>
/// </remarks>
public sealed partial class PcState
{
    private readonly Graph _graph;
    private readonly OpContext _ctx;
    private readonly int _batch;
    private readonly float _sign;
    private readonly bool _fixedPredictions;

    private readonly Node[] _valueNodes;   // op nodes on a path to the output, output last
    private readonly Node[] _free;         // hidden op nodes and free inputs: the values that move
    private readonly Node[] _freeAndOutput;
    private readonly Node _output;
    private readonly bool[] _isFree;
    private readonly FloatTensor?[] _v, _mu, _eps, _grad, _epsRaw;
    private readonly FloatTensor[][] _fwdIn, _curIn;
    private readonly FloatTensor?[][] _freeSlots, _paramSlots;
    private readonly bool[] _sendsToFree, _hasParams, _muVaries;
    private readonly FloatTensor[] _paramGrad;

    private readonly Op _lossOp;
    private readonly FloatTensor[] _lossFwdIn, _lossCurIn;
    private readonly FloatTensor?[] _lossSlots;
    private readonly FloatTensor _lossScale;
    private readonly FloatTensor? _outputMask;

    private readonly FloatTensor?[] _precision, _variance;

    private readonly FloatTensor?[] _backW, _wBefore, _scratch, _phi;
    private readonly IRelaxableOp?[] _relaxable;
    private readonly bool _relaxMessages, _useDerivative;
    private float? _stepSize;
    private readonly float[] _nodeStep; // 0 = use StepSize

    private bool _track;
    private readonly bool[] _live;       // ε_n may be non-zero
    private readonly bool[] _moved;      // v_n moved in the last step
    private readonly bool[] _muMoved;    // μ_n was recomputed from moved parents in the last Predict
    private readonly bool[] _gradLive;   // some child sent n a message in the last SendMessages

    /// <summary>Allocates the state of <paramref name="model"/> for batches of <paramref name="batchSize"/>.</summary>
    /// <param name="model">The model whose graph carries the network.</param>
    /// <param name="batchSize">Rows per batch.</param>
    /// <param name="options">Validated options (step size, precisions, relaxations, seed).</param>
    /// <param name="dynamics">What the schedule that drives this state reads and moves.</param>
    /// <param name="context">Thread budget and scratch of the ops.</param>
    /// <param name="freeInputs">Inputs whose values inference also moves (generative mode).</param>
    /// <param name="maskOutput">Whether the output error is multiplied by <see cref="OutputMask"/>.</param>
    /// <param name="precisions">Whether to keep precisions even when they are all 1 and not learned.</param>
    internal PcState(Model model, int batchSize, PcOptions options, PcDynamics dynamics, OpContext context, IReadOnlyCollection<Node> freeInputs, bool maskOutput, bool precisions)
    {
        Model = model;
        Options = options;
        Dynamics = dynamics;
        _graph = model.Graph;
        _ctx = context;
        _batch = batchSize;
        _fixedPredictions = dynamics.FixedPredictions;
        _sign = _fixedPredictions ? 1f : -1f;
        _output = model.Output;

        var nodes = _graph.Nodes;
        int count = nodes.Count;
        (_valueNodes, _isFree) = PcGraphLayout.Classify(model, freeInputs, options.Relaxations);
        _free = nodes.Where(n => _isFree[n.Index]).ToArray();
        _freeAndOutput = [.. _free, _output];
        Executor = new Executor(_graph, batchSize, _ctx);
        _v = new FloatTensor?[count];
        _mu = new FloatTensor?[count];
        _eps = new FloatTensor?[count];
        _grad = new FloatTensor?[count];
        _epsRaw = new FloatTensor?[count];
        foreach (var n in _free)
        {
            _v[n.Index] = new FloatTensor(n.RuntimeShape(batchSize));
            _grad[n.Index] = new FloatTensor(n.RuntimeShape(batchSize));
            _eps[n.Index] = new FloatTensor(n.RuntimeShape(batchSize));
            if (n.Kind == NodeKind.Input)
            {
                _mu[n.Index] = new FloatTensor(n.RuntimeShape(batchSize)); // a zero-mean prior
            }
        }

        _eps[_output.Index] = new FloatTensor(_output.RuntimeShape(batchSize));
        _sendsToFree = new bool[count];
        _hasParams = new bool[count];
        _muVaries = new bool[count];
        _fwdIn = new FloatTensor[count][];
        _curIn = new FloatTensor[count][];
        _freeSlots = new FloatTensor?[count][];
        _paramSlots = new FloatTensor?[count][];
        _paramGrad = _graph.Parameters.Select(p => new FloatTensor(p.Value.Shape.ToArray())).ToArray();
        var paramGradByNode = _graph.Parameters.Select((p, i) => (p.Node, g: _paramGrad[i])).ToDictionary(t => t.Node, t => t.g);
        foreach (var n in _valueNodes)
        {
            var ins = n.Inputs;
            _sendsToFree[n.Index] = ins.Any(p => _isFree[p.Index]);
            _hasParams[n.Index] = ins.Any(p => p.Kind == NodeKind.Parameter);
            _muVaries[n.Index] = dynamics.PredictionsAlwaysMove || (!_fixedPredictions && _sendsToFree[n.Index]);
            _mu[n.Index] = _muVaries[n.Index] ? new FloatTensor(n.RuntimeShape(batchSize)) : Executor.Value(n);
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
        _lossScale = new FloatTensor([_sign * batchSize], 1);
        if (maskOutput)
        {
            _outputMask = new FloatTensor(_output.RuntimeShape(batchSize));
            _outputMask.Fill(1f);
        }

        bool usePrecision = precisions || options.LearnPrecision || options.InitialVariance != 1f || (options.OutputVariance is { } ov && ov != 1f);
        _nodeStep = new float[count];
        _precision = new FloatTensor?[count];
        _variance = new FloatTensor?[count];
        if (usePrecision)
        {
            foreach (var n in _free.Append(_output))
            {
                float variance = ReferenceEquals(n, _output) ? options.OutputVariance ?? options.InitialVariance : options.InitialVariance;
                _variance[n.Index] = new FloatTensor(n.SampleSize);
                _variance[n.Index]!.Fill(variance);
                _precision[n.Index] = new FloatTensor(n.SampleSize);
                _precision[n.Index]!.Fill(1f / variance);
            }
        }

        _track = dynamics.TracksActivity;
        _live = new bool[count];
        _moved = new bool[count];
        _muMoved = new bool[count];
        _gradLive = new bool[count];
        _backW = new FloatTensor?[count];
        _wBefore = new FloatTensor?[count];
        _scratch = new FloatTensor?[count];
        _phi = new FloatTensor?[count];
        _relaxable = new IRelaxableOp?[count];
        (_relaxMessages, _useDerivative) = AllocateRelaxations(options, batchSize);
    }

    /// <summary>The model whose graph carries the network.</summary>
    public Model Model { get; }

    /// <summary>The options the state was made with.</summary>
    public PcOptions Options { get; }

    /// <summary>What the driving schedule reads and moves.</summary>
    public PcDynamics Dynamics { get; }

    /// <summary>The executor holding the forward pass (inputs, targets, forward values) this state starts from.</summary>
    public Executor Executor { get; }

    /// <summary>Rows per batch.</summary>
    public int BatchSize => _batch;

    /// <summary>The value nodes (op nodes on a path to the output, the output last), in topological order.</summary>
    public IReadOnlyList<Node> ValueNodes => _valueNodes;

    /// <summary>The free nodes (hidden value nodes and free inputs), whose values inference moves, in topological order.</summary>
    public IReadOnlyList<Node> FreeNodes => _free;

    /// <summary>The number of inference steps the last batch ran (less than T after an early stop).</summary>
    public int LastIterations { get; internal set; }

    /// <summary>The current value v of a free node.</summary>
    public FloatTensor Value(Node node) => _v[Check(node).Index] ?? throw new ArgumentException($"Node '{node.Name}' is not a free value node of this network.", nameof(node));

    /// <summary>The current (precision-weighted) error ε of a value node, in the sign convention of <see cref="PcDynamics"/>.</summary>
    public FloatTensor Error(Node node) => _eps[Check(node).Index] ?? throw new ArgumentException($"Node '{node.Name}' has no error node in this network.", nameof(node));

    /// <summary>The current prediction μ of a value node (its forward-pass value when it cannot change).</summary>
    public FloatTensor Prediction(Node node) => _mu[Check(node).Index] ?? throw new ArgumentException($"Node '{node.Name}' is not a value node of this network.", nameof(node));

    /// <summary>The messages a free node received in the last <see cref="SendMessages"/>: Σ_{children c} VJP_{c→n}(ε_c).</summary>
    public FloatTensor Message(Node node) => _grad[Check(node).Index] ?? throw new ArgumentException($"Node '{node.Name}' is not a free value node of this network.", nameof(node));

    /// <summary>The diagonal variance Σ of a free node or the output (null when precisions are all 1 and not learned).</summary>
    public FloatTensor? Variance(Node node) => _variance[Check(node).Index];

    /// <summary>The precision Π = 1/Σ of a free node or the output (null when precisions are all 1 and not learned).</summary>
    public FloatTensor? Precision(Node node) => _precision[Check(node).Index];

    /// <summary>Learned backward weights B of a value node (null unless the backward-weights relaxation is on).</summary>
    public FloatTensor? BackwardWeights(Node node) => _backW[Check(node).Index];

    /// <summary>The error mask of the output (generative mode): 1 where observed, 0 where free; null when not masked.</summary>
    public FloatTensor? OutputMask => _outputMask;

    /// <summary>The parameter gradients of the last <see cref="ComputeParameterGradients"/>, aligned with the graph's parameters.</summary>
    public IReadOnlyList<FloatTensor> ParameterGradients => _paramGrad;

    /// <summary>The Euler step of inference: <see cref="PcOptions.EtaV"/> unless a caller that bounds the curvature lowers it.</summary>
    public float StepSize
    {
        get => _stepSize ?? Options.EtaV;
        internal set => _stepSize = value > 0f && float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The inference step must be positive and finite.");
    }

    /// <summary>The Euler step of one free node: its own when set (preconditioned inference), else <see cref="StepSize"/>.</summary>
    public float StepSizeOf(Node node) => _nodeStep[Check(node).Index] > 0f ? _nodeStep[node.Index] : StepSize;

    /// <summary>Whether inference skips the nodes the output error has not reached yet (only where the dynamics allow it).</summary>
    internal bool SkipInactiveNodes
    {
        get => _track;
        set => _track = value && Dynamics.TracksActivity;
    }

    /// <summary>Sets a per-node Euler step (0 = <see cref="StepSize"/>).</summary>
    internal void SetStepSize(Node node, float eta) => _nodeStep[Check(node).Index] = eta;

    /// <summary>Sets a fixed diagonal variance Σ (all features) of a free node or the output.</summary>
    internal void SetVariance(Node node, float variance)
    {
        var sigma = _variance[Check(node).Index] ?? throw new InvalidOperationException($"Node '{node.Name}' has no precision in this trainer.");
        sigma.Fill(variance);
        _precision[node.Index]!.Fill(1f / variance);
    }

    /// <summary>Whether node n is free (its value moves).</summary>
    internal bool IsFree(Node n) => _isFree[n.Index];

    /// <summary>Whether value node c sends messages to a free parent.</summary>
    internal bool SendsToFree(Node c) => _sendsToFree[c.Index];

    private Node Check(Node node)
    {
        ArgumentNullException.ThrowIfNull(node);
        if (node.Index >= _graph.Nodes.Count || !ReferenceEquals(_graph.Nodes[node.Index], node))
        {
            throw new ArgumentException($"Node '{node.Name}' does not belong to this trainer's graph.", nameof(node));
        }

        return node;
    }
}
