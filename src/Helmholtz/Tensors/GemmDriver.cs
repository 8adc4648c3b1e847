using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Helmholtz.Tensors;

/// <summary>The operands of one product, as raw pointers into pinned spans (valid only during the call).</summary>
internal unsafe struct GemmOperands
{
    public bool TransA, TransB;
    public int M, N, K;
    public float Alpha, Beta;
    public float* A, B, C;
    public nint Lda, Ldb, Ldc;

    /// <summary>Read B rows in place (no packing): only for B not transposed and products too small to repay packing.</summary>
    public bool DirectB;
}

/// <summary>Per-thread packing buffers, grown on demand and then reused, so that a warm GEMM allocates nothing.</summary>
/// <remarks>
/// One instance per thread that has run a GEMM ([ThreadStatic]), so concurrent products on different threads never
/// share a buffer. The arrays live on the pinned object heap, so the 64-byte-aligned pointers stay valid for the
/// thread's life; nothing here is visible outside the GEMM.
/// </remarks>
internal sealed unsafe class GemmBuffers
{
    [ThreadStatic]
    private static GemmBuffers? t_current;

    private float[] _storage = [];
    private float* _aligned;
    private long _capacity;

    /// <summary>Packed A block (MC×KC).</summary>
    public float* A;

    /// <summary>Packed B panel (KC×NC).</summary>
    public float* B;

    /// <summary>Packed edge sliver of B (KC×NR) when B is read in place.</summary>
    public float* Edge;

    /// <summary>An MR×NR tile for the partial tiles at the bottom and right edges of C.</summary>
    public float* Tile;

    public static GemmBuffers Get(long aFloats, long bFloats, long edgeFloats, long tileFloats)
    {
        var buffers = t_current ??= new GemmBuffers();
        buffers.Ensure(aFloats, bFloats, edgeFloats, tileFloats);
        return buffers;
    }

    private void Ensure(long aFloats, long bFloats, long edgeFloats, long tileFloats)
    {
        // Each region starts on a 64-byte boundary (16 floats) so that packed slivers are cache-line aligned.
        static long Round(long x) => (x + 15) & ~15L;
        long total = Round(aFloats) + Round(bFloats) + Round(edgeFloats) + Round(tileFloats);
        if (total > _capacity)
        {
            _storage = GC.AllocateUninitializedArray<float>(checked((int)(total + 16)), pinned: true);
            float* p = (float*)Unsafe.AsPointer(ref _storage[0]);
            _aligned = (float*)(((nint)p + 63) & ~(nint)63);
            _capacity = total;
        }

        A = _aligned;
        B = A + Round(aFloats);
        Edge = B + Round(bFloats);
        Tile = Edge + Round(edgeFloats);
    }
}

