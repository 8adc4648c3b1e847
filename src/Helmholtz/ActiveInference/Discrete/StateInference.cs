namespace Helmholtz.ActiveInference.Discrete;

/// <summary>Variational state inference: fixed-point iteration and marginal message passing, as pymdp 0.0.7.1.</summary>
internal static class StateInference
{
    /// <summary>
    /// Fixed-point iteration (pymdp's run_vanilla_fpi). One factor: q(s) = softmax(ln P(o|s) + ln prior), exact. Several
    /// factors: each sweep sets every q_f = softmax(E_{q_{\f}}[ln P(o|s)] + ln prior_f) from the previous sweep's
    /// marginals, until <paramref name="numIter"/> sweeps or |ΔF| &lt; <paramref name="tolerance"/>.
    /// </summary>
    public static double[][] Fpi(ModelKernels k, double[] logLikelihood, double[][] prior, int numIter, double tolerance)
    {
        int nf = k.NumFactors;
        var logPrior = new double[nf][];
        for (int f = 0; f < nf; f++)
        {
            logPrior[f] = new double[prior[f].Length];
            Categorical.SafeLog(prior[f], logPrior[f]);
        }

        var qs = k.NumStates.Select(n => Enumerable.Repeat(1.0 / n, n).ToArray()).ToArray();
        if (nf == 1)
        {
            var x = new double[k.S];
            for (int s = 0; s < k.S; s++)
            {
                x[s] = logLikelihood[s] + logPrior[0][s];
            }

            Categorical.Softmax(x, qs[0]);
            return qs;
        }

        double prevF = FreeEnergy(k, qs, logPrior, null);
        double dF = 1.0;
        var qL = k.NumStates.Select(n => new double[n]).ToArray();
        for (int iter = 0; iter < numIter && dF >= tolerance; iter++)
        {
            for (int f = 0; f < nf; f++)
            {
                k.ContractAllBut(logLikelihood, qs, f, qL[f]);
            }

            for (int f = 0; f < nf; f++)
            {
                for (int i = 0; i < qL[f].Length; i++)
                {
                    qL[f][i] += logPrior[f][i];
                }

                Categorical.Softmax(qL[f], qs[f]);
            }

            double vfe = FreeEnergy(k, qs, logPrior, logLikelihood);
            dF = Math.Abs(prevF - vfe);
            prevF = vfe;
        }

        return qs;
    }

    /// <summary>pymdp's calc_free_energy: Σ_f q_f·(ln(q_f + ε) − ln prior_f) − E_q[ln P(o|s)].</summary>
    private static double FreeEnergy(ModelKernels k, double[][] qs, double[][] logPrior, double[]? logLikelihood)
    {
        double fe = 0;
        for (int f = 0; f < qs.Length; f++)
        {
            for (int i = 0; i < qs[f].Length; i++)
            {
                fe += qs[f][i] * (Math.Log(qs[f][i] + Categorical.LogFloor) - logPrior[f][i]);
            }
        }

        if (logLikelihood is not null)
        {
            var tmp = new double[qs[0].Length];
            k.ContractAllBut(logLikelihood, qs, 0, tmp);
            for (int i = 0; i < tmp.Length; i++)
            {
                fe -= tmp[i] * qs[0][i];
            }
        }

        return fe;
    }

