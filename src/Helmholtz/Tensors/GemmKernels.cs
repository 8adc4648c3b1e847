using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Helmholtz.Tensors;

/// <summary>A register-blocked GEMM micro-kernel: C[MR×NR] = α·Σₚ A[:,p]·B[p,:] + β·C over one KC block.</summary>
/// <remarks>
/// A is a packed sliver: for each p, MR consecutive floats (column p of the MR rows). B is read as kc rows of NR
/// floats, row p starting at <c>b + p·ldb</c> (a packed sliver has ldb = NR; an unpacked row-major B has ldb = its
/// leading dimension). Every element of C is one fused multiply-add chain over p in increasing order, so the
/// result does not depend on where the tile sits in C (which makes thread splits bit-identical).
/// β = 0 writes α·acc without reading C.
/// </remarks>
internal interface IGemmMicroKernel
{
    /// <summary>Rows of C per tile.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of C per tile.</summary>
    static abstract int NR { get; }

    /// <summary>Depth of one packed block (an NR-wide sliver of B, kc×NR floats, is meant to stay in L1).</summary>
    static abstract int KC { get; }

    /// <summary>Rows of A per packed block (MC×KC floats are meant to stay in L2).</summary>
    static abstract int MC { get; }

    /// <summary>Columns of B per packed panel.</summary>
    static abstract int NC { get; }

    /// <summary>The name reported by <see cref="Gemm.KernelName"/>.</summary>
    static abstract string Name { get; }

    /// <summary>Computes one MR×NR tile over kc steps (see the interface remarks).</summary>
    static abstract unsafe void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta);

    /// <summary>Whether <see cref="RunDirectA"/> exists: a tile read from a row-major A in place, without packing.</summary>
    static virtual bool HasDirectA => false;

    /// <summary>As <see cref="Run"/>, with A's MR rows read in place: row i, step p at <c>a[i·lda + p]</c>; the same chains in the same order.</summary>
    static virtual unsafe void RunDirectA(int kc, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, float alpha, float beta) =>
        throw new NotSupportedException("This micro-kernel reads A only packed.");
}

