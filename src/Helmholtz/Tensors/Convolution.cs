using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
        int h = g.Height, w = g.Width, kh = g.KernelHeight, kw = g.KernelWidth, channels = g.Channels, hw = h * w;
        ref float src = ref MemoryMarshal.GetReference(x);
        ref float dst = ref MemoryMarshal.GetReference(columns);

        // A kernel row of at most 8 floats inside the image is copied as one 8-float vector when both ends stay inside
        // the spans. Entries are written in increasing order, so the extra floats land on entries written later (the
        // rest of this row of the patch matrix, or the next row), and the result is exactly the element-wise copy.
        bool vector = kw <= Vector256<float>.Count && Vector256.IsHardwareAccelerated;
        int lastSource = x.Length - Vector256<float>.Count, lastTarget = columns.Length - Vector256<float>.Count;
        int d = 0;
        for (int n = 0; n < images; n++)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                int y0 = (oy * g.StrideHeight) - g.PadHeight;
                for (int ox = 0; ox < ow; ox++)
                {
                    int x0 = (ox * g.StrideWidth) - g.PadWidth;
                    bool inside = x0 >= 0 && x0 + kw <= w;
                    for (int c = 0; c < channels; c++)
                    {
                        int plane = ((n * channels) + c) * hw;
                        for (int ky = 0; ky < kh; ky++, d += kw)
                        {
                            int iy = y0 + ky;
                            if ((uint)iy >= (uint)h)
                            {
                                for (int kx = 0; kx < kw; kx++)
                                {
                                    Unsafe.Add(ref dst, d + kx) = 0f;
                                }

                                continue;
                            }

                            int s = plane + (iy * w) + x0;
                            if (inside && vector && s <= lastSource && d <= lastTarget)
                            {
                                Vector256.LoadUnsafe(ref src, (nuint)s).StoreUnsafe(ref dst, (nuint)d);
                            }
                            else if (inside)
                            {
                                for (int kx = 0; kx < kw; kx++)
                                {
                                    Unsafe.Add(ref dst, d + kx) = Unsafe.Add(ref src, s + kx);
                                }
                            }
                            else
                            {
                                for (int kx = 0; kx < kw; kx++)
                                {
                                    Unsafe.Add(ref dst, d + kx) = (uint)(x0 + kx) < (uint)w ? Unsafe.Add(ref src, s + kx) : 0f;
                                }
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
        int h = g.Height, w = g.Width, kh = g.KernelHeight, kw = g.KernelWidth, channels = g.Channels, hw = h * w;
        ref float src = ref MemoryMarshal.GetReference(columns);
        ref float dst = ref MemoryMarshal.GetReference(dx);

        // A kernel row of at most 8 floats inside the image is added as one 8-float vector: the lanes past the row are
        // written back unchanged, so each pixel receives exactly the additions of the element-wise loop, in its order.
        bool vector = kw <= Vector256<float>.Count && Vector256.IsHardwareAccelerated;
        var rowLanes = Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(kw)).AsSingle();
        int lastSource = columns.Length - Vector256<float>.Count, lastTarget = dx.Length - Vector256<float>.Count;
        int d = 0;
        for (int n = 0; n < images; n++)
        {
            for (int oy = 0; oy < oh; oy++)
            {
                int y0 = (oy * g.StrideHeight) - g.PadHeight;
                for (int ox = 0; ox < ow; ox++)
                {
                    int x0 = (ox * g.StrideWidth) - g.PadWidth;
                    bool inside = x0 >= 0 && x0 + kw <= w;
                    for (int c = 0; c < channels; c++)
                    {
                        int plane = ((n * channels) + c) * hw;
                        for (int ky = 0; ky < kh; ky++, d += kw)
                        {
                            int iy = y0 + ky;
                            if ((uint)iy >= (uint)h)
                            {
                                continue;
                            }

                            int t = plane + (iy * w) + x0;
                            if (inside && vector && d <= lastSource && t <= lastTarget)
                            {
                                var old = Vector256.LoadUnsafe(ref dst, (nuint)t);
                                Vector256.ConditionalSelect(rowLanes, old + Vector256.LoadUnsafe(ref src, (nuint)d), old).StoreUnsafe(ref dst, (nuint)t);
                                continue;
                            }

                            for (int kx = 0; kx < kw; kx++)
                            {
                                if (inside || (uint)(x0 + kx) < (uint)w)
                                {
                                    Unsafe.Add(ref dst, t + kx) += Unsafe.Add(ref src, d + kx);
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
        if (IsTwoByTwo(g))
        {
            var sink = new MaximaSink(x, y);
            TwoByTwo(g.Width, oh, ow, planes, hw, x, ref sink);
            return;
        }

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
        if (IsTwoByTwo(g))
        {
            var sink = new GradientSink(dy, dx);
            TwoByTwo(g.Width, oh, ow, planes, hw, x, ref sink);
            return;
        }

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

    /// <summary>The common 2×2 window with stride 2 (LeNet's pooling), which has its own loop.</summary>
    private static bool IsTwoByTwo(in Pool2dGeometry g) => g is { KernelHeight: 2, KernelWidth: 2, StrideHeight: 2, StrideWidth: 2 };

    /// <summary>What a 2×2 pooling pass does with each window's maximum: <see cref="MaximaSink"/> (forward) or <see cref="GradientSink"/> (backward).</summary>
    private interface IWindowSink
    {
        /// <summary>Whether <see cref="TakeMaxima"/> is wanted instead of <see cref="Take"/> for whole vectors of windows.</summary>
        static abstract bool TakesMaxima { get; }

        /// <summary>Window <paramref name="window"/> (its output index) has its maximum at x[<paramref name="at"/>].</summary>
        void Take(int window, int at);

        /// <summary>The maxima of windows <paramref name="window"/> … + <paramref name="count"/> − 1 (later lanes are garbage).</summary>
        void TakeMaxima(int window, Vector512<float> maxima, int count);
    }

    private readonly ref struct MaximaSink(ReadOnlySpan<float> x, Span<float> y) : IWindowSink
    {
        private readonly ReadOnlySpan<float> _x = x;
        private readonly Span<float> _y = y;

        public static bool TakesMaxima => true;

        public void Take(int window, int at) => _y[window] = _x[at];

        public void TakeMaxima(int window, Vector512<float> maxima, int count)
        {
            if (window + Vector512<float>.Count <= _y.Length)
            {
                // Windows are visited in increasing order, so the lanes past count land on outputs written later.
                maxima.StoreUnsafe(ref MemoryMarshal.GetReference(_y), (nuint)window);
                return;
            }

            for (int j = 0; j < count; j++)
            {
                _y[window + j] = maxima.GetElement(j);
            }
        }
    }

    private readonly ref struct GradientSink(ReadOnlySpan<float> dy, Span<float> dx) : IWindowSink
    {
        private readonly ReadOnlySpan<float> _dy = dy;
        private readonly Span<float> _dx = dx;

        public static bool TakesMaxima => false;

        public void Take(int window, int at) => _dx[at] += _dy[window];

        public void TakeMaxima(int window, Vector512<float> maxima, int count) =>
            throw new NotSupportedException("The backward pass needs each window's argmax, not its maximum.");
    }

    /// <summary>Visits every 2×2, stride-2 window of <paramref name="planes"/> planes in output order with its first maximum (or first NaN).</summary>
    /// <remarks>With AVX-512, sixteen windows of a row pair at a time: the two rows' 32 floats each are split into even and
    /// odd columns and compared in the scalar order (b, c, d against the running maximum, strictly greater wins), which
    /// gives <see cref="ArgMax2x2"/>'s answer lane by lane. A group with a NaN in a window it covers goes to the scalar loop.</remarks>
    private static void TwoByTwo<TSink>(int width, int oh, int ow, int planes, int hw, ReadOnlySpan<float> x, ref TSink sink)
        where TSink : struct, IWindowSink, allows ref struct
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        bool vector = Vector512.IsHardwareAccelerated && Avx512F.IsSupported;
        Span<int> which = stackalloc int[Vector512<int>.Count];
        var even = Vector512.Create(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
        var odd = even + Vector512<int>.One;
        Vector512<int> one = Vector512<int>.One, two = Vector512.Create(2), three = Vector512.Create(3);
        for (int p = 0, window = 0; p < planes; p++)
        {
            for (int oy = 0; oy < oh; oy++, window += ow)
            {
                int row = (p * hw) + (2 * oy * width), ox = 0;
                for (; vector && ox < ow && row + (2 * ox) + width + (2 * Vector512<float>.Count) <= x.Length; ox += Vector512<float>.Count)
                {
                    int top = row + (2 * ox), count = Math.Min(Vector512<float>.Count, ow - ox);
                    Vector512<float> lo = Vector512.LoadUnsafe(ref px, (nuint)top), hi = Vector512.LoadUnsafe(ref px, (nuint)(top + 16));
                    Vector512<float> a = Avx512F.PermuteVar16x32x2(lo, even, hi), b = Avx512F.PermuteVar16x32x2(lo, odd, hi);
                    lo = Vector512.LoadUnsafe(ref px, (nuint)(top + width));
                    hi = Vector512.LoadUnsafe(ref px, (nuint)(top + width + 16));
                    Vector512<float> c = Avx512F.PermuteVar16x32x2(lo, even, hi), d = Avx512F.PermuteVar16x32x2(lo, odd, hi);
                    ulong covered = (1UL << count) - 1;
                    if (((Vector512.IsNaN(a) | Vector512.IsNaN(b) | Vector512.IsNaN(c) | Vector512.IsNaN(d)).ExtractMostSignificantBits() & covered) != 0)
                    {
                        break;
                    }

                    var max = a;
                    var k = Vector512<int>.Zero;
                    var gt = Vector512.GreaterThan(b, max);
                    max = Vector512.ConditionalSelect(gt, b, max);
                    k = Vector512.ConditionalSelect(gt.AsInt32(), one, k);
                    gt = Vector512.GreaterThan(c, max);
                    max = Vector512.ConditionalSelect(gt, c, max);
                    k = Vector512.ConditionalSelect(gt.AsInt32(), two, k);
                    gt = Vector512.GreaterThan(d, max);
                    max = Vector512.ConditionalSelect(gt, d, max);
                    k = Vector512.ConditionalSelect(gt.AsInt32(), three, k);
                    if (TSink.TakesMaxima)
                    {
                        sink.TakeMaxima(window + ox, max, count);
                        continue;
                    }

                    k.CopyTo(which);
                    for (int j = 0; j < count; j++)
                    {
                        sink.Take(window + ox + j, top + (2 * j) + (which[j] & 1) + ((which[j] >> 1) * width));
                    }
                }

                for (; ox < ow; ox++)
                {
                    sink.Take(window + ox, ArgMax2x2(ref px, row + (2 * ox), width));
                }
            }
        }
    }

    /// <summary>The index of the first maximum of the 2×2 window whose top-left pixel is <paramref name="top"/>, or of its first NaN: what <see cref="ArgMax"/> returns.</summary>
    /// <remarks>Comparisons with NaN are false, so the three comparisons give the first maximum whenever no value is NaN.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int ArgMax2x2(ref float plane, int top, int width)
    {
        int i0 = top, i1 = top + 1, i2 = top + width, i3 = i2 + 1;
        float a = Unsafe.Add(ref plane, i0), b = Unsafe.Add(ref plane, i1), c = Unsafe.Add(ref plane, i2), d = Unsafe.Add(ref plane, i3);
        if (float.IsNaN(a) || float.IsNaN(b) || float.IsNaN(c) || float.IsNaN(d))
        {
            return float.IsNaN(a) ? i0 : float.IsNaN(b) ? i1 : float.IsNaN(c) ? i2 : i3;
        }

        int best = i0;
        float max = a;
        if (b > max)
        {
            max = b;
            best = i1;
        }

        if (c > max)
        {
            max = c;
            best = i2;
        }

        return d > max ? i3 : best;
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
