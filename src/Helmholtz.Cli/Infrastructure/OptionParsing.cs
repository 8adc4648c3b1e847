using System.Globalization;
using Helmholtz.Graphs;

namespace Helmholtz.Cli.Infrastructure;

/// <summary>Parsers for option values shared by several commands; each error names the option.</summary>
internal static class OptionParsing
{
    /// <summary>A comma-separated list of positive sizes (<c>128,128</c>); empty text gives an empty list.</summary>
    /// <exception cref="ArgumentException">An entry is not a positive integer.</exception>
    public static int[] SizeList(string? text, string option) =>
        string.IsNullOrWhiteSpace(text) ? []
            : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v
                    : throw new ArgumentException($"{option} must be a comma-separated list of positive integers (got '{text}')."))
                .ToArray();

    /// <summary><c>mse</c> or <c>cross-entropy</c>.</summary>
    /// <exception cref="ArgumentException">Any other name.</exception>
    public static LossKind Loss(string text) => text switch
    {
        "mse" => LossKind.Mse,
        "cross-entropy" => LossKind.CrossEntropy,
        _ => throw new ArgumentException($"--loss must be mse or cross-entropy (got '{text}')."),
    };
}
