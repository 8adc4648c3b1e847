using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Discrete;

public sealed partial class Agent
{
    /// <summary>The probability of each control per factor that <see cref="SampleAction"/> draws from, after <see cref="InferPolicies"/>.</summary>
    /// <remarks>
    /// Stochastic selection: P(u) = softmax(α ln m)[u], m the action marginal (<see cref="ActionMarginals"/>), the same
    /// numbers <see cref="SampleAction"/> draws with. Deterministic selection: a point mass on the first largest marginal.
    /// This is the likelihood of an observed choice when fitting the agent to behaviour.
    /// </remarks>
    public double[][] ActionProbabilities()
    {
        var marg = ActionMarginals();
        var result = new double[_nf][];
        for (int f = 0; f < _nf; f++)
        {
            result[f] = new double[marg[f].Length];
            ActionChoice.Probabilities(marg[f], _opt.ActionSelection, _opt.Alpha, result[f]);
        }

        return result;
    }
}

/// <summary>How an agent turns its action marginal into a choice: the distribution, and the draw from it.</summary>
internal static class ActionChoice
{
    /// <summary>The marginal posterior over each factor's first action: Σ_π q(π) [π_0,f = u], normalised.</summary>
    public static double[][] Marginals(PolicySet policies, int[] numControls, double[] qPi)
    {
        var marg = numControls.Select(n => new double[n]).ToArray();
        int nf = numControls.Length;
        for (int p = 0; p < policies.Count; p++)
        {
            for (int f = 0; f < nf; f++)
            {
                marg[f][policies[p, 0, f]] += qPi[p];
            }
        }

        foreach (var m in marg)
        {
            Categorical.Normalise(m);
        }

        return marg;
    }

    /// <summary>Deterministic: a point mass on the first largest marginal; stochastic: softmax(α ln m).</summary>
    public static void Probabilities(double[] marginal, ActionSelection selection, double alpha, double[] p)
    {
        if (selection == ActionSelection.Deterministic)
        {
            Array.Clear(p);
            p[ArgMax(marginal)] = 1;
            return;
        }

        var logits = new double[marginal.Length];
        for (int u = 0; u < logits.Length; u++)
        {
            logits[u] = Categorical.SafeLog(marginal[u]) * alpha;
        }

        Categorical.Softmax(logits, p);
    }

    /// <summary>The action: the first largest marginal (deterministic, no draw) or one draw from softmax(α ln m).</summary>
    public static int Choose(double[] marginal, ActionSelection selection, double alpha, Rng rng)
    {
        if (selection == ActionSelection.Deterministic)
        {
            return ArgMax(marginal);
        }

        var p = new double[marginal.Length];
        Probabilities(marginal, selection, alpha, p);
        double r = rng.NextDouble(), c = 0;
        for (int u = 0; u < p.Length; u++)
        {
            c += p[u];
            if (r < c)
            {
                return u;
            }
        }

        return p.Length - 1;
    }

    private static int ArgMax(double[] m)
    {
        int best = 0;
        for (int u = 1; u < m.Length; u++)
        {
            if (m[u] > m[best])
            {
                best = u;
            }
        }

        return best;
    }
}
