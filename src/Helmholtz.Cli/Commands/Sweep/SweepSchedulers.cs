using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Helmholtz.Cli.Commands.Sweep;

/// <summary>The resources and limits of a Slurm job array that runs a sweep, one array task per run.</summary>
internal sealed record SlurmArrayOptions
{
    /// <summary>The job name (<c>#SBATCH --job-name</c>).</summary>
    public required string JobName { get; init; }

    /// <summary>Array tasks running at the same time (the <c>%K</c> of <c>--array</c>); 0 means all.</summary>
    public int MaxParallel { get; init; }

    /// <summary>CPUs per array task.</summary>
    public int CpusPerTask { get; init; } = 1;

    /// <summary>Memory per array task in Slurm's notation (<c>2G</c>), or null for the cluster's default.</summary>
    public string? Memory { get; init; }

    /// <summary>Time limit per array task in Slurm's notation (<c>00:30:00</c>), or null for the partition's default.</summary>
    public string? Time { get; init; }

    /// <summary>The partition, or null for the default one.</summary>
    public string? Partition { get; init; }

    /// <summary>The folder of the tasks' output files (<c>slurm-%A_%a.out</c>), or null for the submit folder.</summary>
    public string? LogDirectory { get; init; }
}

/// <summary>The settings of a Kubernetes Indexed Job that runs a sweep, one completion index per run.</summary>
internal sealed record KubernetesJobOptions
{
    /// <summary>The folder inside the container where the sweep file (from a ConfigMap) is mounted.</summary>
    public const string SweepDirectory = "/sweep";

    /// <summary>The job's name; it is reduced to a DNS label (lower-case letters, digits, '-').</summary>
    public required string Name { get; init; }

    /// <summary>The container image that has the program on its path.</summary>
    public required string Image { get; init; }

    /// <summary>The PersistentVolumeClaim that holds the run folders (shared by all pods).</summary>
    public required string VolumeClaim { get; init; }

    /// <summary>Where the claim is mounted inside the container.</summary>
    public string MountPath { get; init; } = "/runs";

    /// <summary>The sweep file's name (the key in the ConfigMap and the file under <see cref="SweepDirectory"/>).</summary>
    public required string SweepFileName { get; init; }

    /// <summary>The sweep file's text, stored in a ConfigMap beside the Job.</summary>
    public required string SweepFileText { get; init; }

    /// <summary>Pods running at the same time (<c>parallelism</c>); 0 means all.</summary>
    public int Parallelism { get; init; }

    /// <summary>Retries of one index before it counts as failed (<c>backoffLimitPerIndex</c>).</summary>
    public int BackoffLimitPerIndex { get; init; } = 1;

    /// <summary>CPU request and limit per pod in Kubernetes notation (<c>1</c>, <c>500m</c>), or null for none.</summary>
    public string? Cpu { get; init; }

    /// <summary>Memory request and limit per pod in Kubernetes notation (<c>2Gi</c>), or null for none.</summary>
    public string? Memory { get; init; }

    /// <summary>The sweep file's path inside the container.</summary>
    public string SweepFilePath => SweepDirectory + "/" + SweepFileName;

    /// <summary>The output root inside the container: the sweep's folder on the claim.</summary>
    public string OutputPath => MountPath.TrimEnd('/') + "/" + SweepSchedulers.DnsLabel(Name, 63);
}

/// <summary>Scripts and manifests that run a sweep on a cluster scheduler, one array task (or completion index) per run.</summary>
/// <remarks>
/// Each emitter takes the command of one run as a function of the scheduler's index expression (the shell variable
/// <c>$SLURM_ARRAY_TASK_ID</c>, or Kubernetes' <c>$(JOB_COMPLETION_INDEX)</c> substitution), so the caller decides what
/// program runs and how it selects the run.
/// </remarks>
internal static class SweepSchedulers
{
    /// <summary>The index expression a Slurm array task passes to its command.</summary>
    public const string SlurmIndex = "$SLURM_ARRAY_TASK_ID";

    /// <summary>The index expression a Kubernetes Indexed Job's container passes to its command.</summary>
    public const string KubernetesIndex = "$(JOB_COMPLETION_INDEX)";

