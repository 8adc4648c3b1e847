using Helmholtz.Data;
using ScottPlot;

namespace Helmholtz.Cli.Plots;

/// <summary>Saves ScottPlot figures as PNG and SVG, each written atomically.</summary>
internal static class Figures
{
    public const int Width = 800;
    public const int Height = 500;

    /// <summary>Writes <c>{basePath}.png</c> and <c>{basePath}.svg</c>.</summary>
    public static void Save(Plot plot, string basePath, int width = Width, int height = Height)
    {
        // The title is centred over the data area, which a legend panel narrows: long titles get a smaller font so that they fit.
        var title = plot.Axes.Title.Label;
        float room = (0.85f - (0.22f * plot.Axes.GetPanels().Count(p => p is ScottPlot.Panels.LegendPanel or ScottPlot.Panels.ColorBar))) * width;
        float needed = 0.55f * title.FontSize * title.Text.Length;
        if (needed > room)
        {
            title.FontSize = Math.Max(10f, title.FontSize * room / needed);
        }

        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.WriteAllBytes(basePath + ".png", png);
        AtomicFile.WriteAllText(basePath + ".svg", plot.GetSvgXml(width, height));
    }
}
