using System.ComponentModel;
using System.Globalization;
using System.Numerics.Tensors;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Data;
using Helmholtz.Graphs;
using Helmholtz.Tensors;
using Helmholtz.Training;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Predict;

/// <summary>Options of <c>helmholtz predict</c>.</summary>
internal sealed class PredictSettings : CommandSettings
{
    [CommandOption("--checkpoint <FILE>")]
    [Description("A checkpoint written by 'train' (checkpoint.safetensors in its run folder).")]
    public string Checkpoint { get; init; } = "";

    [CommandOption("--count <N>")]
    [Description("Predict the first N test examples (0: all).")]
    [DefaultValue(100)]
    public int Count { get; init; } = 100;

    [CommandOption("--data <DIR>")]
    [Description("Folder with the dataset's IDX files (default: the checkpoint's, or where Debian installs it).")]
    public string? DataDirectory { get; init; }

    [CommandOption("--out <FILE>")]
    [Description("Write the inputs (x [[N, features]]), labels (label [[N]]) and network outputs (output [[N, classes]]) as safetensors.")]
    public string? Out { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object with the results as the last line of stdout.")]
    public bool Json { get; init; }

    public override Spectre.Console.ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Checkpoint))
        {
            return Spectre.Console.ValidationResult.Error("--checkpoint is required.");
        }

        return Count < 0
            ? Spectre.Console.ValidationResult.Error($"--count must be 0 or more (got {Count}).")
            : Spectre.Console.ValidationResult.Success();
    }
}

/// <summary>
/// <c>helmholtz predict</c>: runs a trained network forward on the first test examples of its dataset and reports (or
/// writes) its outputs, e.g. to compare them with the same parameters loaded elsewhere (python/helmholtz_io.py).
/// </summary>
internal sealed class PredictCommand : HelmholtzCommand<PredictSettings>
{
    private const string OptimizerPrefix = "optimizer.";

    protected override int Run(PredictSettings settings, CancellationToken cancellationToken)
    {
        var checkpoint = Checkpoint.ReadMetadata(settings.Checkpoint);
        var file = Checkpoint.ReadTensors(settings.Checkpoint);
        var config = checkpoint.Config;
        var data = DatasetCatalog.Load(config.Dataset, settings.DataDirectory ?? config.DataDirectory).Test;
        int n = settings.Count == 0 ? data.Count : Math.Min(settings.Count, data.Count);

        // The initial draw is overwritten by the checkpoint's parameters.
        var model = TrainingSetup.CreateModel(config, data, new Rng(config.Seed));
        var parameters = file.Tensors.Where(kv => !kv.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        try
        {
            model.Graph.LoadParameters(parameters);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{settings.Checkpoint}: the checkpoint does not fit its own configuration: {ex.Message}", ex);
        }

        var executor = new Executor(model.Graph, n, new OpContext(Environment.ProcessorCount));
        int features = data.Features;
        var x = new FloatTensor(data.Images.ReadOnlySpan[..(n * features)].ToArray(), [n, features]);
        x.ReadOnlySpan.CopyTo(executor.Value(model.Input).Span);
        executor.Forward();
        var output = executor.Value(model.Output).ReadOnlySpan;
        int classes = output.Length / n;
        var outputs = new FloatTensor(output.ToArray(), [n, classes]);
        var labels = new float[n];
        int correct = 0;
        for (int i = 0; i < n; i++)
        {
            labels[i] = data.Label(i);
            if (TensorPrimitives.IndexOfMax(output.Slice(i * classes, classes)) == data.Label(i))
            {
                correct++;
            }
        }

        if (settings.Out is not null)
        {
            var tensors = new Dictionary<string, FloatTensor>(StringComparer.Ordinal)
            {
                ["x"] = x,
                ["label"] = new FloatTensor(labels, [n]),
                ["output"] = outputs,
            };
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["format"] = "helmholtz-predictions-1",
                ["checkpoint"] = Path.GetFileName(settings.Checkpoint),
                ["dataset"] = config.Dataset,
            };
            SafetensorsFile.Write(settings.Out, tensors, metadata);
        }

        double accuracy = (double)correct / n;
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(new { Examples = n, Correct = correct, Accuracy = accuracy, Out = settings.Out });
        }
        else
        {
            Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{n} test examples of {config.Dataset}: {correct} correct ({accuracy:P2}){(settings.Out is null ? "" : $"; outputs in {settings.Out}")}"));
        }

        return ExitCode.Ok;
    }
}
