using ScottPlot;

namespace Helmholtz.Cli.Plots;

/// <summary>What every figure shares: a colour-blind-safe categorical palette, integer ticks on counting axes, legends outside the data.</summary>
internal static class FigureStyle
{
    /// <summary>The number of distinct categorical colours before they repeat.</summary>
    public const int CategoryCount = 8;

    /// <summary>The <paramref name="index"/>-th categorical colour: Okabe and Ito's colour-blind-safe set, yellow last (faint on white).</summary>
    public static Color Category(int index) => (index % CategoryCount) switch
    {
        0 => Color.FromHex("#0072B2"), // blue
        1 => Color.FromHex("#E69F00"), // orange
        2 => Color.FromHex("#009E73"), // bluish green
        3 => Color.FromHex("#D55E00"), // vermilion
        4 => Color.FromHex("#56B4E9"), // sky blue
        5 => Color.FromHex("#CC79A7"), // reddish purple
        6 => Color.FromHex("#000000"), // black
        _ => Color.FromHex("#F0E442"), // yellow
    };

    /// <summary>A new plot whose series take their colours from <see cref="Category"/> in the order they are added.</summary>
    public static Plot NewPlot()
    {
        var plot = new Plot();
        plot.Add.Palette = Palette.FromColors(Enumerable.Range(0, CategoryCount).Select(Category).ToArray());
        return plot;
    }

    /// <summary>Ticks only at whole numbers on <paramref name="axis"/>: for axes that count (epochs, episodes, layers, trials, steps).</summary>
    public static void IntegerTicks(IAxis axis) =>
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };

    /// <summary>Shows the legend in a panel right of the data area, where it covers nothing.</summary>
    public static void LegendOutside(Plot plot) => plot.ShowLegend(Edge.Right);
}
