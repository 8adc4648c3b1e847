namespace Helmholtz.ActiveInference.Discrete;

/// <summary>
/// Flat, precomputed views of a model for the hot loops: sparse transition columns per (factor, control), the utility
/// of every joint state, and the per-state joint-outcome distributions of the information gain. Rebuilt when learning
/// changes A or B.
/// </summary>
internal sealed class ModelKernels
{
    /// <summary>Upper bound on stored (joint state, joint outcome) pairs for the information gain.</summary>
    public const long MaxJointOutcomePairs = 1L << 26;

    public readonly int NumFactors;
    public readonly int NumModalities;
    public readonly int[] NumStates;
    public readonly int[] NumObs;
    public readonly int S;
    public readonly double[][] A; // [m] flat [no, S]

    // Sparse B columns: for factor f, control u, previous state j: entries BStart[f][u][j] .. BStart[f][u][j+1].
    public readonly int[][][] BStart;
    public readonly int[][][] BRow;
    public readonly double[][][] BVal;

    public readonly double[] Utility; // [S]: Σ_m Σ_o A_m[o,s] ln softmax(C_m)[o]
    public readonly double[] Ambiguity; // [S]: Σ_o po ln(po + e^-16) over joint outcomes
    public readonly int[] PoStart; // [S+1]
    public readonly int[] PoIndex;
    public readonly double[] PoVal;
    public readonly int NumJointOutcomes;

    public readonly double[][]? WA; // [m] flat [no, S], pymdp's spm_wnorm(pA) masked by pA > 0
    public readonly double[][]? WB; // [f] flat [ns, ns, nu]

    // Column-sparse (A, WA) per modality for the pA novelty: state s has entries WAStart[m][s] .. WAStart[m][s+1] with
    // outcome WAObs, A value WAA and W value WAW (every outcome where A or W is non-zero).
    public readonly int[][]? WAStart;
    public readonly int[][]? WAObs;
    public readonly double[][]? WAA;
    public readonly double[][]? WAW;

    // Column-sparse WB per (factor, control): previous state j has rows WBRow[f][u][WBStart[f][u][j] ..] with values WBVal.
    public readonly int[][][]? WBStart;
    public readonly int[][][]? WBRow;
    public readonly double[][][]? WBVal;

