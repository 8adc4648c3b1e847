using Helmholtz.Graphs;
using Helmholtz.Graphs.Ops;
using Helmholtz.Optim;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep.Planning;

/// <summary>What one refit of the <see cref="DynamicsModel"/> reached.</summary>
/// <param name="EnsembleLoss">Mean ensemble Gaussian NLL (the <see cref="GaussianNllLossOp"/> loss) over the last epoch's batches.</param>
/// <param name="RewardLoss">Mean reward-model loss ½(r̂ − r)² over the last epoch's batches.</param>
/// <param name="FirstEpochEnsembleLoss">The same NLL averaged over the first epoch (to see that fitting progressed).</param>
/// <param name="Steps">Gradient steps taken.</param>
public sealed record FitResult(double EnsembleLoss, double RewardLoss, double FirstEpochEnsembleLoss, int Steps);

/// <summary>
/// The generative model of the planning agent (Tschantz et al. 2020): an ensemble of E probabilistic transition
/// networks predicting the state change, and a reward network; both on the graph engine, fitted with Adam.
/// </summary>
/// <remarks>
/// <para>Transition member e: with normalised input x = ((s − m_s)/s_s, (a − m_a)/s_a), an MLP with <c>HiddenLayers</c>
/// swish layers outputs (μ̂, u) ∈ ℝ^{2d}; the normalised delta is N(μ̂, e^ℓ), ℓ = ℓ_min + (ℓ_max − ℓ_min)σ(u), and
/// s′ − s ~ N(m_Δ + s_Δ·μ̂, s_Δ²·e^ℓ). Trained by <see cref="GaussianNllLossOp"/> on normalised deltas; every member sees
/// its own random permutation of all the data each epoch (the reference's scheme), which decorrelates the members.</para>
/// <para>Reward: an MLP (<c>RewardHiddenLayers</c> ReLU layers) on the normalised (s, a, s′), trained by ½(r̂ − r)²; the reference feeds it
/// (s, a) when training and (s′, a) when planning — giving it both states is consistent and covers rewards that depend
/// on either (Pendulum on s, the sparse mountain car on s′).</para>
/// <para>Normalisation statistics (mean, population standard deviation floored at 1e-8) are recomputed from all data
/// at each refit and then frozen until the next, so planning uses the statistics the networks were trained with.</para>
/// <para>Both networks are <see cref="EnsembleNetwork"/>s (the reward model one of a single member): fitting runs them
/// in a graph, prediction and the planner's rollouts through <see cref="EnsembleNetwork.Forward"/>, one forward pass.</para>
/// </remarks>
public sealed class DynamicsModel
{
    private const float MinStd = 1e-8f;
    private readonly Graph _ensembleGraph;
    private readonly Graph _rewardGraph;
    private readonly Node _ensembleInput, _ensembleTarget, _ensembleLoss, _rewardInput, _rewardTarget, _rewardLoss;
    private Executor? _ensembleExecutor, _rewardExecutor;
    private int[][] _permutations = [];

