using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Tensors;

/// <summary>
/// The nonlinearity structs reproduce, bit for bit, the kernels they replaced (TensorPrimitives calls and the
/// Vector&lt;float&gt; loops of the former <c>ActivationKernels</c>, <c>UnaryOp</c> and <c>EnsembleDenseOp</c>), copied
/// here as the reference. "Bit for bit" leaves NaN's payload aside; and where TensorPrimitives threw on an empty span,
/// the drivers do nothing.
/// </summary>
/// <remarks>
/// The forward maps follow TensorPrimitives' lane coverage (scalar below four elements, vector lanes otherwise). That
/// coverage is the same as the drivers' wherever Vector256 is accelerated or no SIMD is (the shipping paths); with
/// AVX2 alone switched off TensorPrimitives takes 128-bit lanes and the drivers the scalar formula, so the transcendental
/// maps there agree only to rounding (checked by <see cref="ActivationKernelMatrix"/>), and these checks stand aside.
/// </remarks>
public sealed class ActivationLegacyTests
{
    private static bool SameCoverage => Vector256.IsHardwareAccelerated || !Vector128.IsHardwareAccelerated;

    [Theory]
    [InlineData(Activation.Identity)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Relu)]
    public void ApplyEqualsTheFormerKernel(Activation activation)
    {
        if (!SameCoverage)
        {
            return; // 128-bit lanes only (see remarks): nothing to compare bit for bit here.
        }

        // From length 1: TensorPrimitives rejects empty spans, which the drivers accept.
        foreach (int n in ActivationKernelMatrix.Lengths.Skip(1))
        {
            var x = Inputs(n, 10 + n);
            var expected = new float[n];
            switch (activation)
            {
                case Activation.Identity: x.CopyTo(expected, 0); break;
                case Activation.Tanh: TensorPrimitives.Tanh(x, expected); break;
                case Activation.Sigmoid: TensorPrimitives.Sigmoid(x, expected); break;
                default: TensorPrimitives.Max(x, 0f, expected); break;
            }

            var actual = new float[n];
            ActivationKernels.Apply(activation, x, actual);
            AssertBits(expected, actual, $"{activation} n={n}");
        }
    }

    [Theory]
    [InlineData(Activation.Identity)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Relu)]
    public void DerivativesEqualTheFormerKernels(Activation activation)
    {
        foreach (int n in ActivationKernelMatrix.Lengths)
        {
            var y = Inputs(n, 20 + n);
            ActivationKernels.Apply(activation, y, y);
            var g = Inputs(n, 30 + n);
            var expected = new float[n];
            FormerMultiplyByDerivative(activation, y, g, expected);
            var actual = new float[n];
            ActivationKernels.MultiplyByDerivative(activation, y, g, actual);
            AssertBits(expected, actual, $"g·{activation}′ n={n}");

            FormerDerivativeFromOutput(activation, y, expected);
            ActivationKernels.DerivativeFromOutput(activation, y, actual);
            AssertBits(expected, actual, $"{activation}′ n={n}");
        }
    }

    [Fact]
    public void SwishEqualsTheFormerEnsembleKernels()
    {
        if (!SameCoverage)
        {
            return; // 128-bit lanes only (see remarks): nothing to compare bit for bit here.
        }

        foreach (int n in ActivationKernelMatrix.Lengths.Skip(1))
        {
            var z = Inputs(n, 40 + n);
            var sigma = new float[n];
            var expected = new float[n];
            TensorPrimitives.Sigmoid(z, sigma);
            TensorPrimitives.Multiply(z, sigma, expected);
            var y = new float[n];
            ActivationKernels.Apply<Swish>(z, y);
            AssertBits(expected, y, $"swish n={n}");

            var dy = Inputs(n, 50 + n);
            for (int i = 0; i < n; i++)
            {
                expected[i] = dy[i] * (sigma[i] + (y[i] * (1f - sigma[i])));
            }

            var g = new float[n];
            ActivationKernels.MultiplyByDerivative<Swish>(z, y, dy, g);
            AssertBits(expected, g, $"swish′ n={n}");

            // The ensemble op's former tanh backward: g = (1 − y²)·dy through three TensorPrimitives calls.
            var t = new float[n];
            TensorPrimitives.Tanh(z, t);
            TensorPrimitives.Multiply(t, t, expected);
            TensorPrimitives.Subtract(1f, expected, expected);
            TensorPrimitives.Multiply(expected, dy, expected);
            ActivationKernels.MultiplyByDerivative(Activation.Tanh, t, dy, g);
            AssertBits(expected, g, $"ensemble tanh′ n={n}");
        }
    }

    [Fact]
    public void UnaryOpBackwardEqualsTheFormerLoop()
    {
        foreach (int n in ActivationKernelMatrix.Lengths)
        {
            var x = Inputs(n, 60 + n);
            var dy = Inputs(n, 70 + n);
            Former<Tanh>(x, dy, n);
            Former<Sigmoid>(x, dy, n);
            Former<Relu>(x, dy, n);
            Former<Exp>(x, dy, n);
            Former<Square>(x, dy, n);
            Former<Identity>(x, dy, n);
        }

        static void Former<T>(float[] x, float[] dy, int n)
            where T : struct, INonlinearity
        {
            var y = new float[n];
            ActivationKernels.Apply<T>(x, y);
            var expected = new float[n];
            var actual = new float[n];
            Array.Fill(expected, 0.5f);
            Array.Fill(actual, 0.5f);
            for (int i = 0; i < n; i++)
            {
                expected[i] += dy[i] * T.Derivative(x[i], y[i]);
            }

            ActivationKernels.AddMultiplyByDerivative<T>(x, y, dy, actual);
            AssertBits(expected, actual, $"{T.Name} backward n={n}");
        }
    }

    private static float[] Inputs(int n, int seed)
    {
        var x = new float[n];
        new Rng((ulong)seed).FillGaussian(x, 0f, 3f);
        float[] specials = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN, 1e-30f, -90f, 90f];
        for (int i = 0; i < n; i += 7)
        {
            x[i] = specials[(i / 7) % specials.Length];
        }

        return x;
    }

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            // NaN's payload is not part of the contract (the JIT may swap the operands of a commutative product).
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]) && !(float.IsNaN(expected[i]) && float.IsNaN(actual[i])))
            {
                Assert.Fail($"{what}: element {i} is {actual[i]:R}, the former kernel gave {expected[i]:R}.");
            }
        }
    }

    // The former ActivationKernels.MultiplyByDerivative, verbatim in its arithmetic.
    private static void FormerMultiplyByDerivative(Activation activation, float[] y, float[] gradient, float[] destination)
    {
        int i = 0;
        switch (activation)
        {
            case Activation.Identity:
                gradient.CopyTo(destination, 0);
                return;
            case Activation.Tanh:
                for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var yv = new Vector<float>(y, i);
                    (new Vector<float>(gradient, i) * (Vector<float>.One - yv * yv)).CopyTo(destination, i);
                }

                for (; i < y.Length; i++)
                {
                    destination[i] = gradient[i] * (1f - y[i] * y[i]);
                }

                return;
            case Activation.Sigmoid:
                for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var yv = new Vector<float>(y, i);
                    (new Vector<float>(gradient, i) * yv * (Vector<float>.One - yv)).CopyTo(destination, i);
                }

                for (; i < y.Length; i++)
                {
                    destination[i] = gradient[i] * y[i] * (1f - y[i]);
                }

                return;
            default:
                for (; i < y.Length; i++)
                {
                    destination[i] = y[i] > 0f ? gradient[i] : 0f;
                }

                return;
        }
    }

    // The former ActivationKernels.DerivativeFromOutput.
    private static void FormerDerivativeFromOutput(Activation activation, float[] y, float[] destination)
    {
        switch (activation)
        {
            case Activation.Identity:
                Array.Fill(destination, 1f);
                break;
            case Activation.Tanh:
                TensorPrimitives.Negate(y, destination);
                TensorPrimitives.MultiplyAdd(y, destination, 1f, destination);
                break;
            case Activation.Sigmoid:
                TensorPrimitives.Negate(y, destination);
                TensorPrimitives.MultiplyAdd(y, destination, y, destination);
                break;
            default:
                for (int i = 0; i < y.Length; i++)
                {
                    destination[i] = y[i] > 0f ? 1f : 0f;
                }

                break;
        }
    }
}
