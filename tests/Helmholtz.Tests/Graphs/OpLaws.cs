using Helmholtz.Graphs;
using Helmholtz.Graphs.Ops;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Graphs;

/// <summary>One input of an op under test: its run-time shape (batch first when batched) and how to fill it.</summary>
public sealed record InputSpec(int[] Shape, bool Batched = true, bool Differentiable = true, Func<int, float>? Init = null)
{
    /// <summary>A parameter-like (unbatched) input.</summary>
    public static InputSpec Param(params int[] shape) => new(shape, Batched: false);

    /// <summary>A batched input.</summary>
    public static InputSpec Batch(params int[] shape) => new(shape);
}

/// <summary>An op under test and its inputs.</summary>
public sealed record OpCase(string Name, Func<Op> Create, params InputSpec[] Inputs)
{
    public override string ToString() => Name;
}

/// <summary>
/// One law for every op: its VJP equals central finite differences of φ(inputs) = Σ r ⊙ f(inputs) for a random
/// cotangent r. An op is checked by being listed in <see cref="All"/>.
/// </summary>
public sealed class OpLaws
{
    private static readonly Func<int, float> OneHotOf4 = i => i % 4 == 1 ? 1f : 0f;

    // Values in [0.5, 2.5): keeps ln and √ well inside their domain, where central differences are accurate.
    private static readonly Func<int, float> Positive = i => 0.5f + ((i * 37) % 41 / 20.5f);

    // |x| ≥ 0.1, so relu's kink at 0 is farther than the finite-difference step (1e-2) from every input.
    private static readonly Func<int, float> AwayFromZero = i => (i % 2 == 0 ? 1f : -1f) * (0.1f + ((i * 13) % 17 / 17f));

    // Distinct values 4/97 ≈ 0.041 apart within any 97 consecutive indices (62 is coprime to 97), more than twice the
    // finite-difference step, so perturbing one input never changes which element of a pooling window is the maximum.
    private static readonly Func<int, float> Distinct = i => ((i * 62) % 97 * (4f / 97f)) - 2f;

