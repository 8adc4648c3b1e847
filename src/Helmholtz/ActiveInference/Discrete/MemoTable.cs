namespace Helmholtz.ActiveInference.Discrete;

/// <summary>
/// A fixed-capacity map from (owner object, key of <c>keyLength</c> 64-bit words) to a value of <c>valueLength</c>
/// doubles, in preallocated arrays; it empties itself when full. Keys compare exactly (bit for bit), so a hit returns
/// exactly what the computation it replaces would give.
/// </summary>
internal sealed class MemoTable
{
    private readonly int _keyLength;
    private readonly int _valueLength;
    private readonly int _capacity;
    private readonly long[] _keys;
    private readonly double[] _values;
    private readonly object?[] _owners;
    private readonly int[] _table; // open addressing: entry index + 1, 0 = empty
    private readonly int _mask;
    private int _count;

    public MemoTable(int keyLength, int valueLength, int capacity)
    {
        _keyLength = keyLength;
        _valueLength = valueLength;
        _capacity = capacity;
        _keys = new long[keyLength * capacity];
        _values = new double[valueLength * capacity];
        _owners = new object?[capacity];
        int size = 1;
        while (size < 2 * capacity)
        {
            size <<= 1;
        }

        _table = new int[size];
        _mask = size - 1;
    }

    /// <summary>Finds the value stored for (owner, key); returns false when there is none.</summary>
    public bool TryGet(object owner, ReadOnlySpan<long> key, out ReadOnlySpan<double> value)
    {
        int slot = (int)Hash(owner, key) & _mask;
        while (true)
        {
            int e = _table[slot] - 1;
            if (e < 0)
            {
                value = default;
                return false;
            }

            if (ReferenceEquals(_owners[e], owner) && key.SequenceEqual(_keys.AsSpan(e * _keyLength, _keyLength)))
            {
                value = _values.AsSpan(e * _valueLength, _valueLength);
                return true;
            }

            slot = (slot + 1) & _mask;
        }
    }

    /// <summary>Stores a value for (owner, key), which must not be present; returns the span to write it into.</summary>
    public Span<double> Add(object owner, ReadOnlySpan<long> key)
    {
        if (_count == _capacity)
        {
            Array.Clear(_table);
            Array.Clear(_owners);
            _count = 0;
        }

        int e = _count++;
        _owners[e] = owner;
        key.CopyTo(_keys.AsSpan(e * _keyLength, _keyLength));
        int slot = (int)Hash(owner, key) & _mask;
        while (_table[slot] != 0)
        {
            slot = (slot + 1) & _mask;
        }

        _table[slot] = e + 1;
        return _values.AsSpan(e * _valueLength, _valueLength);
    }

    private static ulong Hash(object owner, ReadOnlySpan<long> key)
    {
        ulong h = (ulong)System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(owner) * 0x9E3779B97F4A7C15UL;
        foreach (long k in key)
        {
            h = (h ^ (ulong)k) * 0xFF51AFD7ED558CCDUL;
            h ^= h >> 29;
        }

        return h ^ (h >> 32);
    }
}
