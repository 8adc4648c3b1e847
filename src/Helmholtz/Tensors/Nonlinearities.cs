using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Helmholtz.Tensors;

/// <summary>A scalar function f applied elementwise, with its derivative: one small <c>readonly struct</c> per function, driven by <see cref="ActivationKernels"/>.</summary>
/// <remarks>
/// The scalar and the eight-lane forms compute the same formula. Where .NET offers a vector form of the function
/// (<see cref="Vector256.Exp(Vector256{float})"/>, …) the lanes follow the same algorithm as
/// <see cref="System.Numerics.Tensors.TensorPrimitives"/>, so results equal that library's bit for bit. The derivative
/// receives both the input x and the output y = f(x), so each function uses whichever is cheaper (tanh′ = 1 − y²,
/// exp′ = y, sin′ = cos x).
/// </remarks>
public interface INonlinearity
{
    /// <summary>The function's name (e.g. <c>tanh</c>), used as the graph op kind.</summary>
    static abstract string Name { get; }

    /// <summary>f(x).</summary>
    static abstract float Invoke(float x);

    /// <summary>f(x) for eight lanes.</summary>
    static abstract Vector256<float> Invoke(Vector256<float> x);

    /// <summary>f(x) for sixteen lanes (the forward map's wide path where AVX-512 is present); the same formula lane by lane.</summary>
    static abstract Vector512<float> Invoke(Vector512<float> x);

    /// <summary>f′(x) given x and y = f(x).</summary>
    static abstract float Derivative(float x, float y);

    /// <summary>f′(x) for eight lanes, given x and y = f(x).</summary>
    static abstract Vector256<float> Derivative(Vector256<float> x, Vector256<float> y);
}

/// <summary>A nonlinearity whose derivative is a function of its output alone, so a fused layer's backward pass needs only y = f(z).</summary>
public interface IOutputDerivative : INonlinearity
{
    /// <summary>f′(z) written in terms of y = f(z).</summary>
    static abstract float DerivativeFromOutput(float y);

    /// <summary>f′(z) for eight lanes, written in terms of y = f(z).</summary>
    static abstract Vector256<float> DerivativeFromOutput(Vector256<float> y);

    /// <summary>gradient · f′(z) from y = f(z): the backward message through f.</summary>
    static abstract float MultiplyByDerivative(float y, float gradient);

    /// <summary>gradient · f′(z) for eight lanes, from y = f(z).</summary>
    static abstract Vector256<float> MultiplyByDerivative(Vector256<float> y, Vector256<float> gradient);
}


/// <summary>f(x) = x; f′ = 1.</summary>
public readonly struct Identity : IOutputDerivative
{
    /// <inheritdoc />
    public static string Name => "identity";

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => x;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => x;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => x;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(float x, float y) => 1f;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => Vector256<float>.One;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DerivativeFromOutput(float y) => 1f;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> DerivativeFromOutput(Vector256<float> y) => Vector256<float>.One;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyByDerivative(float y, float gradient) => gradient;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyByDerivative(Vector256<float> y, Vector256<float> gradient) => gradient;
}

/// <summary>f(x) = tanh x; f′ = 1 − y². ±∞ map to ±1; NaN propagates.</summary>
/// <remarks>In vector lanes tanh(±0) is ∓2⁻²⁴ rather than ±0, because .NET's vector e⁰ is 1 − 2⁻²⁴: kept so that the
/// results stay those of TensorPrimitives.Tanh, which computes the same lanes.</remarks>
public readonly struct Tanh : IOutputDerivative
{
    /// <inheritdoc />
    public static string Name => "tanh";

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => MathF.Tanh(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x)
    {
        // tanh|x| = −z/(z + 2) with z = e^{−2|x|} − 1, which neither overflows nor cancels; the sign is put back last.
        var z = Vector256.Exp(Vector256.Create(-2f) * Vector256.Abs(x)) - Vector256<float>.One;
        var sign = x.AsUInt32() & Vector256.Create(0x8000_0000u);
        return (sign ^ (-z / (z + Vector256.Create(2f))).AsUInt32()).AsSingle();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x)
    {
        var z = Vector512.Exp(Vector512.Create(-2f) * Vector512.Abs(x)) - Vector512<float>.One;
        var sign = x.AsUInt32() & Vector512.Create(0x8000_0000u);
        return (sign ^ (-z / (z + Vector512.Create(2f))).AsUInt32()).AsSingle();
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(float x, float y) => 1f - (y * y);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => Vector256<float>.One - (y * y);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DerivativeFromOutput(float y) => 1f - (y * y);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> DerivativeFromOutput(Vector256<float> y) => Vector256<float>.One - (y * y);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyByDerivative(float y, float gradient) => gradient * (1f - (y * y));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyByDerivative(Vector256<float> y, Vector256<float> gradient) => gradient * (Vector256<float>.One - (y * y));
}

/// <summary>f(x) = σ(x) = 1 / (1 + e^−x); f′ = y (1 − y). σ(−∞) = 0, σ(+∞) = 1; NaN propagates.</summary>
public readonly struct Sigmoid : IOutputDerivative
{
    /// <inheritdoc />
    public static string Name => "sigmoid";

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => 1f / (1f + MathF.Exp(-x));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-x));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-x));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(float x, float y) => y * (1f - y);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => y * (Vector256<float>.One - y);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DerivativeFromOutput(float y) => y - (y * y);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> DerivativeFromOutput(Vector256<float> y) => y - (y * y);

    // (g·y)·(1 − y): the association fused layers have always used, kept so that their numbers do not move.

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyByDerivative(float y, float gradient) => gradient * y * (1f - y);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyByDerivative(Vector256<float> y, Vector256<float> gradient) => gradient * y * (Vector256<float>.One - y);
}

