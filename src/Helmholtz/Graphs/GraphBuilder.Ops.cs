using Helmholtz.Graphs.Ops;
using Helmholtz.Tensors;

namespace Helmholtz.Graphs;

/// <summary>Shorthands that apply the standard ops; each returns the new node, named by its <c>name</c> argument when given.</summary>
public sealed partial class GraphBuilder
{
    /// <summary>y = f(x·Wᵀ + b): a fully connected layer (<see cref="DenseOp"/>); <paramref name="bias"/> may be null.</summary>
    public Node Dense(Node x, Node weight, Node? bias = null, Activation activation = Activation.Identity, string? name = null) =>
        bias is null ? Apply(new DenseOp(activation), name, x, weight) : Apply(new DenseOp(activation), name, x, weight, bias);

    /// <summary>y = x·Wᵀ (<see cref="MatMulOp"/>).</summary>
    public Node MatMul(Node x, Node weight, string? name = null) => Apply(new MatMulOp(), name, x, weight);

    /// <summary>y[n, c, …] = x[n, c, …] + b[c] (<see cref="BiasAddOp"/>).</summary>
    public Node BiasAdd(Node x, Node bias, string? name = null) => Apply(new BiasAddOp(), name, x, bias);

    /// <summary>y = a + b elementwise (<see cref="AddOp"/>).</summary>
    public Node Add(Node a, Node b, string? name = null) => Apply(new AddOp(), name, a, b);

    /// <summary>y = a ⊙ b elementwise (<see cref="MultiplyOp"/>).</summary>
    public Node Multiply(Node a, Node b, string? name = null) => Apply(new MultiplyOp(), name, a, b);

    /// <summary>y = f(conv2d(x, W) + b) over NCHW images (<see cref="Conv2dOp"/>); <paramref name="bias"/> may be null.</summary>
    public Node Conv2d(Node x, Node weight, Node? bias = null, int stride = 1, int padding = 0, Activation activation = Activation.Identity, string? name = null) =>
        bias is null
            ? Apply(new Conv2dOp(stride, padding, activation), name, x, weight)
            : Apply(new Conv2dOp(stride, padding, activation), name, x, weight, bias);

    /// <summary>Max pooling with a square window (<see cref="MaxPool2dOp"/>); the stride defaults to the window.</summary>
    public Node MaxPool2d(Node x, int kernel, int? stride = null, string? name = null) => Apply(new MaxPool2dOp(kernel, stride), name, x);

    /// <summary>Average pooling with a square window (<see cref="AvgPool2dOp"/>); the stride defaults to the window.</summary>
    public Node AvgPool2d(Node x, int kernel, int? stride = null, string? name = null) => Apply(new AvgPool2dOp(kernel, stride), name, x);

    /// <summary>Gives each sample the shape <paramref name="sampleShape"/> (one entry may be −1) (<see cref="ReshapeOp"/>).</summary>
    public Node Reshape(Node x, int[] sampleShape, string? name = null) => Apply(new ReshapeOp(sampleShape), name, x);

    /// <summary>Flattens each sample to one axis (<see cref="ReshapeOp.Flatten"/>).</summary>
    public Node Flatten(Node x, string? name = null) => Apply(ReshapeOp.Flatten(), name, x);

    /// <summary>Joins the inputs along per-sample <paramref name="axis"/> (<see cref="ConcatOp"/>).</summary>
    public Node Concat(int axis, string? name, params Node[] inputs) => Apply(new ConcatOp(axis), name, inputs);

    /// <summary>Keeps indices [start, start + length) of per-sample <paramref name="axis"/> (<see cref="SliceOp"/>).</summary>
    public Node Slice(Node x, int axis, int start, int length, string? name = null) => Apply(new SliceOp(axis, start, length), name, x);

    /// <summary>y = x (<see cref="UnaryOp{TFunction}"/> of <see cref="Tensors.Identity"/>).</summary>
    public Node Identity(Node x, string? name = null) => Apply(new UnaryOp<Tensors.Identity>(), name, x);

