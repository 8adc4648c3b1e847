using Helmholtz.Graphs;
using Helmholtz.Optim;
using Helmholtz.Tensors;

namespace Helmholtz.PredictiveCoding;

/// <summary>Trains a <see cref="Model"/> with predictive coding: a schedule (<see cref="IPcSchedule"/>) driving a <see cref="PcState"/> over the model's own graph.</summary>
/// <remarks>
/// <para>Every op node n on a path to the model's output gets a value v_n, a prediction μ_n = op_n.Forward(parents) and an
/// error ε_n = Π_n(v_n − μ_n); inputs and parameters are not value nodes. The output's error is the per-sample loss
/// gradient ε_L = s·B·∂L/∂μ_L (the loss averages over the batch of size B), obtained from the loss op's Backward, so any
/// loss works. Inference takes T synchronous Euler steps of dv/dt = −∂F/∂v (F: <see cref="FreeEnergy"/>), written per node as
/// v_n ← v_n − η_v (ε_n − Σ_{children c} VJP_{c→n}(ε_c)), where VJP_{c→n} is op_c.Backward's gradient for input n with
/// cotangent ε_c. The parameter gradient handed to the optimiser is g_θ = s·(1/B) Σ_c VJP_{c→θ}(ε_c) (∂F/∂θ / B in energy sign).</para>
/// <para>Signs follow the PyTorch reference loop (the speed baseline in bench/torch_compare) exactly. The fixed-prediction schedules (pc-fixed, relaxed,
/// activation relaxation) keep errors in gradient sign, s = +1: ε_L = μ_L − y for MSE, so at equilibrium
/// ε_n = B·∂L/∂v_n (Millidge, Tschantz &amp; Buckley 2020, up to the sign of their ε_L = y − μ_L; the two are the
/// same dynamics under v ↦ 2μ − v). Standard and incremental PC use the energy sign s = −1: ε_L = y − μ_L and
/// v_n − μ_n descend F (Whittington &amp; Bogacz 2017).</para>
/// <para>One batch: forward pass → <see cref="PcState"/> initialises the values → <see cref="IPcSchedule.Begin"/> →
/// <see cref="PcInference.Iterate"/> (or <see cref="ShardedInference"/> over the batch where the schedule allows it and the
/// thread budget is above one) → parameter gradients → optimiser. A training step allocates nothing.</para>
/// </remarks>
public sealed class PredictiveCodingTrainer : ITrainingAlgorithm
{
    private readonly IPcSchedule _schedule;
    private readonly PcState _state;
    private readonly ShardedInference? _shards;

    /// <summary>Prepares a trainer for batches of <paramref name="batchSize"/> with the library's schedule for <see cref="PcOptions.Algorithm"/>.</summary>
    /// <exception cref="ArgumentException">An option is invalid, or the graph cannot run the chosen algorithm (the message says which node and why).</exception>
    public PredictiveCodingTrainer(Model model, int batchSize, PcOptions options, OpContext? context = null)
        : this(null, model, batchSize, options, context, [], maskOutput: false, precisions: false)
    {
    }

    /// <summary>Prepares a trainer that runs <paramref name="schedule"/> (the library's or the caller's own) for batches of <paramref name="batchSize"/>.</summary>
    /// <remarks><see cref="PcOptions.Algorithm"/> is not used; the other options (T, η_v, precisions, relaxations) are.</remarks>
    /// <exception cref="ArgumentException">An option is invalid, or the graph cannot carry the network.</exception>
    public PredictiveCodingTrainer(IPcSchedule schedule, Model model, int batchSize, PcOptions options, OpContext? context = null)
        : this(schedule ?? throw new ArgumentNullException(nameof(schedule)), model, batchSize, options, context, [], maskOutput: false, precisions: false)
    {
    }

    internal PredictiveCodingTrainer(Model model, int batchSize, PcOptions options, OpContext? context, IReadOnlyCollection<Node> freeInputs, bool maskOutput, bool precisions)
        : this(null, model, batchSize, options, context, freeInputs, maskOutput, precisions)
    {
    }

