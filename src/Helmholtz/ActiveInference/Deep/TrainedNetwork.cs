using System.Numerics.Tensors;
using Helmholtz.Graphs;
using Helmholtz.Optim;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep;

/// <summary>
/// A graph with one executor for single observations (acting) and one for minibatches (targets and training), an
/// optimiser over its trainable parameters and global-norm gradient clipping. Everything is allocated once.
/// </summary>
internal sealed class TrainedNetwork
{
    private readonly Parameter[] _trainable;
    private readonly FloatTensor[] _gradients;
    private readonly Adam? _optimizer;
    private readonly double _maxGradNorm;

    public TrainedNetwork(Graph graph, Node input, Node output, Node? loss, int batchSize, AdamOptions? adam, double maxGradNorm, IEnumerable<Parameter>? trainable = null)
    {
        Graph = graph;
        Input = input;
        Output = output;
        Loss = loss;
        Single = new Executor(graph, 1);
        Batch = new Executor(graph, batchSize);
        _trainable = (trainable ?? graph.Parameters).ToArray();
        _gradients = loss is null ? [] : _trainable.Select(p => Batch.Gradient(p.Node)).ToArray();
        _optimizer = adam is null ? null : new Adam(adam);
        _maxGradNorm = maxGradNorm;
    }

    public Graph Graph { get; }

    public Node Input { get; }

    public Node Output { get; }

    public Node? Loss { get; }

    /// <summary>Batch size 1, for acting.</summary>
    public Executor Single { get; }

    /// <summary>The minibatch executor.</summary>
    public Executor Batch { get; }

    /// <summary>Runs the single executor on <paramref name="observation"/> and returns its output row.</summary>
    public ReadOnlySpan<float> Evaluate(ReadOnlySpan<float> observation)
    {
        observation.CopyTo(Single.Value(Input).Span);
        Single.Forward();
        return Single.Value(Output).ReadOnlySpan;
    }

    /// <summary>Forward on the batch inputs already written, backprop of the loss, clipping, one optimiser step; returns the loss.</summary>
    public float TrainStep()
    {
        if (Loss is null || _optimizer is null)
        {
            throw new InvalidOperationException("This network has no loss or optimiser.");
        }

        Batch.Forward();
        float loss = Batch.Value(Loss).ReadOnlySpan[0];
        Batch.Backward(Loss);
        if (_maxGradNorm > 0 && !double.IsPositiveInfinity(_maxGradNorm))
        {
            // torch.nn.utils.clip_grad_norm_: one global L2 norm over all trainable gradients.
            double sq = 0;
            foreach (var g in _gradients)
            {
                float n = TensorPrimitives.Norm(g.ReadOnlySpan);
                sq += (double)n * n;
            }

            double norm = Math.Sqrt(sq);
            if (norm > _maxGradNorm)
            {
                float scale = (float)(_maxGradNorm / (norm + 1e-6));
                foreach (var g in _gradients)
                {
                    TensorPrimitives.Multiply(g.ReadOnlySpan, scale, g.Span);
                }
            }
        }

        _optimizer.Step(_trainable, _gradients);
        return loss;
    }

    /// <summary>The agents' learning-rate schedule: the factor after <paramref name="steps"/> environment steps (linear decay to <paramref name="finalFraction"/> over <paramref name="decaySteps"/>, then constant; 0 steps: 1).</summary>
    internal static double LearningRateScaleAt(long steps, int decaySteps, double finalFraction) =>
        decaySteps == 0 ? 1.0 : Math.Max(finalFraction, 1.0 - ((1.0 - finalFraction) * steps / decaySteps));

    /// <summary>The factor on the base learning rate for the next steps (a schedule sets it; 1 by default).</summary>
    public double LearningRateScale
    {
        get => _optimizer?.LearningRateScale ?? 1.0;
        set => (_optimizer ?? throw new InvalidOperationException("This network has no optimiser.")).LearningRateScale = value;
    }

