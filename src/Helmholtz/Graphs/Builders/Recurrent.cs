using Helmholtz.Tensors;

namespace Helmholtz.Graphs.Builders;

/// <summary>Options of <see cref="Rnn"/> and <see cref="Lstm"/>: a sequence read from a flat input, hidden size, readout.</summary>
/// <param name="InputSize">Features per time step (28: one image row).</param>
/// <param name="SequenceLength">Time steps (28: the image's rows).</param>
/// <param name="HiddenSize">Hidden units H.</param>
/// <param name="OutputSize">Outputs of the linear readout of the last hidden state.</param>
/// <param name="Loss">The training loss.</param>
public sealed record RecurrentOptions(
    int InputSize = 28, int SequenceLength = 28, int HiddenSize = 128, int OutputSize = 10, LossKind Loss = LossKind.CrossEntropy)
{
    internal void Validate()
    {
        BuilderParts.Positive(InputSize, nameof(InputSize));
        BuilderParts.Positive(SequenceLength, nameof(SequenceLength));
        BuilderParts.Positive(HiddenSize, nameof(HiddenSize));
        BuilderParts.Positive(OutputSize, nameof(OutputSize));
    }
}

/// <summary>An Elman RNN (tanh) unrolled over time, reading a flat input row by row, with a linear readout.</summary>
/// <remarks>
/// Input "x" [T·I]: step t reads x[t·I : (t+1)·I] (row t of a 28×28 image). With h₋₁ = 0,
/// h_t = tanh(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh), and the output is h_{T−1}·Wᵀ + b. Nodes per step:
/// "x{t}" (slice), "rnn.ih{t}", "rnn.hh{t}" (t ≥ 1), "rnn.pre{t}", "rnn.h{t}"; readout "fc". At t = 0 the recurrent
/// term is just b_hh (a bias_add), so no zero-state input is needed. Parameters as PyTorch's
/// <c>nn.RNN(I, H, batch_first=True)</c> + <c>nn.Linear(H, out)</c>: <c>rnn.weight_ih_l0</c> [H, I],
/// <c>rnn.weight_hh_l0</c> [H, H], <c>rnn.bias_ih_l0</c> [H], <c>rnn.bias_hh_l0</c> [H], <c>fc.weight</c>,
/// <c>fc.bias</c>. Initialisation as PyTorch: every RNN tensor ~ U(−1/√H, 1/√H); the readout as nn.Linear.
/// </remarks>
public static class Rnn
{
    /// <summary>Builds the unrolled network; parameters are drawn from <paramref name="rng"/>.</summary>
    public static Model Build(RecurrentOptions options, Rng rng) => Recurrent.Build(options, rng, lstm: false);
}

/// <summary>An LSTM unrolled over time from primitive ops (every gate is a node), with a linear readout.</summary>
/// <remarks>
/// With h₋₁ = c₋₁ = 0 and z_t = x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh split into four blocks of H in PyTorch's
/// gate order: i_t = σ(z⁰), f_t = σ(z¹), g_t = tanh(z²), o_t = σ(z³); c_t = f_t ⊙ c_{t−1} + i_t ⊙ g_t;
/// h_t = o_t ⊙ tanh(c_t) (Hochreiter &amp; Schmidhuber 1997, with forget gate). Nodes per step: "lstm.z{t}",
/// "lstm.i{t}", "lstm.f{t}" (t ≥ 1), "lstm.g{t}", "lstm.o{t}" (each after a slice "lstm.z{t}.i" …), "lstm.c{t}",
/// "lstm.tanh_c{t}", "lstm.h{t}"; readout "fc". Parameters as <c>nn.LSTM(I, H, batch_first=True)</c>:
/// <c>lstm.weight_ih_l0</c> [4H, I], <c>lstm.weight_hh_l0</c> [4H, H], <c>lstm.bias_ih_l0</c> [4H],
/// <c>lstm.bias_hh_l0</c> [4H]; readout <c>fc.weight</c>, <c>fc.bias</c>. Initialisation ~ U(−1/√H, 1/√H).
/// </remarks>
public static class Lstm
{
    /// <summary>Builds the unrolled network; parameters are drawn from <paramref name="rng"/>.</summary>
    public static Model Build(RecurrentOptions options, Rng rng) => Recurrent.Build(options, rng, lstm: true);
}

internal static class Recurrent
{
    public static Model Build(RecurrentOptions options, Rng rng, bool lstm)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        options.Validate();
        int inputs = options.InputSize, hidden = options.HiddenSize, rows = lstm ? 4 * hidden : hidden;
        string prefix = lstm ? "lstm" : "rnn";
        double bound = 1 / Math.Sqrt(hidden);
        var b = new GraphBuilder();
        var x = b.Input("x", options.SequenceLength * inputs);
        var wih = b.Parameter($"{prefix}.weight_ih_l0", BuilderParts.Uniform(rng, bound, rows, inputs));
        var whh = b.Parameter($"{prefix}.weight_hh_l0", BuilderParts.Uniform(rng, bound, rows, hidden));
        var bih = b.Parameter($"{prefix}.bias_ih_l0", BuilderParts.Uniform(rng, bound, rows));
        var bhh = b.Parameter($"{prefix}.bias_hh_l0", BuilderParts.Uniform(rng, bound, rows));
        Node? h = null, c = null;
        for (int t = 0; t < options.SequenceLength; t++)
        {
            var xt = b.Slice(x, 0, t * inputs, inputs, $"x{t}");
            var ih = b.Dense(xt, wih, bih, name: $"{prefix}.ih{t}");
            var z = h is null
                ? b.BiasAdd(ih, bhh, lstm ? $"{prefix}.z{t}" : $"{prefix}.pre{t}")
                : b.Add(ih, b.Dense(h, whh, bhh, name: $"{prefix}.hh{t}"), lstm ? $"{prefix}.z{t}" : $"{prefix}.pre{t}");
            if (!lstm)
            {
                h = b.Tanh(z, $"rnn.h{t}");
                continue;
            }

            var i = b.Sigmoid(b.Slice(z, 0, 0, hidden, $"lstm.z{t}.i"), $"lstm.i{t}");
            var g = b.Tanh(b.Slice(z, 0, 2 * hidden, hidden, $"lstm.z{t}.g"), $"lstm.g{t}");
            var o = b.Sigmoid(b.Slice(z, 0, 3 * hidden, hidden, $"lstm.z{t}.o"), $"lstm.o{t}");
            if (c is null)
            {
                // c₋₁ = 0, so the first forget gate has no effect and is left out of the graph.
                c = b.Multiply(i, g, $"lstm.c{t}");
            }
            else
            {
                var f = b.Sigmoid(b.Slice(z, 0, hidden, hidden, $"lstm.z{t}.f"), $"lstm.f{t}");
                c = b.Add(b.Multiply(f, c, $"lstm.fc{t}"), b.Multiply(i, g, $"lstm.ig{t}"), $"lstm.c{t}");
            }

            h = b.Multiply(o, b.Tanh(c, $"lstm.tanh_c{t}"), $"lstm.h{t}");
        }

        var (w, bias) = BuilderParts.Linear(b, rng, "fc", hidden, options.OutputSize);
        var output = b.Dense(h!, w, bias, name: "fc");
        return BuilderParts.Finish(b, x, output, options.Loss);
    }
}
