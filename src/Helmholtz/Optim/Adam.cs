using System.Numerics;
using Helmholtz.Graphs;
using Helmholtz.Tensors;

namespace Helmholtz.Optim;

/// <summary>Options of <see cref="Adam"/> (PyTorch's <c>torch.optim.Adam</c>, or <c>AdamW</c> when decoupled).</summary>
/// <remarks>Double precision, as PyTorch's Python-float hyperparameters: 1 − β₂ and the bias corrections are formed in
/// double and only then rounded to float32, so 0.999 gives PyTorch's numbers (1f − 0.999f would be 1.3e-5 off).</remarks>
/// <param name="LearningRate">Step size lr (&gt; 0).</param>
/// <param name="Beta1">Decay β₁ ∈ [0, 1) of the first-moment average.</param>
/// <param name="Beta2">Decay β₂ ∈ [0, 1) of the second-moment average.</param>
/// <param name="Epsilon">ε &gt; 0 added to √v̂ (outside the square root, as PyTorch).</param>
/// <param name="WeightDecay">Weight decay wd ≥ 0: L2 (g ← g + wd·p) or, when decoupled, p ← p·(1 − lr·wd).</param>
/// <param name="DecoupledWeightDecay">Apply the decay directly to the weights (AdamW, Loshchilov &amp; Hutter 2019).</param>
public sealed record AdamOptions(
    double LearningRate = 1e-3, double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8, double WeightDecay = 0, bool DecoupledWeightDecay = false)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate))
        {
            throw new ArgumentException($"Adam learning rate must be positive and finite; got {LearningRate}.");
        }

        if (!(Beta1 >= 0 && Beta1 < 1) || !(Beta2 >= 0 && Beta2 < 1))
        {
            throw new ArgumentException($"Adam betas must be in [0, 1); got ({Beta1}, {Beta2}).");
        }

        if (!(Epsilon > 0) || double.IsInfinity(Epsilon))
        {
            throw new ArgumentException($"Adam epsilon must be positive and finite; got {Epsilon}.");
        }

        if (!(WeightDecay >= 0) || double.IsInfinity(WeightDecay))
        {
            throw new ArgumentException($"Adam weight decay must be non-negative and finite; got {WeightDecay}.");
        }
    }
}

/// <summary>Adam (Kingma &amp; Ba 2015, Algorithm 1) with PyTorch's arithmetic.</summary>
/// <remarks>
/// Per parameter, at its step t (counted per parameter, as PyTorch does): g ← g + wd·p (L2) or p ← p·(1 − lr·wd)
/// (decoupled); m ← m + (1 − β₁)(g − m); v ← β₂·v + (1 − β₂)·g²; with bias corrections c₁ = 1 − β₁ᵗ and
/// c₂ = 1 − β₂ᵗ (in double), p ← p − (lr/c₁) · m / (√v / √c₂ + ε). State: "&lt;param&gt;.exp_avg" (m),
/// "&lt;param&gt;.exp_avg_sq" (v) and "&lt;param&gt;.step" (t as a 1-element tensor, exact up to 2²⁴ steps).
/// </remarks>
public sealed class Adam : IOptimizer
{
    private const string FirstSuffix = ".exp_avg";
    private const string SecondSuffix = ".exp_avg_sq";
    private const string StepSuffix = ".step";
    private readonly Dictionary<string, FloatTensor> _first = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FloatTensor> _second = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _steps = new(StringComparer.Ordinal);

    /// <summary>Creates the optimiser; throws when an option is out of range.</summary>
    public Adam(AdamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>The hyperparameters.</summary>
    public AdamOptions Options { get; }

    /// <summary>A schedule's factor on <see cref="AdamOptions.LearningRate"/> (default 1): each step uses lr = LearningRate × this.</summary>
    public double LearningRateScale
    {
        get;
        set => field = value >= 0 && double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "The learning-rate scale must be finite and ≥ 0.");
    } = 1.0;

