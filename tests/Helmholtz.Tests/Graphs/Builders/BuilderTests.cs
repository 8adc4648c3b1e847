using Helmholtz.Graphs;
using Helmholtz.Graphs.Builders;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Graphs.Builders;

public sealed class BuilderTests
{
    private static readonly RecurrentOptions TinyRecurrent = new(InputSize: 3, SequenceLength: 4, HiddenSize: 4, OutputSize: 3);

    private static readonly CnnOptions TinyCnn = new(
        Height: 8, Width: 8, Conv1Channels: 2, Conv2Channels: 3, KernelSize: 3, Conv1Padding: 1, HiddenSizes: [4], OutputSize: 3,
        Activation: Activation.Tanh, Pooling: PoolingKind.Average);

    public static TheoryData<string> TinyModels() => ["mlp-ce", "mlp-mse", "cnn", "rnn", "lstm", "lstm-mse"];

    private static Model Tiny(string name, Rng rng) => name switch
    {
        "mlp-ce" => Mlp.Build(new MlpOptions(5, [4, 3], 3, Activation.Tanh), rng),
        "mlp-mse" => Mlp.Build(new MlpOptions(5, [4], 2, Activation.Sigmoid, LossKind.Mse), rng),
        "cnn" => Cnn.Build(TinyCnn, rng),
        "rnn" => Rnn.Build(TinyRecurrent, rng),
        "lstm" => Lstm.Build(TinyRecurrent, rng),
        "lstm-mse" => Lstm.Build(TinyRecurrent with { Loss = LossKind.Mse }, rng),
        _ => throw new ArgumentException(name),
    };

    /// <summary>Fills x uniformly in [−1, 1) and y with one-hot rows (cross-entropy) or uniform values (MSE).</summary>
    private static void FillBatch(Model model, Executor ex, Rng rng)
    {
        rng.FillUniform(ex.Value(model.Input).Span, -1f, 1f);
        var y = ex.Value(model.Target);
        if (model.LossKind == LossKind.CrossEntropy)
        {
            int n = model.Target.SampleSize;
            y.Clear();
            for (int b = 0; b < ex.BatchSize; b++)
            {
                y.Span[(b * n) + rng.NextInt(n)] = 1f;
            }
        }
        else
        {
            rng.FillUniform(y.Span, -1f, 1f);
        }
    }

