using Helmholtz.Tensors;

namespace Helmholtz.Tests.Tensors;

public sealed class ConvolutionTests
{
    [Theory]
    [InlineData(2, 5, 6, 3, 2, 1, 1, 0, 0)]
    [InlineData(1, 7, 7, 3, 3, 2, 2, 1, 1)]
    [InlineData(3, 4, 9, 2, 4, 1, 3, 2, 1)]
    public void Col2ImIsTheAdjointOfIm2Col(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        // ⟨Im2Col(x), P⟩ = ⟨x, Col2Im(P)⟩ for all x and P: the law that makes conv's dx the exact VJP.
        var g = new Conv2dGeometry(c, h, w, kh, kw, sh, sw, ph, pw);
        g.Validate();
        const int images = 2;
        var rng = new Rng(8);
        var x = new float[images * g.ImageSize];
        var p = new float[images * g.OutPixels * g.PatchSize];
        rng.FillUniform(x, -1f, 1f);
        rng.FillUniform(p, -1f, 1f);
        var cols = new float[p.Length];
        var back = new float[x.Length];
        Convolution.Im2Col(g, images, x, cols);
        Convolution.Col2ImAdd(g, images, p, back);
        double left = 0, right = 0;
        for (int i = 0; i < p.Length; i++)
        {
            left += (double)cols[i] * p[i];
        }

        for (int i = 0; i < x.Length; i++)
        {
            right += (double)x[i] * back[i];
        }

        Assert.True(Math.Abs(left - right) <= Tolerance.Float32Accumulated * Math.Max(1, Math.Abs(left)), $"⟨Px, c⟩ = {left}, ⟨x, Pᵀc⟩ = {right}");
    }

    [Fact]
    public void ShortSpansAndBadGeometriesThrow()
    {
        var g = new Conv2dGeometry(1, 4, 4, 3, 3);
        Assert.Throws<ArgumentException>(() => Convolution.Im2Col(g, 1, new float[16], new float[g.OutPixels * g.PatchSize - 1]));
        Assert.Throws<ArgumentException>(() => Convolution.Col2ImAdd(g, 1, new float[g.OutPixels * g.PatchSize], new float[15]));
        var pool = new Pool2dGeometry(4, 4, 2, 2, 2, 2);
        Assert.Throws<ArgumentException>(() => Convolution.MaxPool2d(pool, 1, new float[16], new float[3]));
        Assert.Throws<ArgumentException>(() => new Conv2dGeometry(1, 2, 2, 3, 3).Validate());
        Assert.Throws<ArgumentException>(() => new Pool2dGeometry(2, 2, 3, 3, 1, 1).Validate());
    }

    [Fact]
    public void MaxPoolPropagatesNaN()
    {
        var y = new float[1];
        Convolution.MaxPool2d(new Pool2dGeometry(2, 2, 2, 2, 2, 2), 1, [1f, float.NaN, 3f, 2f], y);
        Assert.True(float.IsNaN(y[0]));
    }

    [Theory]
    [InlineData(1, 6, 6, 3, 3, 1, 1, 1, 1)]
    [InlineData(2, 7, 9, 5, 5, 1, 1, 2, 2)]
    [InlineData(3, 8, 5, 2, 4, 2, 3, 1, 0)]
    [InlineData(1, 4, 20, 1, 17, 1, 1, 0, 0)]
    public void Im2ColAndCol2ImFollowTheirDefinitionsBitForBit(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw)
    {
        // The definitions written out element by element, in the kernels' order of accumulation.
        var g = new Conv2dGeometry(c, h, w, kh, kw, sh, sw, ph, pw);
        g.Validate();
        const int images = 2;
        var rng = new Rng(11);
        var x = new float[images * g.ImageSize];
        var p = new float[images * g.OutPixels * g.PatchSize];
        rng.FillUniform(x, -1f, 1f);
        rng.FillUniform(p, -1f, 1f);
        var cols = new float[p.Length];
        var back = new float[x.Length];
        rng.FillUniform(back, -1f, 1f);
        var expectedBack = (float[])back.Clone();
        var expectedCols = new float[p.Length];
        for (int n = 0, r = 0; n < images; n++)
        {
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                for (int ox = 0; ox < g.OutWidth; ox++, r++)
                {
                    for (int ch = 0, k = 0; ch < c; ch++)
                    {
                        for (int ky = 0; ky < kh; ky++)
                        {
                            for (int kx = 0; kx < kw; kx++, k++)
                            {
                                int iy = (oy * sh) - ph + ky, ix = (ox * sw) - pw + kx;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                {
                                    int at = (((n * c) + ch) * h + iy) * w + ix;
                                    expectedCols[(r * g.PatchSize) + k] = x[at];
                                    expectedBack[at] += p[(r * g.PatchSize) + k];
                                }
                            }
                        }
                    }
                }
            }
        }

        Convolution.Im2Col(g, images, x, cols);
        Convolution.Col2ImAdd(g, images, p, back);
        Assert.Equal(expectedCols, cols);
        Assert.Equal(expectedBack, back);
    }

    [Theory]
    [InlineData(4, 4, 8)]
    [InlineData(5, 7, 8)]
    [InlineData(28, 28, 8)]
    [InlineData(28, 28, 200)]
    [InlineData(10, 10, 0)]
    [InlineData(9, 70, 300)]
    public void TwoByTwoMaxPoolTakesTheFirstMaximumOrTheFirstNaN(int h, int w, int oneNaNIn)
    {
        // Ties, signed zeros and NaNs are where "first maximum in row-major order, NaN wins" is visible.
        var g = new Pool2dGeometry(h, w, 2, 2, 2, 2);
        const int planes = 3;
        var rng = new Rng(5);
        // Values from a small set (many ties); a NaN in about one pixel of oneNaNIn (none for 0), so that both the
        // vector path (groups without NaN) and the scalar path are taken.
        float[] choices = [0f, -0f, 1f, -1f, 2f, float.PositiveInfinity, float.NegativeInfinity];
        var x = new float[planes * h * w];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = oneNaNIn > 0 && rng.NextInt(oneNaNIn) == 0 ? float.NaN : choices[rng.NextInt(choices.Length)];
        }

        var dy = new float[planes * g.OutHeight * g.OutWidth];
        rng.FillUniform(dy, -1f, 1f);
        var y = new float[dy.Length];
        var dx = new float[x.Length];
        var expectedY = new float[dy.Length];
        var expectedDx = new float[x.Length];
        for (int pl = 0, o = 0; pl < planes; pl++)
        {
            for (int oy = 0; oy < g.OutHeight; oy++)
            {
                for (int ox = 0; ox < g.OutWidth; ox++, o++)
                {
                    int best = -1;
                    foreach (int i in new[] { 2 * oy * w + 2 * ox, 2 * oy * w + 2 * ox + 1, (2 * oy + 1) * w + 2 * ox, (2 * oy + 1) * w + 2 * ox + 1 })
                    {
                        int at = (pl * h * w) + i;
                        if (best < 0 || (!float.IsNaN(x[best]) && (float.IsNaN(x[at]) || x[at] > x[best])))
                        {
                            best = at;
                        }
                    }

                    expectedY[o] = x[best];
                    expectedDx[best] += dy[o];
                }
            }
        }

        Convolution.MaxPool2d(g, planes, x, y);
        Convolution.MaxPool2dBackwardAdd(g, planes, x, dy, dx);
        Assert.Equal(expectedY.Select(BitConverter.SingleToInt32Bits), y.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expectedDx.Select(BitConverter.SingleToInt32Bits), dx.Select(BitConverter.SingleToInt32Bits));
    }
}
