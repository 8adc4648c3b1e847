using Helmholtz.Tensors;

namespace Helmholtz.Tests.Tensors;

public sealed class ActivationKernelTests
{
    /// <summary>Every nonlinearity through every driver: lengths 0…256 and 1031, in place, special values, short destinations (<see cref="ActivationKernelMatrix"/>).</summary>
    [Fact]
    public void TheFullKernelMatrixPasses()
    {
        var failures = ActivationKernelMatrix.Run();
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void SwishIsRejectedWhereOnlyTheOutputIsKept()
    {
        Assert.Throws<NotSupportedException>(() => ActivationKernels.MultiplyByDerivative(Activation.Swish, new float[3], new float[3], new float[3]));
        Assert.Throws<ArgumentException>(() => new Helmholtz.Graphs.Ops.DenseOp(Activation.Swish));
        Assert.Throws<ArgumentException>(() => new Helmholtz.Graphs.Ops.Conv2dOp(1, 0, Activation.Swish));
    }

    [Theory]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Sigmoid)]
    [InlineData(Activation.Identity)]
    public void DerivativeProductsMatchTheScalarFormulaOnVectorsAndTail(Activation activation)
    {
        const int n = 37; // whole vectors and a scalar tail
        var rng = new Rng(3);
        var z = new float[n];
        var g = new float[n];
        rng.FillGaussian(z);
        rng.FillGaussian(g);
        z[0] = 0f; // ReLU′(0) = 0, as PyTorch
        var y = z.Select(v => activation switch
        {
            Activation.Relu => MathF.Max(v, 0f),
            Activation.Tanh => MathF.Tanh(v),
            Activation.Sigmoid => 1f / (1f + MathF.Exp(-v)),
            _ => v,
        }).ToArray();
        var expected = new float[n];
        for (int i = 0; i < n; i++)
        {
            expected[i] = activation switch
            {
                Activation.Relu => y[i] > 0f ? g[i] : 0f,
                Activation.Tanh => g[i] * (1f - y[i] * y[i]),
                Activation.Sigmoid => g[i] * y[i] * (1f - y[i]),
                _ => g[i],
            };
        }

        var actual = new float[n];
        ActivationKernels.MultiplyByDerivative(activation, y, g, actual);
        Assert.Equal(expected, actual);
        Assert.Contains(actual, v => v != 0f);
    }
}
