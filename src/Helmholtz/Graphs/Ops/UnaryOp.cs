using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Tensor = Helmholtz.Tensors.Tensor;

namespace Helmholtz.Graphs.Ops;

/// <summary>A scalar function f applied elementwise, with its derivative, for <see cref="UnaryOp{TFunction}"/>.</summary>
/// <remarks>
/// The derivative receives both the input x and the output y = f(x), so each function uses whichever is cheaper
/// (tanh′ = 1 − y², exp′ = y, sin′ = cos x). Implementations are small <c>readonly struct</c>s; the op's generic
/// driver owns the loops.
/// </remarks>
public interface IUnaryFunction
{
    /// <summary>The op kind name (e.g. <c>tanh</c>).</summary>
    static abstract string Name { get; }

    /// <summary>destination[i] = f(x[i]); the spans may alias exactly.</summary>
    static abstract void Invoke(ReadOnlySpan<float> x, Span<float> destination);

    /// <summary>f′(x) given x and y = f(x).</summary>
    static abstract float Derivative(float x, float y);

    /// <summary>f′(x) for eight lanes, given x and y = f(x).</summary>
    static abstract Vector256<float> Derivative(Vector256<float> x, Vector256<float> y);
}

/// <summary>An elementwise function y = f(x) of one input of any shape; the output has the input's shape.</summary>
/// <remarks>Backward: dx[i] += dy[i] · f′(x[i]), with f′ from <typeparamref name="TFunction"/>.</remarks>
/// <typeparam name="TFunction">The scalar function, e.g. <see cref="Tanh"/>.</typeparam>
public sealed class UnaryOp<TFunction> : Op
    where TFunction : struct, IUnaryFunction
{
    /// <inheritdoc />
    public override string Kind => TFunction.Name;

    /// <inheritdoc />
    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        RequireInputCount(inputs, 1);
        return new OutputShape((int[])inputs[0].Shape.Clone(), inputs[0].Batched);
    }

    /// <inheritdoc />
    public override void Forward(OpContext context, ReadOnlySpan<Tensor> inputs, Tensor output) =>
        TFunction.Invoke(inputs[0].ReadOnlySpan, output.Span);

    /// <inheritdoc />
    public override void Backward(OpContext context, ReadOnlySpan<Tensor> inputs, Tensor output, Tensor outputGradient, ReadOnlySpan<Tensor?> inputGradients)
    {
        ArgumentNullException.ThrowIfNull(outputGradient);
        if (inputGradients[0] is not { } dxTensor)
        {
            return;
        }

        ReadOnlySpan<float> x = inputs[0].ReadOnlySpan, y = output.ReadOnlySpan, dy = outputGradient.ReadOnlySpan;
        Span<float> dx = dxTensor.Span;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= x.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var d = TFunction.Derivative(Vector256.Create(x[i..]), Vector256.Create(y[i..]));
                (Vector256.Create(dx[i..]) + (Vector256.Create(dy[i..]) * d)).CopyTo(dx[i..]);
            }
        }

        for (; i < x.Length; i++)
        {
            dx[i] += dy[i] * TFunction.Derivative(x[i], y[i]);
        }
    }
}

/// <summary>f(x) = x; f′ = 1.</summary>
public readonly struct Identity : IUnaryFunction
{
    /// <inheritdoc />
    public static string Name => "identity";

    /// <inheritdoc />
    public static void Invoke(ReadOnlySpan<float> x, Span<float> destination) => x.CopyTo(destination);

    /// <inheritdoc />
    public static float Derivative(float x, float y) => 1f;

    /// <inheritdoc />
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => Vector256<float>.One;
}

