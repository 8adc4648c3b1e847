using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
/// are ignored. When α = 0 or k = 0, A and B are not read (as in reference BLAS) and C becomes β·C.
/// C must not alias A or B.
/// <para>
/// Implementation: a packed, cache-blocked kernel (Goto &amp; van de Geijn 2008, "Anatomy of high-performance matrix
/// multiplication"; BLIS, Van Zee &amp; van de Geijn 2015) with a register-blocked micro-kernel chosen once per
/// process: AVX-512 (12×32 tile; 16×16 when n ≤ 16) where <c>Vector512</c> is hardware accelerated, AVX2+FMA (6×16;
/// 12×8 when n ≤ 8) otherwise, else a portable scalar 4×4 kernel. Products with m ≤ 16, k ≤ 16 or a B of at most
/// 32 KiB read a non-transposed B in place instead of packing it; with the AVX-512 kernel, products with n ≤ 256
/// read a non-transposed A in place (full 12-row slivers) instead of packing it; m = 1 or n = 1 runs as dot products or row
/// accumulations (System.Numerics.Tensors) with no packing. The path and kernel depend only on the shape, and each
/// element of C is the same sequence of operations whichever thread computes it, so the result is bit-identical
/// for every <c>threads</c> value (it may differ in the last bits between kernels, i.e. between CPUs).
/// </para>
/// <para>
/// Threads: a product with at least <see cref="ParallelThreshold"/> multiply-adds is split once over the larger of
/// m or n into equal, tile-aligned chunks run by persistent worker threads (see <c>WorkerPool</c>); the depth k
/// is never split. Packing buffers are cached per thread ([ThreadStatic], grown on demand, never shared), so a warm
/// call allocates nothing.
/// </para>
/// </remarks>
public static class Gemm
{
    /// <summary>Products with fewer multiply-adds (m·n·k) than this run on the calling thread.</summary>
    internal const long ParallelThreshold = 1L << 21;

    /// <summary>Products with m or k at most this read a non-transposed B in place (packing would not pay off).</summary>
    internal const int DirectBLimit = 16;

    /// <summary>A non-transposed B with at most this many elements (32 KiB) is read in place: it stays in L1 anyway.</summary>
    internal const int DirectBFloats = 8192;

    private static readonly int s_kernel = SelectKernel();

    /// <summary>The micro-kernel this process uses, e.g. "avx512 12x32", "avx2 6x16" or "scalar 4x4".</summary>
    public static string KernelName => s_kernel switch
    {
        2 => Avx512Kernel.Name,
        1 => Avx2Kernel.Name,
        _ => ScalarKernel.Name,
    };

    /// <summary>C = α·op(A)·op(B) + β·C.</summary>
    /// <param name="threads">Maximum threads, the caller included (1 or less = run on the calling thread); capped at the processor count.</param>
    public static unsafe void Multiply(
        Transpose transA, Transpose transB, int m, int n, int k,
        float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb,
        float beta, Span<float> c, int ldc, int threads = 1)
    {
        CheckArguments(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0)
        {
            return;
        }

        fixed (float* pa = a, pb = b, pc = c)
        {
            if (k == 0 || alpha == 0)
            {
                ScaleC(pc, m, n, ldc, beta);
                return;
            }

            if (m == 1 || n == 1)
            {
                MatrixVector(transA == Transpose.Yes, transB == Transpose.Yes, m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc);
                return;
            }

            var g = new GemmOperands
            {
                TransA = transA == Transpose.Yes,
                TransB = transB == Transpose.Yes,
                M = m,
                N = n,
                K = k,
                Alpha = alpha,
                Beta = beta,
                A = pa,
                B = pb,
                C = pc,
                Lda = lda,
                Ldb = ldb,
                Ldc = ldc,
                DirectB = transB == Transpose.No && (m <= DirectBLimit || k <= DirectBLimit || (long)k * n <= DirectBFloats),
            };
            switch (s_kernel)
            {
                // The narrow kernels are chosen by n alone, never by the thread count, so results stay bit-identical.
                case 2 when n <= Avx512NarrowKernel.NR:
                    Dispatch<Avx512NarrowKernel>(g, threads);
                    break;
                case 2:
                    Dispatch<Avx512Kernel>(g, threads);
                    break;
                case 1 when n <= Avx2NarrowKernel.NR:
                    Dispatch<Avx2NarrowKernel>(g, threads);
                    break;
                case 1:
                    Dispatch<Avx2Kernel>(g, threads);
                    break;
                default:
                    Dispatch<ScalarKernel>(g, threads);
                    break;
            }
        }
    }

