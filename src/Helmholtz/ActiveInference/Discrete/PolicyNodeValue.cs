namespace Helmholtz.ActiveInference.Discrete;

/// <summary>
/// The terms of the expected free energy at one node of the policy tree (one predicted belief q(s_τ)), with the scratch
/// buffers they need; <see cref="Agent"/> and each worker of <see cref="BatchedAgent"/> own one, so both evaluate a
/// node with the same operations in the same order.
/// </summary>
internal sealed class PolicyNodeValue
{
    private readonly double[] _joint;
    private readonly double[] _qoJoint;
    private readonly int[] _qoStamp;
    private readonly int[] _qoTouched;
    private int _stamp;
    private readonly double[][] _qoModality;
    private readonly double[][] _qwModality;

    /// <summary>Scratch for <paramref name="jointStates"/> joint states, <paramref name="jointOutcomes"/> joint outcomes (0 without state information gain) and the modalities' outcome counts.</summary>
    public PolicyNodeValue(int jointStates, int jointOutcomes, int touchedCapacity, IReadOnlyList<int> numObs)
    {
        _joint = new double[jointStates];
        _qoJoint = new double[jointOutcomes];
        _qoStamp = new int[jointOutcomes];
        _qoTouched = new int[touchedCapacity];
        _qoModality = numObs.Select(n => new double[n]).ToArray();
        _qwModality = numObs.Select(n => new double[n]).ToArray();
    }

    /// <summary>Utility, state information gain and A-parameter information gain of one belief over the factors.</summary>
    public (double Utility, double InfoGain, double ParamGain) Evaluate(ModelKernels k, AgentOptions opt, double[][] qs)
    {
        double[] qx;
        if (qs.Length == 1)
        {
            qx = qs[0];
        }
        else
        {
            k.Outer(qs, _joint);
            qx = _joint;
        }

        int n = k.S;
        double utility = 0;
        if (opt.UseUtility)
        {
            var uvec = k.Utility;
            for (int s = 0; s < n; s++)
            {
                utility += qx[s] * uvec[s];
            }
        }

        double infoGain = 0;
        if (opt.UseStatesInfoGain)
        {
            // spm_MDP_G: Σ_s q(s) Σ_o P(o|s) ln P(o|s) − Σ_o q(o) ln q(o) over the joint outcome of all modalities,
            // counting only joint states with q(s) > exp(−16).
            _stamp++;
            int touched = 0;
            double threshold = Categorical.JointStateThreshold;
            double amb = 0;
            var start = k.PoStart;
            var pidx = k.PoIndex;
            var pval = k.PoVal;
            for (int s = 0; s < n; s++)
            {
                double q = qx[s];
                if (!(q > threshold))
                {
                    continue;
                }

                amb += q * k.Ambiguity[s];
                for (int e = start[s]; e < start[s + 1]; e++)
                {
                    int o = pidx[e];
                    if (_qoStamp[o] != _stamp)
                    {
                        _qoStamp[o] = _stamp;
                        _qoJoint[o] = 0;
                        _qoTouched[touched++] = o;
                    }

                    _qoJoint[o] += q * pval[e];
                }
            }

            double negEntropy = 0;
            for (int i = 0; i < touched; i++)
            {
                double v = _qoJoint[_qoTouched[i]];
                negEntropy += v * Math.Log(v + Categorical.LogFloor);
            }

            infoGain = amb - negEntropy;
        }

        double paramGain = 0;
        if (k.WA is not null)
        {
            // pymdp's calc_pA_info_gain: −Σ_m q(o_m) · (W_m q(s)), over the non-zero columns of A and W only.
            for (int m = 0; m < k.NumModalities; m++)
            {
                var start = k.WAStart![m];
                var obs = k.WAObs![m];
                var av = k.WAA![m];
                var wv = k.WAW![m];
                var qo = _qoModality[m];
                var qw = _qwModality[m];
                Array.Clear(qo);
                Array.Clear(qw);
                for (int s = 0; s < n; s++)
                {
                    double q = qx[s];
                    if (q == 0)
                    {
                        continue;
                    }

                    for (int e = start[s]; e < start[s + 1]; e++)
                    {
                        qo[obs[e]] += av[e] * q;
                        qw[obs[e]] += wv[e] * q;
                    }
                }

                for (int o = 0; o < qo.Length; o++)
                {
                    paramGain -= qo[o] * qw[o];
                }
            }
        }

        return (utility, infoGain, paramGain);
    }

    // pymdp's calc_pB_info_gain for one factor: −q(s_{t+1}) · (W_B[:, :, u] q(s_t)), over W_B's non-zero entries.
    public static double ParamInfoGainB(ModelKernels k, int f, int u, double[] prev, double[] next)
    {
        var start = k.WBStart![f][u];
        var rows = k.WBRow![f][u];
        var vals = k.WBVal![f][u];
        double total = 0;
        for (int j = 0; j < prev.Length; j++)
        {
            double q = prev[j];
            if (q == 0)
            {
                continue;
            }

            double col = 0;
            for (int e = start[j]; e < start[j + 1]; e++)
            {
                col += vals[e] * next[rows[e]];
            }

            total += col * q;
        }

        return -total;
    }
}
