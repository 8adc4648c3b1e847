using System.Globalization;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Tensors;

/// <summary>
/// The full test matrix of the nonlinearity kernels, as one function returning failures, so that it runs in-process
/// (<see cref="ActivationKernelTests"/>) and in child processes with SIMD switched off (<see cref="GemmTests"/>'s rerun).
/// </summary>
/// <remarks>
/// Per nonlinearity: lengths 0…256 and 1031, out of place against a float64 reference and in place against out of
/// place (bit for bit); the special values ±0, ±∞ and NaN at lengths that take the scalar and the vector paths; the
/// derivative drivers against float64 references; a too-short destination throws.
/// </remarks>
internal static class ActivationKernelMatrix
{
    private static readonly float[] Specials = [0f, -0f, float.PositiveInfinity, float.NegativeInfinity, float.NaN];

    /// <summary>Lengths checked: every one up to 256 (each remainder of each vector width) and one odd large one.</summary>
    public static IEnumerable<int> Lengths => Enumerable.Range(0, 257).Append(1031);

    /// <summary>Runs every check; returns one line per failure (empty = all passed).</summary>
    public static List<string> Run()
    {
        var failures = new List<string>();
        Check<Identity>(failures, v => v, (x, y) => 1, Inputs.Any);
        Check<Tanh>(failures, Math.Tanh, (x, y) => 1 - (y * y), Inputs.Any);
        Check<Sigmoid>(failures, v => 1 / (1 + Math.Exp(-v)), (x, y) => y * (1 - y), Inputs.Any);
        Check<Relu>(failures, v => double.IsNaN(v) ? double.NaN : Math.Max(v, 0), (x, y) => x > 0 ? 1 : 0, Inputs.AwayFromZero);
        Check<Swish>(failures, v => v / (1 + Math.Exp(-v)), (x, y) => Logistic(x) + (y * (1 - Logistic(x))), Inputs.Any);
        Check<Exp>(failures, Math.Exp, (x, y) => y, Inputs.Any);
        Check<Log>(failures, Math.Log, (x, y) => 1 / x, Inputs.Positive);
        Check<Sqrt>(failures, Math.Sqrt, (x, y) => 0.5 / y, Inputs.Positive);
        Check<Square>(failures, v => v * v, (x, y) => 2 * x, Inputs.Any);
        Check<Sin>(failures, Math.Sin, (x, y) => Math.Cos(x), Inputs.Any);
        Check<Cos>(failures, Math.Cos, (x, y) => -Math.Sin(x), Inputs.Any);
        Check<Tan>(failures, Math.Tan, (x, y) => 1 + (y * y), Inputs.AwayFromPoles);
        CheckOutputDerivative<Identity>(failures, y => 1);
        CheckOutputDerivative<Tanh>(failures, y => 1 - (y * y));
        CheckOutputDerivative<Sigmoid>(failures, y => y * (1 - y));
        CheckOutputDerivative<Relu>(failures, y => y > 0 ? 1 : 0);
        return failures;
    }

    /// <summary>The inputs each function is checked on.</summary>
    private enum Inputs
    {
        Any,
        Positive,
        AwayFromZero,
        AwayFromPoles,
    }

    private static double Logistic(double x) => 1 / (1 + Math.Exp(-x));

    private static void Check<T>(List<string> failures, Func<double, double> f, Func<double, double, double> derivative, Inputs inputs)
        where T : struct, INonlinearity
    {
        string name = T.Name;
        foreach (int n in Lengths)
        {
            var rng = new Rng((ulong)(1000 + n));
            var x = Draw(rng, n, inputs);
            var g = new float[n];
            rng.FillGaussian(g);

            var y = new float[n];
            ActivationKernels.Apply<T>(x, y);
            for (int i = 0; i < n; i++)
            {
                Compare(failures, $"{name} n={n} f({x[i]})", y[i], f(x[i]), 1);
            }

            var inPlace = (float[])x.Clone();
            ActivationKernels.Apply<T>(inPlace, inPlace);
            if (!BitEqual(inPlace, y))
            {
                failures.Add($"{name} n={n}: in place differs from out of place");
            }

            // dx += g·f′(x) onto a known start, and the overwriting form (in place on the gradient).
            var dx = new float[n];
            Array.Fill(dx, 0.25f);
            ActivationKernels.AddMultiplyByDerivative<T>(x, y, g, dx);
            var product = (float[])g.Clone();
            ActivationKernels.MultiplyByDerivative<T>(x, y, product, product);
            for (int i = 0; i < n; i++)
            {
                double expected = g[i] * derivative(x[i], y[i]);
                Compare(failures, $"{name}′ n={n} at {x[i]}", product[i], expected, Math.Abs(g[i]));
                Compare(failures, $"{name}′ accumulate n={n} at {x[i]}", dx[i], 0.25 + expected, Math.Abs(g[i]));
            }
        }

        // Special values, alone (scalar path) and inside a vector-length span.
        foreach (int n in new[] { Specials.Length, 19 })
        {
            var x = new float[n];
            for (int i = 0; i < n; i++)
            {
                x[i] = Specials[i % Specials.Length];
            }

            var y = new float[n];
            ActivationKernels.Apply<T>(x, y);
            for (int i = 0; i < n; i++)
            {
                Compare(failures, $"{name} special n={n} f({x[i]})", y[i], f(x[i]), 1);
            }

            var single = new float[1];
            for (int i = 0; i < Specials.Length; i++)
            {
                ActivationKernels.Apply<T>(x.AsSpan(i, 1), single);
                Compare(failures, $"{name} special alone f({x[i]})", single[0], f(x[i]), 1);
            }
        }

        foreach (int n in new[] { 1, 5, 9, 64 })
        {
            ExpectThrow(failures, $"{name} n={n} apply, short destination", () => ActivationKernels.Apply<T>(new float[n], new float[n - 1]));
            ExpectThrow(failures, $"{name} n={n} derivative, short destination", () => ActivationKernels.AddMultiplyByDerivative<T>(new float[n], new float[n], new float[n], new float[n - 1]));
        }

        ExpectThrow(failures, $"{name} partial overlap", () =>
        {
            var buffer = new float[20];
            ActivationKernels.Apply<T>(buffer.AsSpan(0, 16), buffer.AsSpan(1, 16));
        });
    }

