using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Builders;

/// <summary>Options of <see cref="Mlp"/>: layer sizes, hidden activation and loss.</summary>
/// <param name="InputSize">Features per sample (784 for a flattened 28×28 image).</param>
/// <param name="HiddenSizes">Widths of the hidden layers, input side first (e.g. [128, 128]); may be empty.</param>
/// <param name="OutputSize">Outputs per sample (10 classes).</param>
/// <param name="Activation">Nonlinearity of every hidden layer; the output layer is linear.</param>
/// <param name="Loss">The training loss.</param>
public sealed record MlpOptions(
    int InputSize, IReadOnlyList<int> HiddenSizes, int OutputSize, Activation Activation = Activation.Relu, LossKind Loss = LossKind.CrossEntropy);

/// <summary>A multilayer perceptron, one <see cref="Ops.DenseOp"/> node per layer (activation fused).</summary>
/// <remarks>
/// Layer i computes h_{i+1} = f(h_i·W_iᵀ + b_i) with W_i = <c>layers.{i}.weight</c> [out, in] and
/// b_i = <c>layers.{i}.bias</c> [out]; the last layer uses the identity. Nodes: input "x" [InputSize], layers
/// "layers.{i}", target "y", loss "loss". Initialisation as PyTorch's <c>nn.Linear</c>: W and b ~ U(−1/√in, 1/√in),
/// drawn layer by layer, weight before bias. PyTorch equivalent: <c>nn.Sequential</c> is not used, because its
/// indices count activations; see docs/engine.md for the matching module.
/// </remarks>
public static class Mlp
{
    /// <summary>Builds the network; parameters are drawn from <paramref name="rng"/>.</summary>
    /// <exception cref="ArgumentException">A size is not positive.</exception>
    public static Model Build(MlpOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentNullException.ThrowIfNull(options.HiddenSizes);
        BuilderParts.Positive(options.InputSize, nameof(options.InputSize));
        BuilderParts.Positive(options.OutputSize, nameof(options.OutputSize));
        for (int i = 0; i < options.HiddenSizes.Count; i++)
        {
            BuilderParts.Positive(options.HiddenSizes[i], $"{nameof(options.HiddenSizes)}[{i}]");
        }

        var b = new GraphBuilder();
        var x = b.Input("x", options.InputSize);
        var h = Layers(b, x, options.HiddenSizes, options.OutputSize, options.Activation, rng);
        return BuilderParts.Finish(b, x, h, options.Loss);
    }

    /// <summary>
    /// Appends the layers of an MLP to <paramref name="builder"/> after <paramref name="x"/> and returns the output node
    /// (for networks with their own heads and losses, e.g. Q-networks).
    /// </summary>
    /// <remarks>
    /// Layer i is the node and parameter prefix <c>{prefix}.{i}</c>: a <see cref="Ops.DenseOp"/> with the hidden
    /// activation fused (identity on the last layer); parameters drawn as in <see cref="Build"/>.
    /// </remarks>
    /// <exception cref="ArgumentException">A size is not positive or <paramref name="x"/> is not a flat batched node.</exception>
    public static Node Layers(
        GraphBuilder builder, Node x, IReadOnlyList<int> hiddenSizes, int outputSize, Activation activation, Rng rng, string prefix = "layers")
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        ArgumentNullException.ThrowIfNull(rng);
        if (!x.Batched || x.Shape.Length != 1)
        {
            throw new ArgumentException($"An MLP needs a flat batched input; '{x.Name}' has shape {Tensors.FloatTensor.Format(x.Shape)}.", nameof(x));
        }

        BuilderParts.Positive(outputSize, nameof(outputSize));
        for (int i = 0; i < hiddenSizes.Count; i++)
        {
            BuilderParts.Positive(hiddenSizes[i], $"HiddenSizes[{i}]");
        }

        // Weights, gradients and two optimiser moments per parameter, checked before any layer is allocated.
        double parameters = 0, inputs = x.Shape[0];
        for (int i = 0; i <= hiddenSizes.Count; i++)
        {
            double outputs = i < hiddenSizes.Count ? hiddenSizes[i] : outputSize;
            parameters += (inputs + 1) * outputs;
            inputs = outputs;
        }

        WorkLimits.Default.CheckBytes(16 * parameters, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"An MLP with HiddenSizes [{string.Join(", ", hiddenSizes)}] ({parameters:G3} parameters)"), "lower HiddenSizes");

        var h = x;
        int width = x.Shape[0], layers = hiddenSizes.Count + 1;
        for (int i = 0; i < layers; i++)
        {
            bool last = i == layers - 1;
            int next = last ? outputSize : hiddenSizes[i];
            var (w, bias) = BuilderParts.Linear(builder, rng, $"{prefix}.{i}", width, next);
            h = builder.Dense(h, w, bias, last ? Activation.Identity : activation, $"{prefix}.{i}");
            width = next;
        }

        return h;
    }
}
