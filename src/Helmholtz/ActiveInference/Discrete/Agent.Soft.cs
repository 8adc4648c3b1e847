namespace Helmholtz.ActiveInference.Discrete;

/// <summary>Soft (distributional) and missing observations.</summary>
public sealed partial class Agent
{
    /// <summary>Updates the posterior with one distribution over outcomes per modality; a null entry is a missing observation and contributes nothing (FPI only).</summary>
    /// <remarks>
    /// The message of a soft observation q(o_m) to the states is the expected log-likelihood E_q[ln A_m[o, s]] =
    /// Σ_o q(o) ln(A_m[o, s] + ε), summed over modalities; a one-hot q gives the message of the outcome index (up to the
    /// floor ε). pymdp logs the expected likelihood ln Σ_o q(o) A_m[o, s] instead, which Jensen's inequality separates
    /// from the variational message (pymdp issue #336).
    /// </remarks>
    public double[][] InferStatesSoft(IReadOnlyList<double[]?> observation)
    {
        ArgumentNullException.ThrowIfNull(observation);
        if (_opt.Algorithm != InferenceAlgorithm.Fpi)
        {
            throw new InvalidOperationException("soft observations need inference_algo \"FPI\"");
        }

        SoftObservations.Check(_model, observation);
        double[][] prior;
        if (_action is null)
        {
            prior = _d;
        }
        else
        {
            prior = new double[_nf][];
            for (int f = 0; f < _nf; f++)
            {
                prior[f] = new double[_k.NumStates[f]];
                _k.Transition(f, _action[f], _qs[f], prior[f]);
            }
        }

        var logL = new double[_k.S];
        var term = new double[_k.S];
        for (int m = 0; m < _a.Length; m++)
        {
            SoftObservations.LogMessage(_a[m].Data, _k.NumObs[m], observation[m], term);
            for (int s = 0; s < logL.Length; s++)
            {
                logL[s] += term[s];
            }
        }

        _qs = StateInference.Fpi(_k, logL, prior, _opt.NumIterations, _opt.FreeEnergyTolerance);
        return _qs;
    }
}
