namespace Helmholtz.ActiveInference.Discrete;

/// <summary>Sophisticated inference: the recursive tree search that <see cref="Planner.Sophisticated"/> selects.</summary>
/// <remarks>
/// Friston, Da Costa, Hafner, Hesp &amp; Parr (2021) "Sophisticated inference", eq. 8: the expected free energy of an
/// action is its one-step value plus the expected value of the best responses to each outcome it may bring,
/// −G(u | b) = −G₁(u | b) + Σ_o q(o | u, b) Σ_u' q(u' | o) · (−G(u' | b'(o))), q(u' | o) = softmax(γ_SI·(−G(· | b'(o)))),
/// where b'(o) is the posterior after o given the prior B(u)·b (fixed-point iteration, as <see cref="Agent.InferStates"/>).
/// −G₁ is the usual one-step value (expected utility + state information gain + parameter information gain), so with a
/// horizon of 1 the planner equals policy enumeration with policy_len 1. Conventions follow pymdp 1.x's
/// <c>si_policy_search</c>: inside the tree the precision is <see cref="AgentOptions.SophisticatedGamma"/> (γ_SI, default 1),
/// while the root's q(π) = softmax(γ·(−G) + ln E) uses the agent's γ; an action is expanded only when its one-step
/// probability softmax(γ_SI·(−G₁)) exceeds
/// <see cref="AgentOptions.SophisticatedPolicyPruneThreshold"/>; an outcome only when q(o) exceeds
/// <see cref="AgentOptions.SophisticatedObservationPruneThreshold"/>; a pruned action is worth
/// −G₁ − <see cref="AgentOptions.SophisticatedPrunePenalty"/> (at the root too), so that the softmax over its siblings,
/// whose values include their futures, ignores it. Helmholtz
/// departs in two documented ways: the expectation over kept outcomes is renormalised by their total probability (so a
/// pruned tail does not count as zero value), and when no outcome passes the threshold the most probable one is kept.
/// </remarks>
public sealed partial class Agent
{
    private SophisticatedBuffers? _si;
    private CancellationToken _siCancellation;

    /// <summary>Number of belief nodes the last sophisticated search expanded (the root counts as one).</summary>
    public int SophisticatedNodes { get; private set; }

    private sealed class SophisticatedBuffers
    {
        public required double[][][][] Next; // [depth][action][factor][state]: B(u)·b
        public required double[][][] Post; // [depth][factor][state]: posterior after an outcome at this depth
        public required double[][] Joint; // [depth][joint state]
        public required double[][] Qo; // [depth][joint outcome]
        public required int[][] Stamp; // [depth][joint outcome]
        public required int[][] Touched; // [depth][list]
        public required double[][] LogL; // [depth][joint state]
        public required double[][] Value; // [depth][action] total −G used for softmax
        public required double[][][] Parts; // [depth][action][utility, info gain, param gain]
        public required double[][] Prob; // [depth][action]
        public required int[] Obs; // decoded joint outcome
        public int StampCounter;
    }

    private SophisticatedBuffers SiBuffers()
    {
        if (_si is not null)
        {
            return _si;
        }

        int h = _opt.SophisticatedHorizon, k = _policies.JointActions;
        var states = _model.NumStates;
        _si = new SophisticatedBuffers
        {
            Next = Enumerable.Range(0, h).Select(_ => Enumerable.Range(0, k).Select(_ => states.Select(n => new double[n]).ToArray()).ToArray()).ToArray(),
            Post = Enumerable.Range(0, h).Select(_ => states.Select(n => new double[n]).ToArray()).ToArray(),
            Joint = Enumerable.Range(0, h).Select(_ => new double[_k.S]).ToArray(),
            Qo = Enumerable.Range(0, h).Select(_ => new double[_k.NumJointOutcomes]).ToArray(),
            Stamp = Enumerable.Range(0, h).Select(_ => new int[_k.NumJointOutcomes]).ToArray(),
            Touched = Enumerable.Range(0, h).Select(_ => new int[Math.Min(_k.NumJointOutcomes, Math.Max(1, _k.PoIndex.Length))]).ToArray(),
            LogL = Enumerable.Range(0, h).Select(_ => new double[_k.S]).ToArray(),
            Value = Enumerable.Range(0, h).Select(_ => new double[k]).ToArray(),
            Parts = Enumerable.Range(0, h).Select(_ => Enumerable.Range(0, k).Select(_ => new double[3]).ToArray()).ToArray(),
            Prob = Enumerable.Range(0, h).Select(_ => new double[k]).ToArray(),
            Obs = new int[_k.NumModalities],
        };
        return _si;
    }