    /// <inheritdoc />
    public void Step(IReadOnlyList<Parameter> parameters, IReadOnlyList<FloatTensor> gradients)
    {
        OptimizerState.CheckStep(parameters, gradients);
        double lr = Options.LearningRate * LearningRateScale;
        float b2 = (float)Options.Beta2, eps = (float)Options.Epsilon, wd = (float)Options.WeightDecay;
        float oneMinusB1 = (float)(1 - Options.Beta1), oneMinusB2 = (float)(1 - Options.Beta2);
        bool decoupled = Options.DecoupledWeightDecay;
        for (int k = 0; k < parameters.Count; k++)
        {
            var parameter = parameters[k];
            Span<float> p = parameter.Value.Span;
            ReadOnlySpan<float> g = gradients[k].ReadOnlySpan;
            Span<float> m = OptimizerState.Buffer(_first, parameter, FirstSuffix).Span;
            Span<float> v = OptimizerState.Buffer(_second, parameter, SecondSuffix).Span;
            int t = (_steps.TryGetValue(parameter.Name, out int previous) ? previous : 0) + 1;
            _steps[parameter.Name] = t;
            double c1 = 1 - Math.Pow(Options.Beta1, t), c2 = 1 - Math.Pow(Options.Beta2, t);
            float stepSize = (float)(lr / c1), c2Sqrt = (float)Math.Sqrt(c2), decay = (float)(1 - (lr * Options.WeightDecay));
            int i = Update(p, g, m, v, decoupled, decay, wd, oneMinusB1, b2, oneMinusB2, stepSize, c2Sqrt, eps);
            for (; i < p.Length; i++)
            {
                float gi = g[i];
                if (decoupled)
                {
                    p[i] *= decay;
                }
                else
                {
                    gi += wd * p[i];
                }

                m[i] += oneMinusB1 * (gi - m[i]);
                v[i] = (b2 * v[i]) + (oneMinusB2 * gi * gi);
                p[i] -= stepSize * (m[i] / ((MathF.Sqrt(v[i]) / c2Sqrt) + eps));
            }
        }
    }

    /// <summary>The update below, a vector at a time, with the same operations in the same order (so the same roundings); returns where the scalar tail starts.</summary>
    private static int Update(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, bool decoupled, float decay, float wd,
        float oneMinusB1, float b2, float oneMinusB2, float stepSize, float c2Sqrt, float eps)
    {
        if (!Vector.IsHardwareAccelerated)
        {
            return 0;
        }

        int w = Vector<float>.Count, i = 0;
        Vector<float> vDecay = new(decay), vWd = new(wd), vB1 = new(oneMinusB1), vB2 = new(b2), vOneMinusB2 = new(oneMinusB2),
            vStep = new(stepSize), vC2 = new(c2Sqrt), vEps = new(eps);
        for (; i <= p.Length - w; i += w)
        {
            var pi = new Vector<float>(p.Slice(i, w));
            var gi = new Vector<float>(g.Slice(i, w));
            if (decoupled)
            {
                pi *= vDecay;
            }
            else
            {
                gi += vWd * pi;
            }

            var mi = new Vector<float>(m.Slice(i, w));
            mi += vB1 * (gi - mi);
            var vi = new Vector<float>(v.Slice(i, w));
            vi = (vB2 * vi) + (vOneMinusB2 * gi * gi);
            pi -= vStep * (mi / ((Vector.SquareRoot(vi) / vC2) + vEps));
            pi.CopyTo(p.Slice(i, w));
            mi.CopyTo(m.Slice(i, w));
            vi.CopyTo(v.Slice(i, w));
        }

        return i;
    }

    /// <inheritdoc />
    public IReadOnlyDictionary<string, FloatTensor> State()
    {
        var state = new Dictionary<string, FloatTensor>(StringComparer.Ordinal);
        foreach (var (name, m) in _first)
        {
            state[name + FirstSuffix] = m.Clone();
            state[name + SecondSuffix] = _second[name].Clone();
            state[name + StepSuffix] = new FloatTensor([_steps.GetValueOrDefault(name)], 1);
        }

        return state;
    }

    /// <inheritdoc />
    public void LoadState(IReadOnlyDictionary<string, FloatTensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var first = new Dictionary<string, FloatTensor>(StringComparer.Ordinal);
        var second = new Dictionary<string, FloatTensor>(StringComparer.Ordinal);
        var steps = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, value) in state)
        {
            // ".exp_avg_sq" before ".exp_avg" so the longer suffix wins.
            var (name, suffix) = OptimizerState.SplitKey(key, SecondSuffix, FirstSuffix, StepSuffix);
            switch (suffix)
            {
                case FirstSuffix: first[name] = value.Clone(); break;
                case SecondSuffix: second[name] = value.Clone(); break;
                default: steps[name] = OptimizerState.ReadStep(key, value); break;
            }
        }

        foreach (var name in first.Keys.Concat(second.Keys).Concat(steps.Keys).Distinct())
        {
            if (!first.TryGetValue(name, out var m) || !second.TryGetValue(name, out var v) || !steps.ContainsKey(name))
            {
                throw new ArgumentException($"Adam state for parameter '{name}' needs all of {FirstSuffix}, {SecondSuffix} and {StepSuffix}.");
            }

            FloatTensor.RequireSameShape(m, v, $"Adam state '{name}{FirstSuffix}' and '{name}{SecondSuffix}'");
        }

        _first.Clear();
        _second.Clear();
        _steps.Clear();
        foreach (var name in first.Keys)
        {
            _first[name] = first[name];
            _second[name] = second[name];
            _steps[name] = steps[name];
        }
    }
}
