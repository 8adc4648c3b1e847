using System.Globalization;
using Helmholtz.Graphs.Ops;
using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Builders;

/// <summary>How a residual network's weights are initialised and scaled with width N and depth H.</summary>
/// <remarks>
/// Layer multipliers a (input a_1, hidden blocks a_h, readout a_H) and initial weights, for input size D:
/// <list type="bullet">
/// <item><see cref="Standard"/>: a_1 = a_h = a_H = 1, W and b ~ U(−1/√fan_in, 1/√fan_in) (PyTorch's nn.Linear).</item>
/// <item><see cref="MuPC"/>: a_1 = 1/√D, a_h = 1/√(N·H), a_H = 1/N, W ~ N(0, 1), b = 0 (Innocenti et al. 2025, μPC: the
/// Depth-μP branch multiplier 1/√H of Yang et al. 2023 and Bordelon et al. 2023 times the μP width factors).</item>
/// <item><see cref="Ntk"/>: as μPC but a_H = 1/√N (the neural-tangent readout; Jacot et al. 2018), with the same 1/√H
/// depth factor on the branches.</item>
/// </list>
/// </remarks>
public enum Parametrisation
{
    /// <summary>Unit multipliers and PyTorch's default initialisation.</summary>
    Standard,

    /// <summary>μPC (Depth-μP for predictive coding): unit-Gaussian weights, multipliers 1/√D, 1/√(N·H), 1/N.</summary>
    MuPC,

    /// <summary>Neural-tangent parametrisation with skips: unit-Gaussian weights, multipliers 1/√D, 1/√(N·H), 1/√N.</summary>
    Ntk,
}

/// <summary>Options of <see cref="ResidualMlp"/>.</summary>
/// <param name="InputSize">Features per sample D (784 for a flattened 28×28 image).</param>
/// <param name="Width">Width N of the residual stream.</param>
/// <param name="Depth">Weight layers H ≥ 2: the input projection, H − 2 residual blocks, the readout (μPC's count).</param>
/// <param name="OutputSize">Outputs per sample (10 classes).</param>
/// <param name="Activation">The nonlinearity φ inside each block and before the readout.</param>
/// <param name="Loss">The training loss.</param>
/// <param name="Parametrisation">Multipliers and initialisation.</param>
/// <param name="Bias">Whether every layer has a bias (μPC's networks have none).</param>
public sealed record ResidualMlpOptions(
    int InputSize, int Width, int Depth, int OutputSize, Activation Activation = Activation.Relu, LossKind Loss = LossKind.Mse,
    Parametrisation Parametrisation = Parametrisation.Standard, bool Bias = false);

/// <summary>A residual MLP: an input projection, H − 2 identity-skip blocks of width N, a readout; one op node per layer.</summary>
/// <remarks>
/// <para>z_1 = a_1 (W_0 x + b_0); z_{l+1} = z_l + a_h (W_l φ(z_l) + b_l) for l = 1 … H − 2; ŷ = a_H (W_{H−1} φ(z_{H−1}) + b_{H−1})
/// (μPC's residual network, Innocenti et al. 2025; Depth-μP's block of Yang et al. 2023 with the nonlinearity before the
/// weights). Every layer is one <see cref="ScaledDenseOp"/> node "layers.{i}", so predictive coding has one value node per
/// layer. Parameters <c>layers.{i}.weight</c> [out, in] (and <c>layers.{i}.bias</c>), drawn layer by layer, weight first;
/// multipliers and initialisation as <see cref="Parametrisation"/> says (<see cref="Multipliers"/>).</para>
/// <para>The notation x_{l+1} = x_l + a·f(W x_l + b) puts f after the weights; this builder follows the published
/// μPC/Depth-μP block, with φ before them, whose backward pass needs no second matrix product.</para>
/// </remarks>
public static class ResidualMlp
{
    /// <summary>Builds the network; parameters are drawn from <paramref name="rng"/>.</summary>
    /// <exception cref="ArgumentException">A size is not positive, or the depth is below 2.</exception>
    public static Model Build(ResidualMlpOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        var o = options;
        BuilderParts.Positive(o.InputSize, nameof(o.InputSize));
        BuilderParts.Positive(o.Width, nameof(o.Width));
        BuilderParts.Positive(o.OutputSize, nameof(o.OutputSize));
        if (o.Depth < 2)
        {
            throw new ArgumentException($"Option {nameof(o.Depth)} must be at least 2 (an input projection and a readout); got {o.Depth}.");
        }

        double parameters = (o.InputSize + 1.0) * o.Width + ((o.Depth - 2.0) * (o.Width + 1.0) * o.Width) + ((o.Width + 1.0) * o.OutputSize);
        WorkLimits.Default.CheckBytes(16 * parameters, string.Create(CultureInfo.InvariantCulture,
            $"A residual MLP of Depth {o.Depth} and Width {o.Width} ({parameters:G3} parameters)"), "lower Depth or Width");

        var (aIn, aHidden, aOut) = Multipliers(o);
        var b = new GraphBuilder();
        var x = b.Input("x", o.InputSize);
        var h = Layer(b, rng, o, 0, x, o.InputSize, o.Width, Activation.Identity, aIn, residual: false);
        for (int l = 1; l <= o.Depth - 2; l++)
        {
            h = Layer(b, rng, o, l, h, o.Width, o.Width, o.Activation, aHidden, residual: true);
        }

        h = Layer(b, rng, o, o.Depth - 1, h, o.Width, o.OutputSize, o.Activation, aOut, residual: false);
        return BuilderParts.Finish(b, x, h, o.Loss);
    }

    /// <summary>The multipliers (a_1 of the input projection, a_h of every block, a_H of the readout) of <paramref name="options"/>.</summary>
    public static (double Input, double Hidden, double Output) Multipliers(ResidualMlpOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        double n = options.Width, depth = options.Depth, d = options.InputSize;
        return options.Parametrisation switch
        {
            Parametrisation.Standard => (1, 1, 1),
            Parametrisation.MuPC => (1 / Math.Sqrt(d), 1 / Math.Sqrt(n * depth), 1 / n),
            Parametrisation.Ntk => (1 / Math.Sqrt(d), 1 / Math.Sqrt(n * depth), 1 / Math.Sqrt(n)),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Parametrisation, "Unknown parametrisation."),
        };
    }

    private static Node Layer(GraphBuilder b, Rng rng, ResidualMlpOptions o, int index, Node input, int fanIn, int fanOut, Activation phi, double scale, bool residual)
    {
        string prefix = $"layers.{index}";
        Node w, bias;
        if (o.Parametrisation == Parametrisation.Standard)
        {
            double bound = 1 / Math.Sqrt(fanIn);
            w = b.Parameter($"{prefix}.weight", BuilderParts.Uniform(rng, bound, fanOut, fanIn));
            if (!o.Bias)
            {
                return b.Apply(new ScaledDenseOp(phi, (float)scale, residual), prefix, input, w);
            }

            bias = b.Parameter($"{prefix}.bias", BuilderParts.Uniform(rng, bound, fanOut));
        }
        else
        {
            var weight = new FloatTensor(fanOut, fanIn);
            rng.FillGaussian(weight.Span);
            w = b.Parameter($"{prefix}.weight", weight);
            if (!o.Bias)
            {
                return b.Apply(new ScaledDenseOp(phi, (float)scale, residual), prefix, input, w);
            }

            bias = b.Parameter($"{prefix}.bias", new FloatTensor(fanOut));
        }

        return b.Apply(new ScaledDenseOp(phi, (float)scale, residual), prefix, input, w, bias);
    }
}
