using System.Reflection;
using System.Text.RegularExpressions;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Infrastructure;

/// <summary>
/// The one place that turns an exception into the line on stderr and the exit code: parse and validation errors
/// and bad input exit 2 with a message that names the option as typed and what it accepts; a file-system failure (a
/// full disk, no permission) and cancellation exit 1 with their message; anything else is an internal failure and
/// exits 1 with the exception's type and a request to report it.
/// </summary>
internal static partial class ErrorReport
{
    /// <summary>The environment variable that adds the stack trace to an internal failure's message (set it to 1).</summary>
    public const string DebugVariable = "HELMHOLTZ_DEBUG";

    /// <summary>Each option's value type by its long name (<c>--epochs</c>), over every command's settings.</summary>
    private static readonly Lazy<Dictionary<string, Type>> OptionTypes = new(() =>
    {
        var types = new Dictionary<string, Type>(StringComparer.Ordinal);
        foreach (var (name, property) in Options(typeof(ErrorReport).Assembly.GetTypes().Where(t => typeof(CommandSettings).IsAssignableFrom(t))))
        {
            types.TryAdd(name, property.PropertyType);
        }

        return types;
    });

    private static bool Debug => Environment.GetEnvironmentVariable(DebugVariable) is { Length: > 0 } v && v != "0";

    /// <summary>Reports <paramref name="ex"/>, which escaped a command or the parser, and returns the exit code.</summary>
    /// <param name="ex">The exception.</param>
    /// <param name="typed">The arguments as the user typed them (before <see cref="Program.NormalizeArguments"/>).</param>
    public static int Handle(Exception ex, IReadOnlyList<string> typed) => Handle(ex, typed, null);

    /// <summary>Reports <paramref name="ex"/> from a command whose settings type is <paramref name="settings"/> (null: unknown) and returns the exit code.</summary>
    public static int Handle(Exception ex, IReadOnlyList<string> typed, Type? settings)
    {
        ArgumentNullException.ThrowIfNull(ex);

        // Parallel work wraps what one worker threw; report that.
        while (ex is AggregateException { InnerExceptions.Count: 1 } aggregate)
        {
            ex = aggregate.InnerExceptions[0];
        }

        if (ex is CommandAppException)
        {
            Cli.Error(NameTheOption(ParseMessage(ex.Message, typed), typed));
            if (Debug)
            {
                Console.Error.WriteLine($"({ex.GetType().Name}: {ex.Message})");
            }

            return ExitCode.BadInput;
        }

        if (HelmholtzCommand<CommandSettings>.IsBadInput(ex))
        {
            return BadInput(ex, typed, settings);
        }

        // The file system refused a write or a read (a full disk, no permission): not a bug, nothing the options can fix.
        if (ex is IOException or UnauthorizedAccessException)
        {
            Cli.Error(ex.Message);
            return ExitCode.Failure;
        }

        if (ex is OperationCanceledException)
        {
            Cli.Error("cancelled");
            return ExitCode.Failure;
        }

        return Internal(ex);
    }

    /// <summary>Reports a bad-input exception (<see cref="HelmholtzCommand{TSettings}.IsBadInput"/>) with exit code 2.</summary>
    /// <param name="ex">The exception.</param>
    /// <param name="typed">The command's arguments, to find the option a rejected value was given to.</param>
    /// <param name="settings">The command's settings type, whose property names map to its flags first.</param>
    public static int BadInput(Exception ex, IReadOnlyList<string> typed, Type? settings)
    {
        Cli.Error(NameTheOption(PropertyFlags.Describe(ex, settings), typed));
        return ExitCode.BadInput;
    }

    /// <summary>Reports an unexpected failure (a bug): its message, its type, and a request to report it; exit code 1.</summary>
    public static int Internal(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        bool debug = Debug;
        Cli.Error($"internal error ({ex.GetType().FullName}): {ex.Message} This is a bug in Helmholtz; please report it with the command line"
            + (debug ? "." : $" (set {DebugVariable}=1 to print the stack trace)."));
        if (debug)
        {
            Console.Error.WriteLine(ex.ToString());
        }

        return ExitCode.Failure;
    }

    /// <summary>Every option of the settings types <paramref name="settings"/> as (long name with dashes, property).</summary>
    internal static IEnumerable<(string Name, PropertyInfo Property)> Options(IEnumerable<Type> settings) =>
        from type in settings
        from property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        let option = property.GetCustomAttribute<CommandOptionAttribute>()
        where option is not null
        from name in option.LongNames
        select ("--" + name, property);

