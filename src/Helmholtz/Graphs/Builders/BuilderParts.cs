using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Builders;

/// <summary>Pieces shared by the model builders: PyTorch-style initialisation, the loss head, option checks.</summary>
internal static class BuilderParts
{
    /// <summary>A tensor of draws from U(−bound, bound), in row-major order from <paramref name="rng"/>.</summary>
    public static FloatTensor Uniform(Rng rng, double bound, params int[] shape)
    {
        var t = new FloatTensor(shape);
        rng.FillUniform(t.Span, (float)-bound, (float)bound);
        return t;
    }

    /// <summary>A linear layer's weight [out, in] and bias [out], both U(−1/√in, 1/√in) (nn.Linear's default).</summary>
    public static (Node Weight, Node Bias) Linear(GraphBuilder b, Rng rng, string prefix, int fanIn, int fanOut)
    {
        double bound = 1 / Math.Sqrt(fanIn);
        var w = b.Parameter($"{prefix}.weight", Uniform(rng, bound, fanOut, fanIn));
        var bias = b.Parameter($"{prefix}.bias", Uniform(rng, bound, fanOut));
        return (w, bias);
    }

    /// <summary>Adds the target input "y" (shaped like <paramref name="output"/>) and the loss node "loss".</summary>
    public static Model Finish(GraphBuilder b, Node input, Node output, LossKind loss)
    {
        var target = b.Input("y", output.Shape);
        var lossNode = loss switch
        {
            LossKind.Mse => b.MseLoss(output, target, "loss"),
            LossKind.CrossEntropy => b.CrossEntropyLoss(output, target, "loss"),
            _ => throw new ArgumentOutOfRangeException(nameof(loss), loss, "Unknown loss."),
        };
        return new Model(b.Build(), input, output, target, lossNode, loss);
    }

    public static void Positive(int value, string what)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"Option {what} must be positive; got {value}.");
        }
    }
}