    private static void CheckOutputDerivative<T>(List<string> failures, Func<double, double> derivative)
        where T : struct, IOutputDerivative
    {
        string name = T.Name;
        foreach (int n in Lengths)
        {
            var rng = new Rng((ulong)(2000 + n));
            var z = Draw(rng, n, Inputs.AwayFromZero);
            var y = new float[n];
            ActivationKernels.Apply<T>(z, y);
            var g = new float[n];
            rng.FillGaussian(g);
            var product = new float[n];
            ActivationKernels.MultiplyByDerivative<T>(y, g, product);
            var inPlace = (float[])g.Clone();
            ActivationKernels.MultiplyByDerivative<T>(y, inPlace, inPlace);
            var d = new float[n];
            ActivationKernels.DerivativeFromOutput<T>(y, d);
            for (int i = 0; i < n; i++)
            {
                Compare(failures, $"{name}′(y) n={n} at y={y[i]}", d[i], derivative(y[i]), 1);
                Compare(failures, $"g·{name}′(y) n={n} at y={y[i]}", product[i], g[i] * derivative(y[i]), Math.Abs(g[i]));
            }

            if (!BitEqual(inPlace, product))
            {
                failures.Add($"g·{name}′(y) n={n}: in place differs from out of place");
            }
        }

        // A select, not a product: no NaN from 0·∞ where the derivative is 0 or 1.
        var specialsY = new float[] { 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f };
        var specialsG = new float[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1f, 2f, 3f, 4f };
        var result = new float[specialsY.Length];
        ActivationKernels.MultiplyByDerivative<T>(specialsY, specialsG, result);
        for (int i = 0; i < result.Length; i++)
        {
            Compare(failures, $"g·{name}′(0.5) at g={specialsG[i]}", result[i], specialsG[i] * derivative(0.5), 1);
        }

        foreach (int n in new[] { 1, 5, 9, 64 })
        {
            ExpectThrow(failures, $"g·{name}′(y) n={n}, short destination", () => ActivationKernels.MultiplyByDerivative<T>(new float[n], new float[n], new float[n - 1]));
            ExpectThrow(failures, $"{name}′(y) n={n}, short destination", () => ActivationKernels.DerivativeFromOutput<T>(new float[n], new float[n - 1]));
        }
    }

    private static float[] Draw(Rng rng, int n, Inputs inputs)
    {
        var x = new float[n];
        switch (inputs)
        {
            case Inputs.Positive:
                rng.FillUniform(x, 0.01f, 20f);
                break;
            case Inputs.AwayFromZero:
                rng.FillGaussian(x, 0f, 3f);
                for (int i = 0; i < n; i++)
                {
                    x[i] = MathF.CopySign(MathF.Abs(x[i]) + 0.01f, x[i]);
                }

                break;
            case Inputs.AwayFromPoles:
                rng.FillUniform(x, -1.4f, 1.4f);
                break;
            default:
                rng.FillGaussian(x, 0f, 3f);
                break;
        }

        return x;
    }

    /// <summary>|actual − expected| ≤ absolute·scale + relative·|expected|; NaN must meet NaN and an infinity the same infinity.</summary>
    private static void Compare(List<string> failures, string what, float actual, double expected, double scale)
    {
        bool ok = double.IsNaN(expected) ? float.IsNaN(actual)
            : double.IsInfinity(expected) ? actual == expected
            : Math.Abs(actual - expected) <= (Tolerance.Float32ElementwiseAbsolute * Math.Max(1, scale)) + (Tolerance.Float32ElementwiseRelative * Math.Abs(expected));
        if (!ok && failures.Count < 50)
        {
            failures.Add(string.Create(CultureInfo.InvariantCulture, $"{what}: got {actual:R}, expected {expected:R}"));
        }
    }

    private static bool BitEqual(float[] a, float[] b) =>
        a.Length == b.Length && a.Select(BitConverter.SingleToInt32Bits).SequenceEqual(b.Select(BitConverter.SingleToInt32Bits));

    private static void ExpectThrow(List<string> failures, string what, Action action)
    {
        try
        {
            action();
            failures.Add($"{what}: did not throw");
        }
        catch (ArgumentException)
        {
        }
    }
}