    /// <summary>
    /// Marginal message passing for one policy (pymdp's run_mmp with grad_descent, Parr et al. 2019): beliefs over the
    /// window's past steps and the policy's future, updated by gradient steps of size τ on the log marginals; returns
    /// the beliefs [t][factor] and the policy's free energy F from the last iteration.
    /// </summary>
    /// <param name="likelihoods">Joint likelihood P(o_t | s) per past step of the window.</param>
    /// <param name="actions">The action (one per factor) of every transition t → t+1 over the window and the future.</param>
    /// <param name="prior">Prior over the window's first state, per factor.</param>
    public static (double[][][] Qs, double F) Mmp(ModelKernels k, ModelArray[] b, double[][] likelihoods, int[][] actions, double[][] prior, int numIter, double tau)
    {
        int nf = k.NumFactors;
        int pastLen = likelihoods.Length;
        int inferLen = actions.Length + 1;
        int futureCutoff = inferLen - 2;
        var qs = new double[inferLen][][];
        for (int t = 0; t < inferLen; t++)
        {
            qs[t] = k.NumStates.Select(n => Enumerable.Repeat(1.0 / n, n).ToArray()).ToArray();
        }

        var lnA = k.NumStates.Select(n => new double[n]).ToArray();
        var lnPast = k.NumStates.Select(n => new double[n]).ToArray();
        var lnFuture = k.NumStates.Select(n => new double[n]).ToArray();
        var err = k.NumStates.Select(n => new double[n]).ToArray();
        var sx = k.NumStates.Select(n => new double[n]).ToArray();
        double fe = 0;
        for (int itr = 0; itr < numIter; itr++)
        {
            fe = 0;
            for (int t = 0; t < inferLen; t++)
            {
                for (int f = 0; f < nf; f++)
                {
                    int ns = k.NumStates[f];
                    var la = lnA[f];
                    if (t < pastLen)
                    {
                        k.ContractAllBut(likelihoods[t], qs[t], f, la);
                        Categorical.SafeLog(la, la);
                    }
                    else
                    {
                        Array.Clear(la);
                    }

                    var lp = lnPast[f];
                    if (t == 0)
                    {
                        Categorical.SafeLog(prior[f], lp);
                    }
                    else
                    {
                        k.Transition(f, actions[t - 1][f], qs[t - 1][f], lp);
                        Categorical.SafeLog(lp, lp);
                    }

                    var lf = lnFuture[f];
                    if (t >= futureCutoff)
                    {
                        Array.Clear(lf);
                    }
                    else
                    {
                        BackwardMessage(b[f], actions[t][f], qs[t + 1][f], lf);
                        Categorical.SafeLog(lf, lf);
                    }

                    qs[t][f].CopyTo(sx[f], 0);
                    double coeff = t >= futureCutoff ? 1 : 2;
                    var e = err[f];
                    double mean = 0;
                    for (int i = 0; i < ns; i++)
                    {
                        e[i] = coeff * la[i] + lp[i] + lf[i] - coeff * Math.Log(sx[f][i] + Categorical.LogFloor);
                        mean += e[i];
                    }

                    mean /= ns;
                    var lnq = qs[t][f];
                    for (int i = 0; i < ns; i++)
                    {
                        lnq[i] = Math.Log(sx[f][i] + Categorical.LogFloor) + tau * (e[i] - mean);
                    }

                    Categorical.Softmax(lnq, lnq);
                    bool edge = t == 0 || t == inferLen - 1;
                    for (int i = 0; i < ns; i++)
                    {
                        double term = edge ? 0.5 * e[i] : 0.5 * (e[i] - (nf - 1) * la[i] / nf);
                        fe += sx[f][i] * term;
                    }
                }
            }
        }

        return (qs, fe);
    }

    /// <summary>destination = B̃ᵀ · q where B̃ᵀ[:, :, u][v, s] = (B[s, v, u] + ε) / Σ_v (B[s, v, u] + ε) (pymdp's spm_norm of the swapped B).</summary>
    private static void BackwardMessage(ModelArray bf, int u, double[] qNext, double[] destination)
    {
        int ns = bf.Shape[0], nu = bf.Shape[2];
        var data = bf.Data;
        Array.Clear(destination);
        for (int s = 0; s < ns; s++)
        {
            double sum = 0;
            for (int v = 0; v < ns; v++)
            {
                sum += data[(s * ns + v) * nu + u] + Categorical.LogFloor;
            }

            double w = qNext[s] / sum;
            for (int v = 0; v < ns; v++)
            {
                destination[v] += (data[(s * ns + v) * nu + u] + Categorical.LogFloor) * w;
            }
        }
    }
}