    [Theory]
    [MemberData(nameof(TinyModels))]
    public void BackpropMatchesFiniteDifferencesForEveryParameter(string name)
    {
        var rng = new Rng(42);
        var model = Tiny(name, rng);
        var ex = new Executor(model.Graph, batchSize: 2);
        FillBatch(model, ex, rng);
        ex.Forward();
        ex.Backward(model.Loss);
        double h = Tolerance.FiniteDifferenceStep;
        foreach (var p in model.Graph.Parameters)
        {
            var grad = ex.Gradient(p.Node).Span.ToArray();
            var v = p.Value.Span;
            int step = Math.Max(1, v.Length / 12);
            for (int i = 0; i < v.Length; i += step)
            {
                float saved = v[i];
                v[i] = (float)(saved + h);
                ex.Forward();
                double plus = ex.Value(model.Loss).Span[0];
                v[i] = (float)(saved - h);
                ex.Forward();
                double minus = ex.Value(model.Loss).Span[0];
                v[i] = saved;
                double fd = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(fd - grad[i]) <= Tolerance.FiniteDifferenceFloat32 * Math.Max(1, Math.Abs(grad[i])),
                    $"{name} {p.Name}[{i}]: backprop {grad[i]:R}, central differences {fd:R}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(TinyModels))]
    public void TrainingStepAllocatesNothingAfterTheFirst(string name)
    {
        var rng = new Rng(7);
        var model = Tiny(name, rng);
        var ex = new Executor(model.Graph, batchSize: 4);
        FillBatch(model, ex, rng);
        ex.Forward();
        ex.Backward(model.Loss);
        Assert.Equal(0, Allocations.Least(() =>
        {
            ex.Forward();
            ex.Backward(model.Loss);
        }));
    }

    private static void AssertParameters(Model model, params (string Name, int[] Shape)[] expected)
    {
        var actual = model.Graph.Parameters.Select(p => (p.Name, Shape: FloatTensor.Format(p.Value.Shape))).ToArray();
        Assert.Equal(expected.Select(e => (e.Name, Shape: FloatTensor.Format(e.Shape))).ToArray(), actual);
    }

    [Fact]
    public void ParameterNamesAndShapesAreThoseOfPyTorch()
    {
        // Names and shapes from the PyTorch modules in docs/engine.md (model.state_dict(), PyTorch 2.x).
        var rng = new Rng(1);
        AssertParameters(Mlp.Build(new MlpOptions(784, [128, 64], 10), rng),
            ("layers.0.weight", [128, 784]), ("layers.0.bias", [128]), ("layers.1.weight", [64, 128]), ("layers.1.bias", [64]),
            ("layers.2.weight", [10, 64]), ("layers.2.bias", [10]));
        AssertParameters(Cnn.Build(new CnnOptions(), rng),
            ("conv1.weight", [6, 1, 5, 5]), ("conv1.bias", [6]), ("conv2.weight", [16, 6, 5, 5]), ("conv2.bias", [16]),
            ("fc1.weight", [120, 400]), ("fc1.bias", [120]), ("fc2.weight", [84, 120]), ("fc2.bias", [84]),
            ("fc3.weight", [10, 84]), ("fc3.bias", [10]));
        AssertParameters(Rnn.Build(new RecurrentOptions(), rng),
            ("rnn.weight_ih_l0", [128, 28]), ("rnn.weight_hh_l0", [128, 128]), ("rnn.bias_ih_l0", [128]), ("rnn.bias_hh_l0", [128]),
            ("fc.weight", [10, 128]), ("fc.bias", [10]));
        AssertParameters(Lstm.Build(new RecurrentOptions(HiddenSize: 32), rng),
            ("lstm.weight_ih_l0", [128, 28]), ("lstm.weight_hh_l0", [128, 32]), ("lstm.bias_ih_l0", [128]), ("lstm.bias_hh_l0", [128]),
            ("fc.weight", [10, 32]), ("fc.bias", [10]));
    }

    [Fact]
    public void InitialisationIsUniformWithinPyTorchsBounds()
    {
        // nn.Linear / nn.Conv2d: U(±1/√fan_in); nn.RNN / nn.LSTM: U(±1/√H). The largest |w| of many draws nears the bound.
        void Check(Model m, string name, double bound)
        {
            var v = m.Graph.ParameterValues()[name].Span.ToArray();
            double max = v.Max(Math.Abs);
            Assert.True(max <= bound && max > 0.9 * bound, $"{name}: max |w| = {max}, bound {bound}");
        }

        var rng = new Rng(2);
        Check(Mlp.Build(new MlpOptions(784, [128], 10), rng), "layers.0.weight", 1 / Math.Sqrt(784));
        Check(Cnn.Build(new CnnOptions(), rng), "conv2.weight", 1 / Math.Sqrt(6 * 25));
        Check(Lstm.Build(new RecurrentOptions(HiddenSize: 16), rng), "lstm.weight_ih_l0", 0.25);
        Assert.Equal(Mlp.Build(new MlpOptions(4, [3], 2), new Rng(9)).Graph.ParameterValues()["layers.0.weight"].Span.ToArray(),
            Mlp.Build(new MlpOptions(4, [3], 2), new Rng(9)).Graph.ParameterValues()["layers.0.weight"].Span.ToArray());
    }

    // ---- Hand-written reference forward passes (double precision, straight from the equations). ----

    private static double[] Linear(double[] x, FloatTensor w, FloatTensor b)
    {
        int outs = w.Dim(0), ins = w.Dim(1);
        var y = new double[outs];
        for (int o = 0; o < outs; o++)
        {
            double s = b.Span[o];
            for (int i = 0; i < ins; i++)
            {
                s += w.Span[(o * ins) + i] * x[i];
            }

            y[o] = s;
        }

        return y;
    }

    private static double Sigma(double z) => 1 / (1 + Math.Exp(-z));

    private static void AssertOutputs(Model model, int batch, Func<double[], double[]> reference, ulong seed)
    {
        var ex = new Executor(model.Graph, batch);
        var rng = new Rng(seed);
        rng.FillUniform(ex.Value(model.Input).Span, -1f, 1f);
        ex.Forward();
        int inSize = model.Input.SampleSize, outSize = model.Output.SampleSize;
        for (int n = 0; n < batch; n++)
        {
            var x = ex.Value(model.Input).Span.Slice(n * inSize, inSize).ToArray().Select(v => (double)v).ToArray();
            var expected = reference(x);
            var actual = ex.Value(model.Output).Span.Slice(n * outSize, outSize);
            for (int j = 0; j < outSize; j++)
            {
                Assert.True(Math.Abs(expected[j] - actual[j]) <= 1e-5 * Math.Max(1, Math.Abs(expected[j])),
                    $"sample {n}, output {j}: graph {actual[j]:R}, reference {expected[j]:R}");
            }
        }
    }

    [Fact]
    public void MlpForwardEqualsTheLayerEquations()
    {
        var model = Mlp.Build(new MlpOptions(6, [5, 4], 3, Activation.Relu), new Rng(3));
        var p = model.Graph.ParameterValues();
        AssertOutputs(model, 3, x =>
        {
            var h = Linear(x, p["layers.0.weight"], p["layers.0.bias"]).Select(v => Math.Max(v, 0)).ToArray();
            h = Linear(h, p["layers.1.weight"], p["layers.1.bias"]).Select(v => Math.Max(v, 0)).ToArray();
            return Linear(h, p["layers.2.weight"], p["layers.2.bias"]);
        }, seed: 30);
    }

    [Fact]
    public void RnnForwardEqualsTheElmanEquations()
    {
        var o = TinyRecurrent;
        var model = Rnn.Build(o, new Rng(4));
        var p = model.Graph.ParameterValues();
        AssertOutputs(model, 2, x =>
        {
            var h = new double[o.HiddenSize];
            for (int t = 0; t < o.SequenceLength; t++)
            {
                var a = Linear(x[(t * o.InputSize)..((t + 1) * o.InputSize)], p["rnn.weight_ih_l0"], p["rnn.bias_ih_l0"]);
                var r = Linear(h, p["rnn.weight_hh_l0"], p["rnn.bias_hh_l0"]);
                h = a.Zip(r, (u, v) => Math.Tanh(u + v)).ToArray();
            }

            return Linear(h, p["fc.weight"], p["fc.bias"]);
        }, seed: 40);
    }

    [Fact]
    public void LstmForwardEqualsTheCellEquations()
    {
        var o = TinyRecurrent;
        var model = Lstm.Build(o, new Rng(5));
        var p = model.Graph.ParameterValues();
        int hs = o.HiddenSize;
        AssertOutputs(model, 2, x =>
        {
            var h = new double[hs];
            var c = new double[hs];
            for (int t = 0; t < o.SequenceLength; t++)
            {
                var a = Linear(x[(t * o.InputSize)..((t + 1) * o.InputSize)], p["lstm.weight_ih_l0"], p["lstm.bias_ih_l0"]);
                var r = Linear(h, p["lstm.weight_hh_l0"], p["lstm.bias_hh_l0"]);
                for (int j = 0; j < hs; j++)
                {
                    // PyTorch gate order i, f, g, o in blocks of H rows.
                    double i = Sigma(a[j] + r[j]), f = Sigma(a[hs + j] + r[hs + j]);
                    double g = Math.Tanh(a[(2 * hs) + j] + r[(2 * hs) + j]), og = Sigma(a[(3 * hs) + j] + r[(3 * hs) + j]);
                    c[j] = (f * c[j]) + (i * g);
                    h[j] = og * Math.Tanh(c[j]);
                }
            }

            return Linear(h, p["fc.weight"], p["fc.bias"]);
        }, seed: 50);
    }

    [Fact]
    public void CnnForwardEqualsDirectConvolutionPoolingAndLinearLayers()
    {
        var o = TinyCnn with { Activation = Activation.Relu, Pooling = PoolingKind.Max };
        var model = Cnn.Build(o, new Rng(6));
        var p = model.Graph.ParameterValues();
        AssertOutputs(model, 2, x =>
        {
            var (a, h, w) = (Conv(x, o.Channels, o.Height, o.Width, p["conv1.weight"], p["conv1.bias"], o.Conv1Padding), o.Height, o.Width);
            (a, h, w) = MaxPool(a, o.Conv1Channels, h, w);
            (a, h, w) = (Conv(a, o.Conv1Channels, h, w, p["conv2.weight"], p["conv2.bias"], 0), h - 2, w - 2);
            (a, _, _) = MaxPool(a, o.Conv2Channels, h, w);
            a = Linear(a, p["fc1.weight"], p["fc1.bias"]).Select(v => Math.Max(v, 0)).ToArray();
            return Linear(a, p["fc2.weight"], p["fc2.bias"]);
        }, seed: 60);

        // relu(conv) with a k×k kernel, stride 1, zero padding `pad` (output size h + 2·pad − k + 1).
        static double[] Conv(double[] x, int c, int h, int w, FloatTensor weight, FloatTensor bias, int pad)
        {
            int outC = weight.Dim(0), k = weight.Dim(2), oh = h + (2 * pad) - k + 1, ow = w + (2 * pad) - k + 1;
            var y = new double[outC * oh * ow];
            for (int oc = 0; oc < outC; oc++)
            {
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        double s = bias.Span[oc];
                        for (int ic = 0; ic < c; ic++)
                        {
                            for (int ky = 0; ky < k; ky++)
                            {
                                for (int kx = 0; kx < k; kx++)
                                {
                                    int iy = i - pad + ky, ix = j - pad + kx;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                    {
                                        s += weight.Span[(((oc * c) + ic) * k + ky) * k + kx] * x[(((ic * h) + iy) * w) + ix];
                                    }
                                }
                            }
                        }

                        y[(((oc * oh) + i) * ow) + j] = Math.Max(s, 0);
                    }
                }
            }

            return y;
        }

        static (double[], int, int) MaxPool(double[] x, int c, int h, int w)
        {
            int oh = h / 2, ow = w / 2;
            var y = new double[c * oh * ow];
            for (int ch = 0; ch < c; ch++)
            {
                for (int i = 0; i < oh; i++)
                {
                    for (int j = 0; j < ow; j++)
                    {
                        double m = double.NegativeInfinity;
                        for (int d = 0; d < 4; d++)
                        {
                            m = Math.Max(m, x[(((ch * h) + (2 * i) + (d / 2)) * w) + (2 * j) + (d % 2)]);
                        }

                        y[(((ch * oh) + i) * ow) + j] = m;
                    }
                }
            }

            return (y, oh, ow);
        }
    }

    [Fact]
    public void BadOptionsAreRejectedWithTheirNames()
    {
        var rng = new Rng(1);
        Assert.Contains("HiddenSizes[1]", Assert.Throws<ArgumentException>(() => Mlp.Build(new MlpOptions(4, [3, 0], 2), rng)).Message);
        Assert.Contains("HiddenSize", Assert.Throws<ArgumentException>(() => Lstm.Build(new RecurrentOptions(HiddenSize: 0), rng)).Message);
        Assert.Contains("conv2", Assert.Throws<ArgumentException>(() => Cnn.Build(new CnnOptions(Height: 6, Width: 6), rng)).Message);
    }
}
