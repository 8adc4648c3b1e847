using System.ComponentModel;
using System.Globalization;
using Helmholtz.Cli.Commands.Train;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Graphs;
using Helmholtz.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Quickstart;

/// <summary>Options of <c>helmholtz quickstart</c>.</summary>
internal sealed class QuickstartSettings : CommandSettings
{
    [CommandOption("--out <DIR>")]
    [Description("Parent folder of the run folders (default: runs).")]
    [DefaultValue("runs")]
    public string Out { get; init; } = "runs";

    [CommandOption("--epochs <N>")]
    [DefaultValue(10)]
    public int Epochs { get; init; } = 10;

    [CommandOption("--seed <S>")]
    [DefaultValue(1UL)]
    public ulong Seed { get; init; } = 1;

    [CommandOption("--json")]
    [Description("Print one JSON object with the accuracies as the last line of stdout.")]
    public bool Json { get; init; }
}

/// <summary><c>helmholtz quickstart</c>: trains a small network on the embedded digits and reports its accuracy.</summary>
internal sealed class QuickstartCommand : HelmholtzCommand<QuickstartSettings>
{
    protected override int Run(QuickstartSettings settings, CancellationToken cancellationToken)
    {
        var console = Infrastructure.Cli.Stderr;
        console.Write(new Rule("[yellow]Helmholtz quickstart[/]").LeftJustified());
        console.MarkupLine("An MLP 784-128-10 learns the embedded MNIST digits (8,000 train / 2,000 held out), the same net with the same");
        console.MarkupLine("hyper-parameters three ways: exact backprop, fixed-prediction PC (T = 20) and standard PC (Whittington & Bogacz).");
        var results = new List<(string Algorithm, SessionResult Result)>();
        using var runFolder = RunFolderGuard.Take(OutPath.Folder(settings.Out));
        foreach (string algorithm in QuickstartAlgorithms)
        {
            var config = Configure(algorithm, settings);
            string dir = Path.Combine(settings.Out, $"quickstart-{algorithm}");
            results.Add((algorithm, TrainingSession.Run(config, dir, resumeFile: null, quiet: false, cancellationToken)));
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("algorithm", "test accuracy", "seconds", "run folder");
        foreach (var (algorithm, result) in results)
        {
            table.AddRow(
                algorithm,
                (100 * result.Last.TestAccuracy).ToString("0.00", CultureInfo.InvariantCulture) + " %",
                result.Metrics.Sum(m => m.EpochSeconds).ToString("0.0", CultureInfo.InvariantCulture),
                Markup.Escape(Path.GetFullPath(result.RunDirectory!)));
        }

        Infrastructure.Cli.Results(settings.Json).Write(table);
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(results.ToDictionary(r => r.Algorithm, r => new
            {
                test_accuracy = r.Result.Last.TestAccuracy,
                run_dir = Path.GetFullPath(r.Result.RunDirectory!),
            }));
        }

        return ExitCode.Ok;
    }

    /// <summary>The algorithms the quickstart trains side by side (PC with T = 20, η_v = 0.1, the train defaults).</summary>
    internal static IReadOnlyList<string> QuickstartAlgorithms => ["bp", "pc-fixed", "pc-standard"];

    /// <summary>The quickstart's configuration for one algorithm: the same network and hyper-parameters for each.</summary>
    internal static TrainingConfig Configure(string algorithm, QuickstartSettings settings) => new()
    {
        Algorithm = algorithm,
        Model = "mlp",
        Hidden = [128],
        Loss = LossKind.CrossEntropy,
        Dataset = "digits",
        Epochs = settings.Epochs,
        BatchSize = 32,
        LearningRate = 0.2f,
        Optimizer = "sgd",
        Seed = settings.Seed,
        Threads = Environment.ProcessorCount,
    };
}
