using System.Text.RegularExpressions;

namespace Helmholtz.Cli.Infrastructure;

/// <summary>The one table from library property names (in the library's validation messages) to the CLI's flags.</summary>
internal static partial class PropertyFlags
{
    private static readonly Dictionary<string, string> Flags = new(StringComparer.Ordinal)
    {
        ["Algorithm"] = "--algo",
        ["Model"] = "--model",
        ["Hidden"] = "--hidden",
        ["Epochs"] = "--epochs",
        ["BatchSize"] = "--batch",
        ["LearningRate"] = "--lr",
        ["Optimizer"] = "--optimizer",
        ["Momentum"] = "--momentum",
        ["WeightDecay"] = "--weight-decay",
        ["Threads"] = "--threads",
        ["MaxBatches"] = "--max-batches",
        ["InferenceSteps"] = "--T",
        ["InferenceRate"] = "--eta-v",
        ["OutputVariance"] = "--output-variance",
        ["DataDirectory"] = "--data",
        ["Depth"] = "--depth",
        ["Parametrisation"] = "--param",

        // Sizes named in work-limit and range messages (issue 15).
        ["Size"] = "--size",
        ["Goal"] = "--goal",
        ["Walls"] = "--walls",
        ["Cells"] = "--cells",
        ["Settings"] = "--settings",
        ["Horizon"] = "--horizon",
        ["Candidates"] = "--candidates",
        ["EnsembleSize"] = "--ensemble",
        ["BufferCapacity"] = "--buffer",

        // The control agents' options (DqnOptions, DeepAifOptions) whose names differ from aif control's settings.
        ["ValueLearningRate"] = "--lr",
        ["PolicyLearningRate"] = "--lr",
        ["TransitionLearningRate"] = "--lr",
        ["TargetTau"] = "--tau",
        ["EpsilonEnd"] = "--epsilon-end",
        ["EpsilonDecaySteps"] = "--epsilon-decay",
        ["FinalLearningRateFraction"] = "--lr-final",
        ["LearningRateDecaySteps"] = "--lr-decay",
        ["TargetUpdateInterval"] = "--target-interval",
        ["WarmupSteps"] = "--warmup",
        ["InitialPrecision"] = "--precision-start",
        ["PrecisionAnnealSteps"] = "--precision-anneal",
        ["HiddenSizes"] = "--hidden",
    };

    /// <summary>The flag of <paramref name="property"/>, or null when the CLI has none.</summary>
    public static string? Of(string property) => Flags.GetValueOrDefault(property);

    /// <summary>The message of a library exception with its property names replaced by the CLI's flags.</summary>
    public static string Describe(Exception ex) => Describe(ex, null);

    /// <summary>
    /// The message of a library exception with its property names replaced by the CLI's flags: first the flags of
    /// <paramref name="settings"/>'s properties of the same name (a command's <c>BatchSize</c> is its own flag), then the table.
    /// </summary>
    public static string Describe(Exception ex, Type? settings)
    {
        ArgumentNullException.ThrowIfNull(ex);
        if (ex is not (ArgumentException or IOException or Helmholtz.Training.TrainingDivergedException))
        {
            return ex.Message;
        }

        // ArgumentException appends " (Parameter 'name')", a C# parameter name that means nothing to a user.
        string message = ex is ArgumentException { ParamName: { } p } ? ex.Message.Replace($" (Parameter '{p}')", "", StringComparison.Ordinal) : ex.Message;
        var own = settings is null ? null : ErrorReport.Options([settings]).GroupBy(o => o.Property.Name).ToDictionary(g => g.Key, g => g.First().Name, StringComparer.Ordinal);
        return PropertyWord().Replace(message, m => own?.GetValueOrDefault(m.Value) ?? (Flags.TryGetValue(m.Value, out var flag) ? flag : m.Value));
    }

    // Property names are PascalCase words; only whole words that are in the table are replaced.
    [GeneratedRegex(@"\b[A-Z][A-Za-z]+\b")]
    private static partial Regex PropertyWord();
}