    public static readonly OpCase[] All =
    [
        new("dense identity", () => new DenseOp(Activation.Identity), InputSpec.Batch(3, 4), InputSpec.Param(5, 4), InputSpec.Param(5)),
        new("dense tanh", () => new DenseOp(Activation.Tanh), InputSpec.Batch(3, 4), InputSpec.Param(5, 4), InputSpec.Param(5)),
        new("dense sigmoid no bias", () => new DenseOp(Activation.Sigmoid), InputSpec.Batch(2, 6), InputSpec.Param(3, 6)),
        new("dense relu", () => new DenseOp(Activation.Relu), InputSpec.Batch(3, 4), InputSpec.Param(5, 4), InputSpec.Param(5)),
        new("scaled_dense residual relu", () => new ScaledDenseOp(Activation.Relu, 0.3f, residual: true), new InputSpec([3, 4], Init: AwayFromZero), InputSpec.Param(4, 4), InputSpec.Param(4)),
        new("scaled_dense residual tanh no bias", () => new ScaledDenseOp(Activation.Tanh, 0.7f, residual: true), InputSpec.Batch(2, 5), InputSpec.Param(5, 5)),
        new("scaled_dense projection identity", () => new ScaledDenseOp(Activation.Identity, 0.5f, residual: false), InputSpec.Batch(3, 6), InputSpec.Param(4, 6), InputSpec.Param(4)),
        new("scaled_dense readout relu no bias", () => new ScaledDenseOp(Activation.Relu, 0.25f, residual: false), new InputSpec([3, 4], Init: AwayFromZero), InputSpec.Param(2, 4)),
        new("scaled_add", () => new ScaledAddOp(0.4f), InputSpec.Batch(2, 3, 2, 2), InputSpec.Batch(2, 3, 2, 2)),
        new("mse", () => new MseLossOp(), InputSpec.Batch(3, 4), InputSpec.Batch(3, 4)),
        new("cross-entropy", () => new CrossEntropyLossOp(), InputSpec.Batch(3, 4), new InputSpec([3, 4], Differentiable: false, Init: OneHotOf4)),
        new("matmul", () => new MatMulOp(), InputSpec.Batch(3, 4), InputSpec.Param(5, 4)),
        new("bias_add vector", () => new BiasAddOp(), InputSpec.Batch(3, 4), InputSpec.Param(4)),
        new("bias_add image", () => new BiasAddOp(), InputSpec.Batch(2, 3, 2, 2), InputSpec.Param(3)),
        new("add", () => new AddOp(), InputSpec.Batch(3, 4), InputSpec.Batch(3, 4)),
        new("add unbatched", () => new AddOp(), InputSpec.Param(2, 3), InputSpec.Param(2, 3)),
        new("multiply", () => new MultiplyOp(), InputSpec.Batch(3, 4), InputSpec.Batch(3, 4)),
        new("conv2d", () => new Conv2dOp(), InputSpec.Batch(2, 2, 5, 5), InputSpec.Param(3, 2, 3, 3), InputSpec.Param(3)),
        new("conv2d stride 2 pad 1 tanh", () => new Conv2dOp(stride: 2, padding: 1, activation: Activation.Tanh), InputSpec.Batch(2, 2, 6, 5), InputSpec.Param(3, 2, 3, 3), InputSpec.Param(3)),
        new("conv2d rectangular no bias", () => new Conv2dOp(1, 2, 2, 0), InputSpec.Batch(3, 1, 4, 7), InputSpec.Param(2, 1, 2, 3)),
        new("max_pool2d", () => new MaxPool2dOp(2), new InputSpec([2, 3, 4, 6], Init: Distinct)),
        new("max_pool2d overlapping", () => new MaxPool2dOp(3, 2), new InputSpec([2, 2, 7, 5], Init: Distinct)),
        new("avg_pool2d", () => new AvgPool2dOp(2), InputSpec.Batch(2, 3, 4, 6)),
        new("avg_pool2d overlapping", () => new AvgPool2dOp(3, 1), InputSpec.Batch(2, 2, 5, 4)),
        new("reshape", () => new ReshapeOp(3, -1), InputSpec.Batch(2, 6, 2)),
        new("flatten", () => ReshapeOp.Flatten(), InputSpec.Batch(2, 2, 3, 2)),
        new("concat axis 0", () => new ConcatOp(0), InputSpec.Batch(2, 3), InputSpec.Batch(2, 4), InputSpec.Batch(2, 1)),
        new("concat axis 1", () => new ConcatOp(1), InputSpec.Batch(2, 3, 2), InputSpec.Batch(2, 3, 4)),
        new("slice axis 0", () => new SliceOp(0, 2, 3), InputSpec.Batch(3, 8)),
        new("slice axis 1", () => new SliceOp(1, 1, 2), InputSpec.Batch(2, 3, 4, 2)),
        new("identity", () => new UnaryOp<Identity>(), InputSpec.Batch(3, 5)),
        new("tanh", () => new UnaryOp<Tanh>(), InputSpec.Batch(3, 7)),
        new("sigmoid", () => new UnaryOp<Sigmoid>(), InputSpec.Batch(3, 7)),
        new("relu", () => new UnaryOp<Relu>(), new InputSpec([3, 7], Init: AwayFromZero)),
        new("exp", () => new UnaryOp<Exp>(), InputSpec.Batch(3, 7)),
        new("log", () => new UnaryOp<Log>(), new InputSpec([3, 7], Init: Positive)),
        new("sqrt", () => new UnaryOp<Sqrt>(), new InputSpec([3, 7], Init: Positive)),
        new("square", () => new UnaryOp<Square>(), InputSpec.Batch(3, 7)),
        new("sin", () => new UnaryOp<Sin>(), InputSpec.Batch(3, 7)),
        new("cos", () => new UnaryOp<Cos>(), InputSpec.Batch(3, 7)),
        new("tan", () => new UnaryOp<Tan>(), InputSpec.Batch(3, 7)),
        new("tanh unbatched", () => new UnaryOp<Tanh>(), InputSpec.Param(4, 3)),
        new("softmax", () => new SoftmaxOp(), InputSpec.Batch(3, 5)),
        new("softmax rank 2", () => new SoftmaxOp(), InputSpec.Batch(2, 3, 4)),
        new("ensemble_dense identity", () => new EnsembleDenseOp(2), InputSpec.Batch(4, 3), InputSpec.Param(2, 5, 3), InputSpec.Param(2, 5)),
        new("ensemble_dense swish", () => new EnsembleDenseOp(3, Activation.Swish), InputSpec.Batch(6, 4), InputSpec.Param(3, 2, 4), InputSpec.Param(3, 2)),
        new("ensemble_dense tanh no bias", () => new EnsembleDenseOp(2, Activation.Tanh), InputSpec.Batch(2, 3), InputSpec.Param(2, 4, 3)),
        new("ensemble_dense relu", () => new EnsembleDenseOp(2, Activation.Relu), new InputSpec([4, 3], Init: AwayFromZero), InputSpec.Param(2, 1, 3)),
        new("gaussian_nll", () => new GaussianNllLossOp(2, -5f, -1f), InputSpec.Batch(4, 6), InputSpec.Batch(4, 3)),
        new("huber quadratic part", () => new HuberLossOp(10.0), InputSpec.Batch(3, 4), InputSpec.Batch(3, 4)),
        // Targets 0 and |ŷ| ∈ [0.1, 1.06] with no value within 0.012 of δ = 0.5: each side of the kink is checked, and the
        // finite-difference step (1e-2) never crosses it (h is C¹ but not C² at |d| = δ).
        new("huber both parts", () => new HuberLossOp(0.5), new InputSpec([3, 4], Init: AwayFromZero), new InputSpec([3, 4], Init: _ => 0f)),
        new("policy free energy", () => new PolicyFreeEnergyLossOp(), InputSpec.Batch(3, 4), InputSpec.Batch(3, 4), new InputSpec([1], Batched: false, Init: _ => 1.7f)),
        new("policy free energy β = 0.3", () => new PolicyFreeEnergyLossOp(0.3), InputSpec.Batch(2, 3), InputSpec.Batch(2, 3), new InputSpec([1], Batched: false, Init: _ => 0.6f)),
    ];

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in All)
        {
            data.Add(c.Name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void VjpMatchesCentralDifferences(string name) => VjpChecker.Check(All.Single(x => x.Name == name), seed: 1234);
}

/// <summary>Checks an op's Backward against central differences of its Forward.</summary>
internal static class VjpChecker
{
    public static void Check(OpCase c, ulong seed = 1)
    {
        var op = c.Create();
        var rng = new Rng(seed);
        var context = new OpContext();
        var inputs = c.Inputs.Select(s => new FloatTensor(s.Shape)).ToArray();
        for (int k = 0; k < inputs.Length; k++)
        {
            var span = inputs[k].Span;
            for (int i = 0; i < span.Length; i++)
            {
                span[i] = c.Inputs[k].Init?.Invoke(i) ?? (float)(rng.NextDouble() * 2 - 1);
            }
        }

        // Shape inference through a real builder, so the op's InferShape is exercised too.
        var builder = new GraphBuilder();
        var nodes = c.Inputs.Select((s, k) => s.Batched
            ? builder.Input($"in{k}", s.Shape[1..])
            : builder.Parameter($"in{k}", new FloatTensor(s.Shape))).ToArray();
        var outNode = builder.Apply(op, "out", nodes);
        int batch = c.Inputs.FirstOrDefault(s => s.Batched)?.Shape[0] ?? 1;
        var output = new FloatTensor(outNode.RuntimeShape(batch));

        op.Forward(context, inputs, output);
        var cotangent = new FloatTensor(output.Shape.ToArray());
        rng.FillUniform(cotangent.Span, -1f, 1f);
        var grads = inputs.Select((t, k) => c.Inputs[k].Differentiable ? new FloatTensor(t.Shape.ToArray()) : null).ToArray();
        op.Backward(context, inputs, output, cotangent, grads);

        double Phi()
        {
            op.Forward(context, inputs, output);
            double s = 0;
            for (int i = 0; i < output.Length; i++)
            {
                s += (double)cotangent.Span[i] * output.Span[i];
            }

            return s;
        }

        double h = Tolerance.FiniteDifferenceStep;
        for (int k = 0; k < inputs.Length; k++)
        {
            if (grads[k] is not { } g)
            {
                continue;
            }

            var x = inputs[k].Span;
            int step = Math.Max(1, x.Length / 24);
            for (int i = 0; i < x.Length; i += step)
            {
                float saved = x[i];
                x[i] = (float)(saved + h);
                double plus = Phi();
                x[i] = (float)(saved - h);
                double minus = Phi();
                x[i] = saved;
                double fd = (plus - minus) / (2 * h);
                double analytic = g.Span[i];
                double err = Math.Abs(fd - analytic) / Math.Max(1.0, Math.Abs(analytic));
                Assert.True(err <= Tolerance.FiniteDifferenceFloat32,
                    $"{c.Name}: d/d input {k}[{i}]: backward gives {analytic:R}, central differences {fd:R} (relative error {err:E2}).");
            }
        }
    }
}
