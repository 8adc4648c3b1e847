using Helmholtz.Graphs;
using Helmholtz.Graphs.Ops;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Graphs;

/// <summary>Forward values of the ops against direct definitions (the VJP law only ties Backward to Forward).</summary>
public sealed class OpForwardTests
{
    private static readonly OpContext Context = new();

    private static FloatTensor Random(Rng rng, params int[] shape)
    {
        var t = new FloatTensor(shape);
        rng.FillUniform(t.Span, -1f, 1f);
        return t;
    }

    [Theory]
    [InlineData(1, 1, 0, 0, 3)]
    [InlineData(2, 2, 1, 1, 3)]
    [InlineData(1, 2, 2, 0, 1)]
    [InlineData(3, 1, 0, 2, 2)]
    public void Conv2dEqualsTheDirectSum(int strideH, int strideW, int padH, int padW, int batch)
    {
        var rng = new Rng(11);
        int c = 2, h = 7, w = 6, o = 3, kh = 3, kw = 2;
        var x = Random(rng, batch, c, h, w);
        var weight = Random(rng, o, c, kh, kw);
        var bias = Random(rng, o);
        var op = new Conv2dOp(strideH, strideW, padH, padW, Activation.Tanh);
        int oh = ((h + (2 * padH) - kh) / strideH) + 1, ow = ((w + (2 * padW) - kw) / strideW) + 1;
        var y = new FloatTensor(batch, o, oh, ow);
        op.Forward(Context, [x, weight, bias], y);
        for (int n = 0; n < batch; n++)
        {
            for (int oc = 0; oc < o; oc++)
            {
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        double s = bias.Span[oc];
                        for (int ic = 0; ic < c; ic++)
                        {
                            for (int ky = 0; ky < kh; ky++)
                            {
                                for (int kx = 0; kx < kw; kx++)
                                {
                                    int iy = (i * strideH) - padH + ky, ix = (j * strideW) - padW + kx;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                    {
                                        s += weight.Span[(((oc * c) + ic) * kh + ky) * kw + kx] * x.Span[(((n * c) + ic) * h + iy) * w + ix];
                                    }
                                }
                            }
                        }

                        float actual = y.Span[(((n * o) + oc) * oh + i) * ow + j];
                        Assert.True(Math.Abs(Math.Tanh(s) - actual) <= Tolerance.Float32Accumulated,
                            $"y[{n},{oc},{i},{j}] = {actual:R}, direct sum gives {Math.Tanh(s):R}");
                    }
                }
            }
        }
    }

    [Fact]
    public void PoolingTakesTheMaxAndTheMeanOfEachWindow()
    {
        // One 3×4 plane, 2×2 windows with stride 2 (the last row is dropped, floor rounding); values by hand.
        var x = new FloatTensor([1, 5, 2, 0, -3, 4, 8, 7, 9, 9, 9, 9], 1, 1, 3, 4);
        var max = new FloatTensor(1, 1, 1, 2);
        var avg = new FloatTensor(1, 1, 1, 2);
        new MaxPool2dOp(2).Forward(Context, [x], max);
        new AvgPool2dOp(2).Forward(Context, [x], avg);
        Assert.Equal([5f, 8f], max.Span.ToArray());
        Assert.Equal([(1 + 5 - 3 + 4) / 4f, (2 + 0 + 8 + 7) / 4f], avg.Span.ToArray());

        // Ties send the gradient to the first maximum in row-major order (PyTorch's choice).
        var tied = new FloatTensor([2, 2, 2, 2], 1, 1, 2, 2);
        var dx = new FloatTensor(1, 1, 2, 2);
        new MaxPool2dOp(2).Backward(Context, [tied], new FloatTensor([2f], 1, 1, 1, 1), new FloatTensor([3f], 1, 1, 1, 1), [dx]);
        Assert.Equal([3f, 0f, 0f, 0f], dx.Span.ToArray());
    }

    [Fact]
    public void ConcatThenSliceRecoversEachPart()
    {
        var rng = new Rng(3);
        var a = Random(rng, 2, 3, 2);
        var b = Random(rng, 2, 1, 2);
        var cat = new FloatTensor(2, 4, 2);
        new ConcatOp(0).Forward(Context, [a, b], cat);
        var back = new FloatTensor(2, 1, 2);
        new SliceOp(0, 3, 1).Forward(Context, [cat], back);
        Assert.Equal(b.Span.ToArray(), back.Span.ToArray());
        var front = new FloatTensor(2, 3, 2);
        new SliceOp(0, 0, 3).Forward(Context, [cat], front);
        Assert.Equal(a.Span.ToArray(), front.Span.ToArray());
    }

    [Fact]
    public void SoftmaxRowsArePositiveAndSumToOne()
    {
        var x = new FloatTensor([1000f, 1000f, 0f, -1f, 0f, 1f], 2, 3);
        var y = new FloatTensor(2, 3);
        new SoftmaxOp().Forward(Context, [x], y);
        Assert.Equal(0.5f, y[0, 0], 6);
        Assert.Equal(0f, y[0, 2], 6);
        // e^{-1}, 1, e / (e^{-1} + 1 + e): hand calculation.
        double z = Math.Exp(-1) + 1 + Math.E;
        Assert.Equal(Math.Exp(-1) / z, y[1, 0], 6);
        Assert.Equal(Math.E / z, y[1, 2], 6);
    }

    [Fact]
    public void BiasAddBroadcastsOverPixels()
    {
        var x = new FloatTensor(2, 2, 1, 3);
        var b = new FloatTensor([10f, 20f], 2);
        var y = new FloatTensor(2, 2, 1, 3);
        new BiasAddOp().Forward(Context, [x, b], y);
        Assert.Equal([10f, 10f, 10f, 20f, 20f, 20f, 10f, 10f, 10f, 20f, 20f, 20f], y.Span.ToArray());
    }

    [Fact]
    public void ShapeErrorsNameTheNodes()
    {
        var g = new GraphBuilder();
        var x = g.Input("image", 1, 4, 4);
        var w = g.Parameter("conv1.weight", new FloatTensor(2, 3, 3, 3));
        Assert.Contains("conv1.weight", Assert.Throws<ArgumentException>(() => g.Conv2d(x, w)).Message);
        Assert.Contains("image", Assert.Throws<ArgumentException>(() => g.MaxPool2d(x, 5)).Message);
        Assert.Contains("image", Assert.Throws<ArgumentException>(() => g.Reshape(x, [3, -1])).Message);
        Assert.Contains("image", Assert.Throws<ArgumentException>(() => g.Slice(x, 1, 2, 3)).Message);
        var v = g.Input("v", 4);
        Assert.Contains("'v'", Assert.Throws<ArgumentException>(() => g.Add(v, g.Input("u", 5))).Message);
    }

    [Fact]
    public void UnaryOpsAgreeWithMath()
    {
        float[] xs = [0.3f, 1.2f, 0.05f, 2.5f, 0.7f, 1.9f, 0.1f, 1.0f, 0.45f, 1.4f];
        var x = new FloatTensor(xs, 2, 5);
        var y = new FloatTensor(2, 5);
        void Check(Op op, Func<double, double> f)
        {
            op.Forward(Context, [x], y);
            for (int i = 0; i < xs.Length; i++)
            {
                Assert.True(Math.Abs(f(xs[i]) - y.Span[i]) <= 4e-6 * Math.Max(1, Math.Abs(f(xs[i]))), $"{op.Kind}({xs[i]}) = {y.Span[i]:R}, Math gives {f(xs[i]):R}");
            }
        }

        Check(new UnaryOp<Exp>(), Math.Exp);
        Check(new UnaryOp<Log>(), Math.Log);
        Check(new UnaryOp<Sqrt>(), Math.Sqrt);
        Check(new UnaryOp<Square>(), v => v * v);
        Check(new UnaryOp<Sin>(), Math.Sin);
        Check(new UnaryOp<Cos>(), Math.Cos);
        Check(new UnaryOp<Tan>(), Math.Tan);
        Check(new UnaryOp<Tanh>(), Math.Tanh);
        Check(new UnaryOp<Sigmoid>(), v => 1 / (1 + Math.Exp(-v)));
        Check(new UnaryOp<Relu>(), v => Math.Max(v, 0));
    }

    [Fact]
    public void ForwardAndBackwardAllocateNothingAfterTheFirstCall()
    {
        var rng = new Rng(5);
        var x = Random(rng, 4, 2, 8, 8);
        var w = Random(rng, 3, 2, 3, 3);
        var b = Random(rng, 3);
        var op = new Conv2dOp(1, 1, Activation.Relu);
        var y = new FloatTensor(4, 3, 8, 8);
        var dy = Random(rng, 4, 3, 8, 8);
        FloatTensor?[] grads = [new FloatTensor(4, 2, 8, 8), new FloatTensor(3, 2, 3, 3), new FloatTensor(3)];
        FloatTensor[] inputs = [x, w, b];
        op.Forward(Context, inputs, y);
        op.Backward(Context, inputs, y, dy, grads);
        Assert.Equal(0, Allocations.Least(() =>
        {
            op.Forward(Context, inputs, y);
            op.Backward(Context, inputs, y, dy, grads);
        }));
    }
}

public sealed class LossTests
{
    [Fact]
    public void CrossEntropyGradientStaysFiniteForLargeLogits()
    {
        // Logits (1000, 0) with target class 0: softmax = (1, e^−1000 ≈ 0), so dL/dz = (1 − 1, 0 − 0) = (0, 0) and L = 0.
        var z = new FloatTensor([1000f, 0f], 1, 2);
        var y = new FloatTensor([1f, 0f], 1, 2);
        var loss = new FloatTensor(1);
        var op = new CrossEntropyLossOp();
        op.Forward(new OpContext(), [z, y], loss);
        var dz = new FloatTensor(1, 2);
        op.Backward(new OpContext(), [z, y], loss, new FloatTensor([1f], 1), [dz, null]);
        Assert.Equal(0f, loss.Span[0]);
        Assert.Equal([0f, 0f], dz.Span.ToArray());
    }
}