    /// <summary>Builds both networks for states of <paramref name="stateSize"/> and actions of <paramref name="actionSize"/> elements.</summary>
    public DynamicsModel(int stateSize, int actionSize, DynamicsModelOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stateSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(actionSize);
        StateSize = stateSize;
        ActionSize = actionSize;
        Options = options;
        int e = options.EnsembleSize, h = options.HiddenSize;

        var transitionLayers = new List<EnsembleLayer>();
        for (int i = 0; i < options.HiddenLayers; i++)
        {
            transitionLayers.Add(new EnsembleLayer(h, Activation.Swish));
        }

        transitionLayers.Add(new EnsembleLayer(2 * stateSize, Activation.Identity));
        Transition = new EnsembleNetwork(e, stateSize + actionSize, transitionLayers);
        var b = new GraphBuilder();
        _ensembleInput = b.Input("x", stateSize + actionSize);
        var node = Transition.Build(b, _ensembleInput, "ensemble");
        _ensembleTarget = b.Input("delta", stateSize);
        _ensembleLoss = b.Apply(new GaussianNllLossOp(e, options.MinLogVariance, options.MaxLogVariance), "nll", node, _ensembleTarget);
        _ensembleGraph = b.Build();

        var rewardLayers = new List<EnsembleLayer>();
        for (int i = 0; i < options.RewardHiddenLayers; i++)
        {
            rewardLayers.Add(new EnsembleLayer(h, Activation.Relu));
        }

        rewardLayers.Add(new EnsembleLayer(1, Activation.Identity));
        Reward = new EnsembleNetwork(1, RewardInputSize, rewardLayers);
        var rb = new GraphBuilder();
        _rewardInput = rb.Input("x", RewardInputSize);
        node = Reward.Build(rb, _rewardInput, "reward");
        _rewardTarget = rb.Input("r", 1);
        _rewardLoss = rb.MseLoss(node, _rewardTarget, "mse");
        _rewardGraph = rb.Build();

        StateMean = new float[stateSize];
        StateStd = new float[stateSize];
        ActionMean = new float[actionSize];
        ActionStd = new float[actionSize];
        DeltaMean = new float[stateSize];
        DeltaStd = new float[stateSize];
        StateStd.AsSpan().Fill(1f);
        ActionStd.AsSpan().Fill(1f);
        DeltaStd.AsSpan().Fill(1f);
        Reinitialise(rng);
    }

    /// <summary>Elements per state d.</summary>
    public int StateSize { get; }

    /// <summary>Elements per action.</summary>
    public int ActionSize { get; }

    /// <summary>The model options.</summary>
    public DynamicsModelOptions Options { get; }

    /// <summary>The transition ensemble's graph (parameters <c>ensemble.layers.{i}.weight</c> [E, out, in], <c>.bias</c> [E, out]).</summary>
    public Graph EnsembleGraph => _ensembleGraph;

    /// <summary>The reward network's graph (parameters <c>reward.layers.{i}.weight</c> [1, out, in], <c>.bias</c> [1, out]).</summary>
    public Graph RewardGraph => _rewardGraph;

    /// <summary>The transition ensemble: E members from the normalised (s, a) to (μ̂, u) ∈ ℝ^{2d}.</summary>
    public EnsembleNetwork Transition { get; }

    /// <summary>The reward model: one member from the normalised (s, a, s′) to r̂.</summary>
    public EnsembleNetwork Reward { get; }

    internal int RewardInputSize => (2 * StateSize) + ActionSize;

    internal float[] StateMean { get; }

    internal float[] StateStd { get; }

    internal float[] ActionMean { get; }

    internal float[] ActionStd { get; }

    internal float[] DeltaMean { get; }

    internal float[] DeltaStd { get; }

    /// <summary>s_Δ,k: the standard deviation of state change k used for (de)normalisation.</summary>
    public float DeltaStandardDeviation(int k) => DeltaStd[k];

    /// <summary>Draws fresh parameters: the reference's Xavier-uniform weights (Xavier-normal for the output layer) and zero biases for the ensemble; PyTorch's <c>nn.Linear</c> defaults for the reward net.</summary>
    public void Reinitialise(Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int layers = Transition.Layers.Count;
        for (int i = 0; i < layers; i++)
        {
            var w = Transition.Weight(i);
            int fanOut = w.Dim(1), fanIn = w.Dim(2);
            bool last = i == layers - 1;
            if (last)
            {
                rng.FillGaussian(w.Span, 0f, MathF.Sqrt(2f / (fanIn + fanOut)));
            }
            else
            {
                float bound = MathF.Sqrt(6f / (fanIn + fanOut));
                rng.FillUniform(w.Span, -bound, bound);
            }

            Transition.Bias(i).Clear();
        }

        for (int i = 0; i < Reward.Layers.Count; i++)
        {
            float bound = 1f / MathF.Sqrt(Reward.Weight(i).Dim(2));
            rng.FillUniform(Reward.Weight(i).Span, -bound, bound);
            rng.FillUniform(Reward.Bias(i).Span, -bound, bound);
        }
    }

