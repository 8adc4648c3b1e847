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
        // Title and bottom label are centred over the data area, which a legend panel or colour bar narrows, the left label
        // along its height: long texts get a smaller font so that they fit (about 0.55 font sizes per character).
        float across = (0.85f - (0.22f * plot.Axes.GetPanels().Count(p => p is ScottPlot.Panels.LegendPanel or ScottPlot.Panels.ColorBar))) * width;
        FitText(plot.Axes.Title.Label, across);
        FitText(plot.Axes.Bottom.Label, across);
        FitText(plot.Axes.Left.Label, 0.8f * height);
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.WriteAllBytes(basePath + ".png", png);
        AtomicFile.WriteAllText(basePath + ".svg", plot.GetSvgXml(width, height));
    }

    private static void FitText(LabelStyle label, float room)
    {
        float needed = 0.55f * label.FontSize * label.Text.Length;
        if (needed > room)
        {
            label.FontSize = Math.Max(10f, label.FontSize * room / needed);
        }
    }
}