    /// <summary>y = tanh x.</summary>
    public Node Tanh(Node x, string? name = null) => Apply(new UnaryOp<Tensors.Tanh>(), name, x);

    /// <summary>y = 1 / (1 + e^−x).</summary>
    public Node Sigmoid(Node x, string? name = null) => Apply(new UnaryOp<Tensors.Sigmoid>(), name, x);

    /// <summary>y = max(x, 0).</summary>
    public Node Relu(Node x, string? name = null) => Apply(new UnaryOp<Tensors.Relu>(), name, x);

    /// <summary>y = x·σ(x) (swish).</summary>
    public Node Swish(Node x, string? name = null) => Apply(new UnaryOp<Tensors.Swish>(), name, x);

    /// <summary>y = eˣ.</summary>
    public Node Exp(Node x, string? name = null) => Apply(new UnaryOp<Tensors.Exp>(), name, x);

    /// <summary>y = ln x.</summary>
    public Node Log(Node x, string? name = null) => Apply(new UnaryOp<Tensors.Log>(), name, x);

    /// <summary>y = √x.</summary>
    public Node Sqrt(Node x, string? name = null) => Apply(new UnaryOp<Tensors.Sqrt>(), name, x);

    /// <summary>y = x².</summary>
    public Node Square(Node x, string? name = null) => Apply(new UnaryOp<Tensors.Square>(), name, x);

    /// <summary>y = sin x.</summary>
    public Node Sin(Node x, string? name = null) => Apply(new UnaryOp<Tensors.Sin>(), name, x);

    /// <summary>y = cos x.</summary>
    public Node Cos(Node x, string? name = null) => Apply(new UnaryOp<Tensors.Cos>(), name, x);

    /// <summary>y = tan x.</summary>
    public Node Tan(Node x, string? name = null) => Apply(new UnaryOp<Tensors.Tan>(), name, x);

    /// <summary>The activation <paramref name="activation"/> as its own node (identity gives a copy).</summary>
    public Node Activate(Node x, Activation activation, string? name = null) => activation switch
    {
        Activation.Identity => Identity(x, name),
        Activation.Tanh => Tanh(x, name),
        Activation.Sigmoid => Sigmoid(x, name),
        Activation.Relu => Relu(x, name),
        Activation.Swish => Swish(x, name),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
    };

    /// <summary>Softmax over the last per-sample axis (<see cref="SoftmaxOp"/>).</summary>
    public Node Softmax(Node x, string? name = null) => Apply(new SoftmaxOp(), name, x);

    /// <summary>L = (1/B) Σ_b ½‖ŷ_b − y_b‖² (<see cref="MseLossOp"/>).</summary>
    public Node MseLoss(Node prediction, Node target, string? name = null) => Apply(new MseLossOp(), name, prediction, target);

    /// <summary>Softmax cross-entropy of logits against target probabilities (<see cref="CrossEntropyLossOp"/>).</summary>
    public Node CrossEntropyLoss(Node logits, Node target, string? name = null) => Apply(new CrossEntropyLossOp(), name, logits, target);

    /// <summary>L = (1/B) Σ h_δ(ŷ − y), the Huber loss summed over outputs (<see cref="HuberLossOp"/>).</summary>
    public Node HuberLoss(Node prediction, Node target, double delta = 1.0, string? name = null) =>
        Apply(new HuberLossOp(delta), name, prediction, target);

    /// <summary>KL(softmax(z) ‖ softmax(−γG)) averaged over the batch, entropy weighted by β (<see cref="PolicyFreeEnergyLossOp"/>).</summary>
    public Node PolicyFreeEnergyLoss(Node logits, Node expectedFreeEnergy, Node precision, double entropyWeight = 1.0, string? name = null) =>
        Apply(new PolicyFreeEnergyLossOp(entropyWeight), name, logits, expectedFreeEnergy, precision);
}