    /// <summary>Refits both networks on all of <paramref name="buffer"/>: new normalisation, optional re-initialisation, then the configured epochs of Adam.</summary>
    /// <exception cref="Training.TrainingDivergedException">An epoch's mean loss became NaN or infinite.</exception>
    public FitResult Fit(TransitionBuffer buffer, Rng rng, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentNullException.ThrowIfNull(rng);
        if (buffer.StateSize != StateSize || buffer.ActionSize != ActionSize)
        {
            throw new ArgumentException("The buffer's state and action sizes do not match the model's.", nameof(buffer));
        }

        int n = buffer.Count;
        if (n == 0)
        {
            throw new InvalidOperationException("Cannot fit the model on an empty buffer.");
        }

        UpdateNormalisation(buffer);
        if (Options.ResetEachEpisode)
        {
            Reinitialise(rng);
        }

        int members = Options.EnsembleSize, batch = Math.Min(n, Options.BatchSize);
        if (_ensembleExecutor is null || _ensembleExecutor.BatchSize != members * batch)
        {
            _ensembleExecutor = new Executor(_ensembleGraph, members * batch);
            _rewardExecutor = new Executor(_rewardGraph, batch);
        }

        var ex = _ensembleExecutor;
        var rex = _rewardExecutor!;
        var adam = new AdamOptions(LearningRate: Options.LearningRate, Epsilon: Options.AdamEpsilon);
        var ensembleOptimizer = new Adam(adam);
        var rewardOptimizer = new Adam(adam);
        var ensembleGradients = _ensembleGraph.Parameters.Select(p => ex.Gradient(p.Node)).ToArray();
        var rewardGradients = _rewardGraph.Parameters.Select(p => rex.Gradient(p.Node)).ToArray();
        if (_permutations.Length != members || _permutations[0].Length != n)
        {
            _permutations = new int[members][];
            for (int e = 0; e < members; e++)
            {
                _permutations[e] = new int[n];
            }
        }

        var x = ex.Value(_ensembleInput).Span;
        var y = ex.Value(_ensembleTarget).Span;
        var rx = rex.Value(_rewardInput).Span;
        var ry = rex.Value(_rewardTarget).Span;
        int s = StateSize, a = ActionSize, inSize = s + a;
        double firstLoss = 0, lastLoss = 0, lastReward = 0;
        int steps = 0;
        for (int epoch = 0; epoch < Options.Epochs; epoch++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var p in _permutations)
            {
                for (int i = 0; i < n; i++)
                {
                    p[i] = i;
                }

                rng.Shuffle(p.AsSpan());
            }

            double epochLoss = 0, epochReward = 0;
            int batches = 0;
            for (int start = 0; start + batch <= n; start += batch)
            {
                for (int e = 0; e < members; e++)
                {
                    for (int j = 0; j < batch; j++)
                    {
                        int idx = _permutations[e][start + j], row = (e * batch) + j;
                        NormaliseInput(buffer.State(idx), buffer.Action(idx), x.Slice(row * inSize, inSize));
                        var state = buffer.State(idx);
                        var next = buffer.NextState(idx);
                        for (int k = 0; k < s; k++)
                        {
                            y[(row * s) + k] = (next[k] - state[k] - DeltaMean[k]) / DeltaStd[k];
                        }

                        if (e == 0)
                        {
                            NormaliseRewardInput(state, buffer.Action(idx), next, rx.Slice(j * RewardInputSize, RewardInputSize));
                            ry[j] = buffer.Reward(idx);
                        }
                    }
                }

                ex.Forward();
                ex.Backward(_ensembleLoss);
                ensembleOptimizer.Step(_ensembleGraph.Parameters, ensembleGradients);
                rex.Forward();
                rex.Backward(_rewardLoss);
                rewardOptimizer.Step(_rewardGraph.Parameters, rewardGradients);
                epochLoss += ex.Value(_ensembleLoss).Span[0];
                epochReward += rex.Value(_rewardLoss).Span[0];
                batches++;
                steps++;
            }

            lastLoss = epochLoss / batches;
            lastReward = epochReward / batches;
            if (epoch == 0)
            {
                firstLoss = lastLoss;
            }

            if (!double.IsFinite(lastLoss) || !double.IsFinite(lastReward))
            {
                throw new Training.TrainingDivergedException(string.Create(
                    System.Globalization.CultureInfo.InvariantCulture,
                    $"The planner's model fit diverged: its loss became non-finite in fit epoch {epoch + 1} (ensemble NLL {lastLoss}, reward loss {lastReward}); lower LearningRate."));
            }
        }

