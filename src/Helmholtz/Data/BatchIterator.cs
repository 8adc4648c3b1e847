using Helmholtz.Tensors;

namespace Helmholtz.Data;

/// <summary>How a <see cref="BatchIterator"/> walks a dataset.</summary>
/// <param name="BatchSize">Examples per batch B (≥ 1).</param>
/// <param name="Seed">Seed of the shuffle; with the epoch number it fixes the order.</param>
/// <param name="Shuffle">True: a fresh permutation each epoch; false: file order every epoch.</param>
/// <param name="DropLast">True (the default, as the PyTorch baselines do): skip the final partial batch.</param>
/// <param name="MaxBatches">At most this many batches per epoch; 0 for no limit.</param>
public sealed record BatchOptions(int BatchSize, ulong Seed = 0, bool Shuffle = true, bool DropLast = true, int MaxBatches = 0);

/// <summary>Walks a dataset in mini-batches, in an order that is a pure function of (seed, epoch), filling caller-owned buffers.</summary>
/// <remarks>
/// Order of epoch e: with shuffling, the identity permutation [0, N) shuffled by Fisher–Yates
/// (<see cref="Rng.Shuffle{T}"/>) with <c>new Rng(Mix(Mix(seed) + e))</c>, where Mix is the SplitMix64 finaliser;
/// without, file order. Because the order depends only on (seed, e), a run resumed at epoch e (and batch k, see
/// <see cref="BeginEpoch"/>) visits exactly the batches an uninterrupted run would. Batch j holds examples
/// order[j·B … j·B + B − 1]; as in the PyTorch baseline (<c>range(0, N − B + 1, B)</c>) there are ⌊N/B⌋ batches
/// when the last partial batch is dropped and ⌈N/B⌉ otherwise, capped by <see cref="BatchOptions.MaxBatches"/>.
/// <see cref="Next(Span{float}, Span{float}, Span{int}, out int)"/> allocates nothing. Not thread-safe.
/// </remarks>
public sealed class BatchIterator
{
    private readonly Dataset _dataset;
    private readonly int[] _order;
    private int _epoch;
    private int _batch;
    private int _currentStart;
    private int _currentCount;

