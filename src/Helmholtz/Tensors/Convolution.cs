namespace Helmholtz.Tensors;

/// <summary>The sizes of a 2-D convolution over NCHW images: channels, image, kernel, stride and zero padding.</summary>
/// <remarks>
/// Output height = ⌊(H + 2·padH − kH) / strideH⌋ + 1 and likewise for the width (PyTorch's <c>nn.Conv2d</c> with
/// dilation 1). A patch has <see cref="PatchSize"/> = C·kH·kW elements, ordered (c, ky, kx) so that a weight
/// [out, in, kH, kW] read row-major is one row of length <see cref="PatchSize"/> per output channel.
/// </remarks>
/// <param name="Channels">Input channels C.</param>
/// <param name="Height">Input height H.</param>
/// <param name="Width">Input width W.</param>
/// <param name="KernelHeight">Kernel height kH.</param>
/// <param name="KernelWidth">Kernel width kW.</param>
/// <param name="StrideHeight">Vertical stride.</param>
/// <param name="StrideWidth">Horizontal stride.</param>
/// <param name="PadHeight">Zero rows added above and below.</param>
/// <param name="PadWidth">Zero columns added left and right.</param>
public readonly record struct Conv2dGeometry(
    int Channels, int Height, int Width, int KernelHeight, int KernelWidth,
    int StrideHeight = 1, int StrideWidth = 1, int PadHeight = 0, int PadWidth = 0)
{
    /// <summary>Output height ⌊(H + 2·padH − kH) / strideH⌋ + 1.</summary>
    public int OutHeight => ((Height + (2 * PadHeight) - KernelHeight) / StrideHeight) + 1;

    /// <summary>Output width ⌊(W + 2·padW − kW) / strideW⌋ + 1.</summary>
    public int OutWidth => ((Width + (2 * PadWidth) - KernelWidth) / StrideWidth) + 1;

    /// <summary>Elements of one patch: C·kH·kW.</summary>
    public int PatchSize => Channels * KernelHeight * KernelWidth;

    /// <summary>Elements of one input image: C·H·W.</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>Output pixels per image and channel: outH·outW.</summary>
    public int OutPixels => OutHeight * OutWidth;

    /// <summary>Throws unless every size is positive, padding non-negative and the output at least 1×1.</summary>
    public void Validate()
    {
        if (Channels <= 0 || Height <= 0 || Width <= 0 || KernelHeight <= 0 || KernelWidth <= 0 || StrideHeight <= 0 || StrideWidth <= 0
            || PadHeight < 0 || PadWidth < 0)
        {
            throw new ArgumentException($"Convolution sizes must be positive and padding non-negative; got {this}.");
        }

        if (Height + (2 * PadHeight) < KernelHeight || Width + (2 * PadWidth) < KernelWidth)
        {
            throw new ArgumentException(
                $"A {KernelHeight}×{KernelWidth} kernel does not fit a {Height}×{Width} image with padding {PadHeight}×{PadWidth}.");
        }
    }
}

/// <summary>The sizes of a 2-D pooling window over planes of H×W pixels (no padding, floor rounding).</summary>
/// <param name="Height">Input height H.</param>
/// <param name="Width">Input width W.</param>
/// <param name="KernelHeight">Window height kH.</param>
/// <param name="KernelWidth">Window width kW.</param>
/// <param name="StrideHeight">Vertical stride.</param>
/// <param name="StrideWidth">Horizontal stride.</param>
public readonly record struct Pool2dGeometry(int Height, int Width, int KernelHeight, int KernelWidth, int StrideHeight, int StrideWidth)
{
    /// <summary>Output height ⌊(H − kH) / strideH⌋ + 1 (PyTorch's <c>ceil_mode=False</c>).</summary>
    public int OutHeight => ((Height - KernelHeight) / StrideHeight) + 1;

    /// <summary>Output width ⌊(W − kW) / strideW⌋ + 1.</summary>
    public int OutWidth => ((Width - KernelWidth) / StrideWidth) + 1;

    /// <summary>Throws unless every size is positive and the window fits the plane.</summary>
    public void Validate()
    {
        if (Height <= 0 || Width <= 0 || KernelHeight <= 0 || KernelWidth <= 0 || StrideHeight <= 0 || StrideWidth <= 0)
        {
            throw new ArgumentException($"Pooling sizes must be positive; got {this}.");
        }

        if (KernelHeight > Height || KernelWidth > Width)
        {
            throw new ArgumentException($"A {KernelHeight}×{KernelWidth} pooling window does not fit a {Height}×{Width} plane.");
        }
    }
}

