using System.Diagnostics;
using Helmholtz.Cli.Infrastructure;

namespace Helmholtz.Tests.Cli.Commands;

/// <summary>
/// What commands leave on disk: a write that fails part-way (a file-size limit, as a full disk would) leaves no partial,
/// empty or temporary file, and an empty <c>--out</c> is an error rather than hidden files in the working directory.
/// </summary>
public sealed class OutputFilesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("helmholtz-out-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public static TheoryData<string[]> WritingCommands => new()
    {
        { ["aif", "run", "tmaze", "--trials", "3", "--out", "D"] },
        { ["train", "--epochs", "1", "--max-batches", "5", "--out", "D"] },
        { ["pc", "agreement", "--model", "mlp", "--out", "D"] },
    };

    [Theory]
    [MemberData(nameof(WritingCommands))]
    public void AWriteCutShortLeavesNoPartialFile(string[] args)
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/bash"))
        {
            return;
        }

        // RLIMIT_FSIZE of 25 KiB with SIGXFSZ ignored: a write past it fails with EFBIG, like a write to a full disk,
        // without root (a tmpfs needs root: tools/fullDisk-check.sh). Every figure and checkpoint is larger; config.json is not.
        // The runtime's W^X double mapping needs a large memory file, so it is turned off for this process.
        string command = "trap '' XFSZ; ulimit -f 25; exec dotnet \"$0\" \"$@\"";
        var (code, _, stderr) = Run(["/bin/bash", "-c", command, Path.Combine(AppContext.BaseDirectory, "Helmholtz.Cli.dll"), .. args],
            ("DOTNET_EnableWriteXorExecute", "0"));
        Assert.True(code != 0, $"exit code 0 although the writes cannot fit; stderr: {stderr}");
        Assert.Contains("error:", stderr, StringComparison.Ordinal);
        foreach (string file in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
        {
            var info = new FileInfo(file);
            Assert.False(info.Name.StartsWith('.'), $"hidden file left: {file}");
            Assert.True(info.Length > 0, $"empty file left: {file}");
            Assert.True(info.Length <= 25 * 1024, $"{file} is larger than the limit: {info.Length} bytes");
            Assert.NotEqual(RunFolderLockName, info.Name);
            if (info.Extension == ".png")
            {
                byte[] bytes = File.ReadAllBytes(file);
                Assert.Equal("IEND"u8.ToArray(), bytes[^8..^4]);
            }
        }
    }

    [Theory]
    [InlineData("quickstart", "--epochs", "1", "--out", "")]
    [InlineData("train", "--epochs", "1", "--out", " ")]
    [InlineData("aif", "run", "tmaze", "--trials", "1", "--out", "")]
    [InlineData("aif", "exploration", "--table", "t.csv", "--out", "")]
    [InlineData("pc", "agreement", "--out", "")]
    public void AnEmptyOutIsAnErrorAndWritesNothing(params string[] args)
    {
        File.WriteAllText(Path.Combine(_root, "t.csv"), "objective,info_gain,seed,first_success,coverage\nfeef,with,1,1,0.25\n");
        var (code, _, stderr) = Run(["dotnet", Path.Combine(AppContext.BaseDirectory, "Helmholtz.Cli.dll"), .. args]);
        Assert.Equal(2, code);
        Assert.Contains("--out", stderr, StringComparison.Ordinal);
        Assert.Equal(["t.csv"], Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName));
    }

    [Fact]
    public void AFigureBaseWithATrailingSlashIsThatFolder()
    {
        File.WriteAllText(Path.Combine(_root, "t.csv"), "objective,info_gain,seed,first_success,coverage\nfeef,with,1,1,0.25\nfeef,without,1,,0.5\n");
        Directory.CreateDirectory(Path.Combine(_root, "figs"));
        var (code, _, stderr) = Run(["dotnet", Path.Combine(AppContext.BaseDirectory, "Helmholtz.Cli.dll"), "aif", "exploration", "--table", "t.csv", "--out", "figs/"]);
        Assert.True(code == 0, stderr);
        Assert.Equal(["exploration.png", "exploration.svg"], Directory.GetFiles(Path.Combine(_root, "figs")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(Path.Combine("a", "b", "exploration"), OutPath.FigureBase("a/b/", "exploration"));
        Assert.Equal("a/fig", OutPath.FigureBase("a/fig", "exploration"));
        Assert.Equal("runs/", OutPath.Folder("runs/"));
    }

    [Fact]
    public void ARunIntoAFolderHeldByAnotherRunIsRefusedWithTheOwnerNamed()
    {
        string folder = Path.Combine(_root, "D");
        using (Helmholtz.Training.RunFolderLock.Acquire(folder, "helmholtz train --out D"))
        {
            var (code, _, stderr) = Run(["dotnet", Path.Combine(AppContext.BaseDirectory, "Helmholtz.Cli.dll"), "train", "--epochs", "1", "--max-batches", "2", "--out", "D"]);
            Assert.Equal(2, code);
            Assert.Contains($"is in use by process {Environment.ProcessId} on {Environment.MachineName}, started ", stderr, StringComparison.Ordinal);
            Assert.Contains("running 'helmholtz train --out D'", stderr, StringComparison.Ordinal);
            Assert.Equal([RunFolderLockName], Directory.GetFiles(folder).Select(Path.GetFileName));
        }

        var (after, _, err) = Run(["dotnet", Path.Combine(AppContext.BaseDirectory, "Helmholtz.Cli.dll"), "train", "--epochs", "1", "--max-batches", "2", "--out", "D"]);
        Assert.True(after == 0, err);
        Assert.False(File.Exists(Path.Combine(folder, RunFolderLockName)));
    }

    private const string RunFolderLockName = Helmholtz.Training.RunFolderLock.FileName;

    private (int Code, string Stdout, string Stderr) Run(string[] command, params (string Name, string Value)[] environment)
    {
        var psi = new ProcessStartInfo(command[0])
        {
            WorkingDirectory = _root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in command[1..])
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["NO_COLOR"] = "1";
        foreach (var (name, value) in environment)
        {
            psi.Environment[name] = value;
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(120_000), "the CLI did not exit within 120 s");
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
