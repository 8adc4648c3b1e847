using System.Numerics.Tensors;
using Helmholtz.Graphs;
using Helmholtz.Tensors;

namespace Helmholtz.Optim;

/// <summary>Options of <see cref="Sgd"/> (PyTorch's <c>torch.optim.SGD</c> with dampening 0).</summary>
/// <param name="LearningRate">Step size lr (&gt; 0).</param>
/// <param name="Momentum">Momentum μ in [0, 1); 0 disables the velocity buffer.</param>
/// <param name="WeightDecay">L2 coefficient wd ≥ 0 added to the gradient: d = g + wd·p.</param>
/// <param name="Nesterov">Use the Nesterov form d ← d + μ·v (needs μ &gt; 0).</param>
/// <remarks>Double precision, as PyTorch's Python-float hyperparameters; each is rounded to float32 where it multiplies.</remarks>
public sealed record SgdOptions(double LearningRate = 0.01, double Momentum = 0, double WeightDecay = 0, bool Nesterov = false)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
        {
            throw new ArgumentException($"SGD learning rate must be positive and finite; got {LearningRate}.");
        }

        if (!(Momentum >= 0 && Momentum < 1))
        {
            throw new ArgumentException($"SGD momentum must be in [0, 1); got {Momentum}.");
        }

        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
        {
            throw new ArgumentException($"SGD weight decay must be non-negative and finite; got {WeightDecay}.");
        }

        if (Nesterov && Momentum == 0)
        {
            throw new ArgumentException("SGD with Nesterov momentum needs a momentum > 0.");
        }
    }
}

/// <summary>Stochastic gradient descent with momentum and L2 weight decay, with PyTorch's semantics.</summary>
/// <remarks>
/// Per parameter p with gradient g: d = g + wd·p; v ← μ·v + d (v starts at 0, so the first v is d, as PyTorch's
/// first-step buffer); with Nesterov d ← d + μ·v, else d ← v; p ← p − lr·d. Without momentum, p ← p − lr·d.
/// State: the velocity of each parameter as "&lt;param&gt;.momentum".
/// </remarks>
public sealed class Sgd : IOptimizer
{
    private const string MomentumSuffix = ".momentum";
    private readonly Dictionary<string, FloatTensor> _velocity = new(StringComparer.Ordinal);

    /// <summary>Creates the optimiser; throws when an option is out of range.</summary>
    public Sgd(SgdOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The hyperparameters.</summary>
    public SgdOptions Options { get; }

    /// <inheritdoc />
    public void Step(IReadOnlyList<Parameter> parameters, IReadOnlyList<FloatTensor> gradients)
    {
        OptimizerState.CheckStep(parameters, gradients);
        float lr = (float)Options.LearningRate, mu = (float)Options.Momentum, wd = (float)Options.WeightDecay;
        bool nesterov = Options.Nesterov;
        for (int k = 0; k < parameters.Count; k++)
        {
            Span<float> p = parameters[k].Value.Span;
            ReadOnlySpan<float> g = gradients[k].ReadOnlySpan;
            if (mu == 0f)
            {
                if (wd == 0f)
                {
                    // p ← p + (−lr)·g: the same two roundings as p − lr·g, vectorised.
                    TensorPrimitives.MultiplyAdd(g, -lr, p, p);
                    continue;
                }

                for (int i = 0; i < p.Length; i++)
                {
                    float d = g[i] + (wd * p[i]);
                    p[i] -= lr * d;
                }

                continue;
            }

            Span<float> v = OptimizerState.Buffer(_velocity, parameters[k], MomentumSuffix).Span;
            if (wd == 0f && !nesterov)
            {
                // v ← μv + g; p ← p + (−lr)·v: the scalar loop's roundings, vectorised.
                TensorPrimitives.MultiplyAdd(v, mu, g, v);
                TensorPrimitives.MultiplyAdd(v, -lr, p, p);
                continue;
            }

            for (int i = 0; i < p.Length; i++)
            {
                float d = g[i] + (wd * p[i]);
                v[i] = (mu * v[i]) + d;
                d = nesterov ? d + (mu * v[i]) : v[i];
                p[i] -= lr * d;
            }
        }
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, FloatTensor> State() =>
        _velocity.ToDictionary(kv => kv.Key + MomentumSuffix, kv => kv.Value.Clone(), StringComparer.Ordinal);

    /// <inheritdoc />
    public void LoadState(IReadOnlyDictionary<string, FloatTensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var loaded = new Dictionary<string, FloatTensor>(StringComparer.Ordinal);
        foreach (var (key, value) in state)
        {
            var (name, _) = OptimizerState.SplitKey(key, MomentumSuffix);
            loaded[name] = value.Clone();
        }

        _velocity.Clear();
        foreach (var (name, value) in loaded)
        {
            _velocity[name] = value;
        }
    }
}
