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
}