    public ModelKernels(ModelArray[] a, ModelArray[] b, double[][] c, ModelArray[]? pA, ModelArray[]? pB, bool needInfoGain)
    {
        NumFactors = b.Length;
        NumModalities = a.Length;
        NumStates = b.Select(x => x.Shape[0]).ToArray();
        NumObs = a.Select(x => x.Shape[0]).ToArray();
        S = 1;
        foreach (int n in NumStates)
        {
            S *= n;
        }

        A = a.Select(x => x.Data).ToArray();

        BStart = new int[NumFactors][][];
        BRow = new int[NumFactors][][];
        BVal = new double[NumFactors][][];
        for (int f = 0; f < NumFactors; f++)
        {
            int ns = NumStates[f], nu = b[f].Shape[2];
            var data = b[f].Data;
            BStart[f] = new int[nu][];
            BRow[f] = new int[nu][];
            BVal[f] = new double[nu][];
            for (int u = 0; u < nu; u++)
            {
                var start = new int[ns + 1];
                var rows = new List<int>();
                var vals = new List<double>();
                for (int j = 0; j < ns; j++)
                {
                    start[j] = rows.Count;
                    for (int i = 0; i < ns; i++)
                    {
                        double v = data[(i * ns + j) * nu + u];
                        if (v != 0)
                        {
                            rows.Add(i);
                            vals.Add(v);
                        }
                    }
                }

                start[ns] = rows.Count;
                BStart[f][u] = start;
                BRow[f][u] = rows.ToArray();
                BVal[f][u] = vals.ToArray();
            }
        }

        Utility = new double[S];
        for (int m = 0; m < NumModalities; m++)
        {
            int no = NumObs[m];
            var lnC = new double[no];
            Categorical.Softmax(c[m], lnC);
            Categorical.SafeLog(lnC, lnC);
            var am = A[m];
            for (int o = 0; o < no; o++)
            {
                double w = lnC[o];
                int row = o * S;
                for (int s = 0; s < S; s++)
                {
                    Utility[s] += am[row + s] * w;
                }
            }
        }

        NumJointOutcomes = 1;
        foreach (int n in NumObs)
        {
            NumJointOutcomes = (int)Math.Min((long)NumJointOutcomes * n, int.MaxValue);
        }

        Ambiguity = new double[S];
        PoStart = new int[S + 1];
        if (needInfoGain)
        {
            (PoIndex, PoVal) = BuildJointOutcomes();
        }
        else
        {
            PoIndex = [];
            PoVal = [];
        }

        if (pA is not null)
        {
            WA = new double[NumModalities][];
            WAStart = new int[NumModalities][];
            WAObs = new int[NumModalities][];
            WAA = new double[NumModalities][];
            WAW = new double[NumModalities][];
            for (int m = 0; m < NumModalities; m++)
            {
                WA[m] = WNorm(pA[m].Data, NumObs[m], S);
                var start = new int[S + 1];
                var obs = new List<int>();
                var av = new List<double>();
                var wv = new List<double>();
                for (int st = 0; st < S; st++)
                {
                    start[st] = obs.Count;
                    for (int o = 0; o < NumObs[m]; o++)
                    {
                        double x = A[m][o * S + st], w = WA[m][o * S + st];
                        if (x != 0 || w != 0)
                        {
                            obs.Add(o);
                            av.Add(x);
                            wv.Add(w);
                        }
                    }
                }

                start[S] = obs.Count;
                WAStart[m] = start;
                WAObs[m] = obs.ToArray();
                WAA[m] = av.ToArray();
                WAW[m] = wv.ToArray();
            }
        }

        if (pB is not null)
        {
            WB = new double[NumFactors][];
            WBStart = new int[NumFactors][][];
            WBRow = new int[NumFactors][][];
            WBVal = new double[NumFactors][][];
            for (int f = 0; f < NumFactors; f++)
            {
                WB[f] = WNorm(pB[f].Data, NumStates[f], pB[f].Data.Length / NumStates[f]);
                int ns = NumStates[f], nu = pB[f].Shape[2];
                WBStart[f] = new int[nu][];
                WBRow[f] = new int[nu][];
                WBVal[f] = new double[nu][];
                for (int u = 0; u < nu; u++)
                {
                    var start = new int[ns + 1];
                    var rows = new List<int>();
                    var vals = new List<double>();
                    for (int j = 0; j < ns; j++)
                    {
                        start[j] = rows.Count;
                        for (int i = 0; i < ns; i++)
                        {
                            double w = WB[f][(i * ns + j) * nu + u];
                            if (w != 0)
                            {
                                rows.Add(i);
                                vals.Add(w);
                            }
                        }
                    }

                    start[ns] = rows.Count;
                    WBStart[f][u] = start;
                    WBRow[f][u] = rows.ToArray();
                    WBVal[f][u] = vals.ToArray();
                }
            }
        }
    }

    private (int[] Index, double[] Val) BuildJointOutcomes()
    {
        long total = 0;
        var nnz = new int[NumModalities][];
        for (int m = 0; m < NumModalities; m++)
        {
            nnz[m] = new int[S];
            for (int o = 0; o < NumObs[m]; o++)
            {
                for (int s = 0; s < S; s++)
                {
                    if (A[m][o * S + s] != 0)
                    {
                        nnz[m][s]++;
                    }
                }
            }
        }

        for (int s = 0; s < S; s++)
        {
            long k = 1;
            for (int m = 0; m < NumModalities; m++)
            {
                k *= nnz[m][s];
            }

            total += k;
            if (total > MaxJointOutcomePairs)
            {
                throw new ModelException($"A: the joint outcome distributions of the information gain need more than {MaxJointOutcomePairs} entries; use fewer or sparser modalities");
            }
        }

        var index = new int[total];
        var val = new double[total];
        double floor = Categorical.JointStateThreshold;
        int pos = 0;
        var cur = new List<(int Idx, double P)>();
        var next = new List<(int Idx, double P)>();
        for (int s = 0; s < S; s++)
        {
            PoStart[s] = pos;
            cur.Clear();
            cur.Add((0, 1.0));
            for (int m = 0; m < NumModalities; m++)
            {
                next.Clear();
                foreach (var (idx, p) in cur)
                {
                    for (int o = 0; o < NumObs[m]; o++)
                    {
                        double v = A[m][o * S + s];
                        if (v != 0)
                        {
                            next.Add((idx * NumObs[m] + o, p * v));
                        }
                    }
                }

                (cur, next) = (next, cur);
            }

            double h = 0;
            foreach (var (idx, p) in cur)
            {
                index[pos] = idx;
                val[pos] = p;
                pos++;
                // spm_MDP_G floors this logarithm with exp(−16), not 1e-16.
                h += p * Math.Log(p + floor);
            }

            Ambiguity[s] = h;
        }

        PoStart[S] = pos;
        return (index, val);
    }

