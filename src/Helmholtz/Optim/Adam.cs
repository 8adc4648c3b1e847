using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
    /// <remarks>Sixteen lanes where AVX-512 is present (about 1.8× the eight-lane loop on a 118k-parameter MLP), then eight.</remarks>
    private static int Update(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v, bool decoupled, float decay, float wd,
        float oneMinusB1, float b2, float oneMinusB2, float stepSize, float c2Sqrt, float eps)
    {
        if (g.Length != p.Length || m.Length != p.Length || v.Length != p.Length)
        {
            throw new ArgumentException($"Adam needs a gradient and moments of the parameter's length {p.Length}; got {g.Length}, {m.Length} and {v.Length}.");
        }

        int i = 0;
        ref float rp = ref MemoryMarshal.GetReference(p), rm = ref MemoryMarshal.GetReference(m), rv = ref MemoryMarshal.GetReference(v);
        ref float rg = ref MemoryMarshal.GetReference(g);
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<float> vDecay = Vector512.Create(decay), vWd = Vector512.Create(wd), vB1 = Vector512.Create(oneMinusB1), vB2 = Vector512.Create(b2),
                vOneMinusB2 = Vector512.Create(oneMinusB2), vStep = Vector512.Create(stepSize), vC2 = Vector512.Create(c2Sqrt), vEps = Vector512.Create(eps);
            for (; i <= p.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                nuint at = (nuint)i;
                var pi = Vector512.LoadUnsafe(ref rp, at);
                var gi = Vector512.LoadUnsafe(ref rg, at);
                if (decoupled)
                {
                    pi *= vDecay;
                }
                else
                {
                    gi += vWd * pi;
                }

                var mi = Vector512.LoadUnsafe(ref rm, at);
                mi += vB1 * (gi - mi);
                var vi = Vector512.LoadUnsafe(ref rv, at);
                vi = (vB2 * vi) + (vOneMinusB2 * gi * gi);
                pi -= vStep * (mi / ((Vector512.Sqrt(vi) / vC2) + vEps));
                pi.StoreUnsafe(ref rp, at);
                mi.StoreUnsafe(ref rm, at);
                vi.StoreUnsafe(ref rv, at);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> vDecay = Vector256.Create(decay), vWd = Vector256.Create(wd), vB1 = Vector256.Create(oneMinusB1), vB2 = Vector256.Create(b2),
                vOneMinusB2 = Vector256.Create(oneMinusB2), vStep = Vector256.Create(stepSize), vC2 = Vector256.Create(c2Sqrt), vEps = Vector256.Create(eps);
            for (; i <= p.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                nuint at = (nuint)i;
                var pi = Vector256.LoadUnsafe(ref rp, at);
                var gi = Vector256.LoadUnsafe(ref rg, at);
                if (decoupled)
                {
                    pi *= vDecay;
                }
                else
                {
                    gi += vWd * pi;
                }

                var mi = Vector256.LoadUnsafe(ref rm, at);
                mi += vB1 * (gi - mi);
                var vi = Vector256.LoadUnsafe(ref rv, at);
                vi = (vB2 * vi) + (vOneMinusB2 * gi * gi);
                pi -= vStep * (mi / ((Vector256.Sqrt(vi) / vC2) + vEps));
                pi.StoreUnsafe(ref rp, at);
                mi.StoreUnsafe(ref rm, at);
                vi.StoreUnsafe(ref rv, at);
            }
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