    /// <summary>Creates an iterator over <paramref name="dataset"/>; call <see cref="BeginEpoch"/> before the first batch.</summary>
    /// <exception cref="ArgumentException">The batch size or limit is out of range, or dropping the partial batch leaves no batch at all.</exception>
    public BatchIterator(Dataset dataset, BatchOptions options)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BatchSize < 1)
        {
            throw new ArgumentException($"Batch size {options.BatchSize} must be at least 1.");
        }

        if (options.MaxBatches < 0)
        {
            throw new ArgumentException($"Batch limit {options.MaxBatches} must be 0 (no limit) or positive.");
        }

        int n = dataset.Count;
        int batches = options.DropLast ? n / options.BatchSize : (int)(((long)n + options.BatchSize - 1) / options.BatchSize);
        if (batches == 0)
        {
            throw new ArgumentException(
                $"Batch size {options.BatchSize} exceeds the {n} examples of dataset '{dataset.Name}', and the partial batch is dropped: an epoch would have no batches.");
        }

        _dataset = dataset;
        Options = options;
        BatchesPerEpoch = options.MaxBatches > 0 ? Math.Min(batches, options.MaxBatches) : batches;
        _order = new int[n];
    }

    /// <summary>The options this iterator was made with.</summary>
    public BatchOptions Options { get; }

    /// <summary>The dataset walked.</summary>
    public Dataset Dataset => _dataset;

    /// <summary>Batches in every epoch (after dropping the partial batch and applying the limit).</summary>
    public int BatchesPerEpoch { get; }

    /// <summary>The current epoch (1-based, as everywhere in Helmholtz), or 0 before the first <see cref="BeginEpoch"/>.</summary>
    public int Epoch => _epoch;

    /// <summary>Index, within the epoch, of the batch the next <see cref="Next(Span{float}, Span{float}, Span{int}, out int)"/> returns.</summary>
    public int BatchIndex => _batch;

    /// <summary>The current epoch's order: position → example index.</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>The example indices of the batch most recently returned (empty before the first).</summary>
    public ReadOnlySpan<int> CurrentIndices => _order.AsSpan(_currentStart, _currentCount);

    /// <summary>Starts epoch <paramref name="epoch"/> (1-based: the first epoch is 1) at batch <paramref name="startBatch"/>, computing its order.</summary>
    public void BeginEpoch(int epoch, int startBatch = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(epoch);
        if (startBatch < 0 || startBatch > BatchesPerEpoch)
        {
            throw new ArgumentOutOfRangeException(nameof(startBatch), $"Start batch {startBatch} is outside [0, {BatchesPerEpoch}].");
        }

        if (Options.Shuffle)
        {
            Permutation(Options.Seed, epoch - 1, _order); // the permutation stream is indexed from 0
        }
        else
        {
            FillIdentity(_order);
        }

        _epoch = epoch;
        _batch = startBatch;
        _currentCount = 0;
    }

    /// <summary>Copies the next batch into the buffers; false (and nothing written) when the epoch is over.</summary>
    /// <param name="images">[B, H·W] row-major; rows past <paramref name="count"/> are set to zero.</param>
    /// <param name="oneHot">[B, classes] one-hot targets, or empty to skip; rows past <paramref name="count"/> are zero.</param>
    /// <param name="labels">[B] labels, or empty to skip; entries past <paramref name="count"/> are −1.</param>
    /// <param name="count">Examples written: B, or fewer for a kept partial last batch.</param>
    /// <exception cref="InvalidOperationException"><see cref="BeginEpoch"/> has not been called.</exception>
    /// <exception cref="ArgumentException">A buffer has the wrong length.</exception>
    public bool Next(Span<float> images, Span<float> oneHot, Span<int> labels, out int count)
    {
        if (_epoch == 0)
        {
            throw new InvalidOperationException("Call BeginEpoch before asking for batches.");
        }

        int b = Options.BatchSize;
        int features = _dataset.Features;
        int classes = _dataset.ClassCount;
        CheckLength(images.Length, (long)b * features, nameof(images), false);
        CheckLength(oneHot.Length, (long)b * classes, nameof(oneHot), true);
        CheckLength(labels.Length, b, nameof(labels), true);
        if (_batch >= BatchesPerEpoch)
        {
            count = 0;
            return false;
        }

        int start = _batch * b;
        count = Math.Min(b, _order.Length - start);
        ReadOnlySpan<int> indices = _order.AsSpan(start, count);
        ReadOnlySpan<float> source = _dataset.Images.ReadOnlySpan;
        ReadOnlySpan<byte> sourceLabels = _dataset.Labels;
        for (int r = 0; r < count; r++)
        {
            int i = indices[r];
            source.Slice(i * features, features).CopyTo(images.Slice(r * features, features));
        }

        images[(count * features)..].Clear();
        if (!oneHot.IsEmpty)
        {
            oneHot.Clear();
            for (int r = 0; r < count; r++)
            {
                oneHot[r * classes + sourceLabels[indices[r]]] = 1f;
            }
        }

        if (!labels.IsEmpty)
        {
            for (int r = 0; r < count; r++)
            {
                labels[r] = sourceLabels[indices[r]];
            }

            labels[count..].Fill(-1);
        }

        _currentStart = start;
        _currentCount = count;
        _batch++;
        return true;
    }

    /// <summary>Copies the next batch into tensors of shape [B, H·W] and [B, classes]; see <see cref="Next(Span{float}, Span{float}, Span{int}, out int)"/>.</summary>
    public bool Next(FloatTensor images, FloatTensor oneHot, Span<int> labels, out int count)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(oneHot);
        if (!images.HasShape([Options.BatchSize, _dataset.Features]) || !oneHot.HasShape([Options.BatchSize, _dataset.ClassCount]))
        {
            throw new ArgumentException(
                $"Batch tensors must be [{Options.BatchSize}, {_dataset.Features}] and [{Options.BatchSize}, {_dataset.ClassCount}]; got {FloatTensor.Format(images.Shape)} and {FloatTensor.Format(oneHot.Shape)}.");
        }

        return Next(images.Span, oneHot.Span, labels, out count);
    }

    /// <summary>Writes epoch <paramref name="epoch"/>'s shuffled order of [0, destination.Length) into <paramref name="destination"/>.</summary>
    /// <remarks>A pure function of (seed, epoch, length): identity, then Fisher–Yates with <c>new Rng(Mix(Mix(seed) + epoch))</c>.</remarks>
    public static void Permutation(ulong seed, int epoch, Span<int> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        FillIdentity(destination);
        new Rng(Mix(Mix(seed) + (ulong)epoch)).Shuffle(destination);
    }

    private static void FillIdentity(Span<int> destination)
    {
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = i;
        }
    }

    // SplitMix64's output function: a bijection on 64-bit words that scatters nearby inputs (consecutive epochs).
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static void CheckLength(int actual, long expected, string name, bool mayBeEmpty)
    {
        if (actual != expected && !(mayBeEmpty && actual == 0))
        {
            throw new ArgumentException($"Buffer '{name}' has {actual} elements; a batch needs {expected}{(mayBeEmpty ? " (or 0 to skip it)" : string.Empty)}.");
        }
    }
}
