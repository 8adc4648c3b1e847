namespace Helmholtz.Tensors;

/// <summary>Checks <see cref="Gemm.Multiply"/> against a float64 reference on awkward shapes, with whatever kernel this process selected.</summary>
/// <remarks>
/// Used by the tests in-process and in child processes started with SIMD disabled (<c>DOTNET_EnableAVX512=0</c>,
/// <c>DOTNET_EnableAVX2=0</c>, <c>DOTNET_EnableHWIntrinsic=0</c>), so the AVX2 and scalar kernels are proven on a machine
/// that would otherwise only run the AVX-512 one.
/// <para>
/// Tolerance: each result is compared with the float64 value of α·Σₚ a·b + β·c under the standard floating-point
/// bound for a length-k dot product followed by the α and β operations (Higham, Accuracy and Stability of Numerical
/// Algorithms, 2nd ed., §3.1): |ĉ − c| ≤ γ_{k+2}·(|α|·Σₚ|a||b| + |β||c|), γₙ = n·u / (1 − n·u), u = 2⁻²⁴.
/// </para>
/// </remarks>
internal static class GemmSelfCheck
{
    /// <summary>Unit roundoff of float32 (round to nearest): 2⁻²⁴.</summary>
    public const double Float32UnitRoundoff = 1.0 / (1 << 24);

    /// <summary>Shapes (m, n, k) that cover edges of every tile size, several KC blocks and the in-place-B path.</summary>
    public static readonly (int M, int N, int K)[] Shapes =
    [
        (1, 1, 1), (17, 33, 5), (3, 1000, 7), (64, 10, 128), (64, 128, 10), (33, 65, 300), (129, 47, 17), (100, 130, 120),
        (40, 7, 30), (19, 16, 37), (1, 50, 40), (45, 1, 33), (20, 30, 16), (24, 64, 40),
    ];

    /// <summary>Runs every shape × transpose combination × (α, β) case; returns one line per failure (empty = all passed).</summary>
    public static List<string> Run()
    {
        var failures = new List<string>();
        var rng = new Rng(20240611);
        (float Alpha, float Beta)[] scalars = [(1f, 0f), (-0.75f, 1.5f)];
        foreach (var (m, n, k) in Shapes)
        {
            foreach (var ta in new[] { Transpose.No, Transpose.Yes })
            {
                foreach (var tb in new[] { Transpose.No, Transpose.Yes })
                {
                    foreach (var (alpha, beta) in scalars)
                    {
                        string? failure = CheckOne(rng, ta, tb, m, n, k, alpha, beta, padding: 3, threads: 1);
                        if (failure is not null)
                        {
                            failures.Add(failure);
                        }
                    }
                }
            }
        }

        // Thread splits over m and over n (both shapes are above Gemm.ParallelThreshold) must give the same bits as one thread.
        foreach (var (m, n, k) in new[] { (200, 130, 90), (130, 200, 90) })
        {
            var (a, b, c) = Operands(rng, Transpose.No, Transpose.No, m, n, k, 0, float.NaN);
            float[] c1 = (float[])c.Clone(), c2 = (float[])c.Clone();
            Gemm.Multiply(Transpose.No, Transpose.No, m, n, k, 1f, a, k, b, n, 0f, c1, n, threads: 1);
            Gemm.Multiply(Transpose.No, Transpose.No, m, n, k, 1f, a, k, b, n, 0f, c2, n, threads: 2);
            if (!c1.AsSpan().SequenceEqual(c2))
            {
                failures.Add($"{m}x{n}x{k}: threads 1 and 2 differ");
            }
        }

        return failures;
    }

    /// <summary>Random operands for op(A) m×k and op(B) k×n stored with leading dimensions padded by <paramref name="padding"/>, and C (m×n, padded) filled with <paramref name="cFill"/> where not random.</summary>
    public static (float[] A, float[] B, float[] C) Operands(Rng rng, Transpose ta, Transpose tb, int m, int n, int k, int padding, float cFill)
    {
        int aRows = ta == Transpose.No ? m : k, aCols = ta == Transpose.No ? k : m;
        int bRows = tb == Transpose.No ? k : n, bCols = tb == Transpose.No ? n : k;
        return (Random(rng, aRows, aCols + padding, aCols), Random(rng, bRows, bCols + padding, bCols), Fill(m, n + padding, cFill));

        static float[] Random(Rng rng, int rows, int ld, int cols)
        {
            // Padding columns hold NaN: a kernel that reads past a row's end poisons its result.
            var x = new float[rows * ld];
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = i % ld < cols ? (2 * rng.NextFloat()) - 1 : float.NaN;
            }

            return x;
        }

        static float[] Fill(int rows, int ld, float value)
        {
            var x = new float[rows * ld];
            Array.Fill(x, value);
            return x;
        }
    }

    /// <summary>Runs one product and compares every element (and C's untouched padding) with the float64 reference.</summary>
    public static string? CheckOne(Rng rng, Transpose ta, Transpose tb, int m, int n, int k, float alpha, float beta, int padding, int threads)
    {
        var (a, b, c) = Operands(rng, ta, tb, m, n, k, padding, float.NaN);
        int lda = (ta == Transpose.No ? k : m) + padding, ldb = (tb == Transpose.No ? n : k) + padding, ldc = n + padding;
        if (beta != 0)
        {
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    c[i * ldc + j] = (2 * rng.NextFloat()) - 1;
                }
            }
        }

        float[] c0 = (float[])c.Clone();
        Gemm.Multiply(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);
        return Compare(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c0, c, ldc);
    }

    /// <summary>Compares <paramref name="c"/> with the float64 reference computed from <paramref name="c0"/> (C before the call); null when every element is within the bound.</summary>
    public static string? Compare(
        Transpose ta, Transpose tb, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb,
        float beta, float[] c0, float[] c, int ldc)
    {
        double gamma = (k + 2) * Float32UnitRoundoff / (1 - ((k + 2) * Float32UnitRoundoff));
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, magnitude = 0;
                for (int p = 0; p < k; p++)
                {
                    double x = ta == Transpose.No ? a[i * lda + p] : a[p * lda + i];
                    double y = tb == Transpose.No ? b[p * ldb + j] : b[j * ldb + p];
                    sum += x * y;
                    magnitude += Math.Abs(x * y);
                }

                double old = beta == 0 ? 0 : c0[i * ldc + j];
                double expected = (alpha * sum) + (beta * old);
                double bound = gamma * ((Math.Abs(alpha) * magnitude) + Math.Abs(beta * old));
                float actual = c[i * ldc + j];
                if (!(Math.Abs(actual - expected) <= bound))
                {
                    return $"{Name(ta, tb, m, n, k, alpha, beta)}: C[{i},{j}] = {actual:R}, reference {expected:R}, bound {bound:E2}";
                }
            }

            for (int j = n; j < ldc && (i * ldc) + j < c.Length; j++)
            {
                if (BitConverter.SingleToInt32Bits(c[i * ldc + j]) != BitConverter.SingleToInt32Bits(c0[i * ldc + j]))
                {
                    return $"{Name(ta, tb, m, n, k, alpha, beta)}: padding C[{i},{j}] was written";
                }
            }
        }

        return null;
    }

    private static string Name(Transpose ta, Transpose tb, int m, int n, int k, float alpha, float beta) =>
        FormattableString.Invariant($"{m}x{n}x{k} transA={ta} transB={tb} alpha={alpha} beta={beta} kernel={Gemm.KernelName}");
}