/// <summary>Span kernels for convolution (im2col / col2im) and pooling over NCHW images.</summary>
/// <remarks>
/// Convolution is im2col followed by one GEMM: with the patch matrix P [images·outH·outW, C·kH·kW] and the weight
/// W [out, C·kH·kW], the output pixels are P·Wᵀ. The backward pass needs Pᵀ (for dW) and col2im (for dx), which
/// scatters patch-matrix gradients back onto the pixels they were read from. Sources and destinations must not alias.
/// </remarks>
public static class Convolution
{
    /// <summary>
    /// columns[(n·outH·outW + oy·outW + ox)·P + (c·kH + ky)·kW + kx] = x[n, c, oy·sH − pH + ky, ox·sW − pW + kx],
    /// or 0 where that pixel lies in the padding.
    /// </summary>
    public static void Im2Col(in Conv2dGeometry g, int images, ReadOnlySpan<float> x, Span<float> columns)
    {
        int oh = g.OutHeight, ow = g.OutWidth, patch = g.PatchSize;
        RequireLength(nameof(x), x.Length, images * g.ImageSize);
        RequireLength(nameof(columns), columns.Length, images * oh * ow * patch);
        for (int n = 0; n < images; n++)
        {
            var image = x.Slice(n * g.ImageSize, g.ImageSize);
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    var row = columns.Slice((((n * oh) + oy) * ow + ox) * patch, patch);
                    int y0 = (oy * g.StrideHeight) - g.PadHeight, x0 = (ox * g.StrideWidth) - g.PadWidth;
                    int k = 0;
                    for (int c = 0; c < g.Channels; c++)
                    {
                        var plane = image.Slice(c * g.Height * g.Width, g.Height * g.Width);
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            int iy = y0 + ky;
                            if ((uint)iy >= (uint)g.Height)
                            {
                                row.Slice(k, g.KernelWidth).Clear();
                                k += g.KernelWidth;
                                continue;
                            }

                            var line = plane.Slice(iy * g.Width, g.Width);
                            if (x0 >= 0 && x0 + g.KernelWidth <= g.Width)
                            {
                                line.Slice(x0, g.KernelWidth).CopyTo(row.Slice(k, g.KernelWidth));
                                k += g.KernelWidth;
                                continue;
                            }

                            for (int kx = 0; kx < g.KernelWidth; kx++, k++)
                            {
                                int ix = x0 + kx;
                                row[k] = (uint)ix < (uint)g.Width ? line[ix] : 0f;
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>The adjoint of <see cref="Im2Col"/>: dx[n, c, iy, ix] += Σ of the column entries that read that pixel.</summary>
    public static void Col2ImAdd(in Conv2dGeometry g, int images, ReadOnlySpan<float> columns, Span<float> dx)
    {
        int oh = g.OutHeight, ow = g.OutWidth, patch = g.PatchSize;
        RequireLength(nameof(dx), dx.Length, images * g.ImageSize);
        RequireLength(nameof(columns), columns.Length, images * oh * ow * patch);
        for (int n = 0; n < images; n++)
        {
            var image = dx.Slice(n * g.ImageSize, g.ImageSize);
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    var row = columns.Slice((((n * oh) + oy) * ow + ox) * patch, patch);
                    int y0 = (oy * g.StrideHeight) - g.PadHeight, x0 = (ox * g.StrideWidth) - g.PadWidth;
                    int k = 0;
                    for (int c = 0; c < g.Channels; c++)
                    {
                        var plane = image.Slice(c * g.Height * g.Width, g.Height * g.Width);
                        for (int ky = 0; ky < g.KernelHeight; ky++)
                        {
                            int iy = y0 + ky;
                            if ((uint)iy >= (uint)g.Height)
                            {
                                k += g.KernelWidth;
                                continue;
                            }

                            var line = plane.Slice(iy * g.Width, g.Width);
                            for (int kx = 0; kx < g.KernelWidth; kx++, k++)
                            {
                                int ix = x0 + kx;
                                if ((uint)ix < (uint)g.Width)
                                {
                                    line[ix] += row[k];
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>y[p, oy, ox] = max over the window of x[p, oy·sH + ky, ox·sW + kx], for every plane p; NaN wins.</summary>
    public static void MaxPool2d(in Pool2dGeometry g, int planes, ReadOnlySpan<float> x, Span<float> y)
    {
        int oh = g.OutHeight, ow = g.OutWidth, hw = g.Height * g.Width;
        RequireLength(nameof(x), x.Length, planes * hw);
        RequireLength(nameof(y), y.Length, planes * oh * ow);
        for (int p = 0; p < planes; p++)
        {
            var plane = x.Slice(p * hw, hw);
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    y[(((p * oh) + oy) * ow) + ox] = plane[ArgMax(g, plane, oy, ox)];
                }
            }
        }
    }

    /// <summary>dx[argmax of each window] += dy[window]; the argmax is found again from x (first maximum in row-major order).</summary>
    public static void MaxPool2dBackwardAdd(in Pool2dGeometry g, int planes, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int oh = g.OutHeight, ow = g.OutWidth, hw = g.Height * g.Width;
        RequireLength(nameof(x), x.Length, planes * hw);
        RequireLength(nameof(dx), dx.Length, planes * hw);
        RequireLength(nameof(dy), dy.Length, planes * oh * ow);
        for (int p = 0; p < planes; p++)
        {
            var plane = x.Slice(p * hw, hw);
            var dplane = dx.Slice(p * hw, hw);
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    dplane[ArgMax(g, plane, oy, ox)] += dy[(((p * oh) + oy) * ow) + ox];
                }
            }
        }
    }

    /// <summary>y[p, oy, ox] = (1 / (kH·kW)) Σ over the window of x[p, oy·sH + ky, ox·sW + kx].</summary>
    public static void AvgPool2d(in Pool2dGeometry g, int planes, ReadOnlySpan<float> x, Span<float> y)
    {
        int oh = g.OutHeight, ow = g.OutWidth, hw = g.Height * g.Width;
        RequireLength(nameof(x), x.Length, planes * hw);
        RequireLength(nameof(y), y.Length, planes * oh * ow);
        float scale = 1f / (g.KernelHeight * g.KernelWidth);
        for (int p = 0; p < planes; p++)
        {
            var plane = x.Slice(p * hw, hw);
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    float s = 0f;
                    for (int ky = 0; ky < g.KernelHeight; ky++)
                    {
                        var line = plane.Slice(((oy * g.StrideHeight) + ky) * g.Width + (ox * g.StrideWidth), g.KernelWidth);
                        for (int kx = 0; kx < line.Length; kx++)
                        {
                            s += line[kx];
                        }
                    }

                    y[(((p * oh) + oy) * ow) + ox] = s * scale;
                }
            }
        }
    }

    /// <summary>dx[p, oy·sH + ky, ox·sW + kx] += dy[p, oy, ox] / (kH·kW) for every window.</summary>
    public static void AvgPool2dBackwardAdd(in Pool2dGeometry g, int planes, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int oh = g.OutHeight, ow = g.OutWidth, hw = g.Height * g.Width;
        RequireLength(nameof(dx), dx.Length, planes * hw);
        RequireLength(nameof(dy), dy.Length, planes * oh * ow);
        float scale = 1f / (g.KernelHeight * g.KernelWidth);
        for (int p = 0; p < planes; p++)
        {
            var dplane = dx.Slice(p * hw, hw);
            for (int oy = 0; oy < oh; oy++)
            {
                for (int ox = 0; ox < ow; ox++)
                {
                    float d = dy[(((p * oh) + oy) * ow) + ox] * scale;
                    for (int ky = 0; ky < g.KernelHeight; ky++)
                    {
                        var line = dplane.Slice(((oy * g.StrideHeight) + ky) * g.Width + (ox * g.StrideWidth), g.KernelWidth);
                        for (int kx = 0; kx < line.Length; kx++)
                        {
                            line[kx] += d;
                        }
                    }
                }
            }
        }
    }

    private static int ArgMax(in Pool2dGeometry g, ReadOnlySpan<float> plane, int oy, int ox)
    {
        int best = ((oy * g.StrideHeight) * g.Width) + (ox * g.StrideWidth);
        float max = plane[best];
        if (float.IsNaN(max))
        {
            return best;
        }

        for (int ky = 0; ky < g.KernelHeight; ky++)
        {
            int rowStart = (((oy * g.StrideHeight) + ky) * g.Width) + (ox * g.StrideWidth);
            for (int kx = 0; kx < g.KernelWidth; kx++)
            {
                float v = plane[rowStart + kx];
                if (v > max || float.IsNaN(v))
                {
                    max = v;
                    best = rowStart + kx;
                    if (float.IsNaN(v))
                    {
                        return best;
                    }
                }
            }
        }

        return best;
    }

    private static void RequireLength(string name, int actual, int needed)
    {
        if (actual < needed)
        {
            throw new ArgumentException($"Span '{name}' has {actual} elements but the geometry needs {needed}.", name);
        }
    }
}