    /// <summary>An <c>sbatch</c> script for a job array of <paramref name="count"/> tasks (<c>--array=0-(count−1)%K</c>).</summary>
    /// <param name="count">The number of runs (at least 1).</param>
    /// <param name="options">Name, resources and limits.</param>
    /// <param name="command">The command words of one task given the index expression; every word is single-quoted except the index, which is double-quoted.</param>
    public static string SlurmArray(int count, SlurmArrayOptions options, Func<string, IReadOnlyList<string>> command)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxParallel);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CpusPerTask, 1);
        int k = options.MaxParallel == 0 ? count : Math.Min(options.MaxParallel, count);
        var sb = new StringBuilder("#!/bin/bash\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --job-name={options.JobName}\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --array=0-{count - 1}%{k}\n");
        sb.Append("#SBATCH --ntasks=1\n");
        sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --cpus-per-task={options.CpusPerTask}\n");
        if (options.Memory is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --mem={options.Memory}\n");
        }

        if (options.Time is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --time={options.Time}\n");
        }

        if (options.Partition is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --partition={options.Partition}\n");
        }

        if (options.LogDirectory is not null)
        {
            sb.Append(CultureInfo.InvariantCulture, $"#SBATCH --output={Path.Combine(options.LogDirectory, "slurm-%A_%a.out")}\n");
        }

        sb.Append(CultureInfo.InvariantCulture, $"# {count} runs, one per array task; a task whose run already finished exits at once.\n");
        sb.Append("set -euo pipefail\n");
        sb.Append("exec ").AppendJoin(' ', command(SlurmIndex).Select(w => w == SlurmIndex ? "\"" + w + "\"" : ShellQuote(w))).Append('\n');
        return sb.ToString();
    }

    /// <summary>
    /// A Kubernetes manifest (a <c>List</c> of a ConfigMap that holds the sweep file and an Indexed Job of
    /// <paramref name="count"/> completions that mounts it and the run folders' claim).
    /// </summary>
    /// <param name="count">The number of runs (at least 1).</param>
    /// <param name="options">Image, claim, parallelism, retries and resources.</param>
    /// <param name="command">The container's command given the index expression.</param>
    public static JsonObject KubernetesJob(int count, KubernetesJobOptions options, Func<string, IReadOnlyList<string>> command)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(command);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Parallelism);
        ArgumentOutOfRangeException.ThrowIfNegative(options.BackoffLimitPerIndex);
        string name = DnsLabel(options.Name, 63);
        string configMap = DnsLabel(options.Name, 57) + "-sweep";
        var labels = new JsonObject { ["app.kubernetes.io/name"] = "helmholtz", ["helmholtz/sweep"] = name };
        var container = new JsonObject
        {
            ["name"] = "run",
            ["image"] = options.Image,
            ["command"] = new JsonArray([.. command(KubernetesIndex).Select(w => (JsonNode)JsonValue.Create(w))]),
            ["env"] = new JsonArray(new JsonObject
            {
                ["name"] = "JOB_COMPLETION_INDEX",
                ["valueFrom"] = new JsonObject
                {
                    ["fieldRef"] = new JsonObject { ["fieldPath"] = "metadata.annotations['batch.kubernetes.io/job-completion-index']" },
                },
            }),
            ["volumeMounts"] = new JsonArray(
                new JsonObject { ["name"] = "runs", ["mountPath"] = options.MountPath },
                new JsonObject { ["name"] = "sweep", ["mountPath"] = KubernetesJobOptions.SweepDirectory, ["readOnly"] = true }),
        };
        if (options.Cpu is not null || options.Memory is not null)
        {
            var amounts = new JsonObject();
            if (options.Cpu is not null)
            {
                amounts["cpu"] = options.Cpu;
            }

            if (options.Memory is not null)
            {
                amounts["memory"] = options.Memory;
            }

            container["resources"] = new JsonObject { ["requests"] = amounts.DeepClone(), ["limits"] = amounts };
        }

        var job = new JsonObject
        {
            ["apiVersion"] = "batch/v1",
            ["kind"] = "Job",
            ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels.DeepClone() },
            ["spec"] = new JsonObject
            {
                ["completionMode"] = "Indexed",
                ["completions"] = count,
                ["parallelism"] = options.Parallelism == 0 ? count : Math.Min(options.Parallelism, count),
                ["backoffLimitPerIndex"] = options.BackoffLimitPerIndex,
                ["template"] = new JsonObject
                {
                    ["metadata"] = new JsonObject { ["labels"] = labels.DeepClone() },
                    ["spec"] = new JsonObject
                    {
                        ["restartPolicy"] = "Never",
                        ["containers"] = new JsonArray(container),
                        ["volumes"] = new JsonArray(
                            new JsonObject { ["name"] = "runs", ["persistentVolumeClaim"] = new JsonObject { ["claimName"] = options.VolumeClaim } },
                            new JsonObject { ["name"] = "sweep", ["configMap"] = new JsonObject { ["name"] = configMap } }),
                    },
                },
            },
        };
        var map = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = configMap, ["labels"] = labels.DeepClone() },
            ["data"] = new JsonObject { [options.SweepFileName] = options.SweepFileText },
        };
        return new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = new JsonArray(map, job) };
    }

    /// <summary>
    /// Writes a JSON tree as block-style YAML (strings double-quoted, or as literal blocks when they span lines); a
    /// Kubernetes <c>List</c> becomes one document per item, separated by <c>---</c>.
    /// </summary>
    public static string ToYaml(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var documents = node is JsonObject { } o && o["kind"]?.GetValueKind() == JsonValueKind.String && (string?)o["kind"] == "List" && o["items"] is JsonArray items
            ? items.ToList()
            : [node];
        var sb = new StringBuilder();
        foreach (var d in documents)
        {
            sb.Append(sb.Length > 0 ? "---\n" : "");
            WriteYaml(sb, d, 0, inSequence: false);
        }

        return sb.ToString();
    }

    /// <summary>Writes a JSON tree as indented JSON (non-ASCII text kept as is).</summary>
    public static string ToJson(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }

    /// <summary>Reduces <paramref name="text"/> to a DNS label of at most <paramref name="max"/> characters: lower-case letters, digits and inner '-'.</summary>
    public static string DnsLabel(string text, int max)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder();
        foreach (char ch in text.ToLowerInvariant())
        {
            sb.Append(char.IsAsciiLetterLower(ch) || char.IsAsciiDigit(ch) ? ch : '-');
        }

        string label = sb.ToString();
        label = label.Length > max ? label[..max] : label;
        label = label.Trim('-');
        return label.Length == 0 ? "sweep" : label;
    }

    /// <summary>Single-quotes <paramref name="word"/> for a POSIX shell unless it is made only of safe characters.</summary>
    public static string ShellQuote(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        bool safe = word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-' or '=' or ',' or ':' or '+' or '@' or '%');
        return safe ? word : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }

    private static void WriteYaml(StringBuilder sb, JsonNode? node, int indent, bool inSequence)
    {
        string pad = new(' ', indent);
        switch (node)
        {
            case JsonObject o:
            {
                bool first = true;
                foreach (var (key, value) in o)
                {
                    // The first key of a sequence item shares the "- " line.
                    sb.Append(first && inSequence ? "" : pad).Append(YamlKey(key)).Append(':');
                    first = false;
                    WriteValue(sb, value, indent);
                }

                break;
            }

            case JsonArray a:
                foreach (var item in a)
                {
                    sb.Append(pad).Append("- ");
                    if (item is JsonObject)
                    {
                        WriteYaml(sb, item, indent + 2, inSequence: true);
                    }
                    else
                    {
                        sb.Append(Scalar(item)).Append('\n');
                    }
                }

                break;
            default:
                sb.Append(pad).Append(Scalar(node)).Append('\n');
                break;
        }
    }

    private static void WriteValue(StringBuilder sb, JsonNode? value, int indent)
    {
        switch (value)
        {
            case JsonObject o when o.Count > 0:
                sb.Append('\n');
                WriteYaml(sb, o, indent + 2, inSequence: false);
                break;
            case JsonArray a when a.Count > 0 && a.All(x => x is not JsonObject and not JsonArray):
                sb.Append(" [").AppendJoin(", ", a.Select(Scalar)).Append("]\n");
                break;
            case JsonArray a when a.Count > 0:
                sb.Append('\n');
                WriteYaml(sb, a, indent, inSequence: false);
                break;
            case JsonObject:
                sb.Append(" {}\n");
                break;
            case JsonArray:
                sb.Append(" []\n");
                break;
            default:
                if (value is JsonValue v && v.TryGetValue(out string? text) && IsLiteralBlock(text))
                {
                    string pad = new(' ', indent + 2);
                    sb.Append(" |").Append(text.EndsWith('\n') ? "" : "-").Append('\n');
                    foreach (var line in text.TrimEnd('\n').Split('\n'))
                    {
                        sb.Append(line.Length == 0 ? "" : pad).Append(line).Append('\n');
                    }
                }
                else
                {
                    sb.Append(' ').Append(Scalar(value)).Append('\n');
                }

                break;
        }
    }

    // A literal block keeps the text exactly when it has several lines, at most one final newline, no carriage
    // returns or tabs, and a first line that does not start with a space (which would need an indentation indicator).
    private static bool IsLiteralBlock(string text) =>
        text.Contains('\n', StringComparison.Ordinal) && !text.EndsWith("\n\n", StringComparison.Ordinal) && !text.Contains('\r', StringComparison.Ordinal)
        && !text.Contains('\t', StringComparison.Ordinal) && !text.StartsWith(' ') && !text.StartsWith('\n') && !text.Split('\n').Any(l => l.EndsWith(' '));

    private static string YamlKey(string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '/' or '_' or '-') && char.IsAsciiLetter(key[0])
            ? key
            : JsonValue.Create(key).ToJsonString();

    // Words (a letter, then letters, digits, '.', '/', '_', '-') other than YAML's boolean and null spellings stay
    // plain; every other string is double-quoted, so that "1" or "on" remains a string.
    private static string Scalar(JsonNode? node)
    {
        if (node is JsonValue v && v.TryGetValue(out string? text) && text.Length > 0 && char.IsAsciiLetter(text[0])
            && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '/' or '_' or '-')
            && text.ToLowerInvariant() is not ("true" or "false" or "null" or "yes" or "no" or "on" or "off" or "y" or "n"))
        {
            return text;
        }

        return node is null ? "null" : node.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
