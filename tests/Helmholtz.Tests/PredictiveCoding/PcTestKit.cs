using Helmholtz.Graphs;
using Helmholtz.Graphs.Ops;
using Helmholtz.Optim;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.PredictiveCoding;

/// <summary>y = f(x) elementwise, for the thesis's scalar example graph (test-only ops).</summary>
internal sealed class UnaryOp(string kind, Func<double, double> f, Func<double, double> df) : Op
{
    public override string Kind => kind;

    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        RequireInputCount(inputs, 1);
        return new OutputShape(inputs[0].Shape, inputs[0].Batched);
    }

    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        var x = inputs[0].ReadOnlySpan;
        var y = output.Span;
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = (float)f(x[i]);
        }
    }

    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        if (inputGradients[0] is not { } dx)
        {
            return;
        }

        var x = inputs[0].ReadOnlySpan;
        var g = outputGradient.ReadOnlySpan;
        var d = dx.Span;
        for (int i = 0; i < x.Length; i++)
        {
            d[i] += (float)(g[i] * df(x[i]));
        }
    }

    public static UnaryOp Sqrt() => new("sqrt", Math.Sqrt, x => 0.5 / Math.Sqrt(x));

    public static UnaryOp Square() => new("square", x => x * x, x => 2 * x);

    public static UnaryOp Tan() => new("tan", Math.Tan, x => 1 / (Math.Cos(x) * Math.Cos(x)));

    public static UnaryOp Sin() => new("sin", Math.Sin, Math.Cos);
}

/// <summary>y = a + b elementwise (test-only op).</summary>
internal sealed class AddOp : Op
{
    public override string Kind => "add";

    public override OutputShape InferShape(IReadOnlyList<Node> inputs)
    {
        RequireInputCount(inputs, 2);
        return new OutputShape(inputs[0].Shape, inputs[0].Batched);
    }

    public override void Forward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output)
    {
        var a = inputs[0].ReadOnlySpan;
        var b = inputs[1].ReadOnlySpan;
        var y = output.Span;
        for (int i = 0; i < y.Length; i++)
        {
            y[i] = a[i] + b[i];
        }
    }

    public override void Backward(OpContext context, ReadOnlySpan<FloatTensor> inputs, FloatTensor output, FloatTensor outputGradient, ReadOnlySpan<FloatTensor?> inputGradients)
    {
        foreach (var grad in inputGradients)
        {
            if (grad is { } g)
            {
                var gs = g.Span;
                var o = outputGradient.ReadOnlySpan;
                for (int i = 0; i < gs.Length; i++)
                {
                    gs[i] += o[i];
                }
            }
        }
    }
}

/// <summary>Plain SGD, θ ← θ − lr·g (test-only, as torch_mlp.py's update).</summary>
internal sealed class TestSgd(float lr) : IOptimizer
{
    public void Step(IReadOnlyList<Parameter> parameters, IReadOnlyList<FloatTensor> gradients)
    {
        for (int i = 0; i < parameters.Count; i++)
        {
            var p = parameters[i].Value.Span;
            var g = gradients[i].ReadOnlySpan;
            for (int k = 0; k < p.Length; k++)
            {
                p[k] -= lr * g[k];
            }
        }
    }

    public IReadOnlyDictionary<string, FloatTensor> State() => new Dictionary<string, FloatTensor>();

    public void LoadState(IReadOnlyDictionary<string, FloatTensor> state)
    {
    }
}

/// <summary>Small models built by hand from DenseOp and the loss ops.</summary>
internal static class PcTestKit
{
    /// <summary>An MLP sizes[0]-…-sizes[^1] with tanh hidden layers and a linear output, weights N(0, 1/fan_in) as torch_mlp.py.</summary>
    public static Model Mlp(int[] sizes, ulong seed, LossKind loss = LossKind.Mse, Activation hidden = Activation.Tanh, float biasStd = 0.1f)
    {
        var rng = new Rng(seed);
        var g = new GraphBuilder();
        var x = g.Input("x", sizes[0]);
        var h = x;
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            var w = new FloatTensor(sizes[i + 1], sizes[i]);
            rng.FillGaussian(w.Span, 0f, 1f / MathF.Sqrt(sizes[i]));
            var b = new FloatTensor(sizes[i + 1]);
            rng.FillGaussian(b.Span, 0f, biasStd);
            bool last = i + 2 == sizes.Length;
            h = g.Apply(new DenseOp(last ? Activation.Identity : hidden), last ? "out" : $"h{i + 1}", h,
                g.Parameter($"layers.{i}.weight", w), g.Parameter($"layers.{i}.bias", b));
        }

        var y = g.Input("y", sizes[^1]);
        var l = g.Apply(loss == LossKind.Mse ? new MseLossOp() : new CrossEntropyLossOp(), "loss", h, y);
        return new Model(g.Build(), x, h, y, l, loss);
    }

    /// <summary>A batch of Gaussian inputs and one-hot targets.</summary>
    public static (FloatTensor X, FloatTensor Y) Batch(Model m, int batch, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new FloatTensor(batch, m.Input.SampleSize);
        rng.FillGaussian(x.Span);
        int classes = m.Output.SampleSize;
        var y = new FloatTensor(batch, classes);
        for (int b = 0; b < batch; b++)
        {
            y[b, rng.NextInt(classes)] = 1f;
        }

        return (x, y);
    }

    public static void Load(Executor ex, Model m, FloatTensor x, FloatTensor y)
    {
        ex.Value(m.Input).CopyFrom(x);
        ex.Value(m.Target).CopyFrom(y);
    }
}
