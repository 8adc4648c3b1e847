using System.Numerics.Tensors;
using System.Text;

namespace Helmholtz.Tensors;

/// <summary>A dense, row-major float32 tensor: a flat buffer and a shape.</summary>
/// <remarks>
/// A tensor owns (or shares, for a <see cref="Reshape"/> view) a flat <c>float[]</c> whose length is
/// exactly the product of the shape. Element [i0, i1, …, ik] lives at the row-major offset
/// ((i0·d1 + i1)·d2 + …)·dk + ik. Shapes are checked at construction and by every operation that combines
/// tensors; a mismatch throws <see cref="ArgumentException"/> naming both shapes.
/// </remarks>
public sealed class FloatTensor
{
    private readonly float[] _data;
    private readonly int[] _shape;

    /// <summary>Creates a zero-filled tensor of the given shape.</summary>
    public FloatTensor(params int[] shape)
        : this(new float[CheckedLength(shape)], shape)
    {
    }

    /// <summary>Wraps <paramref name="data"/> (not copied) as a tensor of the given shape.</summary>
    /// <exception cref="ArgumentException">The data length is not the product of the shape.</exception>
    public FloatTensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        long length = CheckedLength(shape);
        if (data.Length != length)
        {
            throw new ArgumentException(
                $"A tensor of shape {Format(shape)} needs {length} elements, but the buffer has {data.Length}.", nameof(data));
        }

        _data = data;
        _shape = (int[])shape.Clone();
    }

    /// <summary>The shape, outermost dimension first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>Number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>Number of elements (the product of the shape).</summary>
    public int Length => _data.Length;

    /// <summary>The underlying buffer (shared with views of this tensor).</summary>
    public float[] Data => _data;

    /// <summary>The elements as a span, in row-major order.</summary>
    public Span<float> Span => _data;

    /// <summary>The elements as a read-only span, in row-major order.</summary>
    public ReadOnlySpan<float> ReadOnlySpan => _data;

    /// <summary>Size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis)
    {
        int a = axis < 0 ? axis + _shape.Length : axis;
        if ((uint)a >= (uint)_shape.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for a tensor of shape {Format(_shape)}.");
        }

        return _shape[a];
    }

    /// <summary>The element at a rank-2 index.</summary>
    public float this[int i, int j]
    {
        get => _data[Offset2(i, j)];
        set => _data[Offset2(i, j)] = value;
    }

    /// <summary>A zero-filled tensor of the given shape.</summary>
    public static FloatTensor Zeros(params int[] shape) => new(shape);

    /// <summary>A tensor of the given shape holding a copy of <paramref name="values"/>.</summary>
    public static FloatTensor FromSpan(ReadOnlySpan<float> values, params int[] shape) => new(values.ToArray(), shape);

    /// <summary>A view with the same data and a new shape of equal length.</summary>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public FloatTensor Reshape(params int[] shape)
    {
        long length = CheckedLength(shape);
        if (length != _data.Length)
        {
            throw new ArgumentException($"Cannot reshape a tensor of shape {Format(_shape)} to {Format(shape)}: lengths differ.", nameof(shape));
        }

        return new FloatTensor(_data, shape);
    }

    /// <summary>A deep copy.</summary>
    public FloatTensor Clone() => new((float[])_data.Clone(), _shape);

    /// <summary>Copies <paramref name="source"/>'s elements into this tensor; the shapes must be equal.</summary>
    public void CopyFrom(FloatTensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        RequireSameShape(this, source);
        source._data.AsSpan().CopyTo(_data);
    }

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(float value) => _data.AsSpan().Fill(value);

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Array.Clear(_data);

    /// <summary>True when both tensors have the same shape.</summary>
    public bool SameShape(FloatTensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return _shape.AsSpan().SequenceEqual(other._shape);
    }

    /// <summary>True when the shape equals <paramref name="shape"/>.</summary>
    public bool HasShape(ReadOnlySpan<int> shape) => _shape.AsSpan().SequenceEqual(shape);

    /// <summary>Sum of all elements.</summary>
    public float Sum() => TensorPrimitives.Sum(ReadOnlySpan);

    /// <summary>Throws an <see cref="ArgumentException"/> naming both shapes unless they are equal.</summary>
    public static void RequireSameShape(FloatTensor a, FloatTensor b, string? what = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.SameShape(b))
        {
            throw new ArgumentException($"{what ?? "Tensors"}: shapes {Format(a._shape)} and {Format(b._shape)} differ.");
        }
    }

    /// <summary>Formats a shape as <c>[2, 3, 4]</c>.</summary>
    public static string Format(ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(shape[i]);
        }

        return sb.Append(']').ToString();
    }

    /// <inheritdoc />
    public override string ToString() => $"FloatTensor{Format(_shape)}";

    private int Offset2(int i, int j)
    {
        if (_shape.Length != 2)
        {
            throw new InvalidOperationException($"A rank-2 index needs a rank-2 tensor; this one has shape {Format(_shape)}.");
        }

        if ((uint)i >= (uint)_shape[0] || (uint)j >= (uint)_shape[1])
        {
            throw new IndexOutOfRangeException($"Index [{i}, {j}] is outside shape {Format(_shape)}.");
        }

        return i * _shape[1] + j;
    }

    private static long CheckedLength(int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long length = 1;
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Shape {Format(shape)} has a negative dimension.", nameof(shape));
            }

            length *= d;
            if (length > Array.MaxLength)
            {
                throw new ArgumentException($"Shape {Format(shape)} has more elements than a buffer can hold.", nameof(shape));
            }
        }

        return length;
    }
}