/// <summary>AVX-512 micro-kernel: 12×32 tile, 24 zmm accumulators, two B loads and 12 broadcasts per step.</summary>
internal readonly struct Avx512Kernel : IGemmMicroKernel
{
    public static int MR => 12;

    public static int NR => 32;

    // 256×32 floats = 32 KiB B sliver (L1 is 48 KiB on the Xeons here); MC×KC = 240×256 floats = 240 KiB (L2 2 MiB).
    public static int KC => 256;

    public static int MC => 240;

    public static int NC => 2048;

    public static string Name => "avx512 12x32";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Vector512<float> x = Vector512.Create(a[0]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a[1]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a[2]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a[3]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a[4]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a[5]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a[6]);
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a[7]);
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            x = Vector512.Create(a[8]);
            c80 = Vector512.FusedMultiplyAdd(x, b0, c80); c81 = Vector512.FusedMultiplyAdd(x, b1, c81);
            x = Vector512.Create(a[9]);
            c90 = Vector512.FusedMultiplyAdd(x, b0, c90); c91 = Vector512.FusedMultiplyAdd(x, b1, c91);
            x = Vector512.Create(a[10]);
            ca0 = Vector512.FusedMultiplyAdd(x, b0, ca0); ca1 = Vector512.FusedMultiplyAdd(x, b1, ca1);
            x = Vector512.Create(a[11]);
            cb0 = Vector512.FusedMultiplyAdd(x, b0, cb0); cb1 = Vector512.FusedMultiplyAdd(x, b1, cb1);
            a += 12;
            b += ldb;
        }

        Store(c, ldc, alpha, beta, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51,
            c60, c61, c70, c71, c80, c81, c90, c91, ca0, ca1, cb0, cb1);
    }

    public static bool HasDirectA => true;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void RunDirectA(int kc, float* a, nint lda, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
    {
        // Four row pointers and offsets of one and two rows: the twelve broadcasts of a step read a[i·lda + p].
        float* a0 = a, a3 = a + (3 * lda), a6 = a + (6 * lda), a9 = a + (9 * lda);
        nint l1 = lda, l2 = 2 * lda;
        Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        Vector512<float> c60 = default, c61 = default, c70 = default, c71 = default, c80 = default, c81 = default;
        Vector512<float> c90 = default, c91 = default, ca0 = default, ca1 = default, cb0 = default, cb1 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b), b1 = Vector512.Load(b + 16);
            Vector512<float> x = Vector512.Create(a0[p]);
            c00 = Vector512.FusedMultiplyAdd(x, b0, c00); c01 = Vector512.FusedMultiplyAdd(x, b1, c01);
            x = Vector512.Create(a0[l1 + p]);
            c10 = Vector512.FusedMultiplyAdd(x, b0, c10); c11 = Vector512.FusedMultiplyAdd(x, b1, c11);
            x = Vector512.Create(a0[l2 + p]);
            c20 = Vector512.FusedMultiplyAdd(x, b0, c20); c21 = Vector512.FusedMultiplyAdd(x, b1, c21);
            x = Vector512.Create(a3[p]);
            c30 = Vector512.FusedMultiplyAdd(x, b0, c30); c31 = Vector512.FusedMultiplyAdd(x, b1, c31);
            x = Vector512.Create(a3[l1 + p]);
            c40 = Vector512.FusedMultiplyAdd(x, b0, c40); c41 = Vector512.FusedMultiplyAdd(x, b1, c41);
            x = Vector512.Create(a3[l2 + p]);
            c50 = Vector512.FusedMultiplyAdd(x, b0, c50); c51 = Vector512.FusedMultiplyAdd(x, b1, c51);
            x = Vector512.Create(a6[p]);
            c60 = Vector512.FusedMultiplyAdd(x, b0, c60); c61 = Vector512.FusedMultiplyAdd(x, b1, c61);
            x = Vector512.Create(a6[l1 + p]);
            c70 = Vector512.FusedMultiplyAdd(x, b0, c70); c71 = Vector512.FusedMultiplyAdd(x, b1, c71);
            x = Vector512.Create(a6[l2 + p]);
            c80 = Vector512.FusedMultiplyAdd(x, b0, c80); c81 = Vector512.FusedMultiplyAdd(x, b1, c81);
            x = Vector512.Create(a9[p]);
            c90 = Vector512.FusedMultiplyAdd(x, b0, c90); c91 = Vector512.FusedMultiplyAdd(x, b1, c91);
            x = Vector512.Create(a9[l1 + p]);
            ca0 = Vector512.FusedMultiplyAdd(x, b0, ca0); ca1 = Vector512.FusedMultiplyAdd(x, b1, ca1);
            x = Vector512.Create(a9[l2 + p]);
            cb0 = Vector512.FusedMultiplyAdd(x, b0, cb0); cb1 = Vector512.FusedMultiplyAdd(x, b1, cb1);
            b += ldb;
        }

        Store(c, ldc, alpha, beta, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51,
            c60, c61, c70, c71, c80, c81, c90, c91, ca0, ca1, cb0, cb1);
    }

    /// <summary>C = α·acc (β = 0, C not read) or α·acc + β·C, row by row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Store(float* c, nint ldc, float alpha, float beta,
        Vector512<float> c00, Vector512<float> c01, Vector512<float> c10, Vector512<float> c11, Vector512<float> c20, Vector512<float> c21,
        Vector512<float> c30, Vector512<float> c31, Vector512<float> c40, Vector512<float> c41, Vector512<float> c50, Vector512<float> c51,
        Vector512<float> c60, Vector512<float> c61, Vector512<float> c70, Vector512<float> c71, Vector512<float> c80, Vector512<float> c81,
        Vector512<float> c90, Vector512<float> c91, Vector512<float> ca0, Vector512<float> ca1, Vector512<float> cb0, Vector512<float> cb1)
    {
        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0)
        {
            StoreRow0(c, va, c00, c01); StoreRow0(c + ldc, va, c10, c11); StoreRow0(c + 2 * ldc, va, c20, c21);
            StoreRow0(c + 3 * ldc, va, c30, c31); StoreRow0(c + 4 * ldc, va, c40, c41); StoreRow0(c + 5 * ldc, va, c50, c51);
            StoreRow0(c + 6 * ldc, va, c60, c61); StoreRow0(c + 7 * ldc, va, c70, c71); StoreRow0(c + 8 * ldc, va, c80, c81);
            StoreRow0(c + 9 * ldc, va, c90, c91); StoreRow0(c + 10 * ldc, va, ca0, ca1); StoreRow0(c + 11 * ldc, va, cb0, cb1);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            StoreRow(c, va, vb, c00, c01); StoreRow(c + ldc, va, vb, c10, c11); StoreRow(c + 2 * ldc, va, vb, c20, c21);
            StoreRow(c + 3 * ldc, va, vb, c30, c31); StoreRow(c + 4 * ldc, va, vb, c40, c41); StoreRow(c + 5 * ldc, va, vb, c50, c51);
            StoreRow(c + 6 * ldc, va, vb, c60, c61); StoreRow(c + 7 * ldc, va, vb, c70, c71); StoreRow(c + 8 * ldc, va, vb, c80, c81);
            StoreRow(c + 9 * ldc, va, vb, c90, c91); StoreRow(c + 10 * ldc, va, vb, ca0, ca1); StoreRow(c + 11 * ldc, va, vb, cb0, cb1);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow0(float* c, Vector512<float> alpha, Vector512<float> x0, Vector512<float> x1)
    {
        Vector512.Store(alpha * x0, c);
        Vector512.Store(alpha * x1, c + 16);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow(float* c, Vector512<float> alpha, Vector512<float> beta, Vector512<float> x0, Vector512<float> x1)
    {
        Vector512.Store(Vector512.FusedMultiplyAdd(alpha, x0, beta * Vector512.Load(c)), c);
        Vector512.Store(Vector512.FusedMultiplyAdd(alpha, x1, beta * Vector512.Load(c + 16)), c + 16);
    }
}

/// <summary>AVX2 + FMA micro-kernel: 6×16 tile, 12 ymm accumulators, two B loads and six broadcasts per step.</summary>
internal readonly struct Avx2Kernel : IGemmMicroKernel
{
    public static int MR => 6;

    public static int NR => 16;

    // 256×16 floats = 16 KiB B sliver (L1 ≥ 32 KiB); MC×KC = 144×256 floats = 144 KiB (L2 ≥ 256 KiB).
    public static int KC => 256;

    public static int MC => 144;

    public static int NC => 2048;

    public static string Name => "avx2 6x16";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
        Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b), b1 = Vector256.Load(b + 8);
            Vector256<float> x = Vector256.Create(a[0]);
            c00 = Vector256.FusedMultiplyAdd(x, b0, c00); c01 = Vector256.FusedMultiplyAdd(x, b1, c01);
            x = Vector256.Create(a[1]);
            c10 = Vector256.FusedMultiplyAdd(x, b0, c10); c11 = Vector256.FusedMultiplyAdd(x, b1, c11);
            x = Vector256.Create(a[2]);
            c20 = Vector256.FusedMultiplyAdd(x, b0, c20); c21 = Vector256.FusedMultiplyAdd(x, b1, c21);
            x = Vector256.Create(a[3]);
            c30 = Vector256.FusedMultiplyAdd(x, b0, c30); c31 = Vector256.FusedMultiplyAdd(x, b1, c31);
            x = Vector256.Create(a[4]);
            c40 = Vector256.FusedMultiplyAdd(x, b0, c40); c41 = Vector256.FusedMultiplyAdd(x, b1, c41);
            x = Vector256.Create(a[5]);
            c50 = Vector256.FusedMultiplyAdd(x, b0, c50); c51 = Vector256.FusedMultiplyAdd(x, b1, c51);
            a += 6;
            b += ldb;
        }

        Vector256<float> va = Vector256.Create(alpha);
        if (beta == 0)
        {
            StoreRow0(c, va, c00, c01); StoreRow0(c + ldc, va, c10, c11); StoreRow0(c + 2 * ldc, va, c20, c21);
            StoreRow0(c + 3 * ldc, va, c30, c31); StoreRow0(c + 4 * ldc, va, c40, c41); StoreRow0(c + 5 * ldc, va, c50, c51);
        }
        else
        {
            Vector256<float> vb = Vector256.Create(beta);
            StoreRow(c, va, vb, c00, c01); StoreRow(c + ldc, va, vb, c10, c11); StoreRow(c + 2 * ldc, va, vb, c20, c21);
            StoreRow(c + 3 * ldc, va, vb, c30, c31); StoreRow(c + 4 * ldc, va, vb, c40, c41); StoreRow(c + 5 * ldc, va, vb, c50, c51);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow0(float* c, Vector256<float> alpha, Vector256<float> x0, Vector256<float> x1)
    {
        Vector256.Store(alpha * x0, c);
        Vector256.Store(alpha * x1, c + 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow(float* c, Vector256<float> alpha, Vector256<float> beta, Vector256<float> x0, Vector256<float> x1)
    {
        Vector256.Store(Vector256.FusedMultiplyAdd(alpha, x0, beta * Vector256.Load(c)), c);
        Vector256.Store(Vector256.FusedMultiplyAdd(alpha, x1, beta * Vector256.Load(c + 8)), c + 8);
    }
}

/// <summary>AVX-512 micro-kernel for n ≤ 16: 16×16 tile, one B load and 16 broadcasts per step (halves the padding waste of the 12×32 tile).</summary>
internal readonly struct Avx512NarrowKernel : IGemmMicroKernel
{
    public static int MR => 16;

    public static int NR => 16;

    // 256×16 floats = 16 KiB B sliver; MC×KC = 256×256 floats = 256 KiB.
    public static int KC => 256;

    public static int MC => 256;

    public static int NC => 16;

    public static string Name => "avx512 16x16";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector512<float> c04 = default, c05 = default, c06 = default, c07 = default;
        Vector512<float> c08 = default, c09 = default, c10 = default, c11 = default;
        Vector512<float> c12 = default, c13 = default, c14 = default, c15 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            c00 = Vector512.FusedMultiplyAdd(Vector512.Create(a[0]), b0, c00);
            c01 = Vector512.FusedMultiplyAdd(Vector512.Create(a[1]), b0, c01);
            c02 = Vector512.FusedMultiplyAdd(Vector512.Create(a[2]), b0, c02);
            c03 = Vector512.FusedMultiplyAdd(Vector512.Create(a[3]), b0, c03);
            c04 = Vector512.FusedMultiplyAdd(Vector512.Create(a[4]), b0, c04);
            c05 = Vector512.FusedMultiplyAdd(Vector512.Create(a[5]), b0, c05);
            c06 = Vector512.FusedMultiplyAdd(Vector512.Create(a[6]), b0, c06);
            c07 = Vector512.FusedMultiplyAdd(Vector512.Create(a[7]), b0, c07);
            c08 = Vector512.FusedMultiplyAdd(Vector512.Create(a[8]), b0, c08);
            c09 = Vector512.FusedMultiplyAdd(Vector512.Create(a[9]), b0, c09);
            c10 = Vector512.FusedMultiplyAdd(Vector512.Create(a[10]), b0, c10);
            c11 = Vector512.FusedMultiplyAdd(Vector512.Create(a[11]), b0, c11);
            c12 = Vector512.FusedMultiplyAdd(Vector512.Create(a[12]), b0, c12);
            c13 = Vector512.FusedMultiplyAdd(Vector512.Create(a[13]), b0, c13);
            c14 = Vector512.FusedMultiplyAdd(Vector512.Create(a[14]), b0, c14);
            c15 = Vector512.FusedMultiplyAdd(Vector512.Create(a[15]), b0, c15);
            a += 16;
            b += ldb;
        }

        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0)
        {
            Vector512.Store(va * c00, c + (0 * ldc));
            Vector512.Store(va * c01, c + (1 * ldc));
            Vector512.Store(va * c02, c + (2 * ldc));
            Vector512.Store(va * c03, c + (3 * ldc));
            Vector512.Store(va * c04, c + (4 * ldc));
            Vector512.Store(va * c05, c + (5 * ldc));
            Vector512.Store(va * c06, c + (6 * ldc));
            Vector512.Store(va * c07, c + (7 * ldc));
            Vector512.Store(va * c08, c + (8 * ldc));
            Vector512.Store(va * c09, c + (9 * ldc));
            Vector512.Store(va * c10, c + (10 * ldc));
            Vector512.Store(va * c11, c + (11 * ldc));
            Vector512.Store(va * c12, c + (12 * ldc));
            Vector512.Store(va * c13, c + (13 * ldc));
            Vector512.Store(va * c14, c + (14 * ldc));
            Vector512.Store(va * c15, c + (15 * ldc));
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c00, vb * Vector512.Load(c + (0 * ldc))), c + (0 * ldc));
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c01, vb * Vector512.Load(c + (1 * ldc))), c + (1 * ldc));
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c02, vb * Vector512.Load(c + (2 * ldc))), c + (2 * ldc));
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c03, vb * Vector512.Load(c + (3 * ldc))), c + (3 * ldc));
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c04, vb * Vector512.Load(c + (4 * ldc))), c + (4 * ldc));
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c05, vb * Vector512.Load(c + (5 * ldc))), c + (5 * ldc));
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c06, vb * Vector512.Load(c + (6 * ldc))), c + (6 * ldc));
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c07, vb * Vector512.Load(c + (7 * ldc))), c + (7 * ldc));
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c08, vb * Vector512.Load(c + (8 * ldc))), c + (8 * ldc));
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c09, vb * Vector512.Load(c + (9 * ldc))), c + (9 * ldc));
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c10, vb * Vector512.Load(c + (10 * ldc))), c + (10 * ldc));
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c11, vb * Vector512.Load(c + (11 * ldc))), c + (11 * ldc));
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c12, vb * Vector512.Load(c + (12 * ldc))), c + (12 * ldc));
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c13, vb * Vector512.Load(c + (13 * ldc))), c + (13 * ldc));
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c14, vb * Vector512.Load(c + (14 * ldc))), c + (14 * ldc));
            Vector512.Store(Vector512.FusedMultiplyAdd(va, c15, vb * Vector512.Load(c + (15 * ldc))), c + (15 * ldc));
        }
    }
}