/// <summary>The blocked, packed GEMM loop nest (Goto &amp; van de Geijn 2008; BLIS) around one micro-kernel.</summary>
/// <remarks>
/// Loops, outer to inner: columns of C in NC panels → depth in KC blocks (pack a KC×NC panel of B) → rows in MC
/// blocks (pack an MC×KC block of A) → NR-wide slivers of B → MR-high slivers of A → micro-kernel. Transposed
/// operands are handled by the packing routines only. The depth loop is never split, so every element of C is
/// the same chain of operations whatever rows or columns a thread owns. The loop nest and packing are compiled
/// fully optimised on first use (no tier-0 phase), so the first products of a run are as fast as later ones.
/// </remarks>
internal static unsafe class GemmDriver<TKernel>
    where TKernel : struct, IGemmMicroKernel
{
    /// <summary>Products with at most this many columns read a row-major A in place where the kernel can (<see cref="IGemmMicroKernel.HasDirectA"/>).</summary>
    internal const int DirectAMaxColumns = 256;

    /// <summary>Computes rows [i0, i1) × columns [j0, j1) of C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in GemmOperands g, int i0, int i1, int j0, int j1)
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        int kcMax = Math.Min(TKernel.KC, g.K);
        int mcMax = RoundUp(Math.Min(TKernel.MC, i1 - i0), mr);
        int ncMax = RoundUp(Math.Min(TKernel.NC, j1 - j0), nr);
        // A small product with a row-major A reads full MR-row slivers of A in place (packing A would cost about as
        // much as the few column tiles that reuse it); the right-edge tiles pack their sliver into the edge buffer.
        bool directA = TKernel.HasDirectA && !g.TransA && g.N <= DirectAMaxColumns;
        var buf = GemmBuffers.Get((long)mcMax * kcMax, g.DirectB ? 0 : (long)ncMax * kcMax, (g.DirectB || directA ? (long)kcMax * nr : 0) + (directA ? (long)kcMax * mr : 0), mr * nr);

        for (int jc = j0; jc < j1; jc += TKernel.NC)
        {
            int nc = Math.Min(TKernel.NC, j1 - jc);
            for (int pc = 0; pc < g.K; pc += TKernel.KC)
            {
                int kc = Math.Min(TKernel.KC, g.K - pc);
                float beta = pc == 0 ? g.Beta : 1f;
                if (!g.DirectB)
                {
                    PackB(g, pc, kc, jc, nc, buf.B);
                }

                for (int ic = i0; ic < i1; ic += TKernel.MC)
                {
                    int mc = Math.Min(TKernel.MC, i1 - ic);
                    int fullRows = directA ? mc / mr * mr : 0;
                    if (fullRows < mc)
                    {
                        // Packed: the whole block, or (reading A in place) only its last, partial sliver.
                        PackA(g, ic + fullRows, mc - fullRows, pc, kc, buf.A + ((long)fullRows / mr * kc * mr));
                    }

                    for (int jr = 0; jr < nc; jr += nr)
                    {
                        int nrHere = Math.Min(nr, nc - jr);
                        float* bSliver;
                        nint ldb;
                        if (!g.DirectB)
                        {
                            bSliver = buf.B + (long)(jr / nr) * kc * nr;
                            ldb = nr;
                        }
                        else if (nrHere == nr)
                        {
                            bSliver = g.B + pc * g.Ldb + jc + jr;
                            ldb = g.Ldb;
                        }
                        else
                        {
                            PackBSliver(g, pc, kc, jc + jr, nrHere, buf.Edge);
                            bSliver = buf.Edge;
                            ldb = nr;
                        }

                        for (int ir = 0; ir < mc; ir += mr)
                        {
                            int mrHere = Math.Min(mr, mc - ir);
                            float* aSliver = buf.A + (long)(ir / mr) * kc * mr;
                            float* cTile = g.C + (ic + ir) * g.Ldc + jc + jr;
                            if (ir < fullRows && nrHere == nr)
                            {
                                TKernel.RunDirectA(kc, g.A + ((ic + ir) * g.Lda) + pc, g.Lda, bSliver, ldb, cTile, g.Ldc, g.Alpha, beta);
                            }
                            else if (ir < fullRows)
                            {
                                PackA(g, ic + ir, mr, pc, kc, buf.Edge + ((long)kc * nr));
                                EdgeTile(kc, buf.Edge + ((long)kc * nr), bSliver, ldb, cTile, g.Ldc, mrHere, nrHere, g.Alpha, beta, buf.Tile);
                            }
                            else if (mrHere == mr && nrHere == nr)
                            {
                                TKernel.Run(kc, aSliver, bSliver, ldb, cTile, g.Ldc, g.Alpha, beta);
                            }
                            else
                            {
                                EdgeTile(kc, aSliver, bSliver, ldb, cTile, g.Ldc, mrHere, nrHere, g.Alpha, beta, buf.Tile);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void EdgeTile(int kc, float* a, float* b, nint ldb, float* c, nint ldc, int rows, int cols, float alpha, float beta, float* tile)
    {
        int nr = TKernel.NR;
        if (beta != 0)
        {
            for (int i = 0; i < rows; i++)
            {
                new ReadOnlySpan<float>(c + i * ldc, cols).CopyTo(new Span<float>(tile + i * nr, cols));
            }
        }

        TKernel.Run(kc, a, b, ldb, tile, nr, alpha, beta);
        for (int i = 0; i < rows; i++)
        {
            new ReadOnlySpan<float>(tile + i * nr, cols).CopyTo(new Span<float>(c + i * ldc, cols));
        }
    }

    /// <summary>Packs rows [i0, i0+mc) × depth [p0, p0+kc) of op(A) into MR-high slivers, p-major, zero-padded.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA(in GemmOperands g, int i0, int mc, int p0, int kc, float* dst)
    {
        int mr = TKernel.MR;
        for (int s = 0; s < mc; s += mr)
        {
            int rows = Math.Min(mr, mc - s);
            if (!g.TransA)
            {
                // op(A)(i, p) = a[i·lda + p]: 8×8 register transposes for whole groups of 8 rows and 8 columns,
                // then each remaining source row (contiguous in p) written with stride MR.
                int i8 = 0, p8 = 0;
                if (rows == mr && Avx.IsSupported && kc >= 8)
                {
                    i8 = mr & ~7;
                    p8 = kc & ~7;
                    for (int ib = 0; ib < i8; ib += 8)
                    {
                        float* src = g.A + (i0 + s + ib) * g.Lda + p0;
                        for (int p = 0; p < p8; p += 8)
                        {
                            Transpose8x8(src + p, g.Lda, dst + (p * mr) + ib, mr);
                        }

                        for (int i = ib; i < ib + 8; i++)
                        {
                            float* row = g.A + (i0 + s + i) * g.Lda + p0;
                            for (int p = p8; p < kc; p++)
                            {
                                dst[(p * mr) + i] = row[p];
                            }
                        }
                    }
                }

                for (int i = i8; i < rows; i++)
                {
                    float* src = g.A + (i0 + s + i) * g.Lda + p0;
                    float* d = dst + i;
                    for (int p = 0; p < kc; p++)
                    {
                        d[p * mr] = src[p];
                    }
                }

                for (int i = rows; i < mr; i++)
                {
                    for (int p = 0; p < kc; p++)
                    {
                        dst[p * mr + i] = 0;
                    }
                }
            }
            else
            {
                // op(A)(i, p) = a[p·lda + i]: each packed column is a contiguous run of the source.
                for (int p = 0; p < kc; p++)
                {
                    float* src = g.A + (p0 + p) * g.Lda + i0 + s;
                    float* d = dst + p * mr;
                    if (rows == mr)
                    {
                        Unsafe.CopyBlockUnaligned(d, src, (uint)(mr * sizeof(float)));
                        continue;
                    }

                    int i = 0;
                    for (; i < rows; i++)
                    {
                        d[i] = src[i];
                    }

                    for (; i < mr; i++)
                    {
                        d[i] = 0;
                    }
                }
            }

            dst += (long)kc * mr;
        }
    }

    /// <summary>Packs depth [p0, p0+kc) × columns [j0, j0+nc) of op(B) into NR-wide slivers, zero-padded.</summary>
    private static void PackB(in GemmOperands g, int p0, int kc, int j0, int nc, float* dst)
    {
        int nr = TKernel.NR;
        for (int t = 0; t < nc; t += nr)
        {
            PackBSliver(g, p0, kc, j0 + t, Math.Min(nr, nc - t), dst);
            dst += (long)kc * nr;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackBSliver(in GemmOperands g, int p0, int kc, int j0, int cols, float* dst)
    {
        int nr = TKernel.NR;
        if (!g.TransB)
        {
            // op(B)(p, j) = b[p·ldb + j]: contiguous runs of NR.
            for (int p = 0; p < kc; p++)
            {
                float* src = g.B + (p0 + p) * g.Ldb + j0;
                float* d = dst + p * nr;
                if (cols == nr)
                {
                    Unsafe.CopyBlockUnaligned(d, src, (uint)(nr * sizeof(float)));
                }
                else
                {
                    int j = 0;
                    for (; j < cols; j++)
                    {
                        d[j] = src[j];
                    }

                    for (; j < nr; j++)
                    {
                        d[j] = 0;
                    }
                }
            }
        }
        else if (cols == nr && nr % 8 == 0 && Avx.IsSupported)
        {
            // op(B)(p, j) = b[j·ldb + p]: transpose 8×8 blocks in registers, then the scalar loop for kc mod 8.
            int p8 = kc & ~7;
            for (int jb = 0; jb < nr; jb += 8)
            {
                float* src = g.B + (j0 + jb) * g.Ldb + p0;
                for (int p = 0; p < p8; p += 8)
                {
                    Transpose8x8(src + p, g.Ldb, dst + (p * nr) + jb, nr);
                }
            }

            for (int j = 0; j < cols; j++)
            {
                float* src = g.B + (j0 + j) * g.Ldb + p0;
                for (int p = p8; p < kc; p++)
                {
                    dst[(p * nr) + j] = src[p];
                }
            }
        }
        else
        {
            // op(B)(p, j) = b[j·ldb + p]: each source row is contiguous in p, written with stride NR.
            for (int j = 0; j < cols; j++)
            {
                float* src = g.B + (j0 + j) * g.Ldb + p0;
                float* d = dst + j;
                for (int p = 0; p < kc; p++)
                {
                    d[p * nr] = src[p];
                }
            }

            for (int j = cols; j < nr; j++)
            {
                for (int p = 0; p < kc; p++)
                {
                    dst[p * nr + j] = 0;
                }
            }
        }
    }

    /// <summary>dst[q·ldd + r] = src[r·lds + q] for r, q &lt; 8 (the classic unpack/shuffle/permute transpose).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint lds, float* dst, nint ldd)
    {
        Vector256<float> r0 = Avx.LoadVector256(src), r1 = Avx.LoadVector256(src + lds);
        Vector256<float> r2 = Avx.LoadVector256(src + (2 * lds)), r3 = Avx.LoadVector256(src + (3 * lds));
        Vector256<float> r4 = Avx.LoadVector256(src + (4 * lds)), r5 = Avx.LoadVector256(src + (5 * lds));
        Vector256<float> r6 = Avx.LoadVector256(src + (6 * lds)), r7 = Avx.LoadVector256(src + (7 * lds));
        Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44), s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44), s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44), s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44), s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + (2 * ldd), Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + (3 * ldd), Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + (4 * ldd), Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + (5 * ldd), Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + (6 * ldd), Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + (7 * ldd), Avx.Permute2x128(s3, s7, 0x31));
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}