    /// <summary>
    /// Upper bound on the belief nodes one sophisticated search of <paramref name="model"/> can expand:
    /// Σ_{d &lt; H} b^d with b = (actions expanded per node) × (outcomes kept per action).
    /// </summary>
    /// <remarks>
    /// An action is expanded only when its probability exceeds the policy threshold p, and fewer than 1/p probabilities
    /// of a distribution can exceed p, so at most min(K, ⌈1/p⌉ − 1) of the K joint actions are expanded (K when p = 0);
    /// likewise at most min(O, ⌈1/p_o⌉ − 1) of the O joint outcomes are kept (at least one). The true count is usually far
    /// smaller, since beliefs concentrate; the bound is exact for a tree whose every node is maximally uncertain.
    /// </remarks>
    public static double SophisticatedNodeBound(GenerativeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = model.Options;
        double actions = model.NumControls.Aggregate(1.0, (p, n) => p * n);
        double outcomes = model.NumObs.Aggregate(1.0, (p, n) => p * n);
        static double Kept(double count, double threshold) =>
            threshold > 0 ? Math.Max(1, Math.Min(count, Math.Ceiling(1 / threshold) - 1)) : count;
        double branching = Kept(actions, o.SophisticatedPolicyPruneThreshold) * Kept(outcomes, o.SophisticatedObservationPruneThreshold);
        double nodes = 0, level = 1;
        for (int d = 0; d < o.SophisticatedHorizon; d++)
        {
            nodes += level;
            level *= branching;
        }

        return nodes;
    }

    // Refuses, before the first step, a search that cannot stay within the node limit: when the worst case exceeds it,
    // one search from the prior D is run with the limit enforced (it writes only the search buffers).
    private void CheckSophisticatedSize()
    {
        double bound = SophisticatedNodeBound(_model);
        if (bound <= _opt.Limits.MaxTreeNodes)
        {
            return;
        }

        var buf = SiBuffers();
        SophisticatedNodes = 0;
        Search(buf, 0, _d);
        SophisticatedNodes = 0;
    }

    private ModelException TooManyNodes() => new(string.Create(System.Globalization.CultureInfo.InvariantCulture,
        $"si_horizon = {_opt.SophisticatedHorizon}: the sophisticated tree search expands more than {_opt.Limits.MaxTreeNodes:N0} belief nodes in one step (worst case {SophisticatedNodeBound(_model):G3}); the limit is {_opt.Limits.MaxTreeNodes:N0} (WorkLimits.MaxTreeNodes): lower si_horizon or raise si_policy_prune_threshold and si_observation_prune_threshold"));

    private double[] InferPoliciesSophisticated(CancellationToken cancellationToken)
    {
        var buf = SiBuffers();
        SophisticatedNodes = 0;
        _siCancellation = cancellationToken;
        try
        {
            Search(buf, 0, _qs);
        }
        finally
        {
            _siCancellation = default;
        }

        int k = _policies.JointActions;
        var logits = new double[k];
        for (int u = 0; u < k; u++)
        {
            NegEfe[u] = buf.Value[0][u];
            Utility[u] = buf.Parts[0][u][0];
            StatesInfoGain[u] = buf.Parts[0][u][1];
            ParamInfoGain[u] = buf.Parts[0][u][2];
            logits[u] = _opt.Gamma * NegEfe[u] + _lnE[u];
        }

        Categorical.Softmax(logits, QPi);
        return QPi;
    }