/// <summary>f(x) = tanh x; f′ = 1 − y².</summary>
public readonly struct Tanh : IUnaryFunction
{
    /// <inheritdoc />
    public static string Name => "tanh";

    /// <inheritdoc />
    public static void Invoke(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Tanh(x, destination);

    /// <inheritdoc />
    public static float Derivative(float x, float y) => 1f - (y * y);

    /// <inheritdoc />
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => Vector256<float>.One - (y * y);
}

/// <summary>f(x) = 1 / (1 + e^−x); f′ = y (1 − y).</summary>
public readonly struct Sigmoid : IUnaryFunction
{
    /// <inheritdoc />
    public static string Name => "sigmoid";

    /// <inheritdoc />
    public static void Invoke(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Sigmoid(x, destination);

    /// <inheritdoc />
    public static float Derivative(float x, float y) => y * (1f - y);

    /// <inheritdoc />
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => y * (Vector256<float>.One - y);
}

/// <summary>f(x) = max(x, 0); f′ = 1 where x &gt; 0, else 0 (PyTorch's choice at 0). NaN propagates.</summary>
public readonly struct Relu : IUnaryFunction
{
    /// <inheritdoc />
    public static string Name => "relu";

    /// <inheritdoc />
    public static void Invoke(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Max(x, 0f, destination);

    /// <inheritdoc />
    public static float Derivative(float x, float y) => x > 0f ? 1f : 0f;

    /// <inheritdoc />
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<float>.Zero), Vector256<float>.One, Vector256<float>.Zero);
}

/// <summary>f(x) = eˣ; f′ = y.</summary>
public readonly struct Exp : IUnaryFunction
{
    /// <inheritdoc />
    public static string Name => "exp";

    /// <inheritdoc />
    public static void Invoke(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Exp(x, destination);

    /// <inheritdoc />
    public static float Derivative(float x, float y) => y;

    /// <inheritdoc />
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => y;
}

/// <summary>f(x) = ln x (NaN for x &lt; 0, −∞ at 0); f′ = 1/x.</summary>
public readonly struct Log : IUnaryFunction
{
    /// <inheritdoc />
    public static string Name => "log";

    /// <inheritdoc />
    public static void Invoke(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Log(x, destination);

    /// <inheritdoc />
    public static float Derivative(float x, float y) => 1f / x;

    /// <inheritdoc />
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => Vector256<float>.One / x;
}

/// <summary>f(x) = √x (NaN for x &lt; 0); f′ = 1 / (2y) (+∞ at 0, as in PyTorch).</summary>
public readonly struct Sqrt : IUnaryFunction
{
    /// <inheritdoc />
    public static string Name => "sqrt";

    /// <inheritdoc />
    public static void Invoke(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Sqrt(x, destination);

    /// <inheritdoc />
    public static float Derivative(float x, float y) => 0.5f / y;

    /// <inheritdoc />
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => Vector256.Create(0.5f) / y;
}

/// <summary>f(x) = x²; f′ = 2x.</summary>
public readonly struct Square : IUnaryFunction
{
    /// <inheritdoc />
    public static string Name => "square";

    /// <inheritdoc />
    public static void Invoke(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Multiply(x, x, destination);

    /// <inheritdoc />
    public static float Derivative(float x, float y) => 2f * x;

    /// <inheritdoc />
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => x + x;
}

/// <summary>f(x) = sin x; f′ = cos x.</summary>
public readonly struct Sin : IUnaryFunction
{
    /// <inheritdoc />
    public static string Name => "sin";

    /// <inheritdoc />
    public static void Invoke(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Sin(x, destination);

    /// <inheritdoc />
    public static float Derivative(float x, float y) => MathF.Cos(x);

    /// <inheritdoc />
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => Vector256.Cos(x);
}

/// <summary>f(x) = cos x; f′ = −sin x.</summary>
public readonly struct Cos : IUnaryFunction
{
    /// <inheritdoc />
    public static string Name => "cos";

    /// <inheritdoc />
    public static void Invoke(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Cos(x, destination);

    /// <inheritdoc />
    public static float Derivative(float x, float y) => -MathF.Sin(x);

    /// <inheritdoc />
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => -Vector256.Sin(x);
}

/// <summary>f(x) = tan x (poles at π/2 + kπ); f′ = 1 + y².</summary>
public readonly struct Tan : IUnaryFunction
{
    /// <inheritdoc />
    public static string Name => "tan";

    /// <inheritdoc />
    public static void Invoke(ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Tan(x, destination);

    /// <inheritdoc />
    public static float Derivative(float x, float y) => 1f + (y * y);

    /// <inheritdoc />
    public static Vector256<float> Derivative(Vector256<float> x, Vector256<float> y) => Vector256<float>.One + (y * y);
}
