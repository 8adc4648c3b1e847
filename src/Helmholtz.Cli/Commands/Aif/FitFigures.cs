using System.Globalization;
using System.Text;
using Helmholtz.ActiveInference.Fitting;
using Helmholtz.Cli.Plots;
using ScottPlot;

namespace Helmholtz.Cli.Commands.Aif;

/// <summary>The files of <c>aif fit</c> and <c>aif recover</c>: the estimates table and the figures.</summary>
internal static class FitFigures
{
    private static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>estimates.csv: per subject the choices, log likelihood and log posterior, then per free parameter its MAP, its Laplace SE, and both on the transformed scale.</summary>
    public static string EstimatesCsv(BehaviourFit fit)
    {
        var names = fit.Parameters.Select(ParameterScale.Name).ToArray();
        var sb = new StringBuilder("subject,choices,log_likelihood,log_posterior");
        foreach (var n in names)
        {
            sb.Append($",{n},{n}_se,{n}_z,{n}_z_se");
        }

        sb.Append('\n');
        foreach (var s in fit.Subjects)
        {
            sb.Append(s.Subject).Append(',').Append(s.Choices.ToString(CultureInfo.InvariantCulture)).Append(',').Append(F(s.LogLikelihood)).Append(',').Append(F(s.LogPosterior));
            for (int j = 0; j < names.Length; j++)
            {
                sb.Append(',').Append(F(s.Estimates.Get(fit.Parameters[j]))).Append(',').Append(F(s.NaturalSe[j]))
                    .Append(',').Append(F(s.Transformed[j])).Append(',').Append(F(s.TransformedSe[j]));
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>Per subject and parameter the MAP ± 1.96 Laplace SE, in units of the prior (z − μ)/σ, so that all parameters share one axis.</summary>
    public static void Estimates(BehaviourFit fit, string basePath)
    {
        var plot = FigureStyle.NewPlot();
        int n = fit.Subjects.Count, k = fit.Parameters.Count;
        for (int j = 0; j < k; j++)
        {
            var prior = fit.Priors[j];
            double offset = k == 1 ? 0 : -0.25 + (0.5 * j / (k - 1));
            var xs = Enumerable.Range(0, n).Select(i => i + 1 + offset).ToArray();
            var ys = fit.Subjects.Select(s => (s.Transformed[j] - prior.Mean) / prior.Sd).ToArray();
            var errors = fit.Subjects.Select(s => double.IsFinite(s.TransformedSe[j]) ? 1.96 * s.TransformedSe[j] / prior.Sd : 0).ToArray();
            var bars = plot.Add.ErrorBar(xs, ys, errors);
            bars.Color = FigureStyle.Category(j);
            var markers = plot.Add.Markers(xs, ys, color: FigureStyle.Category(j));
            markers.LegendText = ParameterScale.Name(fit.Parameters[j]);
        }

        plot.Add.HorizontalLine(0, color: Colors.Gray);
        FigureStyle.IntegerTicks(plot.Axes.Bottom);
        plot.Title("MAP estimates ± 1.96 Laplace SE");
        plot.XLabel("subject");
        plot.YLabel("(z − prior mean) / prior SD");
        FigureStyle.LegendOutside(plot);
        Figures.Save(plot, basePath);
    }

    /// <summary>recovery.csv: per subject, for each free parameter, the true value, the MAP and its Laplace SE on the transformed scale.</summary>
    public static string RecoveryCsv(RecoveryResult r)
    {
        var names = r.Parameters.Select(ParameterScale.Name).ToArray();
        var sb = new StringBuilder("subject");
        foreach (var n in names)
        {
            sb.Append($",{n}_true_z,{n}_fitted_z,{n}_z_se");
        }

        sb.Append('\n');
        for (int i = 0; i < r.Truth.Length; i++)
        {
            var s = r.Fit.Subjects[i];
            sb.Append(s.Subject);
            for (int j = 0; j < names.Length; j++)
            {
                sb.Append(',').Append(F(r.Truth[i][j])).Append(',').Append(F(s.Transformed[j])).Append(',').Append(F(s.TransformedSe[j]));
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>True against fitted values, each parameter in units of its prior (z − μ)/σ, with the identity line; the legend gives each r.</summary>
    public static void Recovery(RecoveryResult r, string basePath)
    {
        var plot = FigureStyle.NewPlot();
        var correlations = r.Correlations;
        double lo = 0, hi = 0;
        for (int j = 0; j < r.Parameters.Count; j++)
        {
            var prior = r.Fit.Priors[j];
            var xs = r.Truth.Select(t => (t[j] - prior.Mean) / prior.Sd).ToArray();
            var ys = r.Fit.Subjects.Select(s => (s.Transformed[j] - prior.Mean) / prior.Sd).ToArray();
            lo = Math.Min(lo, Math.Min(xs.Min(), ys.Min()));
            hi = Math.Max(hi, Math.Max(xs.Max(), ys.Max()));
            var m = plot.Add.Markers(xs, ys, color: FigureStyle.Category(j));
            m.MarkerSize = 4;
            m.LegendText = string.Create(CultureInfo.InvariantCulture, $"{ParameterScale.Name(r.Parameters[j])} (r = {correlations[r.Parameters[j]]:F2})");
        }

        var identity = plot.Add.Line(lo, lo, hi, hi);
        identity.Color = Colors.Gray;
        identity.LinePattern = LinePattern.Dashed;
        identity.LegendText = "fitted = true";
        plot.Title($"Parameter recovery: {r.Task}, {r.Truth.Length} subjects, {r.Sessions[0].Trials.Count} trials");
        plot.XLabel("true value, (z − prior mean) / prior SD");
        plot.YLabel("MAP estimate, (z − prior mean) / prior SD");
        FigureStyle.LegendOutside(plot);
        Figures.Save(plot, basePath);
    }
}