    private PredictiveCodingTrainer(IPcSchedule? schedule, Model model, int batchSize, PcOptions options, OpContext? context, IReadOnlyCollection<Node> freeInputs, bool maskOutput, bool precisions)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        options.Validate();
        Model = model;
        Options = options;
        _schedule = schedule ?? PcInference.ScheduleFor(options.Algorithm);
        var ctx = context ?? new OpContext();
        _state = new PcState(model, batchSize, options, _schedule.Dynamics, ctx, freeInputs, maskOutput, precisions);
        if (freeInputs.Count == 0 && !maskOutput)
        {
            _shards = ShardedInference.TryCreate(_schedule, _state, ctx, precisions);
        }
    }

    /// <summary>The model being trained.</summary>
    public Model Model { get; }

    /// <summary>The options this trainer was made with (validated).</summary>
    public PcOptions Options { get; }

    /// <summary>The schedule this trainer runs.</summary>
    public IPcSchedule Schedule => _schedule;

    /// <summary>The PC state (values, errors, predictions, precisions) the schedule works on.</summary>
    public PcState State => _state;

    /// <inheritdoc />
    public string Name => _schedule.Name;

    /// <inheritdoc />
    public Executor Executor => _state.Executor;

    /// <summary>The number of inference steps the last batch ran (less than T after an early stop).</summary>
    public int LastIterations => _state.LastIterations;

    /// <summary>The value nodes (op nodes on a path to the output, the output last), in topological order.</summary>
    public IReadOnlyList<Node> ValueNodes => _state.ValueNodes;

    /// <summary>The current value of a free node (a hidden op node, or a free input in generative mode).</summary>
    public FloatTensor Value(Node node) => _state.Value(node);

    /// <summary>The current (precision-weighted) error of a value node, in this schedule's sign convention (see remarks of the class).</summary>
    public FloatTensor Error(Node node) => _state.Error(node);

    /// <summary>The current prediction μ of a value node (its forward-pass value when it cannot change).</summary>
    public FloatTensor Prediction(Node node) => _state.Prediction(node);

    /// <summary>The diagonal variance Σ of a free node or the output (null when precisions are all 1 and not learned).</summary>
    public FloatTensor? Variance(Node node) => _state.Variance(node);

    /// <summary>Learned backward weights B of a value node (null unless the backward-weights relaxation is on).</summary>
    public FloatTensor? BackwardWeights(Node node) => _state.BackwardWeights(node);

    /// <summary>The Euler step used by inference: <see cref="PcOptions.EtaV"/> unless a caller that bounds the curvature lowers it (generative mode).</summary>
    internal float StepSize
    {
        get => _state.StepSize;
        set => _state.StepSize = value;
    }

    /// <summary>Whether inference skips the nodes the output error has not reached yet (default true; false does all the work, for tests).</summary>
    internal bool SkipInactiveNodes
    {
        get => _state.SkipInactiveNodes;
        set
        {
            _state.SkipInactiveNodes = value;
            _shards?.SetSkipInactiveNodes(value);
        }
    }

    /// <summary>How many threads inference is split over (1 = not split).</summary>
    internal int InferenceShards => _shards?.Count ?? 1;

    /// <summary>Sets a per-node Euler step (0 = <see cref="StepSize"/>), for callers that precondition inference by the curvature of each node's block.</summary>
    internal void SetStepSize(Node node, float eta) => _state.SetStepSize(node, eta);

    /// <summary>Sets a fixed diagonal variance Σ (all features) of a free node or the output; the trainer must have been made with precisions.</summary>
    internal void SetVariance(Node node, float variance) => _state.SetVariance(node, variance);

    /// <summary>The output error mask (generative mode): 1 where the output is observed, 0 where it is free.</summary>
    internal FloatTensor? OutputMask => _state.OutputMask;

    /// <inheritdoc />
    public float TrainStep(IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (_schedule.Dynamics.StepsParametersEveryStep)
        {
            float forwardLoss = Start();
            PcInference.IterateWithLearning(_schedule, _state, optimizer);
            return forwardLoss;
        }

        float loss = Infer();
        _state.ComputeParameterGradients();
        _state.LearnPrecisionAndErrorConnections();
        _state.StepParameters(optimizer);
        return loss;
    }

    /// <summary>Forward pass and T inference steps on the batch in the executor's buffers; returns the forward-pass loss.</summary>
    /// <remarks>Hidden values start at their forward-pass predictions, so at step t only nodes within t ops of the output
    /// have moved. Work on the others is skipped exactly: their errors are zero, so their messages VJP(0) are zero, and
    /// their predictions are recomputed only once a parent has moved. On LeNet with T = 8 the second convolution is
    /// predicted and differentiated in 3 steps instead of 9 and 8. Incremental PC and activation relaxation do all the work.
    /// Inference writes only the state: parameters and forward values are unchanged.</remarks>
    /// <exception cref="PcDivergenceException">A value or error became NaN or infinite.</exception>
    public float Infer()
    {
        float loss = Start();
        if (_shards is not null)
        {
            _shards.Run();
        }
        else
        {
            PcInference.Iterate(_schedule, _state);
        }

        return loss;
    }

    /// <summary>∂F/∂θ from the current errors (after <see cref="Infer"/>), averaged over the batch; aligned with the graph's parameters.</summary>
    /// <remarks>The returned tensors are the trainer's buffers, overwritten by the next call.</remarks>
    public IReadOnlyList<FloatTensor> ComputeParameterGradients() => _state.ComputeParameterGradients();

    /// <summary>The forward pass, the initial values and the schedule's <see cref="IPcSchedule.Begin"/>; returns the forward-pass loss.</summary>
    private float Start()
    {
        Executor.Forward();
        float loss = Executor.Value(Model.Loss).Span[0];
        _state.InitialiseValues();
        _schedule.Begin(_state);
        return loss;
    }
}