/// <summary>AVX2 + FMA micro-kernel for n ≤ 8: 12×8 tile, one B load and 12 broadcasts per step.</summary>
internal readonly struct Avx2NarrowKernel : IGemmMicroKernel
{
    public static int MR => 12;

    public static int NR => 8;

    // 256×8 floats = 8 KiB B sliver; MC×KC = 144×256 floats = 144 KiB.
    public static int KC => 256;

    public static int MC => 144;

    public static int NC => 8;

    public static string Name => "avx2 12x8";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c00 = default, c01 = default, c02 = default, c03 = default;
        Vector256<float> c04 = default, c05 = default, c06 = default, c07 = default;
        Vector256<float> c08 = default, c09 = default, c10 = default, c11 = default;
        for (int p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            c00 = Vector256.FusedMultiplyAdd(Vector256.Create(a[0]), b0, c00);
            c01 = Vector256.FusedMultiplyAdd(Vector256.Create(a[1]), b0, c01);
            c02 = Vector256.FusedMultiplyAdd(Vector256.Create(a[2]), b0, c02);
            c03 = Vector256.FusedMultiplyAdd(Vector256.Create(a[3]), b0, c03);
            c04 = Vector256.FusedMultiplyAdd(Vector256.Create(a[4]), b0, c04);
            c05 = Vector256.FusedMultiplyAdd(Vector256.Create(a[5]), b0, c05);
            c06 = Vector256.FusedMultiplyAdd(Vector256.Create(a[6]), b0, c06);
            c07 = Vector256.FusedMultiplyAdd(Vector256.Create(a[7]), b0, c07);
            c08 = Vector256.FusedMultiplyAdd(Vector256.Create(a[8]), b0, c08);
            c09 = Vector256.FusedMultiplyAdd(Vector256.Create(a[9]), b0, c09);
            c10 = Vector256.FusedMultiplyAdd(Vector256.Create(a[10]), b0, c10);
            c11 = Vector256.FusedMultiplyAdd(Vector256.Create(a[11]), b0, c11);
            a += 12;
            b += ldb;
        }

        Vector256<float> va = Vector256.Create(alpha);
        if (beta == 0)
        {
            Vector256.Store(va * c00, c + (0 * ldc));
            Vector256.Store(va * c01, c + (1 * ldc));
            Vector256.Store(va * c02, c + (2 * ldc));
            Vector256.Store(va * c03, c + (3 * ldc));
            Vector256.Store(va * c04, c + (4 * ldc));
            Vector256.Store(va * c05, c + (5 * ldc));
            Vector256.Store(va * c06, c + (6 * ldc));
            Vector256.Store(va * c07, c + (7 * ldc));
            Vector256.Store(va * c08, c + (8 * ldc));
            Vector256.Store(va * c09, c + (9 * ldc));
            Vector256.Store(va * c10, c + (10 * ldc));
            Vector256.Store(va * c11, c + (11 * ldc));
        }
        else
        {
            Vector256<float> vb = Vector256.Create(beta);
            Vector256.Store(Vector256.FusedMultiplyAdd(va, c00, vb * Vector256.Load(c + (0 * ldc))), c + (0 * ldc));
            Vector256.Store(Vector256.FusedMultiplyAdd(va, c01, vb * Vector256.Load(c + (1 * ldc))), c + (1 * ldc));
            Vector256.Store(Vector256.FusedMultiplyAdd(va, c02, vb * Vector256.Load(c + (2 * ldc))), c + (2 * ldc));
            Vector256.Store(Vector256.FusedMultiplyAdd(va, c03, vb * Vector256.Load(c + (3 * ldc))), c + (3 * ldc));
            Vector256.Store(Vector256.FusedMultiplyAdd(va, c04, vb * Vector256.Load(c + (4 * ldc))), c + (4 * ldc));
            Vector256.Store(Vector256.FusedMultiplyAdd(va, c05, vb * Vector256.Load(c + (5 * ldc))), c + (5 * ldc));
            Vector256.Store(Vector256.FusedMultiplyAdd(va, c06, vb * Vector256.Load(c + (6 * ldc))), c + (6 * ldc));
            Vector256.Store(Vector256.FusedMultiplyAdd(va, c07, vb * Vector256.Load(c + (7 * ldc))), c + (7 * ldc));
            Vector256.Store(Vector256.FusedMultiplyAdd(va, c08, vb * Vector256.Load(c + (8 * ldc))), c + (8 * ldc));
            Vector256.Store(Vector256.FusedMultiplyAdd(va, c09, vb * Vector256.Load(c + (9 * ldc))), c + (9 * ldc));
            Vector256.Store(Vector256.FusedMultiplyAdd(va, c10, vb * Vector256.Load(c + (10 * ldc))), c + (10 * ldc));
            Vector256.Store(Vector256.FusedMultiplyAdd(va, c11, vb * Vector256.Load(c + (11 * ldc))), c + (11 * ldc));
        }
    }
}

