using System.Globalization;
using System.Text;

namespace Helmholtz.Environments;

/// <summary>The set of valid observations or actions of an environment (Gymnasium's <c>spaces</c>).</summary>
/// <remarks>Two kinds exist: <see cref="DiscreteSpace"/> (an index) and <see cref="BoxSpace"/> (a float32 box).</remarks>
public abstract class Space
{
    private protected Space()
    {
    }

    /// <summary>Writes the space as Gymnasium prints it, e.g. <c>Discrete(3)</c> or <c>Box(-1, 1, (1,))</c>.</summary>
    public abstract override string ToString();
}

/// <summary>The integers {0, 1, …, n − 1} (Gymnasium's <c>Discrete(n)</c>).</summary>
public sealed class DiscreteSpace : Space
{
    /// <summary>Creates the space {0, …, <paramref name="n"/> − 1}.</summary>
    public DiscreteSpace(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        N = n;
    }

    /// <summary>The number of actions.</summary>
    public int N { get; }

    /// <summary>Whether <paramref name="value"/> is one of the n indices.</summary>
    public bool Contains(int value) => (uint)value < (uint)N;

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"Discrete({N})");
}

/// <summary>A box of float32 vectors, low[i] ≤ x[i] ≤ high[i] (Gymnasium's <c>Box</c> with dtype float32).</summary>
/// <remarks>Bounds may be infinite (CartPole's velocities). Only one-dimensional shapes are used here.</remarks>
public sealed class BoxSpace : Space
{
    private readonly float[] _low;
    private readonly float[] _high;

    /// <summary>Creates a box with the given per-element bounds (copied; same length; low ≤ high; no NaN).</summary>
    public BoxSpace(ReadOnlySpan<float> low, ReadOnlySpan<float> high)
    {
        if (low.Length != high.Length || low.IsEmpty)
        {
            throw new ArgumentException(
                $"Box bounds must be non-empty and of equal length; got low of length {low.Length} and high of length {high.Length}.",
                nameof(high));
        }

        for (int i = 0; i < low.Length; i++)
        {
            if (!(low[i] <= high[i]))
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"Box bound {i}: low {low[i]} must be ≤ high {high[i]} (and neither NaN)."),
                    nameof(low));
            }
        }

        _low = low.ToArray();
        _high = high.ToArray();
    }

    /// <summary>Creates a box of <paramref name="size"/> elements, all in [low, high].</summary>
    public static BoxSpace Uniform(float low, float high, int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        var lo = new float[size];
        var hi = new float[size];
        lo.AsSpan().Fill(low);
        hi.AsSpan().Fill(high);
        return new BoxSpace(lo, hi);
    }

    /// <summary>The number of elements of a vector in the box.</summary>
    public int Size => _low.Length;

    /// <summary>The lower bounds (float32, as Gymnasium stores them).</summary>
    public ReadOnlySpan<float> Low => _low;

    /// <summary>The upper bounds (float32, as Gymnasium stores them).</summary>
    public ReadOnlySpan<float> High => _high;

    /// <summary>Whether <paramref name="value"/> has <see cref="Size"/> elements, each within its bounds (NaN is never inside).</summary>
    public bool Contains(ReadOnlySpan<float> value)
    {
        if (value.Length != _low.Length)
        {
            return false;
        }

        for (int i = 0; i < value.Length; i++)
        {
            if (!(value[i] >= _low[i] && value[i] <= _high[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public override string ToString()
    {
        bool uniform = true;
        for (int i = 1; i < _low.Length; i++)
        {
            uniform &= _low[i].Equals(_low[0]) && _high[i].Equals(_high[0]);
        }

        var sb = new StringBuilder("Box(");
        if (uniform)
        {
            sb.Append(Format(_low[0])).Append(", ").Append(Format(_high[0]));
        }
        else
        {
            sb.Append(FormatVector(_low)).Append(", ").Append(FormatVector(_high));
        }

        return sb.Append(", (").Append(_low.Length.ToString(CultureInfo.InvariantCulture)).Append(",))").ToString();
    }

    internal static string FormatVector(ReadOnlySpan<float> values)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < values.Length; i++)
        {
            sb.Append(i == 0 ? string.Empty : ", ").Append(Format(values[i]));
        }

        return sb.Append(']').ToString();
    }

    private static string Format(float value) => float.IsPositiveInfinity(value) ? "inf"
        : float.IsNegativeInfinity(value) ? "-inf"
        : value.ToString("R", CultureInfo.InvariantCulture);
}
