using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Helmholtz.Sweeps;

/// <summary>How a swept value becomes arguments: an option with a value, or a switch present (true) or absent (false).</summary>
/// <param name="Option">The option name, as the command spells it.</param>
/// <param name="Text">The value's text (numbers keep their JSON spelling); "true"/"false" for a switch.</param>
/// <param name="IsSwitch">True when the value was a JSON boolean.</param>
public readonly record struct SweepValue(string Option, string Text, bool IsSwitch);

/// <summary>What the caller knows about the commands a sweep may name: their paths and the options for the seed and the run folder.</summary>
/// <param name="Commands">Known command paths, words separated by one space ("train", "aif run").</param>
/// <param name="SeedOption">The option that sets a run's seed.</param>
/// <param name="OutputOption">The option that sets a run's folder.</param>
public sealed record SweepConventions(IReadOnlyList<string> Commands, string SeedOption, string OutputOption);

/// <summary>One run of a sweep: its index, folder and the full argument list that performs it.</summary>
/// <param name="Index">0-based position in the expansion order.</param>
/// <param name="Name">The run folder's name, derived from the values alone.</param>
/// <param name="Folder">The run folder's full path.</param>
/// <param name="Values">The swept values of this run, in axis order.</param>
/// <param name="Seed">The seed, or null when the sweep has no seeds.</param>
/// <param name="Arguments">Command words, fixed arguments, swept values, seed and run folder.</param>
public sealed record SweepRun(int Index, string Name, string Folder, IReadOnlyList<SweepValue> Values, ulong? Seed, IReadOnlyList<string> Arguments);

/// <summary>A sweep: one command, axes of option values (grid, list or zip), seeds and an output root.</summary>
/// <remarks>
/// Runs are the product of the axes in file order (the first axis varies slowest), with seeds varying fastest. A grid
/// axis is the product of its options in key order; a list axis is its listed combinations; a zip axis pairs the i-th
/// values of its options, which must all have the same count.
/// </remarks>
public sealed record SweepSpec
{
    /// <summary>The sweep's name (default: the file name without extension).</summary>
    public required string Name { get; init; }

    /// <summary>The command words and fixed arguments.</summary>
    public required IReadOnlyList<string> Command { get; init; }

    /// <summary>The axes; each is a list of points, each point a list of values.</summary>
    public required IReadOnlyList<IReadOnlyList<IReadOnlyList<SweepValue>>> Axes { get; init; }

    /// <summary>The seeds (empty: no seed argument).</summary>
    public required IReadOnlyList<ulong> Seeds { get; init; }

    /// <summary>The output root that holds one folder per run (full path).</summary>
    public required string Output { get; init; }

    /// <summary>The conventions the sweep was read with.</summary>
    public required SweepConventions Conventions { get; init; }

