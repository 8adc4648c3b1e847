using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Helmholtz.Tensors;

/// <summary>The nonlinearity of a layer, as configuration (records, config.json); each value maps onto one <see cref="INonlinearity"/> struct.</summary>
public enum Activation
{
    /// <summary>f(z) = z (<see cref="Tensors.Identity"/>).</summary>
    Identity,

    /// <summary>f(z) = tanh z; f′ = 1 − f² (<see cref="Tensors.Tanh"/>).</summary>
    Tanh,

    /// <summary>f(z) = 1 / (1 + e^−z); f′ = f(1 − f) (<see cref="Tensors.Sigmoid"/>).</summary>
    Sigmoid,

    /// <summary>f(z) = max(z, 0); f′ = 1 where f &gt; 0, else 0 (<see cref="Tensors.Relu"/>).</summary>
    Relu,

    /// <summary>f(z) = z·σ(z); f′ = σ(z)(1 + z(1 − σ(z))) (<see cref="Tensors.Swish"/>); its derivative needs z, so only layers that keep or recompute z take it.</summary>
    Swish,
}

/// <summary>Span kernels for the <see cref="INonlinearity"/> structs: one generic driver per kind of loop, and the <see cref="Activation"/> entry points mapped onto them.</summary>
/// <remarks>
/// <para>Every driver checks lengths (a destination shorter than the source throws <see cref="ArgumentException"/>),
/// lets the destination alias a source exactly (not partially), and propagates NaN as the struct's formula does.</para>
/// <para>Lane coverage follows <see cref="System.Numerics.Tensors.TensorPrimitives"/>: spans of fewer than four
/// elements take the scalar formula, longer ones compute every element in vector lanes (whole 16- and 8-lane vectors,
/// then the remainder in one padded vector; every width computes the same lane formula). With the structs' lane formulas this reproduces TensorPrimitives' results bit for
/// bit where Vector256 is accelerated; without it, every element takes the scalar formula.</para>
/// </remarks>
public static class ActivationKernels
{
    private const int Lanes = 8;
    private const int WideLanes = 16;
    private const int SmallSpan = 4;

    /// <summary>destination[i] = f(source[i]).</summary>
    public static void Apply<TFunction>(ReadOnlySpan<float> source, Span<float> destination)
        where TFunction : struct, INonlinearity
    {
        RequireLength(source.Length, destination.Length);
        RequireNoPartialOverlap(source, destination);
        int n = source.Length, i = 0;
        if (!Vector256.IsHardwareAccelerated || n < SmallSpan)
        {
            for (; i < n; i++)
            {
                destination[i] = TFunction.Invoke(source[i]);
            }

            return;
        }

        ref float x = ref MemoryMarshal.GetReference(source);
        ref float d = ref MemoryMarshal.GetReference(destination);
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= n - WideLanes; i += WideLanes)
            {
                TFunction.Invoke(Vector512.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
            }
        }