/// <summary>Portable scalar micro-kernel: 4×4 tile in 16 scalar accumulators (no SIMD, no fused multiply-add).</summary>
internal readonly struct ScalarKernel : IGemmMicroKernel
{
    public static int MR => 4;

    public static int NR => 4;

    public static int KC => 256;

    public static int MC => 64;

    public static int NC => 1024;

    public static string Name => "scalar 4x4";

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static unsafe void Run(int kc, float* a, float* b, nint ldb, float* c, nint ldc, float alpha, float beta)
    {
        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (int p = 0; p < kc; p++)
        {
            float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
            float x = a[0];
            c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
            x = a[1];
            c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
            x = a[2];
            c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
            x = a[3];
            c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
            a += 4;
            b += ldb;
        }

        StoreRow(c, alpha, beta, c00, c01, c02, c03);
        StoreRow(c + ldc, alpha, beta, c10, c11, c12, c13);
        StoreRow(c + 2 * ldc, alpha, beta, c20, c21, c22, c23);
        StoreRow(c + 3 * ldc, alpha, beta, c30, c31, c32, c33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void StoreRow(float* c, float alpha, float beta, float x0, float x1, float x2, float x3)
    {
        if (beta == 0)
        {
            c[0] = alpha * x0; c[1] = alpha * x1; c[2] = alpha * x2; c[3] = alpha * x3;
        }
        else
        {
            c[0] = alpha * x0 + beta * c[0]; c[1] = alpha * x1 + beta * c[1];
            c[2] = alpha * x2 + beta * c[2]; c[3] = alpha * x3 + beta * c[3];
        }
    }
}
