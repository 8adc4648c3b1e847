using System.ComponentModel;
using System.Globalization;
using System.Text.Json;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Data;
using Helmholtz.Reproduction;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Reproduce;

/// <summary>Options of <c>helmholtz reproduce list</c>.</summary>
internal sealed class ReproduceListSettings : CommandSettings
{
    [CommandOption("--json")]
    [Description("Print the list as one JSON object.")]
    public bool Json { get; init; }
}

/// <summary><c>helmholtz reproduce list</c>: every reproducible result with its source, figure and run times.</summary>
internal sealed class ReproduceListCommand : HelmholtzCommand<ReproduceListSettings>
{
    protected override int Run(ReproduceListSettings settings, CancellationToken cancellationToken)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("id", "chapter / paper", "figure / table", "--quick", "full");
        foreach (var r in ReproductionCatalog.All)
        {
            table.AddRow(r.Id, Markup.Escape(r.Source), Markup.Escape(r.Figure), Time(r.Seconds.Quick), (r.Seconds.FullMeasured ? "" : "≈ ") + Time(r.Seconds.Full));
        }

        var results = Infrastructure.Cli.Results(settings.Json);
        results.Write(table);
        results.MarkupLine("Times on two cores: --quick measured; full measured where not marked ≈ (≈: scaled from measured runs, see docs/results.md).");
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(ReproductionCatalog.All.Select(r => new
            {
                id = r.Id, source = r.Source, figure = r.Figure, quick_seconds = r.Seconds.Quick, full_seconds = r.Seconds.Full, full_measured = r.Seconds.FullMeasured,
            }));
        }

        return ExitCode.Ok;
    }

    internal static string Time(double seconds) => seconds < 10
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds:F1} s")
        : seconds < 120
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds:F0} s")
        : seconds < 7200 ? string.Create(CultureInfo.InvariantCulture, $"{seconds / 60:F0} min") : string.Create(CultureInfo.InvariantCulture, $"{seconds / 3600:F1} h");
}

/// <summary>Options of <c>helmholtz reproduce ID</c>.</summary>
internal sealed class ReproduceRunSettings : CommandSettings
{
    [CommandArgument(0, "<ID>")]
    [Description("The result to reproduce (see 'reproduce list').")]
    public string Id { get; init; } = "";

    [CommandOption("--quick")]
    [Description("A small run (at most two minutes on two cores) that shows the pipeline, not the published result.")]
    public bool Quick { get; init; }

