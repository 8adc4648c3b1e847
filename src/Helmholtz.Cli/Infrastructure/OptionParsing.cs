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

    /// <summary>Null when <paramref name="value"/> is positive and finite, else the message naming <paramref name="option"/>.</summary>
    public static string? Positive(string option, double value) =>
        value > 0 && double.IsFinite(value) ? null : Invalid(option, value, "a finite number > 0");

    /// <summary>Null when <paramref name="value"/> lies in <paramref name="min"/>…<paramref name="max"/>, else the message naming <paramref name="option"/>.</summary>
    public static string? InRange(string option, long value, long min, long max) =>
        value >= min && value <= max ? null : Invalid(option, value, string.Create(CultureInfo.InvariantCulture, $"{min}…{max}"));

    /// <summary>The message for an option whose value is outside what it accepts: <c>--lr 0: must be a finite number &gt; 0.</c></summary>
    public static string Invalid(string option, double value, string accepted) =>
        string.Create(CultureInfo.InvariantCulture, $"{option} {value}: must be {accepted}.");

    /// <summary>The first non-null message as a validation error, or success.</summary>
    public static Spectre.Console.ValidationResult FirstError(params string?[] messages) =>
        messages.FirstOrDefault(m => m is not null) is { } m ? Spectre.Console.ValidationResult.Error(m) : Spectre.Console.ValidationResult.Success();
}
