using System.Text.Json.Nodes;
using Helmholtz.Cli.Commands.Sweep;
using k8s;
using k8s.Models;

namespace Helmholtz.Tests.Cli.Commands.Sweep;

/// <summary>The emitted Slurm array script and Kubernetes Indexed Job manifest.</summary>
public sealed class SweepSchedulersTests
{
    private static IReadOnlyList<string> Command(string index) => ["/opt/helmholtz", "sweep", "run", "/data/my sweep.json", "--index", index];

    [Fact]
    public void SlurmScriptIsAnArrayOverTheRunsThatPassesTheTaskId()
    {
        string script = SweepSchedulers.SlurmArray(12, new SlurmArrayOptions
        {
            JobName = "helmholtz-demo", MaxParallel = 4, CpusPerTask = 2, Memory = "2G", Time = "00:30:00", Partition = "short", LogDirectory = "/data/runs",
        }, Command);

        var lines = script.Split('\n');
        Assert.Equal("#!/bin/bash", lines[0]);
        Assert.Contains("#SBATCH --array=0-11%4", lines);
        Assert.Contains("#SBATCH --cpus-per-task=2", lines);
        Assert.Contains("#SBATCH --mem=2G", lines);
        Assert.Contains("#SBATCH --time=00:30:00", lines);
        Assert.Contains("#SBATCH --partition=short", lines);
        Assert.Contains("#SBATCH --output=/data/runs/slurm-%A_%a.out", lines);
        Assert.Contains("exec /opt/helmholtz sweep run '/data/my sweep.json' --index \"$SLURM_ARRAY_TASK_ID\"", lines);
        // sbatch reads #SBATCH lines only before the first command.
        Assert.True(Array.FindLastIndex(lines, l => l.StartsWith("#SBATCH", StringComparison.Ordinal)) < Array.FindIndex(lines, l => l.StartsWith("set ", StringComparison.Ordinal)));
    }

    [Fact]
    public void SlurmDefaultsRunEveryTaskAtOnceAndLeaveResourcesToTheCluster()
    {
        string script = SweepSchedulers.SlurmArray(3, new SlurmArrayOptions { JobName = "x" }, Command);
        Assert.Contains("#SBATCH --array=0-2%3\n", script, StringComparison.Ordinal);
        Assert.DoesNotContain("--mem", script, StringComparison.Ordinal);
        Assert.DoesNotContain("--partition", script, StringComparison.Ordinal);
        Assert.DoesNotContain("--output", script, StringComparison.Ordinal);
    }

    [Fact]
    public void KubernetesManifestIsAValidIndexedJobWithTheSweepFileAndTheClaimMounted()
    {
        var options = new KubernetesJobOptions
        {
            Name = "helmholtz-Train_LR", Image = "registry.example/helmholtz:1.0", VolumeClaim = "runs-pvc", SweepFileName = "train-lr.json",
            SweepFileText = "{\n  \"command\": [\"train\"],\n  \"seeds\": [1, 2]\n}\n", Parallelism = 3, BackoffLimitPerIndex = 2, Cpu = "1", Memory = "2Gi",
        };
        var manifest = SweepSchedulers.KubernetesJob(8, options,
            index => ["helmholtz", "sweep", "run", options.SweepFilePath, "--index", index, "--output", options.OutputPath]);

        // Strict: an unknown field or a wrongly typed value anywhere fails against the Kubernetes object model (the Job schema).
        var objects = KubernetesYaml.LoadAllFromString(SweepSchedulers.ToYaml(manifest), strict: true);
        Assert.Equal(2, objects.Count);
        var map = Assert.IsType<V1ConfigMap>(objects[0]);
        var job = Assert.IsType<V1Job>(objects[1]);
        Assert.Equal(options.SweepFileText, map.Data["train-lr.json"]);
        Assert.Equal("helmholtz-train-lr", job.Metadata.Name);
        Assert.Equal("Indexed", job.Spec.CompletionMode);
        Assert.Equal(8, job.Spec.Completions);
        Assert.Equal(3, job.Spec.Parallelism);
        Assert.Equal(2, job.Spec.BackoffLimitPerIndex);
        var pod = job.Spec.Template.Spec;
        Assert.Equal("Never", pod.RestartPolicy); // required by backoffLimitPerIndex
        var container = Assert.Single(pod.Containers);
        Assert.Equal("registry.example/helmholtz:1.0", container.Image);
        Assert.Equal(["helmholtz", "sweep", "run", "/sweep/train-lr.json", "--index", "$(JOB_COMPLETION_INDEX)", "--output", "/runs/helmholtz-train-lr"], container.Command);
        var env = Assert.Single(container.Env);
        Assert.Equal("JOB_COMPLETION_INDEX", env.Name);
        Assert.Equal("metadata.annotations['batch.kubernetes.io/job-completion-index']", env.ValueFrom.FieldRef.FieldPath);
        Assert.Equal("2Gi", container.Resources.Limits["memory"].ToString());
        var claim = Assert.Single(pod.Volumes, v => v.PersistentVolumeClaim is not null);
        Assert.Equal("runs-pvc", claim.PersistentVolumeClaim.ClaimName);
        Assert.Contains(container.VolumeMounts, m => m.Name == claim.Name && m.MountPath == "/runs");
        var sweep = Assert.Single(pod.Volumes, v => v.ConfigMap is not null);
        Assert.Equal(map.Metadata.Name, sweep.ConfigMap.Name);
        Assert.Contains(container.VolumeMounts, m => m.Name == sweep.Name && m.MountPath == "/sweep");

        // The JSON form is the same List.
        var items = JsonNode.Parse(SweepSchedulers.ToJson(manifest))!["items"]!.AsArray();
        var fromJson = KubernetesJson.Deserialize<V1Job>(items[1]!.ToJsonString());
        Assert.Equal(job.Spec.Completions, fromJson.Spec.Completions);
        Assert.Equal(container.Command, fromJson.Spec.Template.Spec.Containers[0].Command);
    }

    [Fact]
    public void KubernetesDefaultsRunEveryIndexAtOnceWithOneRetry()
    {
        var options = new KubernetesJobOptions { Name = "n", Image = "i", VolumeClaim = "c", SweepFileName = "s.json", SweepFileText = "{}" };
        var job = KubernetesYaml.LoadAllFromString(SweepSchedulers.ToYaml(SweepSchedulers.KubernetesJob(5, options, i => ["h", i])), strict: true).OfType<V1Job>().Single();
        Assert.Equal((5, 5, 1), (job.Spec.Completions!.Value, job.Spec.Parallelism!.Value, job.Spec.BackoffLimitPerIndex!.Value));
        Assert.Null(job.Spec.Template.Spec.Containers[0].Resources);
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("a b", "'a b'")]
    [InlineData("", "''")]
    public void ShellQuotingKeepsWordsIntact(string word, string expected) => Assert.Equal(expected, SweepSchedulers.ShellQuote(word));
}