    [CommandOption("--seeds <LIST>")]
    [Description("Seeds, e.g. 1-5 or 1,3,7 (default: the run size's, 1-5 for most full runs).")]
    public string? Seeds { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Run folder (default runs/reproduce/ID[-quick]).")]
    public string? Out { get; init; }

    [CommandOption("--resume")]
    [Description("Continue an interrupted run in --out: finished units are kept, the rest run.")]
    public bool Resume { get; init; }

    [CommandOption("--json")]
    [Description("Print the report's rows as one JSON object.")]
    public bool Json { get; init; }
}

/// <summary><c>helmholtz reproduce ID</c>: runs one result and writes figures, measurements.csv and report.md.</summary>
internal sealed class ReproduceRunCommand : HelmholtzCommand<ReproduceRunSettings>
{
    protected override int Run(ReproduceRunSettings settings, CancellationToken cancellationToken)
    {
        var reproduction = ReproductionCatalog.Get(settings.Id);
        var seeds = settings.Seeds is null ? null : ParseSeeds(settings.Seeds);
        var size = settings.Quick ? reproduction.Quick : reproduction.Full;
        string dir = OutPath.Folder(settings.Out ?? Path.Combine("runs", "reproduce", reproduction.Id + (settings.Quick ? "-quick" : "")));
        using var runFolder = RunFolderGuard.Take(dir);
        string command = "helmholtz " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
        ReproductionOutcome outcome;
        try
        {
            outcome = ReproductionRunner.Run(reproduction, size, seeds, dir, settings.Resume, command,
                (unit, resumed) => Infrastructure.Cli.Stderr.MarkupLine(CultureInfo.InvariantCulture, $"{(resumed ? "kept" : "done")} {Markup.Escape(unit)}"), cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            throw new BadInputException(ex.Message.Replace("resume it", "add --resume", StringComparison.Ordinal).Replace("resuming", "--resume", StringComparison.Ordinal));
        }

        ReproduceFigures.Draw(outcome, Path.Combine(dir, reproduction.Id));
        var table = new Table().Border(TableBorder.Rounded).AddColumns("quantity", "published", "Helmholtz", "verdict");
        foreach (var row in ReproductionRunner.Summarise(outcome, command, "").Rows)
        {
            table.AddRow(Markup.Escape(row.Quantity), Markup.Escape(row.Published), Markup.Escape(row.Ours), row.Verdict);
        }

        var results = Infrastructure.Cli.Results(settings.Json);
        results.Write(table);
        results.MarkupLine(CultureInfo.InvariantCulture,
            $"{reproduction.Id} ({size.Name}): {outcome.Count(Verdict.Matches)} matches, {outcome.Count(Verdict.Better)} better, {outcome.Count(Verdict.Worse)} worse, {outcome.Count(Verdict.NotReached)} not reached; {outcome.Seconds:F1} s; report in [blue]{Markup.Escape(Path.GetFullPath(Path.Combine(dir, "report.md")))}[/]");
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(ReproductionRunner.Summarise(outcome, command, reproduction.Id + ".png"));
        }

        return ExitCode.Ok;
    }

