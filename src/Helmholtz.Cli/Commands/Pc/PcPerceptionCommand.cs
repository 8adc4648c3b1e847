using System.ComponentModel;
using System.Globalization;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Cli.Plots;
using Helmholtz.Data;
using Helmholtz.PredictiveCoding;
using ScottPlot;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Pc;

/// <summary>Options of <c>helmholtz pc perception</c>.</summary>
internal sealed class PcPerceptionSettings : CommandSettings
{
    [CommandOption("-u|--intensity <U>")]
    [Description("Observed light intensity u (Bogacz 2017: 2).")]
    [DefaultValue(2.0)]
    public double U { get; init; } = 2.0;

    [CommandOption("--duration <T>")]
    [Description("Integration time (Bogacz 2017: 5).")]
    [DefaultValue(5.0)]
    public double Duration { get; init; } = 5.0;

    [CommandOption("--error-nodes")]
    [Description("Errors as neurons that relax (Bogacz 2017, section 2.5) instead of computed instantly.")]
    public bool ErrorNodes { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Folder for perception.png/.svg and perception.csv (default: runs/pc-perception).")]
    public string? Out { get; init; }

    public override ValidationResult Validate() =>
        Duration > 0 && double.IsFinite(Duration) && double.IsFinite(U) ? ValidationResult.Success()
            : ValidationResult.Error("--duration must be a positive number and --intensity a finite one.");
}

/// <summary><c>helmholtz pc perception</c>: Bogacz's single-variable perception model, φ(t) and the two prediction errors.</summary>
internal sealed class PcPerceptionCommand : HelmholtzCommand<PcPerceptionSettings>
{
    protected override int Run(PcPerceptionSettings settings, CancellationToken cancellationToken)
    {
        string dir = OutPath.Folder(settings.Out ?? Path.Combine("runs", "pc-perception"));
        using var runFolder = RunFolderGuard.Take(dir);
        var model = new PerceptionModel();
        var path = Perception.Infer(model, settings.U, dt: 0.01, duration: settings.Duration, errorNodes: settings.ErrorNodes);
        var csv = new System.Text.StringBuilder("t,phi,prior_error,sensory_error\n");
        foreach (var s in path)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{s.Time:R},{s.Phi:R},{s.PriorError:R},{s.SensoryError:R}\n");
        }

        AtomicFile.WriteAllText(Path.Combine(dir, "perception.csv"), csv.ToString());
        Figure(path, settings.U, settings.ErrorNodes, Path.Combine(dir, "perception"));
        var last = path[^1];
        Infrastructure.Cli.Results(json: false).MarkupLine(CultureInfo.InvariantCulture,
            $"u = {settings.U}: φ({last.Time:0.##}) = {last.Phi:F5}, ε_p = {last.PriorError:F4}, ε_u = {last.SensoryError:F4}; figure in [blue]{Markup.Escape(Path.GetFullPath(dir))}[/]");
        return ExitCode.Ok;
    }

    /// <summary>φ(t) and the prior and sensory prediction errors ε_p(t), ε_u(t) on one time axis.</summary>
    internal static void Figure(IReadOnlyList<PerceptionState> path, double u, bool errorNodes, string basePath)
    {
        var plot = FigureStyle.NewPlot();
        double[] t = path.Select(s => s.Time).ToArray();
        plot.Add.ScatterLine(t, path.Select(s => s.Phi).ToArray()).LegendText = "φ (estimated size)";
        plot.Add.ScatterLine(t, path.Select(s => s.PriorError).ToArray()).LegendText = "ε_p (prior error)";
        plot.Add.ScatterLine(t, path.Select(s => s.SensoryError).ToArray()).LegendText = "ε_u (sensory error)";
        var zero = plot.Add.HorizontalLine(0);
        zero.Color = Colors.Gray;
        zero.LineWidth = 1;
        foreach (var line in plot.GetPlottables().OfType<ScottPlot.Plottables.Scatter>())
        {
            line.LineWidth = 2;
        }

        plot.Axes.Bottom.Label.Text = "time t (model time units; Euler step 0.01)";
        plot.Axes.Left.Label.Text = "value (size units; errors per unit variance)";
        plot.Title(string.Create(CultureInfo.InvariantCulture,
            $"Perception: u = {u}, v_p = 3, Σ_p = Σ_u = 1{(errorNodes ? " · error neurons" : string.Empty)}"));
        FigureStyle.LegendOutside(plot);
        Figures.Save(plot, basePath);
    }
}
