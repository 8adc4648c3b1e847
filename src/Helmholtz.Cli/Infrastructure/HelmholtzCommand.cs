using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Infrastructure;

/// <summary>Exit codes shared by every command.</summary>
internal static class ExitCode
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
}

/// <summary>
/// Base of every Helmholtz command: runs <see cref="Run"/> and turns exceptions into one message on stderr and an
/// exit code (2 for bad input — a wrong path, a corrupt file, an invalid option or model, a divergence — and 1 for
/// anything else, which <see cref="ErrorReport"/> reports as an internal failure).
/// </summary>
internal abstract class HelmholtzCommand<TSettings> : Command<TSettings>
    where TSettings : CommandSettings
{
    public sealed override int Execute(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        try
        {
            return Run(settings, cancellationToken);
        }
        catch (Exception ex)
        {
            // Bad input exits 2, cancellation and internal failures 1: ErrorReport is the one place that decides.
            return ErrorReport.Handle(ex, context.Arguments, typeof(TSettings));
        }
    }

    /// <summary>Does the command's work and returns its exit code.</summary>
    protected abstract int Run(TSettings settings, CancellationToken cancellationToken);

    // Divergence counts as bad input: the user fixes it by lowering a rate, and the message says which.
    internal static bool IsBadInput(Exception ex) => ex is BadInputException
        or Helmholtz.PredictiveCoding.PcDivergenceException
        or Helmholtz.Training.TrainingDivergedException
        or ArgumentException
        or FormatException
        or InvalidDataException
        or FileNotFoundException
        or DirectoryNotFoundException
        or JsonException;
}

/// <summary>A user error the CLI reports with exit code 2 (bad option, bad file, divergence the user can fix).</summary>
internal sealed class BadInputException(string message) : Exception(message);

/// <summary>Console helpers shared by the commands.</summary>
internal static class Cli
{
    /// <summary>Options for the one JSON object a <c>--json</c> command prints on its last line.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = false,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Writes <paramref name="value"/> as one line of JSON on stdout.</summary>
    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>Writes one error line to stderr.</summary>
    public static void Error(string message) => Console.Error.WriteLine($"error: {message}");

    /// <summary>
    /// The console for a command's result tables and summary lines: stdout, or stderr when <paramref name="json"/> keeps
    /// stdout for the JSON line. Piped or redirected, it is 1000 columns wide, so that tables are never wrapped.
    /// </summary>
    public static IAnsiConsole Results(bool json)
    {
        var writer = json ? Console.Error : Console.Out;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer) });
        if (json ? Console.IsErrorRedirected : Console.IsOutputRedirected)
        {
            console.Profile.Width = UnwrappedWidth;
        }

        return console;
    }

    /// <summary>The width of a redirected results console: wider than any table a command prints.</summary>
    public const int UnwrappedWidth = 1000;

    /// <summary>An ANSI console on stderr, so that progress and tables never mix with the JSON on stdout.</summary>
    public static IAnsiConsole Stderr { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
    });
}