    /// <summary>pymdp's spm_wnorm masked by p &gt; 0: w[i,j] = (1/Σ_i(p + ε) − 1/(p[i,j] + ε)) · [p[i,j] &gt; 0].</summary>
    private static double[] WNorm(double[] p, int rows, int cols)
    {
        var w = new double[p.Length];
        for (int j = 0; j < cols; j++)
        {
            double sum = 0;
            for (int i = 0; i < rows; i++)
            {
                sum += p[i * cols + j] + Categorical.LogFloor;
            }

            double inv = 1.0 / sum;
            for (int i = 0; i < rows; i++)
            {
                double v = p[i * cols + j];
                w[i * cols + j] = v > 0 ? inv - 1.0 / (v + Categorical.LogFloor) : 0;
            }
        }

        return w;
    }

    /// <summary>destination = B_f[:, :, u] · source.</summary>
    public void Transition(int f, int u, ReadOnlySpan<double> source, Span<double> destination)
    {
        destination.Clear();
        var start = BStart[f][u];
        var rows = BRow[f][u];
        var vals = BVal[f][u];
        for (int j = 0; j < source.Length; j++)
        {
            double q = source[j];
            if (q == 0)
            {
                continue;
            }

            for (int k = start[j]; k < start[j + 1]; k++)
            {
                destination[rows[k]] += vals[k] * q;
            }
        }
    }

    /// <summary>Writes the joint distribution Π_f q_f (factor 0 slowest) into <paramref name="joint"/>.</summary>
    public void Outer(double[][] qs, Span<double> joint)
    {
        joint[0] = 1;
        int len = 1;
        for (int f = 0; f < qs.Length; f++)
        {
            var q = qs[f];
            int n = q.Length;
            for (int i = len - 1; i >= 0; i--)
            {
                double v = joint[i];
                int baseIdx = i * n;
                for (int k = n - 1; k >= 0; k--)
                {
                    joint[baseIdx + k] = v * q[k];
                }
            }

            len *= n;
        }
    }

    /// <summary>destination[i] = Σ_{s: s_f = i} tensor[s] · Π_{g≠f} q_g[s_g] (pymdp's spm_dot with dims_to_omit [f]).</summary>
    public void ContractAllBut(ReadOnlySpan<double> tensor, double[][] qs, int f, Span<double> destination)
    {
        destination.Clear();
        if (NumFactors == 1)
        {
            tensor.CopyTo(destination);
            return;
        }

        Span<int> idx = stackalloc int[NumFactors];
        idx.Clear();
        for (int s = 0; s < S; s++)
        {
            double w = tensor[s];
            if (w != 0)
            {
                for (int g = 0; g < NumFactors; g++)
                {
                    if (g != f)
                    {
                        w *= qs[g][idx[g]];
                    }
                }

                destination[idx[f]] += w;
            }

            for (int g = NumFactors - 1; g >= 0; g--)
            {
                if (++idx[g] < NumStates[g])
                {
                    break;
                }

                idx[g] = 0;
            }
        }
    }

    /// <summary>The joint likelihood P(o | s) = Π_m A_m[o_m, s] over joint states.</summary>
    public void JointLikelihood(ReadOnlySpan<int> obs, Span<double> destination)
    {
        destination.Fill(1.0);
        for (int m = 0; m < NumModalities; m++)
        {
            var row = A[m].AsSpan(obs[m] * S, S);
            for (int s = 0; s < S; s++)
            {
                destination[s] *= row[s];
            }
        }
    }
}