        for (; i <= n - Lanes; i += Lanes)
        {
            TFunction.Invoke(Vector256.LoadUnsafe(ref x, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
        }

        if (i < n)
        {
            var lanes = Remainder(source, i, n, out var buffer);
            TFunction.Invoke(lanes).CopyTo(buffer);
            buffer[..(n - i)].CopyTo(destination[i..n]);
        }
    }

    /// <summary>destination[i] = gradient[i] · f′(z_i), with y[i] = f(z_i) given: the backward message through f.</summary>
    public static void MultiplyByDerivative<TFunction>(ReadOnlySpan<float> y, ReadOnlySpan<float> gradient, Span<float> destination)
        where TFunction : struct, IOutputDerivative
    {
        RequireLength(y.Length, gradient.Length);
        RequireLength(y.Length, destination.Length);
        RequireNoPartialOverlap(y, destination);
        RequireNoPartialOverlap(gradient, destination);
        int n = y.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float yr = ref MemoryMarshal.GetReference(y);
            ref float gr = ref MemoryMarshal.GetReference(gradient);
            ref float d = ref MemoryMarshal.GetReference(destination);
            for (; i <= n - Lanes; i += Lanes)
            {
                TFunction.MultiplyByDerivative(Vector256.LoadUnsafe(ref yr, (nuint)i), Vector256.LoadUnsafe(ref gr, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
            }
        }

        // The derivative-from-output formulas are plain arithmetic, so scalar and vector lanes agree exactly.
        for (; i < n; i++)
        {
            destination[i] = TFunction.MultiplyByDerivative(y[i], gradient[i]);
        }
    }

    /// <summary>destination[i] = f′(z_i) where y[i] = f(z_i) is given: the derivative of f from its output.</summary>
    public static void DerivativeFromOutput<TFunction>(ReadOnlySpan<float> y, Span<float> destination)
        where TFunction : struct, IOutputDerivative
    {
        RequireLength(y.Length, destination.Length);
        RequireNoPartialOverlap(y, destination);
        int n = y.Length, i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float yr = ref MemoryMarshal.GetReference(y);
            ref float d = ref MemoryMarshal.GetReference(destination);
            for (; i <= n - Lanes; i += Lanes)
            {
                TFunction.DerivativeFromOutput(Vector256.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref d, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            destination[i] = TFunction.DerivativeFromOutput(y[i]);
        }
    }

    /// <summary>destination[i] = gradient[i] · f′(x[i]), with y[i] = f(x[i]) given (for functions whose derivative needs x, such as swish).</summary>
    public static void MultiplyByDerivative<TFunction>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gradient, Span<float> destination)
        where TFunction : struct, INonlinearity
    {
        RequireDerivativeArguments(x, y, gradient, destination);
        Derivatives<TFunction, Overwrite>(x, y, gradient, destination);
    }

    /// <summary>destination[i] += gradient[i] · f′(x[i]), with y[i] = f(x[i]) given: a graph op's backward accumulation.</summary>
    public static void AddMultiplyByDerivative<TFunction>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gradient, Span<float> destination)
        where TFunction : struct, INonlinearity
    {
        RequireDerivativeArguments(x, y, gradient, destination);
        Derivatives<TFunction, Accumulate>(x, y, gradient, destination);
    }

    private static void RequireDerivativeArguments(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gradient, Span<float> destination)
    {
        RequireLength(x.Length, y.Length);
        RequireLength(x.Length, gradient.Length);
        RequireLength(x.Length, destination.Length);
        RequireNoPartialOverlap(x, destination);
        RequireNoPartialOverlap(y, destination);
        RequireNoPartialOverlap(gradient, destination);
    }

    /// <summary>destination[i] = f(source[i]) for the configured <paramref name="activation"/>.</summary>
    public static void Apply(Activation activation, ReadOnlySpan<float> source, Span<float> destination)
    {
        switch (activation)
        {
            case Activation.Identity:
                RequireLength(source.Length, destination.Length);
                source.CopyTo(destination);
                break;
            case Activation.Tanh:
                Apply<Tanh>(source, destination);
                break;
            case Activation.Sigmoid:
                Apply<Sigmoid>(source, destination);
                break;
            case Activation.Relu:
                Apply<Relu>(source, destination);
                break;
            case Activation.Swish:
                Apply<Swish>(source, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>destination[i] = f′(z_i) where y[i] = f(z_i) is given; the derivative of each activation from its output.</summary>
    /// <exception cref="NotSupportedException"><paramref name="activation"/> is swish, whose derivative needs z.</exception>
    public static void DerivativeFromOutput(Activation activation, ReadOnlySpan<float> y, Span<float> destination)
    {
        switch (activation)
        {
            case Activation.Identity:
                RequireLength(y.Length, destination.Length);
                destination[..y.Length].Fill(1f);
                break;
            case Activation.Tanh:
                DerivativeFromOutput<Tanh>(y, destination);
                break;
            case Activation.Sigmoid:
                DerivativeFromOutput<Sigmoid>(y, destination);
                break;
            case Activation.Relu:
                DerivativeFromOutput<Relu>(y, destination);
                break;
            default:
                throw NoOutputDerivative(activation);
        }
    }

    /// <summary>destination[i] = gradient[i] · f′(z_i), with y[i] = f(z_i): the backward message through f.</summary>
    /// <exception cref="NotSupportedException"><paramref name="activation"/> is swish, whose derivative needs z.</exception>
    public static void MultiplyByDerivative(Activation activation, ReadOnlySpan<float> y, ReadOnlySpan<float> gradient, Span<float> destination)
    {
        switch (activation)
        {
            case Activation.Identity:
                RequireLength(y.Length, gradient.Length);
                RequireLength(y.Length, destination.Length);
                gradient.CopyTo(destination);
                break;
            case Activation.Tanh:
                MultiplyByDerivative<Tanh>(y, gradient, destination);
                break;
            case Activation.Sigmoid:
                MultiplyByDerivative<Sigmoid>(y, gradient, destination);
                break;
            case Activation.Relu:
                MultiplyByDerivative<Relu>(y, gradient, destination);
                break;
            default:
                throw NoOutputDerivative(activation);
        }
    }

    /// <summary>Whether <paramref name="activation"/>'s derivative is a function of its output, so a fused layer that keeps only y can run backward.</summary>
    public static bool HasDerivativeFromOutput(Activation activation) => activation is Activation.Identity or Activation.Tanh or Activation.Sigmoid or Activation.Relu;

    /// <summary>Returns <paramref name="activation"/> when a layer that keeps only its output can fuse it; throws otherwise.</summary>
    internal static Activation RequireFusable(Activation activation, string parameterName) =>
        HasDerivativeFromOutput(activation)
            ? activation
            : throw new ArgumentException($"Activation {activation} cannot be fused into a layer that keeps only its output (its derivative needs the pre-activation); apply it as its own node.", parameterName);

    private static Exception NoOutputDerivative(Activation activation) => activation == Activation.Swish
        ? new NotSupportedException("Swish's derivative needs the pre-activation z; its output alone does not determine it.")
        : new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");

    private static void Derivatives<TFunction, TStore>(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> gradient, Span<float> destination)
        where TFunction : struct, INonlinearity
        where TStore : struct, IStore
    {
        int n = x.Length, i = 0;
        if (!Vector256.IsHardwareAccelerated || n < SmallSpan)
        {
            for (; i < n; i++)
            {
                destination[i] = TStore.Combine(destination[i], gradient[i] * TFunction.Derivative(x[i], y[i]));
            }

            return;
        }

        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float yr = ref MemoryMarshal.GetReference(y);
        ref float gr = ref MemoryMarshal.GetReference(gradient);
        ref float d = ref MemoryMarshal.GetReference(destination);
        for (; i <= n - Lanes; i += Lanes)
        {
            var product = Vector256.LoadUnsafe(ref gr, (nuint)i) * TFunction.Derivative(Vector256.LoadUnsafe(ref xr, (nuint)i), Vector256.LoadUnsafe(ref yr, (nuint)i));
            TStore.Combine(Vector256.LoadUnsafe(ref d, (nuint)i), product).StoreUnsafe(ref d, (nuint)i);
        }

        if (i < n)
        {
            var xs = Remainder(x, i, n, out var buffer);
            var ys = Remainder(y, i, n, out _);
            var gs = Remainder(gradient, i, n, out _);
            (gs * TFunction.Derivative(xs, ys)).CopyTo(buffer);
            for (int j = 0; j < n - i; j++)
            {
                destination[i + j] = TStore.Combine(destination[i + j], buffer[j]);
            }
        }
    }

    /// <summary>source[from..to] (fewer than eight elements) in the low lanes of a vector, zeros above; <paramref name="buffer"/> is scratch for the result.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Remainder(ReadOnlySpan<float> source, int from, int to, out LaneBuffer buffer)
    {
        buffer = default;
        Span<float> lanes = buffer;
        source[from..to].CopyTo(lanes);
        return Vector256.Create<float>(lanes);
    }

    private static void RequireLength(int source, int destination)
    {
        if (destination < source)
        {
            throw new ArgumentException($"Destination is too short: {destination} < {source}.", nameof(destination));
        }
    }

    private static void RequireNoPartialOverlap(ReadOnlySpan<float> source, Span<float> destination)
    {
        if (source.Overlaps(destination, out int offset) && offset != 0)
        {
            throw new ArgumentException("Source and destination overlap without being the same span.", nameof(destination));
        }
    }

    [InlineArray(Lanes)]
    private struct LaneBuffer
    {
        private float _element;
    }

    private interface IStore
    {
        static abstract float Combine(float old, float value);

        static abstract Vector256<float> Combine(Vector256<float> old, Vector256<float> value);
    }

    private readonly struct Overwrite : IStore
    {
        public static float Combine(float old, float value) => value;

        public static Vector256<float> Combine(Vector256<float> old, Vector256<float> value) => value;
    }

    private readonly struct Accumulate : IStore
    {
        public static float Combine(float old, float value) => old + value;

        public static Vector256<float> Combine(Vector256<float> old, Vector256<float> value) => old + value;
    }
}
