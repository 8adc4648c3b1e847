using Helmholtz.Tensors;

namespace Helmholtz.Data;

/// <summary>A labelled image classification set: images as float32 rows [N, H·W] and one class label per image.</summary>
/// <remarks>
/// Images loaded from bytes are scaled as <c>x = b / 255f</c> (a float32 division, the same as numpy's
/// <c>astype(float32) / 255</c>, so inputs match the PyTorch baselines bit for bit) and so lie in [0, 1]. The
/// constructor checks that the image buffer holds exactly one H·W row per label and that every label is below the
/// class count. Treat the data as read-only: batches copy from it.
/// </remarks>
public sealed class Dataset
{
    private readonly byte[] _labels;
    private readonly string[] _classNames;

    /// <summary>Creates a dataset over <paramref name="images"/> (row-major [N, H·W], not copied) and <paramref name="labels"/> (not copied).</summary>
    /// <param name="classNames">Names of the classes, or null for "0", "1", ….</param>
    /// <exception cref="ArgumentException">A size, count or label breaks the rules above; the message names the dataset.</exception>
    public Dataset(string name, float[] images, byte[] labels, int height, int width, int classCount, IReadOnlyList<string>? classNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (height < 1 || width < 1)
        {
            throw new ArgumentException($"Dataset '{name}': image size {height}×{width} must be at least 1×1.");
        }

        if (classCount is < 1 or > 256)
        {
            throw new ArgumentException($"Dataset '{name}': class count {classCount} must be between 1 and 256 (labels are bytes).");
        }

        if (labels.Length == 0)
        {
            throw new ArgumentException($"Dataset '{name}' has no examples.");
        }

        long features = (long)height * width;
        if (images.Length != labels.Length * features)
        {
            throw new ArgumentException(
                $"Dataset '{name}': {labels.Length} labels need {labels.Length * features} image values ({height}×{width} each), but the images hold {images.Length}.");
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= classCount)
            {
                throw new ArgumentException($"Dataset '{name}': label {labels[i]} of example {i} is not below the class count {classCount}.");
            }
        }

        if (classNames is not null && classNames.Count != classCount)
        {
            throw new ArgumentException($"Dataset '{name}': {classNames.Count} class names for {classCount} classes.");
        }

        Name = name;
        Height = height;
        Width = width;
        ClassCount = classCount;
        Images = new FloatTensor(images, labels.Length, (int)features);
        _labels = labels;
        _classNames = classNames?.ToArray() ?? Enumerable.Range(0, classCount).Select(c => c.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>A name for messages and run records, e.g. <c>fashion-mnist/train</c>.</summary>
    public string Name { get; }

    /// <summary>Number of examples N.</summary>
    public int Count => _labels.Length;

    /// <summary>Image height H in pixels.</summary>
    public int Height { get; }

    /// <summary>Image width W in pixels.</summary>
    public int Width { get; }

    /// <summary>Values per image, H·W.</summary>
    public int Features => Height * Width;

    /// <summary>Number of classes; every label is below it.</summary>
    public int ClassCount { get; }

    /// <summary>The images as a tensor of shape [N, H·W] (read-only by convention).</summary>
    public FloatTensor Images { get; }

    /// <summary>The labels, one per image.</summary>
    public ReadOnlySpan<byte> Labels => _labels;

    /// <summary>The class names, one per class.</summary>
    public IReadOnlyList<string> ClassNames => _classNames;

    /// <summary>Image <paramref name="index"/> as a row of H·W values.</summary>
    public ReadOnlySpan<float> Image(int index)
    {
        CheckIndex(index);
        return Images.ReadOnlySpan.Slice(index * Features, Features);
    }

    /// <summary>The label of example <paramref name="index"/>.</summary>
    public int Label(int index)
    {
        CheckIndex(index);
        return _labels[index];
    }

    /// <summary>How many examples each class has.</summary>
    public int[] ClassCounts()
    {
        var counts = new int[ClassCount];
        foreach (byte label in _labels)
        {
            counts[label]++;
        }

        return counts;
    }

    /// <summary>A copy of examples [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) as a new dataset.</summary>
    public Dataset Slice(int start, int count)
    {
        if (start < 0 || count < 1 || start > Count - count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Dataset '{Name}' has {Count} examples; [{start}, {start}+{count}) is not a non-empty range inside it.");
        }

        float[] images = Images.ReadOnlySpan.Slice(start * Features, count * Features).ToArray();
        byte[] labels = _labels.AsSpan(start, count).ToArray();
        return new Dataset(Name, images, labels, Height, Width, ClassCount, _classNames);
    }

    /// <summary>A dataset from an IDX image file [N, H, W] and an IDX label file [N], scaling pixels to [0, 1].</summary>
    /// <param name="imagesFile">Name of the image file, for messages.</param>
    /// <param name="labelsFile">Name of the label file, for messages.</param>
    /// <exception cref="ArgumentException">The shapes do not fit together or a label is out of range; the message names the files.</exception>
    public static Dataset FromIdx(string name, IdxFile images, IdxFile labels, int classCount, string imagesFile = "images", string labelsFile = "labels", IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        if (images.Dimensions.Length != 3)
        {
            throw new ArgumentException($"Dataset '{name}': {imagesFile} has dimensions {FloatTensor.Format(images.Dimensions)}; images need three [count, rows, columns].");
        }

        if (labels.Dimensions.Length != 1)
        {
            throw new ArgumentException($"Dataset '{name}': {labelsFile} has dimensions {FloatTensor.Format(labels.Dimensions)}; labels need one [count].");
        }

        if (images.Dimensions[0] != labels.Dimensions[0])
        {
            throw new ArgumentException($"Dataset '{name}': {imagesFile} holds {images.Dimensions[0]} images but {labelsFile} holds {labels.Dimensions[0]} labels.");
        }

        byte[] bytes = images.Data;
        var pixels = new float[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            pixels[i] = bytes[i] / 255f;
        }

        byte[] labelBytes = labels.Data;
        for (int i = 0; i < labelBytes.Length; i++)
        {
            if (labelBytes[i] >= classCount)
            {
                throw new ArgumentException($"Dataset '{name}': {labelsFile} has label {labelBytes[i]} at index {i}, not below the class count {classCount}.");
            }
        }

        return new Dataset(name, pixels, labelBytes, images.Dimensions[1], images.Dimensions[2], classCount, classNames);
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), $"Example {index} is outside dataset '{Name}' of {Count} examples.");
        }
    }
}

/// <summary>The training and test parts of a dataset.</summary>
/// <param name="Train">The training split.</param>
/// <param name="Test">The held-out test split.</param>
public sealed record DatasetSplits(Dataset Train, Dataset Test);