    /// <summary>Rewrites Spectre.Console.Cli's parse messages so that they name the option as typed and what it accepts.</summary>
    internal static string ParseMessage(string message, IReadOnlyList<string> typed)
    {
        var unknownCommand = UnknownCommand().Match(message);
        if (unknownCommand.Success)
        {
            // A value given to a flag (a bool option) is parsed as a command: "--shuffle maybe".
            string value = unknownCommand.Groups[1].Value;
            int at = IndexOf(typed, value);
            if (at > 0 && typed[at - 1].StartsWith("--", StringComparison.Ordinal) && TypeOf(typed[at - 1]) is { } type)
            {
                return $"{typed[at - 1]} '{value}': expected {Accepts(type)}.";
            }

            return message;
        }

        var convert = FailedToConvert().Match(message);
        if (convert.Success)
        {
            string value = convert.Groups[1].Value;
            int at = IndexOf(typed, value);
            if (at > 0 && typed[at - 1].StartsWith("--", StringComparison.Ordinal))
            {
                return $"{typed[at - 1]} '{value}': expected {Accepts(TypeOf(typed[at - 1]))}.";
            }

            int eq = typed.ToList().FindIndex(a => a.StartsWith("--", StringComparison.Ordinal) && a.EndsWith("=" + value, StringComparison.Ordinal));
            if (eq >= 0)
            {
                string option = typed[eq][..typed[eq].IndexOf('=', StringComparison.Ordinal)];
                return $"{option} '{value}': expected {Accepts(TypeOf(option))}.";
            }

            // The parser found no value ('__default_command'): an option of that type followed by another option or by nothing.
            string typeName = convert.Groups[2].Value;
            for (int i = 0; i < typed.Count; i++)
            {
                if (typed[i].StartsWith("--", StringComparison.Ordinal) && !typed[i].Contains('=', StringComparison.Ordinal)
                    && (i + 1 == typed.Count || typed[i + 1].StartsWith("--", StringComparison.Ordinal))
                    && TypeOf(typed[i]) is { } type && type != typeof(bool)
                    && (type.Name == typeName || Nullable.GetUnderlyingType(type)?.Name == typeName || (type.Name == "Nullable`1" && typeName == "Nullable`1")))
                {
                    return $"{typed[i]} needs a value ({Accepts(type)}).";
                }
            }

            return message;
        }

        var noValue = NoValue().Match(message);
        if (noValue.Success)
        {
            string option = Typed("--" + noValue.Groups[1].Value, typed);
            return $"{option} needs a value ({Accepts(TypeOf("--" + noValue.Groups[1].Value))}).";
        }

        var unknownOption = UnknownOption().Match(message);
        if (unknownOption.Success)
        {
            return $"Unknown option '{Typed("--" + unknownOption.Groups[1].Value, typed)}' for this command (see --help).";
        }

        return message;
    }

    /// <summary>
    /// Prefixes a rejected value's message with the option it was typed after (<c>--env 'cartpol': …</c>) where the
    /// message does not name it, and suggests the nearest accepted value that the message lists.
    /// </summary>
    internal static string NameTheOption(string message, IReadOnlyList<string> typed)
    {
        var quoted = QuotedValue().Match(message);
        if (!quoted.Success)
        {
            return message;
        }

        string value = quoted.Groups[1].Value;
        int at = IndexOf(typed, value);
        string named = message;
        if (at > 0 && typed[at - 1].StartsWith("--", StringComparison.Ordinal))
        {
            string option = Typed(typed[at - 1], typed);
            named = message.Contains(option, StringComparison.Ordinal) ? message : $"{option} '{value}': {message}";
        }
        else if (at < 0)
        {
            return message;
        }

        return Nearest(value, message) is { } suggestion ? $"{named.TrimEnd('.')}. Did you mean '{suggestion}'?" : named;
    }

    /// <summary>The listed word of <paramref name="message"/> nearest to <paramref name="value"/> (edit distance at most a quarter of its length, at least 1), or null.</summary>
    internal static string? Nearest(string value, string message)
    {
        string rest = message.Replace($"'{value}'", " ", StringComparison.Ordinal);
        int limit = Math.Max(1, value.Length / 4);
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (Match m in ListedWord().Matches(rest))
        {
            int d = EditDistance(value.ToLowerInvariant(), m.Value);
            if (d > 0 && d <= limit && d < bestDistance)
            {
                (best, bestDistance) = (m.Value, d);
            }
        }

        return best;
    }

    private static int EditDistance(string a, string b)
    {
        // Damerau–Levenshtein (optimal string alignment): a swapped pair of letters counts once.
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (int j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>The spelling the user typed for <paramref name="option"/> (<c>--T</c> for <c>--inference-steps</c>).</summary>
    private static string Typed(string option, IReadOnlyList<string> typed) =>
        Program.OneLetterOptions.FirstOrDefault(kv => kv.Value == option && typed.Any(a => a == kv.Key || a.StartsWith(kv.Key + "=", StringComparison.Ordinal))).Key ?? option;

    private static Type? TypeOf(string option) =>
        OptionTypes.Value.GetValueOrDefault(Program.OneLetterOptions.GetValueOrDefault(option) ?? option);

    private static int IndexOf(IReadOnlyList<string> typed, string value)
    {
        for (int i = typed.Count - 1; i >= 0; i--)
        {
            if (typed[i] == value)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>What an option of <paramref name="type"/> accepts, in words.</summary>
    internal static string Accepts(Type? type) => (Nullable.GetUnderlyingType(type ?? typeof(string)) ?? type) switch
    {
        { } t when t == typeof(bool) => "true or false",
        { } t when t == typeof(int) => "an integer",
        { } t when t == typeof(ulong) => "a non-negative integer",
        { } t when t == typeof(float) || t == typeof(double) => "a number",
        { IsEnum: true } t => "one of " + string.Join(", ", Enum.GetNames(t).Select(n => n.ToLowerInvariant())),
        _ => "a value",
    };

    [GeneratedRegex(@"^Unknown command '(.*)'\.?$")]
    private static partial Regex UnknownCommand();

    [GeneratedRegex(@"^Failed to convert '(.*)' to ([A-Za-z0-9`]+)\.?$")]
    private static partial Regex FailedToConvert();

    [GeneratedRegex(@"^Option '([A-Za-z0-9-]+)' is defined but no value has been provided\.?$")]
    private static partial Regex NoValue();

    [GeneratedRegex(@"^Unknown option '([A-Za-z0-9-]+)'\.?$")]
    private static partial Regex UnknownOption();

    [GeneratedRegex(@"'([^'\s]+)'")]
    private static partial Regex QuotedValue();

    [GeneratedRegex(@"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")]
    private static partial Regex ListedWord();
}
