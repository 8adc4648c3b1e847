using System.ComponentModel;
using System.Globalization;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Cli.Plots;
using Helmholtz.Data;
using Helmholtz.PredictiveCoding;
using ScottPlot;
using Spectre.Console;
using Spectre.Console.Cli;
using Helmholtz.Tensors;

namespace Helmholtz.Cli.Commands.Pc;

/// <summary>Options of <c>helmholtz pc complete</c>.</summary>
internal sealed class PcCompleteSettings : CommandSettings
{
    [CommandOption("--checkpoint <FILE>")]
    [Description("A checkpoint written by 'pc generative'.")]
    public string Checkpoint { get; init; } = "runs/pc-generative/checkpoint.safetensors";

    [CommandOption("--mask <HALF>")]
    [Description("Which half of each held-out digit is hidden: bottom, top, left, right, or random (a different random half of the pixels in each image).")]
    [DefaultValue("bottom")]
    public string Mask { get; init; } = "bottom";

    [CommandOption("--seed <SEED>")]
    [Description("Seed of the random masks (--mask random).")]
    [DefaultValue(1UL)]
    public ulong Seed { get; init; } = 1;

    [CommandOption("-T|--inference-steps <T>")]
    [Description("Inference steps for completion (default: the checkpoint's training T).")]
    public int? Iterations { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Folder for completion.png/.svg (completion-<mask>.png/.svg for masks other than bottom; default: the checkpoint's folder).")]
    public string? Out { get; init; }

    [CommandOption("--json")]
    public bool Json { get; init; }

    public override ValidationResult Validate() => Mask is "bottom" or "top" or "left" or "right" or "random"
        ? ValidationResult.Success()
        : ValidationResult.Error($"--mask must be bottom, top, left, right or random (got '{Mask}').");
}

/// <summary><c>helmholtz pc complete</c>: fills the hidden half of held-out digits by PC inference, against filling with the training mean.</summary>
internal sealed class PcCompleteCommand : HelmholtzCommand<PcCompleteSettings>
{
    private const int Shown = 10;
    private const float HiddenGrey = 0.3f; // hidden pixels in the middle row of the figure

    /// <summary>The figure's base name: <c>completion</c> for the default mask, <c>completion-&lt;mask&gt;</c> for the others, so masks never overwrite each other.</summary>
    internal static string FigureName(string mask) => mask == "bottom" ? "completion" : $"completion-{mask}";

    protected override int Run(PcCompleteSettings settings, CancellationToken cancellationToken)
    {
        var file = Helmholtz.Training.Checkpoint.ReadTensors(settings.Checkpoint);
        var m = file.Metadata;
        if (!m.TryGetValue("format", out var format) || format != "helmholtz-pc-generative-1")
        {
            throw new InvalidDataException($"{settings.Checkpoint}: not a generative PC checkpoint (write one with 'helmholtz pc generative').");
        }

        var data = DatasetCatalog.LoadEmbeddedDigits();
        int h = data.Test.Height, w = data.Test.Width, p = data.Test.Features;
        const int Batch = 100;
        var options = new PcOptions
        {
            Algorithm = PcAlgorithm.Standard,
            Iterations = settings.Iterations ?? int.Parse(m["inference_steps"], CultureInfo.InvariantCulture),
            EtaV = float.Parse(m["eta_v"], CultureInfo.InvariantCulture),
        };
        int[] hidden = OptionParsing.SizeList(m["hidden"], $"{settings.Checkpoint}: metadata 'hidden'");
        bool normalise = !m.TryGetValue("normalise_steps", out var ns) || ns == "true";
        float hiddenVariance = m.TryGetValue("hidden_variance", out var hv) ? float.Parse(hv, CultureInfo.InvariantCulture) : 1f;
        float pixelVariance = m.TryGetValue("pixel_variance", out var pv) ? float.Parse(pv, CultureInfo.InvariantCulture) : 1f;
        var model = new PcGenerative(int.Parse(m["latent"], CultureInfo.InvariantCulture), hidden, p, Batch, options, normaliseSteps: normalise,
            hiddenVariance: hiddenVariance, pixelVariance: pixelVariance);
        try
        {
            model.Model.Graph.LoadParameters(file.Tensors);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException($"{settings.Checkpoint}: {ex.Message}", ex);
        }

        var mask = new FloatTensor(Batch, p);
        var rng = new Helmholtz.Tensors.Rng(settings.Seed);
        var order = new int[p];
        void FillMask()
        {
            for (int b = 0; b < Batch; b++)
            {
                var row = mask.Span.Slice(b * p, p);
                if (settings.Mask == "random")
                {
                    // Exactly half of the pixels hidden: the first p/2 of a random permutation.
                    row.Fill(1f);
                    for (int i = 0; i < p; i++)
                    {
                        order[i] = i;
                    }

                    for (int i = 0; i < p / 2; i++)
                    {
                        int j = i + rng.NextInt(p - i);
                        (order[i], order[j]) = (order[j], order[i]);
                        row[order[i]] = 0f;
                    }

                    continue;
                }

                for (int r = 0; r < h; r++)
                {
                    for (int c = 0; c < w; c++)
                    {
                        bool hiddenPixel = settings.Mask switch
                        {
                            "bottom" => r >= h / 2,
                            "top" => r < h / 2,
                            "left" => c < w / 2,
                            _ => c >= w / 2,
                        };
                        row[r * w + c] = hiddenPixel ? 0f : 1f;
                    }
                }
            }
        }

        // The baseline fills each hidden pixel with its mean over the training images.
        var mean = new double[p];
        for (int i = 0; i < data.Train.Count; i++)
        {
            var img = data.Train.Image(i);
            for (int j = 0; j < p; j++)
            {
                mean[j] += img[j] / data.Train.Count;
            }
        }

        double pcError = 0, meanError = 0;
        long hiddenPixels = 0;
        var images = new FloatTensor(Batch, p);
        float[,]? shown = null;
        int batches = data.Test.Count / Batch;
        for (int start = 0; start < batches * Batch; start += Batch)
        {
            cancellationToken.ThrowIfCancellationRequested();
            data.Test.Images.ReadOnlySpan.Slice(start * p, Batch * p).CopyTo(images.Span);
            if (start == 0 || settings.Mask == "random")
            {
                FillMask(); // a half mask is the same for every batch; random halves are drawn per image
            }

            var completed = model.Complete(images, mask);
            for (int i = 0; i < images.Length; i++)
            {
                if (mask.Span[i] == 0f)
                {
                    double d = completed.Span[i] - images.Span[i], e = mean[i % p] - images.Span[i];
                    pcError += d * d;
                    meanError += e * e;
                    hiddenPixels++;
                }
            }

            shown ??= Montage(images, mask, completed, h, w);
        }

        pcError /= hiddenPixels;
        meanError /= hiddenPixels;
        string dir = OutPath.Folder(settings.Out ?? Path.GetDirectoryName(Path.GetFullPath(settings.Checkpoint))!);
        using var runFolder = RunFolderGuard.Take(dir);
        CompletionFigure(shown!, MaskName(settings.Mask), pcError, meanError, Path.Combine(dir, FigureName(settings.Mask)));
        Infrastructure.Cli.Stderr.MarkupLine(CultureInfo.InvariantCulture,
            $"{batches * Batch} held-out digits, {MaskName(settings.Mask)} hidden: pixel MSE {pcError:F4} with PC completion, {meanError:F4} filling with the training mean; figure in [blue]{Markup.Escape(dir)}[/]");
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(new { pc_mse = pcError, mean_fill_mse = meanError, images = batches * Batch, mask = settings.Mask });
        }

        return ExitCode.Ok;
    }

    /// <summary>The montage (rows: truth, observed with the hidden pixels grey, PC completion) with its rows labelled on the left.</summary>
    internal static void CompletionFigure(float[,] montage, string maskName, double pcError, double meanError, string basePath)
    {
        int rows = montage.GetLength(0), cols = montage.GetLength(1), h = rows / 3;
        var plot = FigureStyle.NewPlot();
        var heat = plot.Add.Heatmap(ToDouble(montage));
        heat.Colormap = new ScottPlot.Colormaps.Grayscale();
        heat.Rectangle = new CoordinateRect(0, cols, 0, rows);
        plot.Axes.SetLimits(0, cols, 0, rows);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [2.5 * h, 1.5 * h, 0.5 * h], ["truth", "observed", "PC completion"]);
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Axes.Left.MinorTickStyle.Length = 0;
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, cols / Math.Max(1, h)).Select(k => (k + 0.5) * h).ToArray(),
            Enumerable.Range(1, cols / Math.Max(1, h)).Select(k => k.ToString(CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.MinorTickStyle.Length = 0;
        plot.Axes.Bottom.Label.Text = "held-out test digit";
        plot.Grid.IsVisible = false;
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"{maskName} hidden (grey): pixel MSE {pcError:F4} by PC completion, {meanError:F4} by the training mean"));
        Figures.Save(plot, basePath, 1000, 400);
    }

    private static string MaskName(string mask) => mask == "random" ? "random half" : $"{mask} half";

    private static float[,] Montage(FloatTensor images, FloatTensor mask, FloatTensor completed, int h, int w)
    {
        var grid = new float[3 * h, Shown * w];
        for (int k = 0; k < Shown; k++)
        {
            for (int r = 0; r < h; r++)
            {
                for (int c = 0; c < w; c++)
                {
                    int i = k * h * w + r * w + c;
                    grid[r, k * w + c] = images.Span[i];
                    grid[h + r, k * w + c] = mask.Span[i] == 0f ? HiddenGrey : images.Span[i];
                    grid[2 * h + r, k * w + c] = Math.Clamp(completed.Span[i], 0f, 1f);
                }
            }
        }

        return grid;
    }

    private static double[,] ToDouble(float[,] a)
    {
        // ScottPlot draws row 0 at the top.
        var d = new double[a.GetLength(0), a.GetLength(1)];
        for (int i = 0; i < a.GetLength(0); i++)
        {
            for (int j = 0; j < a.GetLength(1); j++)
            {
                d[i, j] = a[i, j];
            }
        }

        return d;
    }
}
