using System.Text;
using Helmholtz.Data;

namespace Helmholtz.Tests.Data;

public sealed class AtomicFileTests
{
    [Fact]
    public void WritesAndReplacesContent()
    {
        using var dir = new TempDirectory();
        string path = dir.File("a.txt");
        AtomicFile.WriteAllText(path, "first");
        Assert.Equal("first", File.ReadAllText(path));
        AtomicFile.WriteAllText(path, "second, longer");
        Assert.Equal("second, longer", File.ReadAllText(path));
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));
        Assert.Equal(["a.txt"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void TextIsUtf8WithoutByteOrderMarkAndLinesEndWithLf()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.csv");
        AtomicFile.WriteAllText(path, "é");
        Assert.Equal(Encoding.UTF8.GetBytes("é"), File.ReadAllBytes(path));
        AtomicFile.WriteAllLines(path, ["a,b", "1,2"]);
        Assert.Equal("a,b\n1,2\n", File.ReadAllText(path));
    }

    [Fact]
    public void AFailingWriterLeavesTheOldFileAndNoTemporaryFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("checkpoint.bin");
        AtomicFile.WriteAllText(path, "old");
        var ex = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]);
            throw new InvalidOperationException("disk on fire");
        }));
        Assert.Equal("disk on fire", ex.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["checkpoint.bin"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailingWriterCreatesNothingWhenThereWasNoFile()
    {
        using var dir = new TempDirectory();
        Assert.Throws<IOException>(() => AtomicFile.Write(dir.File("x"), _ => throw new IOException("boom")));
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AFailedWriteNamesTheTargetNotTheHiddenTemporary()
    {
        using var dir = new TempDirectory();
        string path = dir.File("efe_split.png");
        var ex = Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            // What the OS reports on a full disk names the file being written: here, the temporary.
            string temp = ((FileStream)s).Name;
            throw new IOException($"No space left on device : '{temp}'");
        }));
        Assert.Equal($"Cannot write '{path}': No space left on device", ex.Message);
        Assert.IsType<IOException>(ex.InnerException);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void MissingDirectoryAndDirectoryTargetAreClearErrors()
    {
        using var dir = new TempDirectory();
        var missing = Assert.Throws<DirectoryNotFoundException>(() => AtomicFile.WriteAllText(dir.File("no/such/f.txt"), "x"));
        Assert.Contains("does not exist", missing.Message);
        Directory.CreateDirectory(dir.File("sub"));
        var isDir = Assert.Throws<IOException>(() => AtomicFile.WriteAllText(dir.File("sub"), "x"));
        Assert.Contains("is a directory", isDir.Message);
    }

    [Fact]
    public async Task ReadersNeverSeeAPartialFile()
    {
        // A reader polling while a writer replaces the file must only ever see one of the two complete contents.
        using var dir = new TempDirectory();
        string path = dir.File("f");
        string a = new('a', 200_000), b = new('b', 300_000);
        AtomicFile.WriteAllText(path, a);
        using var done = new ManualResetEventSlim();
        var reader = Task.Run(() =>
        {
            int reads = 0;
            while (!done.IsSet || reads == 0)
            {
                string s = File.ReadAllText(path);
                Assert.True(s == a || s == b, $"partial content of length {s.Length}");
                reads++;
            }
        });
        for (int i = 0; i < 20; i++)
        {
            AtomicFile.WriteAllText(path, i % 2 == 0 ? b : a);
        }

        done.Set();
        await reader;
    }
}
