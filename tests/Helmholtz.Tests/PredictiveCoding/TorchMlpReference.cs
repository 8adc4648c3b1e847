namespace Helmholtz.Tests.PredictiveCoding;

/// <summary>
/// A plain double-precision transcription of the training loops of shared/baselines/torch_mlp.py (branches pc-fixed and
/// pc-standard; tanh hidden layers, linear output, loss ½‖ŷ − y‖² averaged over the batch, W −= lr·grad/B). It is the
/// executable statement of the conventions, written independently of the engine so that one step of each can be compared.
/// </summary>
internal static class TorchMlpReference
{
    /// <summary>One training step; W[l] is [out, in] row-major, updated in place with b[l]. Returns the forward-pass loss.</summary>
    public static double Step(string algo, double[][] w, double[][] b, int[] sizes, double[] x, double[] y, int batch, int T, double etaV, double lr)
    {
        int L = sizes.Length - 1;
        var mu = new double[L + 1][];
        var pre = new double[L][];
        mu[0] = (double[])x.Clone();
        for (int l = 0; l < L; l++)
        {
            pre[l] = Affine(mu[l], w[l], b[l], batch, sizes[l], sizes[l + 1]);
            mu[l + 1] = pre[l].Select(z => F(l, L, z)).ToArray();
        }

        double loss = 0;
        for (int i = 0; i < y.Length; i++)
        {
            loss += (mu[L][i] - y[i]) * (mu[L][i] - y[i]);
        }

        loss = loss / batch / 2;
        var gw = new double[L][];
        var gb = new double[L][];
        if (algo == "pc-fixed")
        {
            var v = mu.Select(m => (double[])m.Clone()).ToArray();
            var fp = pre.Select((z, l) => z.Select(zz => Df(l, L, zz)).ToArray()).ToArray();
            var eps = new double[L + 1][];
            eps[L] = mu[L].Select((m, i) => m - y[i]).ToArray();
            for (int t = 0; t < T; t++)
            {
                for (int l = 1; l < L; l++)
                {
                    eps[l] = v[l].Select((vv, i) => vv - mu[l][i]).ToArray();
                }

                for (int l = 1; l < L; l++)
                {
                    var back = BackMessage(eps[l + 1], fp[l], w[l], batch, sizes[l], sizes[l + 1]);
                    for (int i = 0; i < v[l].Length; i++)
                    {
                        v[l][i] -= etaV * (eps[l][i] - back[i]);
                    }
                }
            }

            for (int l = 1; l < L; l++)
            {
                eps[l] = v[l].Select((vv, i) => vv - mu[l][i]).ToArray();
            }

            for (int l = 0; l < L; l++)
            {
                (gw[l], gb[l]) = Outer(eps[l + 1], fp[l], mu[l], batch, sizes[l], sizes[l + 1], 1);
            }
        }
        else
        {
            var v = mu.Select(m => (double[])m.Clone()).ToArray();
            v[L] = (double[])y.Clone();
            double[][] z = [], eps = [], d = [];
            void Predict()
            {
                z = Enumerable.Range(0, L).Select(l => Affine(v[l], w[l], b[l], batch, sizes[l], sizes[l + 1])).ToArray();
                eps = new double[L + 1][];
                for (int l = 0; l < L; l++)
                {
                    eps[l + 1] = v[l + 1].Select((vv, i) => vv - F(l, L, z[l][i])).ToArray();
                }

                d = z.Select((zz, l) => zz.Select(q => Df(l, L, q)).ToArray()).ToArray();
            }

            for (int t = 0; t < T; t++)
            {
                Predict();
                for (int l = 1; l < L; l++)
                {
                    var back = BackMessage(eps[l + 1], d[l], w[l], batch, sizes[l], sizes[l + 1]);
                    for (int i = 0; i < v[l].Length; i++)
                    {
                        v[l][i] -= etaV * (eps[l][i] - back[i]);
                    }
                }
            }

            Predict();
            for (int l = 0; l < L; l++)
            {
                (gw[l], gb[l]) = Outer(eps[l + 1], d[l], v[l], batch, sizes[l], sizes[l + 1], -1);
            }
        }

        for (int l = 0; l < L; l++)
        {
            for (int i = 0; i < w[l].Length; i++)
            {
                w[l][i] -= lr * gw[l][i] / batch;
            }

            for (int i = 0; i < b[l].Length; i++)
            {
                b[l][i] -= lr * gb[l][i] / batch;
            }
        }

        return loss;
    }

    private static double F(int l, int L, double z) => l == L - 1 ? z : Math.Tanh(z);

    private static double Df(int l, int L, double z) => l == L - 1 ? 1 : 1 - Math.Tanh(z) * Math.Tanh(z);

    /// <summary>x·Wᵀ + b for x [batch, fin], W [fout, fin].</summary>
    private static double[] Affine(double[] x, double[] w, double[] b, int batch, int fin, int fout)
    {
        var z = new double[batch * fout];
        for (int r = 0; r < batch; r++)
        {
            for (int o = 0; o < fout; o++)
            {
                double s = b[o];
                for (int i = 0; i < fin; i++)
                {
                    s += x[r * fin + i] * w[o * fin + i];
                }

                z[r * fout + o] = s;
            }
        }

        return z;
    }

    /// <summary>(e ⊙ f′) @ W: [batch, fout] · [fout, fin].</summary>
    private static double[] BackMessage(double[] e, double[] fp, double[] w, int batch, int fin, int fout)
    {
        var m = new double[batch * fin];
        for (int r = 0; r < batch; r++)
        {
            for (int i = 0; i < fin; i++)
            {
                double s = 0;
                for (int o = 0; o < fout; o++)
                {
                    s += e[r * fout + o] * fp[r * fout + o] * w[o * fin + i];
                }

                m[r * fin + i] = s;
            }
        }

        return m;
    }

    /// <summary>sign·((e ⊙ f′)ᵀ @ a, Σ_batch e ⊙ f′).</summary>
    private static (double[] W, double[] B) Outer(double[] e, double[] fp, double[] a, int batch, int fin, int fout, int sign)
    {
        var gw = new double[fout * fin];
        var gb = new double[fout];
        for (int r = 0; r < batch; r++)
        {
            for (int o = 0; o < fout; o++)
            {
                double g = sign * e[r * fout + o] * fp[r * fout + o];
                gb[o] += g;
                for (int i = 0; i < fin; i++)
                {
                    gw[o * fin + i] += g * a[r * fin + i];
                }
            }
        }

        return (gw, gb);
    }
}
