namespace Helmholtz.Data;

/// <summary>The named datasets Helmholtz can load: <c>digits</c> (embedded), <c>fashion-mnist</c> and <c>mnist</c> (IDX files).</summary>
/// <remarks>
/// An IDX directory holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
/// t10k-labels-idx1-ubyte, each optionally gzipped with a <c>.gz</c> suffix (the plain file is preferred when both
/// exist; gzip is detected from the content either way). <c>fashion-mnist</c> defaults to the directory of Debian's
/// <c>dataset-fashion-mnist</c> package; <c>mnist</c> has no Debian package, so its default directory only exists if
/// someone put the files there.
/// </remarks>
public static class DatasetCatalog
{
    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> package installs the four gzipped IDX files.</summary>
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Where <c>mnist</c> is looked for when no directory is given (by analogy with Fashion-MNIST).</summary>
    public const string MnistDirectory = "/usr/share/datasets/mnist";

    /// <summary>The IDX file names of the four parts, without the optional <c>.gz</c>.</summary>
    public static IReadOnlyList<string> IdxFileNames { get; } =
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>The names <see cref="Load"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["digits", "fashion-mnist", "mnist"];

    /// <summary>Fashion-MNIST's class names, by label (Xiao, Rasul &amp; Vollgraf 2017).</summary>
    public static IReadOnlyList<string> FashionMnistClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>Loads the train and test splits of dataset <paramref name="name"/>.</summary>
    /// <param name="dataDirectory">A directory with the IDX files ; null for the default. Not allowed for <c>digits</c>.</param>
    /// <exception cref="ArgumentException">The name is unknown (the message lists the known names), or a directory was given for <c>digits</c>.</exception>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist; the message says where it looked and how to give another.</exception>
    /// <exception cref="FileNotFoundException">A file is missing; the message says where it looked and how to give another directory.</exception>
    /// <exception cref="IdxFormatException">A file is malformed.</exception>
    public static DatasetSplits Load(string name, string? dataDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (name.Trim().ToLowerInvariant())
        {
            case "digits":
                if (dataDirectory is not null)
                {
                    throw new ArgumentException("Dataset 'digits' is embedded in Helmholtz; it takes no DataDirectory.");
                }

                return LoadEmbeddedDigits();
            case "fashion-mnist":
                return LoadIdxDirectory("fashion-mnist", dataDirectory ?? FashionMnistDirectory, 10, FashionMnistClassNames,
                    dataDirectory is null ? "the default place of Debian's dataset-fashion-mnist package: install it (apt install dataset-fashion-mnist) or set DataDirectory" : null);
            case "mnist":
                return LoadIdxDirectory("mnist", dataDirectory ?? MnistDirectory, 10, null,
                    dataDirectory is null ? "the default place; MNIST has no Debian package, so download the four IDX files and set DataDirectory" : null);
            default:
                throw new ArgumentException($"Unknown dataset '{name}'; known datasets: {string.Join(", ", Names)}.");
        }
    }

    /// <summary>Loads an MNIST-style dataset from the four IDX files in <paramref name="directory"/>.</summary>
    /// <param name="name">The dataset's name; splits are called <c>name/train</c> and <c>name/test</c>.</param>
    /// <param name="hint">What the directory is and what to do, for a missing-file message; null for "set DataDirectory".</param>
    public static DatasetSplits LoadIdxDirectory(string name, string directory, int classCount = 10, IReadOnlyList<string>? classNames = null, string? hint = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string advice = $"{hint ?? "set DataDirectory"}, a directory holding {FileList()}";
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Dataset '{name}': looked in '{directory}', which does not exist ({advice}).");
        }

        string[] paths = IdxFileNames.Select(f => Find(name, directory, f, advice)).ToArray();
        Dataset train = Dataset.FromIdx($"{name}/train", IdxFile.Read(paths[0]), IdxFile.Read(paths[1]), classCount, paths[0], paths[1], classNames);
        Dataset test = Dataset.FromIdx($"{name}/test", IdxFile.Read(paths[2]), IdxFile.Read(paths[3]), classCount, paths[2], paths[3], classNames);
        CheckSameGeometry(name, train, test);
        return new DatasetSplits(train, test);
    }

    /// <summary>Loads the embedded <c>digits</c> set: 8,000 training and 2,000 test MNIST digits (see docs/data.md).</summary>
    public static DatasetSplits LoadEmbeddedDigits()
    {
        var assembly = typeof(DatasetCatalog).Assembly;
        IdxFile Open(string file)
        {
            string resource = $"Helmholtz.Data.Embedded.{file}.gz";
            using Stream stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"The embedded resource '{resource}' is missing from {assembly.GetName().Name}; the build is broken.");
            return IdxFile.Read(stream, $"embedded:{file}.gz");
        }

        Dataset train = Dataset.FromIdx("digits/train", Open(IdxFileNames[0]), Open(IdxFileNames[1]), 10, IdxFileNames[0], IdxFileNames[1]);
        Dataset test = Dataset.FromIdx("digits/test", Open(IdxFileNames[2]), Open(IdxFileNames[3]), 10, IdxFileNames[2], IdxFileNames[3]);
        return new DatasetSplits(train, test);
    }

    private static string Find(string name, string directory, string file, string advice)
    {
        string plain = Path.Combine(directory, file);
        if (File.Exists(plain))
        {
            return plain;
        }

        string gz = plain + ".gz";
        if (File.Exists(gz))
        {
            return gz;
        }

        throw new FileNotFoundException($"Dataset '{name}': looked in '{directory}' and found no {file}[.gz] ({advice}).", gz);
    }

    private static string FileList() => string.Join(", ", IdxFileNames.Take(3).Select(f => f + "[.gz]")) + $" and {IdxFileNames[3]}[.gz]";

    private static void CheckSameGeometry(string name, Dataset train, Dataset test)
    {
        if (train.Height != test.Height || train.Width != test.Width)
        {
            throw new ArgumentException($"Dataset '{name}': training images are {train.Height}×{train.Width} but test images are {test.Height}×{test.Width}.");
        }
    }
}