        return new FitResult(lastLoss, lastReward, firstLoss, steps);
    }

    /// <summary>One member's predicted state change for one (state, action): mean and variance in state units.</summary>
    public void Predict(int member, ReadOnlySpan<float> state, ReadOnlySpan<float> action, Span<float> deltaMean, Span<float> deltaVariance)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(member);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(member, Options.EnsembleSize);
        if (state.Length != StateSize || action.Length != ActionSize || deltaMean.Length != StateSize || deltaVariance.Length != StateSize)
        {
            throw new ArgumentException($"Predict needs a state and outputs of {StateSize} and an action of {ActionSize} elements.");
        }

        var x = new float[StateSize + ActionSize];
        NormaliseInput(state, action, x);
        var input = new float[Transition.OutputSize];
        Transition.Forward(member, x, 1, input, new float[Transition.WorkspaceSize(1)]);
        for (int k = 0; k < StateSize; k++)
        {
            float lv = GaussianNllLossOp.SoftClamp(input[StateSize + k], Options.MinLogVariance, Options.MaxLogVariance);
            deltaMean[k] = DeltaMean[k] + (DeltaStd[k] * input[k]);
            deltaVariance[k] = DeltaStd[k] * DeltaStd[k] * MathF.Exp(lv);
        }
    }

    /// <summary>The normalised transition-model input ((s − m_s)/s_s, (a − m_a)/s_a).</summary>
    internal void NormaliseInput(ReadOnlySpan<float> state, ReadOnlySpan<float> action, Span<float> destination)
    {
        for (int k = 0; k < StateSize; k++)
        {
            destination[k] = (state[k] - StateMean[k]) / StateStd[k];
        }

        for (int k = 0; k < ActionSize; k++)
        {
            destination[StateSize + k] = (action[k] - ActionMean[k]) / ActionStd[k];
        }
    }

    /// <summary>The normalised reward-model input (s, a, s′), states and actions scaled as for the transition model.</summary>
    internal void NormaliseRewardInput(ReadOnlySpan<float> state, ReadOnlySpan<float> action, ReadOnlySpan<float> next, Span<float> destination)
    {
        NormaliseInput(state, action, destination);
        for (int k = 0; k < StateSize; k++)
        {
            destination[StateSize + ActionSize + k] = (next[k] - StateMean[k]) / StateStd[k];
        }
    }

    private void UpdateNormalisation(TransitionBuffer buffer)
    {
        int n = buffer.Count;
        Span<double> sum = stackalloc double[3 * StateSize + ActionSize];
        Span<double> sum2 = stackalloc double[3 * StateSize + ActionSize];
        sum.Clear();
        sum2.Clear();
        for (int i = 0; i < n; i++)
        {
            var st = buffer.State(i);
            var ac = buffer.Action(i);
            var nx = buffer.NextState(i);
            for (int k = 0; k < StateSize; k++)
            {
                double d = nx[k] - st[k];
                sum[k] += st[k];
                sum2[k] += (double)st[k] * st[k];
                sum[StateSize + k] += d;
                sum2[StateSize + k] += d * d;
            }

            for (int k = 0; k < ActionSize; k++)
            {
                sum[(2 * StateSize) + k] += ac[k];
                sum2[(2 * StateSize) + k] += (double)ac[k] * ac[k];
            }
        }

        for (int k = 0; k < StateSize; k++)
        {
            (StateMean[k], StateStd[k]) = Moments(sum[k], sum2[k], n);
            (DeltaMean[k], DeltaStd[k]) = Moments(sum[StateSize + k], sum2[StateSize + k], n);
        }

        for (int k = 0; k < ActionSize; k++)
        {
            (ActionMean[k], ActionStd[k]) = Moments(sum[(2 * StateSize) + k], sum2[(2 * StateSize) + k], n);
        }
    }

    private static (float Mean, float Std) Moments(double sum, double sum2, int n)
    {
        double m = sum / n;
        double v = Math.Max(0, (sum2 / n) - (m * m));
        return ((float)m, Math.Max((float)Math.Sqrt(v), MinStd));
    }
}