/// <summary>f(x) = max(x, 0); f′ = 1 where x &gt; 0, else 0 (PyTorch's choice at 0). relu(−0) = +0; NaN propagates.</summary>
public readonly struct Relu : IOutputDerivative
{
    /// <inheritdoc />
    public static string Name => "relu";

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => MathF.Max(x, 0f);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Max(x, Vector256<float>.Zero);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Max(x, Vector512<float>.Zero);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(float x, float y) => x > 0f ? 1f : 0f;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), Vector256<float>.One, Vector256<float>.Zero);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float DerivativeFromOutput(float y) => y > 0f ? 1f : 0f;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> DerivativeFromOutput(Vector256<float> y) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), Vector256<float>.One, Vector256<float>.Zero);

    // A select, not a product: the message is exactly 0 where y ≤ 0, even for an infinite or NaN gradient.

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float MultiplyByDerivative(float y, float gradient) => y > 0f ? gradient : 0f;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyByDerivative(Vector256<float> y, Vector256<float> gradient) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(y, Vector256<float>.Zero), gradient, Vector256<float>.Zero);
}

/// <summary>f(x) = x·σ(x) ("swish", Ramachandran et al. 2017); f′ = σ(x) + y(1 − σ(x)). swish(+∞) = +∞; swish(−∞) = −∞·0 = NaN, as in PyTorch's x·σ(x); NaN propagates.</summary>
/// <remarks>The derivative needs x (y does not determine x for y &lt; 0), so swish is not an <see cref="IOutputDerivative"/>: fused layers recompute the pre-activation.</remarks>
public readonly struct Swish : INonlinearity
{
    /// <inheritdoc />
    public static string Name => "swish";

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => x * Sigmoid.Invoke(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => x * Sigmoid.Invoke(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => x * Sigmoid.Invoke(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(float x, float y)
    {
        float s = Sigmoid.Invoke(x);
        return s + (y * (1f - s));
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y)
    {
        var s = Sigmoid.Invoke(x);
        return s + (y * (Vector256<float>.One - s));
    }
}

/// <summary>f(x) = eˣ; f′ = y.</summary>
public readonly struct Exp : INonlinearity
{
    /// <inheritdoc />
    public static string Name => "exp";

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => MathF.Exp(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Exp(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Exp(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(float x, float y) => y;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => y;
}

/// <summary>f(x) = ln x (NaN for x &lt; 0, −∞ at 0); f′ = 1/x.</summary>
public readonly struct Log : INonlinearity
{
    /// <inheritdoc />
    public static string Name => "log";

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => MathF.Log(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Log(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Log(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(float x, float y) => 1f / x;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => Vector256<float>.One / x;
}

/// <summary>f(x) = √x (NaN for x &lt; 0); f′ = 1 / (2y) (+∞ at 0, as in PyTorch).</summary>
public readonly struct Sqrt : INonlinearity
{
    /// <inheritdoc />
    public static string Name => "sqrt";

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => MathF.Sqrt(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Sqrt(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Sqrt(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(float x, float y) => 0.5f / y;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => Vector256.Create(0.5f) / y;
}

/// <summary>f(x) = x²; f′ = 2x.</summary>
public readonly struct Square : INonlinearity
{
    /// <inheritdoc />
    public static string Name => "square";

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => x * x;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => x * x;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => x * x;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(float x, float y) => 2f * x;

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => x + x;
}

/// <summary>f(x) = sin x; f′ = cos x.</summary>
public readonly struct Sin : INonlinearity
{
    /// <inheritdoc />
    public static string Name => "sin";

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => MathF.Sin(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Sin(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Sin(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(float x, float y) => MathF.Cos(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => Vector256.Cos(x);
}

/// <summary>f(x) = cos x; f′ = −sin x.</summary>
public readonly struct Cos : INonlinearity
{
    /// <inheritdoc />
    public static string Name => "cos";

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => MathF.Cos(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x) => Vector256.Cos(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Cos(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(float x, float y) => -MathF.Sin(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => -Vector256.Sin(x);
}

/// <summary>f(x) = tan x (poles at π/2 + kπ); f′ = 1 + y².</summary>
public readonly struct Tan : INonlinearity
{
    /// <inheritdoc />
    public static string Name => "tan";

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Invoke(float x) => MathF.Tan(x);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Invoke(Vector256<float> x)
    {
        // .NET has no vector tangent, and sin/cos loses accuracy near the poles: each lane takes the scalar one.
        Span<float> lanes = stackalloc float[Vector256<float>.Count];
        x.CopyTo(lanes);
        for (int i = 0; i < lanes.Length; i++)
        {
            lanes[i] = MathF.Tan(lanes[i]);
        }

        return Vector256.Create<float>(lanes);
    }

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Invoke(Vector512<float> x) => Vector512.Create(Invoke(x.GetLower()), Invoke(x.GetUpper()));

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Derivative(float x, float y) => 1f + (y * y);

    /// <inheritdoc />
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => Vector256<float>.One + (y * y);
}
