using Helmholtz.Graphs;
using Helmholtz.Graphs.Ops;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep.Planning;

/// <summary>One layer of an <see cref="EnsembleNetwork"/>: its output width and nonlinearity.</summary>
/// <param name="Width">Outputs of the layer.</param>
/// <param name="Activation">The nonlinearity fused into the layer.</param>
public readonly record struct EnsembleLayer(int Width, Activation Activation);

/// <summary>E independent multilayer perceptrons of one shape (an ensemble; E = 1 is a plain MLP), with one forward pass.</summary>
/// <remarks>
/// <para>Layer l of member e computes y = f_l(x·W_{l,e}ᵀ + b_{l,e}) through <see cref="EnsembleDenseOp.ForwardMember"/>,
/// the kernel the graph's <see cref="EnsembleDenseOp"/> runs. <see cref="Build"/> puts the same parameter tensors into
/// a graph (for fitting by backprop), and <see cref="Forward"/> runs one member on any number of rows without a
/// graph (for prediction and the planner's rollouts): both give the same numbers as the executor.</para>
/// <para>Parameters: <c>{prefix}.layers.{l}.weight</c> [E, out, in] (each member in PyTorch's <c>nn.Linear</c> layout)
/// and <c>{prefix}.layers.{l}.bias</c> [E, out].</para>
/// </remarks>
public sealed class EnsembleNetwork
{
    private readonly FloatTensor[] _weights;
    private readonly FloatTensor[] _biases;
    private readonly EnsembleLayer[] _layers;

    /// <summary>Creates zero parameters for <paramref name="members"/> networks on inputs of <paramref name="inputSize"/> elements.</summary>
    public EnsembleNetwork(int members, int inputSize, IReadOnlyList<EnsembleLayer> layers)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(members);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputSize);
        if (layers.Count == 0)
        {
            throw new ArgumentException("An ensemble network needs at least one layer.", nameof(layers));
        }

        Members = members;
        InputSize = inputSize;
        _layers = [.. layers];
        _weights = new FloatTensor[_layers.Length];
        _biases = new FloatTensor[_layers.Length];
        int width = inputSize;
        for (int l = 0; l < _layers.Length; l++)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_layers[l].Width);
            _weights[l] = new FloatTensor(members, _layers[l].Width, width);
            _biases[l] = new FloatTensor(members, _layers[l].Width);
            width = _layers[l].Width;
            if (l < _layers.Length - 1)
            {
                MaxHiddenWidth = Math.Max(MaxHiddenWidth, width);
            }
        }
    }

    /// <summary>Members E.</summary>
    public int Members { get; }

    /// <summary>Inputs per row.</summary>
    public int InputSize { get; }

    /// <summary>Outputs per row (the last layer's width).</summary>
    public int OutputSize => _layers[^1].Width;

    /// <summary>The widest hidden layer (0 for a single layer).</summary>
    public int MaxHiddenWidth { get; }

    /// <summary>The layers, input side first.</summary>
    public IReadOnlyList<EnsembleLayer> Layers => _layers;

    /// <summary>Layer l's weights [E, out, in].</summary>
    public FloatTensor Weight(int layer) => _weights[layer];

    /// <summary>Layer l's biases [E, out].</summary>
    public FloatTensor Bias(int layer) => _biases[layer];

    /// <summary>Floats of workspace <see cref="Forward"/> needs for <paramref name="rows"/> rows.</summary>
    public int WorkspaceSize(int rows) => 2 * rows * MaxHiddenWidth;

    /// <summary>Adds the layers to <paramref name="builder"/> on <paramref name="input"/> (rows in E equal member blocks), with these parameter tensors; returns the output node.</summary>
    public Node Build(GraphBuilder builder, Node input, string prefix)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(input);
        var node = input;
        for (int l = 0; l < _layers.Length; l++)
        {
            var w = builder.Parameter($"{prefix}.layers.{l}.weight", _weights[l]);
            var b = builder.Parameter($"{prefix}.layers.{l}.bias", _biases[l]);
            node = builder.Apply(new EnsembleDenseOp(Members, _layers[l].Activation), $"{prefix}.layers.{l}", node, w, b);
        }

        return node;
    }

    /// <summary>Member <paramref name="member"/>'s output for <paramref name="rows"/> input rows: output [rows, <see cref="OutputSize"/>].</summary>
    /// <param name="member">Which network, 0 ≤ member &lt; E.</param>
    /// <param name="input">Input rows [rows, <see cref="InputSize"/>].</param>
    /// <param name="rows">Number of rows.</param>
    /// <param name="output">Receives [rows, <see cref="OutputSize"/>]; must not alias the input or the workspace.</param>
    /// <param name="workspace">At least <see cref="WorkspaceSize"/> floats for the hidden layers.</param>
    public void Forward(int member, ReadOnlySpan<float> input, int rows, Span<float> output, Span<float> workspace)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(member);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(member, Members);
        if (input.Length < rows * InputSize || output.Length < rows * OutputSize || workspace.Length < WorkspaceSize(rows))
        {
            throw new ArgumentException($"Forward over {rows} rows needs an input of {rows * InputSize}, an output of {rows * OutputSize} and a workspace of {WorkspaceSize(rows)} floats.");
        }

        int hidden = rows * MaxHiddenWidth;
        ReadOnlySpan<float> x = input[..(rows * InputSize)];
        int width = InputSize;
        for (int l = 0; l < _layers.Length; l++)
        {
            bool last = l == _layers.Length - 1;
            int fanOut = _layers[l].Width;
            var y = last ? output[..(rows * fanOut)] : workspace.Slice((l % 2) * hidden, rows * fanOut);
            EnsembleDenseOp.ForwardMember(
                x, rows, width, _weights[l].ReadOnlySpan.Slice(member * fanOut * width, fanOut * width),
                _biases[l].ReadOnlySpan.Slice(member * fanOut, fanOut), fanOut, _layers[l].Activation, y);
            x = y;
            width = fanOut;
        }
    }
}
