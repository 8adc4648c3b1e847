using Helmholtz.Training;

namespace Helmholtz.Cli.Plots;

/// <summary>The learning curves of a training run: losses on the left axis, test accuracy on the right.</summary>
internal static class TrainingCurves
{
    /// <summary>Writes <c>{basePath}.png</c> and <c>.svg</c>: train and test loss against epoch, test accuracy on the right axis.</summary>
    public static void Save(IReadOnlyList<EpochMetrics> metrics, string title, string basePath)
    {
        var plot = FigureStyle.NewPlot();
        double[] epochs = metrics.Select(m => (double)m.Epoch).ToArray();
        var train = plot.Add.Scatter(epochs, metrics.Select(m => m.TrainLoss).ToArray());
        train.LegendText = "train loss";
        var test = plot.Add.Scatter(epochs, metrics.Select(m => m.TestLoss).ToArray());
        test.LegendText = "test loss";
        var accuracy = plot.Add.Scatter(epochs, metrics.Select(m => 100 * m.TestAccuracy).ToArray());
        accuracy.LegendText = "test accuracy (%)";
        accuracy.Axes.YAxis = plot.Axes.Right;
        plot.Axes.Bottom.Label.Text = "epoch";
        FigureStyle.IntegerTicks(plot.Axes.Bottom);
        plot.Axes.Left.Label.Text = "loss (per example)";
        plot.Axes.Right.Label.Text = "test accuracy (%)";
        plot.Title(title);
        FigureStyle.LegendOutside(plot);
        Figures.Save(plot, basePath);
    }
}
