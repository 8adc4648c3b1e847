using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Helmholtz.Cli.Commands.Sweep;
using Helmholtz.Sweeps;
using k8s;
using k8s.Models;

namespace Helmholtz.Tests.Cli.Commands.Sweep;

/// <summary>The sweep verbs end to end through the built CLI, on tiny training runs (two of which fail on purpose).</summary>
public sealed class SweepCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("helmholtz-sweep-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>lr ∈ {0.1, −1} × seeds {1, 2}: runs 0 and 1 train two epochs of two batches; runs 2 and 3 are refused (exit code 2).</summary>
    private string SweepFile()
    {
        string path = Path.Combine(_root, "tiny.json");
        File.WriteAllText(path, """
            { "command": ["train", "--model", "mlp", "--hidden", "8", "--epochs", "2", "--max-batches", "2", "--batch", "16", "--threads", "1"],
              "axes": [{"grid": {"--lr": [0.1, -1]}}], "seeds": [1, 2], "output": "out" }
            """);
        return path;
    }

    [Fact]
    public void RunSkipsFinishedRunsReportsFailuresAfterTheOthersAndRunsOneIndex()
    {
        string file = SweepFile();
        var runs = SweepSpec.Read(file, SweepFiles.Conventions).Expand();
        SweepMarker.Write(runs[1], 0, 1); // finished by an earlier sweep: must not run again

        var plan = CliProcess.Run("sweep", "plan", file, "--json");
        Assert.Equal(0, plan.Code);
        using (var doc = JsonDocument.Parse(plan.Stdout))
        {
            Assert.Equal(4, doc.RootElement.GetProperty("count").GetInt32());
            var r2 = doc.RootElement.GetProperty("runs")[2];
            Assert.Equal(Path.Combine(_root, "out", "lr=-1_seed=1"), r2.GetProperty("folder").GetString());
            Assert.Equal(["--lr", "-1", "--seed", "1", "--out", r2.GetProperty("folder").GetString()!], r2.GetProperty("arguments").EnumerateArray().Skip(13).Select(e => e.GetString()!));
            Assert.Equal([false, true, false, false], doc.RootElement.GetProperty("runs").EnumerateArray().Select(e => e.GetProperty("done").GetBoolean()));
        }

        var run = CliProcess.Run("sweep", "run", file, "--jobs", "2", "--json");

        Assert.Equal(1, run.Code);
        Assert.Contains($"error: run 2 failed with exit code 2 after 1 attempt(s): {runs[2].Folder} (error: --lr must be a positive number (got -1).)", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"error: run 3 failed with exit code 2 after 1 attempt(s): {runs[3].Folder}", run.Stderr, StringComparison.Ordinal);
        Assert.True(SweepMarker.IsDone(runs[0]) && File.Exists(Path.Combine(runs[0].Folder, "metrics.csv")));
        Assert.False(File.Exists(Path.Combine(runs[1].Folder, "metrics.csv"))); // skipped, not rerun
        Assert.False(SweepMarker.IsDone(runs[2]) || SweepMarker.IsDone(runs[3]));
        using (var doc = JsonDocument.Parse(run.Stdout))
        {
            Assert.Equal((1, 1), (doc.RootElement.GetProperty("succeeded").GetInt32(), doc.RootElement.GetProperty("skipped").GetInt32()));
            Assert.Equal([2, 3], doc.RootElement.GetProperty("failed").EnumerateArray().Select(e => e.GetProperty("index").GetInt32()).Order());
        }

        // An array task's call: exactly one run; a finished one returns at once.
        var one = CliProcess.Run("sweep", "run", file, "--index", "0");
        Assert.Equal(0, one.Code);
        Assert.Contains("0 ran, 1 already done, 0 failed", one.Stderr, StringComparison.Ordinal);
        var failing = CliProcess.Run("sweep", "run", file, "--index", "3");
        Assert.Equal(1, failing.Code);
        Assert.Contains("error: run 3 failed with exit code 2", failing.Stderr, StringComparison.Ordinal);
        var outOfRange = CliProcess.Run("sweep", "run", file, "--index", "4");
        Assert.Equal(2, outOfRange.Code);
        Assert.Contains("--index 4 is out of range: the sweep has 4 runs (0–3)", outOfRange.Stderr, StringComparison.Ordinal);

        // The runs that finished are collected: one row per run × epoch, lr and seed as columns.
        var collect = CliProcess.Run("sweep", "collect", Path.Combine(_root, "out"), "--out", Path.Combine(_root, "collected"));
        Assert.Equal(0, collect.Code);
        var csv = File.ReadAllLines(Path.Combine(_root, "collected", "sweep.csv"));
        Assert.Equal("run,lr,seed,epoch,batches,train_loss,test_loss,test_accuracy,epoch_seconds", csv[0]);
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("lr=0.1_seed=1,0.1,1,1,2,", csv[1], StringComparison.Ordinal);
        Assert.StartsWith("lr=0.1_seed=1,0.1,1,2,2,", csv[2], StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_root, "collected", "sweep-test_loss.png")));
    }

    [Fact]
    public async Task ASweepStoppedBySigtermStopsItsChildAndARerunContinues()
    {
        string file = Path.Combine(_root, "slow.json");
        File.WriteAllText(file, """
            { "command": ["train", "--model", "mlp", "--hidden", "16", "--epochs", "3", "--max-batches", "20", "--threads", "1"],
              "seeds": [1, 2, 3], "output": "slow" }
            """);
        var runs = SweepSpec.Read(file, SweepFiles.Conventions).Expand();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Helmholtz.Cli.dll"), "sweep", "run", file })
        {
            psi.ArgumentList.Add(a);
        }

        using var sweep = Process.Start(psi)!;
        var stderr = sweep.StandardError.ReadToEndAsync();
        _ = sweep.StandardOutput.ReadToEndAsync();
        // Stop it while run 1 is in progress: its config is written, its marker is not.
        Assert.True(SpinWait.SpinUntil(() => File.Exists(Path.Combine(runs[1].Folder, "config.json")), 60_000), "run 1 did not start within 60 s");
        Assert.Equal(0, Kill(sweep.Id, 15));
        Assert.True(sweep.WaitForExit(30_000), "the sweep did not stop within 30 s of SIGTERM");

        Assert.Equal(1, sweep.ExitCode);
        Assert.Contains("cancelled: rerun the same command to continue", await stderr, StringComparison.Ordinal);
        Assert.True(SweepMarker.IsDone(runs[0]));
        Assert.False(SweepMarker.IsDone(runs[1]) || SweepMarker.IsDone(runs[2]));
        Assert.DoesNotContain(Directory.GetDirectories("/proc"), d => ReadCommandLine(d).Contains(runs[1].Folder, StringComparison.Ordinal));

        var rerun = CliProcess.Run("sweep", "run", file);
        Assert.Equal(0, rerun.Code);
        Assert.Contains("2 ran, 1 already done, 0 failed", rerun.Stderr, StringComparison.Ordinal);
        Assert.All(runs, r => Assert.True(SweepMarker.IsDone(r)));
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private static string ReadCommandLine(string procDirectory)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procDirectory, "cmdline"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    [Fact]
    public void EmitSlurmWritesAnArrayScriptThatCallsThisExecutable()
    {
        string file = SweepFile();
        string script = Path.Combine(_root, "tiny.sbatch");

        var emit = CliProcess.Run("sweep", "emit", "slurm", file, "--out", script, "--max-parallel", "2", "--mem", "1G", "--time", "00:05:00");

        Assert.Equal(0, emit.Code);
        var lines = File.ReadAllLines(script);
        Assert.Contains("#SBATCH --array=0-3%2", lines);
        Assert.Contains("#SBATCH --mem=1G", lines);
        Assert.Contains("#SBATCH --time=00:05:00", lines);
        Assert.Contains($"#SBATCH --output={Path.Combine(_root, "out")}/slurm-%A_%a.out", lines);
        string exec = Assert.Single(lines, l => l.StartsWith("exec ", StringComparison.Ordinal));
        Assert.EndsWith($"Helmholtz.Cli.dll sweep run {file} --index \"$SLURM_ARRAY_TASK_ID\"", exec, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(_root, "out"))); // Slurm opens the output files there before a task starts

        var custom = CliProcess.Run("sweep", "emit", "slurm", file, "--helmholtz", "/usr/local/bin/helmholtz", "--output", Path.Combine(_root, "elsewhere"), "--retries", "1");
        Assert.Contains($"exec /usr/local/bin/helmholtz sweep run {file} --index \"$SLURM_ARRAY_TASK_ID\" --output {Path.Combine(_root, "elsewhere")} --retries 1\n", custom.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void EmitK8sWritesAnIndexedJobOverTheRuns()
    {
        string file = SweepFile();
        string manifest = Path.Combine(_root, "tiny.yaml");

        var emit = CliProcess.Run("sweep", "emit", "k8s", file, "--out", manifest, "--image", "example/helmholtz:2", "--pvc", "sweeps", "--parallelism", "2", "--retries", "3");

        Assert.Equal(0, emit.Code);
        var objects = KubernetesYaml.LoadAllFromString(File.ReadAllText(manifest), strict: true);
        var job = objects.OfType<V1Job>().Single();
        Assert.Equal(("Indexed", 4, 2, 3), (job.Spec.CompletionMode, job.Spec.Completions!.Value, job.Spec.Parallelism!.Value, job.Spec.BackoffLimitPerIndex!.Value));
        Assert.Equal(["helmholtz", "sweep", "run", "/sweep/tiny.json", "--index", "$(JOB_COMPLETION_INDEX)", "--output", "/runs/helmholtz-tiny"], job.Spec.Template.Spec.Containers[0].Command);
        Assert.Equal("sweeps", job.Spec.Template.Spec.Volumes.Single(v => v.PersistentVolumeClaim is not null).PersistentVolumeClaim.ClaimName);
        Assert.Equal(File.ReadAllText(file), objects.OfType<V1ConfigMap>().Single().Data["tiny.json"]);
    }

    [Fact]
    public void ABadSweepFileIsBadInputNamingTheField()
    {
        string path = Path.Combine(_root, "bad.json");
        File.WriteAllText(path, """{"command": ["trian"]}""");
        var plan = CliProcess.Run("sweep", "plan", path);
        Assert.Equal(2, plan.Code);
        Assert.Contains("sweep file: command: 'trian' is not a known command", plan.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, CliProcess.Run("sweep", "run", Path.Combine(_root, "missing.json")).Code);
        Assert.Equal(2, CliProcess.Run("sweep", "run", path, "--jobs", "0").Code);
    }
}
