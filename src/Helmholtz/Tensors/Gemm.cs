namespace Helmholtz.Tensors;

/// <summary>Whether a GEMM operand is read as stored or transposed.</summary>
public enum Transpose
{
    /// <summary>Use the operand as stored.</summary>
    No,

    /// <summary>Use the operand's transpose.</summary>
    Yes,
}

/// <summary>The one entry point for matrix products: C = α·op(A)·op(B) + β·C (BLAS sgemm, row-major).</summary>
/// <remarks>
/// op(A) is m×k and op(B) is k×n; C is m×n with leading dimension <c>ldc</c>. A stored row-major
/// with <see cref="Transpose.No"/> is m×k with leading dimension <c>lda</c> ≥ k; with <see cref="Transpose.Yes"/> it is
/// stored k×m with <c>lda</c> ≥ m (likewise for B). When β = 0, C is overwritten and its prior contents (even NaN)
/// are ignored. C must not alias A or B.
/// </remarks>
public static class Gemm
{
    /// <summary>C = α·op(A)·op(B) + β·C.</summary>
    /// <param name="threads">Maximum worker threads (1 = run on the calling thread).</param>
    public static void Multiply(
        Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, int threads = 1)
    {
        CheckArguments(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0)
        {
            return;
        }

        // Placeholder reference path until the packed kernel lands: plain loops.
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float s = 0;
                for (int p = 0; p < k; p++)
                {
                    float av = transA == Transpose.No ? a[i * lda + p] : a[p * lda + i];
                    float bv = transB == Transpose.No ? b[p * ldb + j] : b[j * ldb + p];
                    s += av * bv;
                }

                ref float cij = ref c[i * ldc + j];
                cij = beta == 0 ? alpha * s : alpha * s + beta * cij;
            }
        }
    }

    internal static void CheckArguments(
        Transpose transA, Transpose transB, int m, int n, int k,
        int aLength, int lda, int bLength, int ldb, int cLength, int ldc)
    {
        if (m < 0 || n < 0 || k < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(m), $"GEMM sizes must be non-negative (m={m}, n={n}, k={k}).");
        }

        int aRows = transA == Transpose.No ? m : k, aCols = transA == Transpose.No ? k : m;
        int bRows = transB == Transpose.No ? k : n, bCols = transB == Transpose.No ? n : k;
        CheckOperand("A", aRows, aCols, aLength, lda);
        CheckOperand("B", bRows, bCols, bLength, ldb);
        CheckOperand("C", m, n, cLength, ldc);
    }

    private static void CheckOperand(string name, int rows, int cols, int length, int ld)
    {
        if (rows == 0 || cols == 0)
        {
            return;
        }

        if (ld < cols)
        {
            throw new ArgumentException($"GEMM operand {name} is {rows}×{cols} but its leading dimension is {ld} (< {cols}).");
        }

        long needed = (long)(rows - 1) * ld + cols;
        if (length < needed)
        {
            throw new ArgumentException($"GEMM operand {name} ({rows}×{cols}, leading dimension {ld}) needs {needed} elements, but the span has {length}.");
        }
    }
}
