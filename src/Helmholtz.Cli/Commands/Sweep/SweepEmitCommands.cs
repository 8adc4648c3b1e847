using System.ComponentModel;
using Helmholtz.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Sweep;

/// <summary>Options of <c>helmholtz sweep emit slurm</c>.</summary>
internal sealed class SweepEmitSlurmSettings : SweepFileSettings
{
    [CommandOption("--out <FILE>")]
    [Description("Write the sbatch script here (atomically) instead of to stdout.")]
    public string? Out { get; init; }

    [CommandOption("--max-parallel <K>")]
    [Description("Array tasks running at the same time (the %K of --array; default: all).")]
    public int? MaxParallel { get; init; }

    [CommandOption("--cpus-per-task <C>")]
    [DefaultValue(1)]
    public int CpusPerTask { get; init; } = 1;

    [CommandOption("--mem <M>")]
    [Description("Memory per task in Slurm's notation (2G).")]
    public string? Memory { get; init; }

    [CommandOption("--time <T>")]
    [Description("Time limit per task in Slurm's notation (00:30:00).")]
    public string? Time { get; init; }

    [CommandOption("--partition <P>")]
    public string? Partition { get; init; }

    [CommandOption("--retries <R>")]
    [Description("Extra attempts of a run inside its array task.")]
    [DefaultValue(0)]
    public int Retries { get; init; }

    [CommandOption("--helmholtz <PATH>")]
    [Description("The helmholtz executable the tasks start (default: this one's absolute path).")]
    public string? Helmholtz { get; init; }

    public override ValidationResult Validate() =>
        MaxParallel is < 1 ? ValidationResult.Error("--max-parallel must be at least 1.")
        : CpusPerTask < 1 ? ValidationResult.Error("--cpus-per-task must be at least 1.")
        : Retries < 0 ? ValidationResult.Error("--retries must be 0 or more.")
        : ValidationResult.Success();
}

/// <summary><c>helmholtz sweep emit slurm</c>: an sbatch job-array script, one array task per run.</summary>
internal sealed class SweepEmitSlurmCommand : HelmholtzCommand<SweepEmitSlurmSettings>
{
    protected override int Run(SweepEmitSlurmSettings settings, CancellationToken cancellationToken)
    {
        var spec = SweepFiles.Load(settings);
        int count = spec.Expand().Count;
        IReadOnlyList<string> program = settings.Helmholtz is { } h ? [h] : SelfProcess.CommandWords();
        string file = Path.GetFullPath(settings.File);
        // Slurm opens the tasks' output files before they start: their folder must exist.
        Directory.CreateDirectory(spec.Output);
        string script = SweepSchedulers.SlurmArray(count, new SlurmArrayOptions
        {
            JobName = "helmholtz-" + SweepSchedulers.DnsLabel(spec.Name, 50),
            MaxParallel = settings.MaxParallel ?? 0,
            CpusPerTask = settings.CpusPerTask,
            Memory = settings.Memory,
            Time = settings.Time,
            Partition = settings.Partition,
            LogDirectory = spec.Output,
        }, index => SweepFiles.RunWords(program, file, index, settings.Output is null ? null : spec.Output, settings.Retries));
        SweepFiles.Emit(script, settings.Out);
        if (settings.Out is not null)
        {
            Console.Error.WriteLine($"{settings.Out}: {count} array tasks; submit with: sbatch {SweepSchedulers.ShellQuote(settings.Out)}");
        }

        return ExitCode.Ok;
    }
}

/// <summary>Options of <c>helmholtz sweep emit k8s</c>.</summary>
internal sealed class SweepEmitK8sSettings : SweepFileSettings
{
    [CommandOption("--out <FILE>")]
    [Description("Write the manifest here (atomically) instead of to stdout.")]
    public string? Out { get; init; }

    [CommandOption("--image <IMAGE>")]
    [Description("Container image with helmholtz on its PATH.")]
    [DefaultValue("helmholtz:latest")]
    public string Image { get; init; } = "helmholtz:latest";

    [CommandOption("--pvc <NAME>")]
    [Description("PersistentVolumeClaim that holds the run folders (ReadWriteMany when pods share nodes).")]
    [DefaultValue("helmholtz-runs")]
    public string Pvc { get; init; } = "helmholtz-runs";

    [CommandOption("--mount <PATH>")]
    [Description("Where the claim is mounted in the container; the runs go to <PATH>/<job name>.")]
    [DefaultValue("/runs")]
    public string Mount { get; init; } = "/runs";

    [CommandOption("--parallelism <K>")]
    [Description("Pods running at the same time (default: all).")]
    public int? Parallelism { get; init; }

    [CommandOption("--retries <R>")]
    [Description("Retries of one index before it counts as failed (backoffLimitPerIndex).")]
    [DefaultValue(1)]
    public int Retries { get; init; } = 1;

    [CommandOption("--cpu <C>")]
    [Description("CPU request and limit per pod (1, 500m).")]
    public string? Cpu { get; init; }

    [CommandOption("--mem <M>")]
    [Description("Memory request and limit per pod (2Gi).")]
    public string? Memory { get; init; }

    [CommandOption("--helmholtz <PATH>")]
    [Description("The helmholtz executable inside the image.")]
    [DefaultValue("helmholtz")]
    public string Helmholtz { get; init; } = "helmholtz";

    [CommandOption("--json")]
    [Description("Write the manifest as JSON instead of YAML.")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        Parallelism is < 1 ? ValidationResult.Error("--parallelism must be at least 1.")
        : Retries < 0 ? ValidationResult.Error("--retries must be 0 or more.")
        : !Mount.StartsWith('/') ? ValidationResult.Error("--mount must be an absolute path.")
        : ValidationResult.Success();
}

/// <summary><c>helmholtz sweep emit k8s</c>: a Kubernetes Indexed Job (and a ConfigMap with the sweep file), one completion index per run.</summary>
internal sealed class SweepEmitK8sCommand : HelmholtzCommand<SweepEmitK8sSettings>
{
    protected override int Run(SweepEmitK8sSettings settings, CancellationToken cancellationToken)
    {
        var spec = SweepFiles.Load(settings);
        int count = spec.Expand().Count;
        var options = new KubernetesJobOptions
        {
            Name = "helmholtz-" + spec.Name,
            Image = settings.Image,
            VolumeClaim = settings.Pvc,
            MountPath = settings.Mount,
            SweepFileName = Path.GetFileName(settings.File),
            SweepFileText = File.ReadAllText(settings.File),
            Parallelism = settings.Parallelism ?? 0,
            BackoffLimitPerIndex = settings.Retries,
            Cpu = settings.Cpu,
            Memory = settings.Memory,
        };
        // Inside the container the output root is on the claim; --output names another folder there.
        string output = settings.Output ?? options.OutputPath;
        var manifest = SweepSchedulers.KubernetesJob(count, options,
            index => SweepFiles.RunWords([settings.Helmholtz], options.SweepFilePath, index, output, 0));
        SweepFiles.Emit(settings.Json ? SweepSchedulers.ToJson(manifest) : SweepSchedulers.ToYaml(manifest), settings.Out);
        if (settings.Out is not null)
        {
            Console.Error.WriteLine($"{settings.Out}: an Indexed Job of {count} completions; run folders in {output} on claim {settings.Pvc}; apply with: kubectl apply -f {SweepSchedulers.ShellQuote(settings.Out)}");
        }

        return ExitCode.Ok;
    }
}
