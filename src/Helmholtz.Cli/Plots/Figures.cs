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
        byte[] png = plot.GetImageBytes(width, height, ImageFormat.Png);
        AtomicFile.WriteAllBytes(basePath + ".png", png);
        AtomicFile.WriteAllText(basePath + ".svg", plot.GetSvgXml(width, height));
    }
}