    /// <summary>target ← this (hard copy) when τ = 1, else target ← target + τ·(this − target) (Polyak averaging).</summary>
    public void UpdateTarget(TrainedNetwork target, double tau)
    {
        var mine = Graph.Parameters;
        var theirs = target.Graph.Parameters;
        for (int i = 0; i < mine.Count; i++)
        {
            if (tau >= 1)
            {
                theirs[i].Value.CopyFrom(mine[i].Value);
            }
            else
            {
                TensorPrimitives.Lerp(theirs[i].Value.ReadOnlySpan, mine[i].Value.ReadOnlySpan, (float)tau, theirs[i].Value.Span);
            }
        }
    }

    /// <summary>The target schedule after update number <paramref name="updates"/>: Polyak averaging at τ &lt; 1, else a hard copy every <paramref name="interval"/> updates.</summary>
    public void FollowTarget(TrainedNetwork target, double tau, int interval, long updates)
    {
        if (tau < 1)
        {
            UpdateTarget(target, tau);
        }
        else if (updates % interval == 0)
        {
            UpdateTarget(target, 1.0);
        }
    }
}

/// <summary>The graphs of the control agents, built on <see cref="Graphs.Builders.Mlp.Layers"/>.</summary>
internal static class ControlNetworks
{
    /// <summary>
    /// One value per action, regressed on the taken action only: loss = ℓ(v ⊙ m, y ⊙ m) with m the one-hot mask of the
    /// taken action and y the target written into the action's slot (Huber with δ, or ½‖·‖² when δ is ∞).
    /// </summary>
    public static (Graph Graph, Node Input, Node Output, Node Mask, Node Target, Node Loss) ActionValues(
        int observationSize, int actions, IReadOnlyList<int> hidden, Activation activation, double huberDelta, Rng rng)
    {
        var b = new GraphBuilder();
        var x = b.Input("x", observationSize);
        var v = Graphs.Builders.Mlp.Layers(b, x, hidden, actions, activation, rng);
        var mask = b.Input("action_mask", actions);
        var target = b.Input("target", actions);
        var taken = b.Multiply(v, mask, "taken");
        var loss = double.IsPositiveInfinity(huberDelta) ? b.MseLoss(taken, target, "loss") : b.HuberLoss(taken, target, huberDelta, "loss");
        return (b.Build(), x, v, mask, target, loss);
    }

    /// <summary>Policy logits z(s) with the variational free energy loss against σ(−γG) and the precision γ = e^{log γ}.</summary>
    public static (Graph Graph, Node Input, Node Logits, Node ExpectedFreeEnergy, Node LogPrecision, Node Loss) Policy(
        int observationSize, int actions, IReadOnlyList<int> hidden, Activation activation, double precision, double entropyWeight, Rng rng)
    {
        var b = new GraphBuilder();
        var x = b.Input("x", observationSize);
        var z = Graphs.Builders.Mlp.Layers(b, x, hidden, actions, activation, rng);
        var g = b.Input("efe", actions);
        var logGamma = b.Parameter("log_precision", FloatTensor.FromSpan([(float)Math.Log(precision)], 1));
        var gamma = b.Exp(logGamma, "precision");
        var loss = b.PolicyFreeEnergyLoss(z, g, gamma, entropyWeight, "loss");
        return (b.Build(), x, z, g, logGamma, loss);
    }

    /// <summary>A deterministic transition model: [s, one-hot a] → predicted s′ − s, trained with ½‖·‖².</summary>
    public static (Graph Graph, Node Input, Node Output, Node Target, Node Loss) Transition(
        int observationSize, int actions, IReadOnlyList<int> hidden, Activation activation, Rng rng)
    {
        var b = new GraphBuilder();
        var x = b.Input("x", observationSize + actions);
        var d = Graphs.Builders.Mlp.Layers(b, x, hidden, observationSize, activation, rng);
        var target = b.Input("target", observationSize);
        var loss = b.MseLoss(d, target, "loss");
        return (b.Build(), x, d, target, loss);
    }
}