    /// <summary>Reads a JSON sweep file; relative output roots are relative to the file's folder.</summary>
    /// <exception cref="InvalidDataException">The file is not a valid sweep; the message names the field.</exception>
    public static SweepSpec Read(string path, SweepConventions conventions)
    {
        string full = Path.GetFullPath(path);
        return Parse(File.ReadAllText(full), Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full), conventions);
    }

    /// <summary>Parses sweep JSON text.</summary>
    /// <exception cref="InvalidDataException">The text is not a valid sweep; the message names the field.</exception>
    public static SweepSpec Parse(string json, string baseDirectory, string defaultName, SweepConventions conventions)
    {
        ArgumentNullException.ThrowIfNull(conventions);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"sweep file: not valid JSON ({ex.Message})", ex);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Bad("(root)", "must be a JSON object");
            }

            foreach (var p in root.EnumerateObject())
            {
                if (p.Name is not ("name" or "command" or "axes" or "seeds" or "output"))
                {
                    throw Bad(p.Name, "unknown field (known: name, command, axes, seeds, output)");
                }
            }

            string name = root.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : defaultName;
            if (!root.TryGetProperty("command", out var c) || c.ValueKind != JsonValueKind.Array || c.GetArrayLength() == 0)
            {
                throw Bad("command", "must be a non-empty array of strings (command words, then fixed arguments)");
            }

            var command = c.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.String ? e.GetString()! : throw Bad($"command[{i}]", "must be a string")).ToArray();
            string path = string.Join(' ', command.TakeWhile(w => !w.StartsWith('-')));
            if (!conventions.Commands.Contains(path, StringComparer.Ordinal))
            {
                throw Bad("command", $"'{path}' is not a known command (known: {string.Join(", ", conventions.Commands)})");
            }

            if (command.Contains(conventions.OutputOption, StringComparer.Ordinal))
            {
                throw Bad("command", $"must not contain '{conventions.OutputOption}': the sweep sets each run's folder");
            }

            var axes = new List<IReadOnlyList<IReadOnlyList<SweepValue>>>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            if (root.TryGetProperty("axes", out var a))
            {
                if (a.ValueKind != JsonValueKind.Array)
                {
                    throw Bad("axes", "must be an array of {\"grid\": …}, {\"list\": …} or {\"zip\": …}");
                }

                int i = 0;
                foreach (var axis in a.EnumerateArray())
                {
                    axes.Add(ParseAxis(axis, $"axes[{i}]", command, seen));
                    i++;
                }
            }

            var seeds = new List<ulong>();
            if (root.TryGetProperty("seeds", out var s))
            {
                seeds.AddRange(ParseSeeds(s));
                if (seeds.Count > 0 && command.Contains(conventions.SeedOption, StringComparer.Ordinal))
                {
                    throw Bad("command", $"must not contain '{conventions.SeedOption}' when seeds are swept");
                }
            }

            string output = root.TryGetProperty("output", out var o) && o.ValueKind == JsonValueKind.String
                ? o.GetString()!
                : Path.Combine("runs", "sweep-" + name);
            return new SweepSpec
            {
                Name = name,
                Command = command,
                Axes = axes,
                Seeds = seeds,
                Output = Path.GetFullPath(Path.Combine(baseDirectory, output)),
                Conventions = conventions,
            };
        }
    }

    /// <summary>The runs in expansion order (axes in file order, first slowest; seeds fastest).</summary>
    public IReadOnlyList<SweepRun> Expand()
    {
        IEnumerable<IReadOnlyList<SweepValue>> points = [[]];
        foreach (var axis in Axes)
        {
            points = points.SelectMany(p => axis.Select(q => (IReadOnlyList<SweepValue>)[.. p, .. q])).ToList();
        }

        var combos = new List<(IReadOnlyList<SweepValue> Values, ulong? Seed)>();
        foreach (var p in points)
        {
            if (Seeds.Count == 0)
            {
                combos.Add((p, null));
            }
            else
            {
                combos.AddRange(Seeds.Select(seed => (p, (ulong?)seed)));
            }
        }

        var names = combos.Select(x => ReadableName(x.Values, x.Seed)).ToArray();
        var duplicates = names.GroupBy(x => x, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.Ordinal);
        var runs = new List<SweepRun>(combos.Count);
        for (int i = 0; i < combos.Count; i++)
        {
            var (values, seed) = combos[i];
            string runName = names[i];
            if (duplicates.Contains(runName) || runName.Length > 120)
            {
                string canonical = string.Join('\u001f', values.Select(v => v.Option + "=" + v.Text)) + "\u001f" + seed;
                string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..8];
                runName = (runName.Length > 100 ? runName[..100] : runName) + "-" + hash;
            }

            string folder = Path.Combine(Output, runName);
            var args = new List<string>(Command);
            foreach (var v in values)
            {
                if (!v.IsSwitch)
                {
                    args.Add(v.Option);
                    args.Add(v.Text);
                }
                else if (v.Text == "true")
                {
                    args.Add(v.Option);
                }
            }

            if (seed is { } sd)
            {
                args.Add(Conventions.SeedOption);
                args.Add(sd.ToString(CultureInfo.InvariantCulture));
            }

            args.Add(Conventions.OutputOption);
            args.Add(folder);
            runs.Add(new SweepRun(i, runName, folder, values, seed, args));
        }

        return runs;
    }

    /// <summary>An option name without its leading dashes (the column and folder-name form).</summary>
    public static string Bare(string option) => option.TrimStart('-');

    private static string ReadableName(IReadOnlyList<SweepValue> values, ulong? seed)
    {
        var parts = values.Select(v => Bare(v.Option) + "=" + v.Text).ToList();
        if (seed is { } s)
        {
            parts.Add("seed=" + s.ToString(CultureInfo.InvariantCulture));
        }

        if (parts.Count == 0)
        {
            return "run";
        }

        var sb = new StringBuilder();
        foreach (char ch in string.Join('_', parts))
        {
            sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '.' or '=' or '_' or '+' or '-' ? ch : '-');
        }

        return sb.ToString();
    }

    private static List<IReadOnlyList<SweepValue>> ParseAxis(JsonElement axis, string field, string[] command, HashSet<string> seen)
    {
        if (axis.ValueKind != JsonValueKind.Object || axis.EnumerateObject().Count() != 1)
        {
            throw Bad(field, "must be an object with exactly one of grid, list or zip");
        }

        var kind = axis.EnumerateObject().First();
        string f = $"{field}.{kind.Name}";
        switch (kind.Name)
        {
            case "grid":
            case "zip":
            {
                if (kind.Value.ValueKind != JsonValueKind.Object || !kind.Value.EnumerateObject().Any())
                {
                    throw Bad(f, "must be a non-empty object of option → array of values");
                }

                var columns = new List<(string Option, List<SweepValue> Values)>();
                foreach (var p in kind.Value.EnumerateObject())
                {
                    Claim(p.Name, $"{f}.{p.Name}", command, seen);
                    if (p.Value.ValueKind != JsonValueKind.Array || p.Value.GetArrayLength() == 0)
                    {
                        throw Bad($"{f}.{p.Name}", "must be a non-empty array of values");
                    }

                    columns.Add((p.Name, p.Value.EnumerateArray().Select((e, i) => Value(p.Name, e, $"{f}.{p.Name}[{i}]")).ToList()));
                }

                if (kind.Name == "zip")
                {
                    if (columns.Select(x => x.Values.Count).Distinct().Count() > 1)
                    {
                        throw Bad(f, "the arrays must have the same length (" + string.Join(", ", columns.Select(x => $"{x.Option} has {x.Values.Count}")) + ")");
                    }

                    return Enumerable.Range(0, columns[0].Values.Count).Select(i => (IReadOnlyList<SweepValue>)columns.Select(x => x.Values[i]).ToList()).ToList();
                }

                IEnumerable<IReadOnlyList<SweepValue>> product = [[]];
                foreach (var col in columns)
                {
                    product = product.SelectMany(p => col.Values.Select(v => (IReadOnlyList<SweepValue>)[.. p, v])).ToList();
                }

                return product.ToList();
            }

            case "list":
            {
                if (kind.Value.ValueKind != JsonValueKind.Array || kind.Value.GetArrayLength() == 0)
                {
                    throw Bad(f, "must be a non-empty array of objects (option → value)");
                }

                var points = new List<IReadOnlyList<SweepValue>>();
                var options = new HashSet<string>(StringComparer.Ordinal);
                int i = 0;
                foreach (var item in kind.Value.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.Object)
                    {
                        throw Bad($"{f}[{i}]", "must be an object (option → value)");
                    }

                    var point = new List<SweepValue>();
                    foreach (var p in item.EnumerateObject())
                    {
                        if (options.Add(p.Name))
                        {
                            Claim(p.Name, $"{f}[{i}].{p.Name}", command, seen);
                        }

                        point.Add(Value(p.Name, p.Value, $"{f}[{i}].{p.Name}"));
                    }

                    points.Add(point);
                    i++;
                }

                return points;
            }

            default:
                throw Bad(field, $"unknown axis kind '{kind.Name}' (known: grid, list, zip)");
        }
    }

    private static void Claim(string option, string field, string[] command, HashSet<string> seen)
    {
        if (command.Contains(option, StringComparer.Ordinal))
        {
            throw Bad(field, $"'{option}' is also set in command");
        }

        if (!seen.Add(option))
        {
            throw Bad(field, $"'{option}' is swept by more than one axis");
        }
    }

    private static SweepValue Value(string option, JsonElement e, string field) => e.ValueKind switch
    {
        JsonValueKind.String => new SweepValue(option, e.GetString()!, false),
        JsonValueKind.Number => new SweepValue(option, e.GetRawText(), false),
        JsonValueKind.True => new SweepValue(option, "true", true),
        JsonValueKind.False => new SweepValue(option, "false", true),
        _ => throw Bad(field, "must be a string, number or boolean"),
    };

    private static IEnumerable<ulong> ParseSeeds(JsonElement s)
    {
        if (s.ValueKind == JsonValueKind.Array)
        {
            return s.EnumerateArray().Select((e, i) => e.ValueKind == JsonValueKind.Number && e.TryGetUInt64(out ulong v) ? v : throw Bad($"seeds[{i}]", "must be a non-negative integer")).ToList();
        }

        if (s.ValueKind == JsonValueKind.String)
        {
            var parts = s.GetString()!.Split('-');
            if (parts.Length == 2 && ulong.TryParse(parts[0], CultureInfo.InvariantCulture, out ulong lo) && ulong.TryParse(parts[1], CultureInfo.InvariantCulture, out ulong hi) && lo <= hi && hi - lo < 100_000)
            {
                var list = new List<ulong>();
                for (ulong v = lo; v <= hi; v++)
                {
                    list.Add(v);
                }

                return list;
            }
        }

        throw Bad("seeds", "must be an array of integers or a range \"first-last\"");
    }

    private static InvalidDataException Bad(string field, string message) => new($"sweep file: {field}: {message}");
}