    private static unsafe void Dispatch<TKernel>(in GemmOperands g, int threads)
        where TKernel : struct, IGemmMicroKernel
    {
        if (threads > 1 && (long)g.M * g.N * g.K >= ParallelThreshold)
        {
            // Split the larger of m and n into equal chunks aligned to the tile, so each thread packs its own panel.
            bool splitN = g.N >= g.M;
            int dim = splitN ? g.N : g.M, unit = splitN ? TKernel.NR : TKernel.MR;
            var pool = WorkerPool.Shared;
            int parts = Math.Min(Math.Min(threads, pool.MaxParts), (dim + unit - 1) / unit);
            if (parts > 1)
            {
                int chunk = (dim + parts - 1) / parts;
                chunk = (chunk + unit - 1) / unit * unit;
                parts = (dim + chunk - 1) / chunk;
                if (parts > 1 && pool.TryRun(g, &GemmDriver<TKernel>.Run, splitN, chunk, parts))
                {
                    return;
                }
            }
        }

        GemmDriver<TKernel>.Run(g, 0, g.M, 0, g.N);
    }

    /// <summary>
    /// Matrix–vector products (m = 1 or n = 1), where a register tile would be mostly padding: each output is either a
    /// dot product of two contiguous length-k vectors, or an accumulation of k scaled contiguous rows (axpy form).
    /// Always single-threaded (memory-bound), so the thread count cannot change the result.
    /// </summary>
    private static unsafe void MatrixVector(
        bool transA, bool transB, int m, int n, int k, float alpha, float* a, nint lda, float* b, nint ldb, float beta, float* c, nint ldc)
    {
        // Outputs t = 0..len-1 with stride outStride; x is the vector operand (stride xStride); the matrix operand Y
        // is either "rows" (Y(t, p) = y[t·ldy + p], dot form) or "columns" (Y(t, p) = y[p·ldy + t], axpy form).
        int len;
        nint outStride, xStride, ldy;
        float* x, y;
        bool dotForm;
        if (m == 1)
        {
            // c[0, j] = Σₚ op(A)(0, p) · op(B)(p, j)
            len = n;
            outStride = 1;
            x = a;
            xStride = transA ? lda : 1;
            y = b;
            ldy = ldb;
            dotForm = transB;
        }
        else
        {
            // c[i, 0] = Σₚ op(A)(i, p) · op(B)(p, 0)
            len = m;
            outStride = ldc;
            x = b;
            xStride = transB ? 1 : ldb;
            y = a;
            ldy = lda;
            dotForm = !transA;
        }

        var buf = GemmBuffers.Get(xStride == 1 ? 0 : k, dotForm ? 0 : len, 0, 0);
        if (xStride != 1)
        {
            for (int p = 0; p < k; p++)
            {
                buf.A[p] = x[p * xStride];
            }

            x = buf.A;
        }

        var xs = new ReadOnlySpan<float>(x, k);
        if (dotForm)
        {
            for (int t = 0; t < len; t++)
            {
                float dot = System.Numerics.Tensors.TensorPrimitives.Dot(xs, new ReadOnlySpan<float>(y + (t * ldy), k));
                float* ct = c + (t * outStride);
                *ct = beta == 0 ? alpha * dot : (alpha * dot) + (beta * *ct);
            }

            return;
        }

        var acc = new Span<float>(buf.B, len);
        acc.Clear();
        for (int p = 0; p < k; p++)
        {
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(y + (p * ldy), len), xs[p], acc, acc);
        }

        for (int t = 0; t < len; t++)
        {
            float* ct = c + (t * outStride);
            *ct = beta == 0 ? alpha * acc[t] : (alpha * acc[t]) + (beta * *ct);
        }
    }

    private static unsafe void ScaleC(float* c, int m, int n, nint ldc, float beta)
    {
        for (int i = 0; i < m; i++)
        {
            var row = new Span<float>(c + i * ldc, n);
            if (beta == 0)
            {
                row.Clear();
            }
            else if (beta != 1)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
            }
        }
    }

    private static int SelectKernel()
    {
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported)
        {
            return 2;
        }

        return Vector256.IsHardwareAccelerated && Avx2.IsSupported && Fma.IsSupported ? 1 : 0;
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
