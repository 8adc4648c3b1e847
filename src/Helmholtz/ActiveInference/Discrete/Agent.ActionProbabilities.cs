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
            var p = new double[marg[f].Length];
            if (_opt.ActionSelection == ActionSelection.Deterministic)
            {
                int best = 0;
                for (int u = 1; u < marg[f].Length; u++)
                {
                    if (marg[f][u] > marg[f][best])
                    {
                        best = u;
                    }
                }

                p[best] = 1;
            }
            else
            {
                var logits = new double[marg[f].Length];
                for (int u = 0; u < logits.Length; u++)
                {
                    logits[u] = Categorical.SafeLog(marg[f][u]) * _opt.Alpha;
                }

                Categorical.Softmax(logits, p);
            }

            result[f] = p;
        }

        return result;
    }
}