    // Fills buf.Value[d] / buf.Parts[d] with −G of every joint action from belief b at depth d.
    private void Search(SophisticatedBuffers buf, int d, double[][] b)
    {
        if (++SophisticatedNodes > _opt.Limits.MaxTreeNodes)
        {
            throw TooManyNodes();
        }

        _siCancellation.ThrowIfCancellationRequested();
        int k = _policies.JointActions;
        Span<int> act = stackalloc int[_nf];
        var value = buf.Value[d];
        var parts = buf.Parts[d];
        for (int u = 0; u < k; u++)
        {
            _policies.DecodeJointAction(u, act);
            var next = buf.Next[d][u];
            double pg = 0;
            for (int f = 0; f < _nf; f++)
            {
                _k.Transition(f, act[f], b[f], next[f]);
                if (_k.WB is not null)
                {
                    pg += PolicyNodeValue.ParamInfoGainB(_k, f, act[f], b[f], next[f]);
                }
            }

            var (nu, nig, npa) = _node.Evaluate(_k, _opt, next);
            parts[u][0] = nu;
            parts[u][1] = nig;
            parts[u][2] = npa + pg;
            value[u] = nu + nig + npa + pg;
        }

        if (d + 1 >= _opt.SophisticatedHorizon)
        {
            return;
        }

        var prob = buf.Prob[d];
        for (int u = 0; u < k; u++)
        {
            prob[u] = _opt.SophisticatedGamma * value[u];
        }

        Categorical.Softmax(prob, prob);
        Span<double> acc = stackalloc double[3];
        for (int u = 0; u < k; u++)
        {
            if (!(prob[u] > _opt.SophisticatedPolicyPruneThreshold))
            {
                value[u] -= _opt.SophisticatedPrunePenalty;
                continue;
            }

            int kept = PredictOutcomes(buf, d, buf.Next[d][u]);
            double keptMass = 0;
            acc.Clear();
            double accValue = 0;
            var touched = buf.Touched[d];
            var qo = buf.Qo[d];
            for (int i = 0; i < kept; i++)
            {
                int o = touched[i];
                double po = qo[o];
                keptMass += po;
                Posterior(buf, d, buf.Next[d][u], o);
                Search(buf, d + 1, buf.Post[d]);

                // The best responses to o: q(u' | o) = softmax(γ·(−G(u' | b'))), averaged.
                var childValue = buf.Value[d + 1];
                var childParts = buf.Parts[d + 1];
                var q = buf.Prob[d + 1];
                for (int v = 0; v < k; v++)
                {
                    q[v] = _opt.SophisticatedGamma * childValue[v];
                }

                Categorical.Softmax(q, q);
                for (int v = 0; v < k; v++)
                {
                    double w = po * q[v];
                    accValue += w * childValue[v];
                    acc[0] += w * childParts[v][0];
                    acc[1] += w * childParts[v][1];
                    acc[2] += w * childParts[v][2];
                }
            }

            value[u] += accValue / keptMass;
            parts[u][0] += acc[0] / keptMass;
            parts[u][1] += acc[1] / keptMass;
            parts[u][2] += acc[2] / keptMass;
        }
    }

    // Predicted joint outcome distribution of belief qs; leaves the kept outcomes (q(o) above the threshold, or the most
    // probable one when none is) in buf.Touched[d][0..kept) and their probabilities in buf.Qo[d].
    private int PredictOutcomes(SophisticatedBuffers buf, int d, double[][] qs)
    {
        var joint = buf.Joint[d];
        _k.Outer(qs, joint);
        var qo = buf.Qo[d];
        var stamp = buf.Stamp[d];
        var touched = buf.Touched[d];
        int id = ++buf.StampCounter;
        int n = 0;
        var start = _k.PoStart;
        var pidx = _k.PoIndex;
        var pval = _k.PoVal;
        for (int s = 0; s < _k.S; s++)
        {
            double q = joint[s];
            if (q == 0)
            {
                continue;
            }

            for (int e = start[s]; e < start[s + 1]; e++)
            {
                int o = pidx[e];
                if (stamp[o] != id)
                {
                    stamp[o] = id;
                    qo[o] = 0;
                    touched[n++] = o;
                }

                qo[o] += q * pval[e];
            }
        }

        int best = 0;
        for (int i = 1; i < n; i++)
        {
            if (qo[touched[i]] > qo[touched[best]])
            {
                best = i;
            }
        }

        int bestOutcome = n > 0 ? touched[best] : 0;
        int kept = 0;
        double threshold = _opt.SophisticatedObservationPruneThreshold;
        for (int i = 0; i < n; i++)
        {
            int o = touched[i];
            if (qo[o] > threshold)
            {
                touched[kept++] = o;
            }
        }

        if (kept == 0 && n > 0)
        {
            touched[0] = bestOutcome;
            kept = 1;
        }

        return kept;
    }

    // buf.Post[d] = posterior after joint outcome o given the prior belief (fixed-point iteration, as InferStates).
    private void Posterior(SophisticatedBuffers buf, int d, double[][] prior, int jointOutcome)
    {
        var obs = buf.Obs;
        for (int m = _k.NumModalities - 1; m >= 0; m--)
        {
            obs[m] = jointOutcome % _k.NumObs[m];
            jointOutcome /= _k.NumObs[m];
        }

        var logL = buf.LogL[d];
        _k.JointLikelihood(obs, logL);
        Categorical.SafeLog(logL, logL);
        var post = StateInference.Fpi(_k, logL, prior, _opt.NumIterations, _opt.FreeEnergyTolerance);
        for (int f = 0; f < _nf; f++)
        {
            post[f].CopyTo(buf.Post[d][f], 0);
        }
    }
}
