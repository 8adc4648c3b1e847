using System.Numerics;
using System.Numerics.Tensors;

namespace Helmholtz.Tensors;

/// <summary>Elementwise nonlinearities of dense and recurrent layers.</summary>
public enum Activation
{
    /// <summary>f(z) = z.</summary>
    Identity,

    /// <summary>f(z) = tanh z; f′ = 1 − f².</summary>
    Tanh,

    /// <summary>f(z) = 1 / (1 + e^−z); f′ = f(1 − f).</summary>
    Sigmoid,

    /// <summary>f(z) = max(z, 0); f′ = 1 where f &gt; 0, else 0.</summary>
    Relu,
}

/// <summary>Span kernels for <see cref="Activation"/>: the map, and the derivative written in terms of the output.</summary>
/// <remarks>
/// Every activation here has a derivative that is a function of its output y = f(z), so backward passes need only
/// the forward output (no saved pre-activation). NaN propagates. Source and destination may alias exactly.
/// </remarks>
public static class ActivationKernels
{
    /// <summary>destination[i] = f(source[i]).</summary>
    public static void Apply(Activation activation, ReadOnlySpan<float> source, Span<float> destination)
    {
        RequireLength(source.Length, destination.Length);
        switch (activation)
        {
            case Activation.Identity:
                source.CopyTo(destination);
                break;
            case Activation.Tanh:
                TensorPrimitives.Tanh(source, destination);
                break;
            case Activation.Sigmoid:
                TensorPrimitives.Sigmoid(source, destination);
                break;
            case Activation.Relu:
                TensorPrimitives.Max(source, 0f, destination);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>destination[i] = f′(z_i) where y[i] = f(z_i) is given; the derivative of each activation from its output.</summary>
    public static void DerivativeFromOutput(Activation activation, ReadOnlySpan<float> y, Span<float> destination)
    {
        RequireLength(y.Length, destination.Length);
        switch (activation)
        {
            case Activation.Identity:
                destination.Fill(1f);
                break;
            case Activation.Tanh:
                // 1 − y²
                TensorPrimitives.Negate(y, destination);
                TensorPrimitives.MultiplyAdd(y, destination, 1f, destination);
                break;
            case Activation.Sigmoid:
                // y (1 − y) = y − y²
                TensorPrimitives.Negate(y, destination);
                TensorPrimitives.MultiplyAdd(y, destination, y, destination);
                break;
            case Activation.Relu:
                for (int i = 0; i < y.Length; i++)
                {
                    destination[i] = y[i] > 0f ? 1f : 0f;
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    /// <summary>destination[i] = gradient[i] · f′(z_i), with y[i] = f(z_i): the backward message through f.</summary>
    public static void MultiplyByDerivative(Activation activation, ReadOnlySpan<float> y, ReadOnlySpan<float> gradient, Span<float> destination)
    {
        RequireLength(y.Length, gradient.Length);
        RequireLength(y.Length, destination.Length);
        int i = 0;
        switch (activation)
        {
            case Activation.Identity:
                gradient.CopyTo(destination);
                return;
            case Activation.Tanh:
                if (Vector.IsHardwareAccelerated)
                {
                    var one = Vector<float>.One;
                    for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
                    {
                        var yv = new Vector<float>(y[i..]);
                        (new Vector<float>(gradient[i..]) * (one - yv * yv)).CopyTo(destination[i..]);
                    }
                }

                for (; i < y.Length; i++)
                {
                    destination[i] = gradient[i] * (1f - y[i] * y[i]);
                }

                return;
            case Activation.Sigmoid:
                if (Vector.IsHardwareAccelerated)
                {
                    var one = Vector<float>.One;
                    for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
                    {
                        var yv = new Vector<float>(y[i..]);
                        (new Vector<float>(gradient[i..]) * yv * (one - yv)).CopyTo(destination[i..]);
                    }
                }

                for (; i < y.Length; i++)
                {
                    destination[i] = gradient[i] * y[i] * (1f - y[i]);
                }

                return;
            case Activation.Relu:
                if (Vector.IsHardwareAccelerated)
                {
                    // A select, not a branch: the signs of y are data, and a mispredicted branch per element cost more than the rest of the pass.
                    for (; i <= y.Length - Vector<float>.Count; i += Vector<float>.Count)
                    {
                        var positive = Vector.GreaterThan(new Vector<float>(y[i..]), Vector<float>.Zero);
                        Vector.ConditionalSelect(positive, new Vector<float>(gradient[i..]), Vector<float>.Zero).CopyTo(destination[i..]);
                    }
                }

                for (; i < y.Length; i++)
                {
                    destination[i] = y[i] > 0f ? gradient[i] : 0f;
                }

                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation.");
        }
    }

    private static void RequireLength(int source, int destination)
    {
        if (destination < source)
        {
            throw new ArgumentException($"Destination is too short: {destination} < {source}.", nameof(destination));
        }
    }
}
