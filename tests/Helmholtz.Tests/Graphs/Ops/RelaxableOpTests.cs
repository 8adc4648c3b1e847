using Helmholtz.Graphs;
using Helmholtz.Graphs.Ops;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Graphs.Ops;

/// <summary>The relaxed backward message of dense and convolution ops (Millidge, Tschantz, Seth &amp; Buckley 2020).</summary>
public sealed class RelaxableOpTests
{
    public static TheoryData<string> Ops() => new() { "dense", "conv2d" };

    /// <summary>With B = W and f′ kept the relaxed message is the op's exact VJP, by the same arithmetic.</summary>
    [Theory]
    [MemberData(nameof(Ops))]
    public void WithTheForwardWeightsAndTheDerivativeItIsTheExactVjp(string kind)
    {
        var (op, x, w, b) = Make(kind, Activation.Tanh);
        var (y, g) = ForwardAndCotangent(op, x, w, b);
        var exact = new FloatTensor(x.Shape.ToArray());
        op.Backward(new OpContext(), [x, w, b], y, g, [exact, null, null]);
        var relaxed = new FloatTensor(x.Shape.ToArray());
        ((IRelaxableOp)op).RelaxedBackward(new OpContext(), x, w, y, g, useDerivative: true, relaxed);
        Assert.Equal(exact.Span.ToArray(), relaxed.Span.ToArray());
    }

    /// <summary>Without f′ the message is that of the same op with the identity: ε sent back through W unchanged.</summary>
    [Theory]
    [MemberData(nameof(Ops))]
    public void WithoutTheDerivativeItIsTheLinearOpsVjp(string kind)
    {
        var (op, x, w, b) = Make(kind, Activation.Tanh);
        var (y, g) = ForwardAndCotangent(op, x, w, b);
        var relaxed = new FloatTensor(x.Shape.ToArray());
        ((IRelaxableOp)op).RelaxedBackward(new OpContext(), x, w, y, g, useDerivative: false, relaxed);

        var (linear, _, _, _) = Make(kind, Activation.Identity);
        var linearY = new FloatTensor(y.Shape.ToArray());
        linear.Forward(new OpContext(), [x, w, b], linearY);
        var expected = new FloatTensor(x.Shape.ToArray());
        linear.Backward(new OpContext(), [x, w, b], linearY, g, [expected, null, null]);
        Assert.Equal(expected.Span.ToArray(), relaxed.Span.ToArray());
    }

    /// <summary>Backward weights B replace W: the message is linear in B, so B = 2W doubles the exact message (exact in binary floating point).</summary>
    [Theory]
    [MemberData(nameof(Ops))]
    public void BackwardWeightsReplaceTheForwardWeights(string kind)
    {
        var (op, x, w, b) = Make(kind, Activation.Tanh);
        var (y, g) = ForwardAndCotangent(op, x, w, b);
        var exact = new FloatTensor(x.Shape.ToArray());
        op.Backward(new OpContext(), [x, w, b], y, g, [exact, null, null]);
        var twice = new FloatTensor(w.Shape.ToArray());
        System.Numerics.Tensors.TensorPrimitives.Multiply(w.Span, 2f, twice.Span);
        var relaxed = new FloatTensor(x.Shape.ToArray());
        ((IRelaxableOp)op).RelaxedBackward(new OpContext(), x, twice, y, g, useDerivative: true, relaxed);
        var doubled = exact.Span.ToArray().Select(v => 2f * v).ToArray();
        Assert.Equal(doubled, relaxed.Span.ToArray());
    }

    private static (Op Op, FloatTensor X, FloatTensor W, FloatTensor B) Make(string kind, Activation activation)
    {
        var rng = new Rng(7);
        FloatTensor x, w, b;
        Op op;
        if (kind == "dense")
        {
            op = new DenseOp(activation);
            (x, w, b) = (new FloatTensor(3, 5), new FloatTensor(4, 5), new FloatTensor(4));
        }
        else
        {
            op = new Conv2dOp(stride: 1, padding: 1, activation: activation);
            (x, w, b) = (new FloatTensor(2, 2, 5, 5), new FloatTensor(3, 2, 3, 3), new FloatTensor(3));
        }

        rng.FillGaussian(x.Span);
        rng.FillGaussian(w.Span, 0f, 0.5f);
        rng.FillGaussian(b.Span, 0f, 0.1f);
        return (op, x, w, b);
    }

    private static (FloatTensor Y, FloatTensor G) ForwardAndCotangent(Op op, FloatTensor x, FloatTensor w, FloatTensor b)
    {
        int[] shape = op is DenseOp ? [x.Dim(0), w.Dim(0)] : [x.Dim(0), w.Dim(0), x.Dim(2), x.Dim(3)];
        var y = new FloatTensor(shape);
        op.Forward(new OpContext(), [x, w, b], y);
        var g = new FloatTensor(shape);
        new Rng(11).FillGaussian(g.Span);
        return (y, g);
    }
}
