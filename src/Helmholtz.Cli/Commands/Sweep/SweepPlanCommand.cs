using System.ComponentModel;
using System.Globalization;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Sweeps;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Sweep;

/// <summary>Options of <c>helmholtz sweep plan</c>.</summary>
internal sealed class SweepPlanSettings : SweepFileSettings
{
    [CommandOption("--json")]
    [Description("Print the plan as one JSON object instead of a table.")]
    public bool Json { get; init; }
}

/// <summary><c>helmholtz sweep plan</c>: the runs of a sweep file with their index, folder, state and arguments.</summary>
internal sealed class SweepPlanCommand : HelmholtzCommand<SweepPlanSettings>
{
    protected override int Run(SweepPlanSettings settings, CancellationToken cancellationToken)
    {
        var spec = SweepFiles.Load(settings);
        var runs = spec.Expand();
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(new
            {
                name = spec.Name,
                output = spec.Output,
                count = runs.Count,
                runs = runs.Select(r => new { index = r.Index, name = r.Name, folder = r.Folder, done = SweepMarker.IsDone(r), arguments = r.Arguments }),
            });
            return ExitCode.Ok;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("index", "run folder", "done", "arguments");
        foreach (var r in runs)
        {
            // The folder column already names --out's value; the rest is the command the run performs.
            var words = r.Arguments.Take(r.Arguments.Count - 2).Select(SweepSchedulers.ShellQuote);
            table.AddRow(r.Index.ToString(CultureInfo.InvariantCulture), Markup.Escape(r.Name), SweepMarker.IsDone(r) ? "yes" : "", Markup.Escape(string.Join(' ', words)));
        }

        int done = runs.Count(SweepMarker.IsDone);
        table.Caption(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{spec.Name}: {runs.Count} runs ({done} done) in {spec.Output}")));
        AnsiConsole.Write(table);
        return ExitCode.Ok;
    }
}