    internal static IReadOnlyList<ulong> ParseSeeds(string text)
    {
        var seeds = new List<ulong>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var ends = part.Split('-');
            if (ends.Length is 1 or 2 && ulong.TryParse(ends[0], NumberStyles.None, CultureInfo.InvariantCulture, out ulong a)
                && (ends.Length == 1 || ulong.TryParse(ends[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                ulong b = ends.Length == 1 ? a : ulong.Parse(ends[1], CultureInfo.InvariantCulture);
                if (b >= a && b - a < 1000)
                {
                    for (ulong s = a; s <= b; s++)
                    {
                        seeds.Add(s);
                    }

                    continue;
                }
            }

            throw new BadInputException($"--seeds must list seeds or ranges, e.g. 1-5 or 1,3,7 (got '{text}').");
        }

        return seeds.Count > 0 ? seeds.Distinct().ToList() : throw new BadInputException($"--seeds must list at least one seed (got '{text}').");
    }
}

/// <summary>Options of <c>helmholtz reproduce report</c>.</summary>
internal sealed class ReproduceReportSettings : CommandSettings
{
    [CommandOption("--from <DIR>")]
    [Description("Run folders of 'reproduce ID' (each with summary.json), comma-separated; a folder without summary.json is searched one level down. Results kept beside the page (results/ID.json) from earlier reports fill in the ids these runs lack; a quick run never replaces a kept full one.")]
    public string From { get; init; } = "runs/reproduce";

    [CommandOption("--out <FILE>")]
    [Description("The results page to write; the figures are copied next to it under results/.")]
    [DefaultValue("docs/results.md")]
    public string Out { get; init; } = "docs/results.md";
}

/// <summary><c>helmholtz reproduce report</c>: the results page (docs/results.md) from the runs' summary.json files.</summary>
internal sealed class ReproduceReportCommand : HelmholtzCommand<ReproduceReportSettings>
{
    protected override int Run(ReproduceReportSettings settings, CancellationToken cancellationToken)
    {
        var folders = new List<string>();
        foreach (string from in settings.From.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Directory.Exists(from))
            {
                throw new DirectoryNotFoundException($"--from: '{from}' does not exist.");
            }

            folders.AddRange(File.Exists(Path.Combine(from, "summary.json")) ? [from]
                : Directory.GetDirectories(from).Where(d => File.Exists(Path.Combine(d, "summary.json"))).Order(StringComparer.Ordinal));
        }

        if (folders.Count == 0)
        {
            throw new BadInputException($"--from: no run folder with a summary.json in '{settings.From}'.");
        }

        string outDir = Path.GetDirectoryName(Path.GetFullPath(settings.Out))!;
        string figures = Path.Combine(outDir, "results");
        Directory.CreateDirectory(figures);

        // Results kept beside the page by earlier reports (results/ID.json with its figure): a page can be rebuilt
        // from the runs of one session plus those kept, so long full runs need not all be repeated together.
        var byId = new Dictionary<string, (ReproductionSummary Summary, string? Figure)>(StringComparer.Ordinal);
        foreach (string kept in Directory.GetFiles(figures, "*.json").Order(StringComparer.Ordinal))
        {
            var summary = ReadSummary(kept);
            string name = $"{summary.Id}-{summary.Size}.png";
            byId[summary.Id] = (summary, File.Exists(Path.Combine(figures, name)) ? "results/" + name : null);
        }

        foreach (string folder in folders)
        {
            var summary = ReadSummary(Path.Combine(folder, "summary.json"));
            if (byId.TryGetValue(summary.Id, out var kept) && kept.Summary.Size == "full" && summary.Size != "full")
            {
                Infrastructure.Cli.Stderr.MarkupLine(CultureInfo.InvariantCulture,
                    $"[yellow]{Markup.Escape(summary.Id)}: the kept full run stays; the {Markup.Escape(summary.Size)} run in {Markup.Escape(folder)} is not used[/]");
                continue;
            }

            string? figure = null;
            string png = Path.Combine(folder, summary.FigureFile);
            if (summary.FigureFile.Length > 0 && File.Exists(png))
            {
                string name = $"{summary.Id}-{summary.Size}.png";
                File.Copy(png, Path.Combine(figures, name), overwrite: true);
                figure = "results/" + name;
            }

            File.Copy(Path.Combine(folder, "summary.json"), Path.Combine(figures, summary.Id + ".json"), overwrite: true);
            byId[summary.Id] = (summary, figure);
        }

        // A result's figure from a run it no longer shows (a quick run's, once its full run is in) goes.
        var shown = byId.Values.Select(x => x.Figure).OfType<string>().Select(Path.GetFileName).ToHashSet(StringComparer.Ordinal);
        foreach (string png in Directory.GetFiles(figures, "*.png").Where(f => !shown.Contains(Path.GetFileName(f))
                     && byId.Keys.Any(id => Path.GetFileName(f).StartsWith(id + "-", StringComparison.Ordinal))))
        {
            File.Delete(png);
        }

        var summaries = byId.Values.ToList();
        // The catalogue's order (the thesis's), whatever the folders are called; results of unknown ids go last.
        int Rank(string id) => ReproductionCatalog.Ids.ToList().IndexOf(id) is >= 0 and var i ? i : int.MaxValue;
        summaries = summaries.OrderBy(x => Rank(x.Summary.Id)).ThenBy(x => x.Summary.Id, StringComparer.Ordinal).ToList();
        AtomicFile.WriteAllText(settings.Out, ResultsPage.Markdown(summaries));
        Infrastructure.Cli.Stderr.MarkupLine(CultureInfo.InvariantCulture, $"{summaries.Count} results in [blue]{Markup.Escape(Path.GetFullPath(settings.Out))}[/]");
        return ExitCode.Ok;
    }

    private static ReproductionSummary ReadSummary(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<ReproductionSummary>(File.ReadAllText(path), ReproductionRunner.JsonOptions)
                ?? throw new InvalidDataException($"{path} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} is not a reproduction summary: {e.Message}", e);
        }
    }
}
