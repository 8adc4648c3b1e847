using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.Environments.Discrete;

/// <summary>A discrete environment an active inference agent acts in, with the generative model that describes it.</summary>
public interface IDiscreteEnvironment
{
    /// <summary>The agent's generative model of this environment.</summary>
    GenerativeModel Model { get; }

    /// <summary>Starts a trial and returns the first observation (one outcome per modality).</summary>
    int[] Reset(Rng rng);

    /// <summary>Applies an action (one control per factor); returns the next observation and whether the trial ended.</summary>
    (int[] Observation, bool Done) Step(ReadOnlySpan<int> action, Rng rng);
}

/// <summary>Options of the epistemic T-maze (and its K-armed generalisation, the epistemic bandit).</summary>
public sealed record TMazeOptions
{
    /// <summary>Number of reward arms (2 = the T-maze; more = an epistemic bandit with a hint location).</summary>
    public int Arms { get; init; } = 2;

    /// <summary>P(the cue shows the rewarded arm).</summary>
    public double CueValidity { get; init; } = 1.0;

    /// <summary>P(reward) in the rewarded arm (the other arms pay with 1 − this, split evenly).</summary>
    public double RewardProbability { get; init; } = 0.98;

    /// <summary>Log-preference for the reward outcome.</summary>
    public double RewardPreference { get; init; } = 3;

    /// <summary>Log-preference for the loss outcome.</summary>
    public double LossPreference { get; init; } = -3;

    /// <summary>Maximum moves per trial (the trial also ends when an arm is entered).</summary>
    public int MaxMoves { get; init; } = 2;

    /// <summary>If set, the rewarded arm is always this one (for learning an unknown reward location); otherwise drawn each trial.</summary>
    public int? FixedContext { get; init; }

    /// <summary>Give the agent Dirichlet counts over D (pD = 1 for the context, a point mass on the centre for location).</summary>
    public bool LearnD { get; init; }

    /// <summary>
    /// Give the agent Dirichlet counts pA in which the reward outcome of every arm in every context is unknown (flat
    /// prior: <see cref="RewardPriorConcentration"/> for reward and for loss; "none" impossible in an arm); the location
    /// and cue mappings are known (counts <see cref="KnownConcentration"/> × A). The agent must learn which arm pays in
    /// which context (the contingency).
    /// </summary>
    public bool LearnRewardMapping { get; init; }

    /// <summary>Prior Dirichlet count of reward and of loss for each (arm, context) when <see cref="LearnRewardMapping"/> is set.</summary>
    public double RewardPriorConcentration { get; init; } = 1;

    /// <summary>Scale of the Dirichlet counts of the mappings the learning agent already knows (large: barely moved by learning).</summary>
    public double KnownConcentration { get; init; } = 100;

    /// <summary>
    /// Give the agent's model an end state that every arm leads to (observed as its own location outcome, no reward, an
    /// uninformative cue), matching the task in which entering an arm ends the trial; without it the arms are absorbing
    /// in the model and the agent expects to sample an arm again.
    /// </summary>
    public bool TerminalAfterArm { get; init; }

    /// <summary>Agent options (policy length 2 by default).</summary>
    public AgentOptions Agent { get; init; } = new() { PolicyLength = 2 };
}

/// <summary>
/// The epistemic T-maze (Friston et al. 2015; pymdp's TMazeEnv), with absorbing arms: the agent starts in the centre;
/// one location shows a cue for the rewarded arm; entering an arm ends the trial with reward or loss; at most
/// <see cref="TMazeOptions.MaxMoves"/> moves. With more than two arms it is a multi-armed epistemic bandit.
/// </summary>
/// <remarks>
/// Factors: location (0 centre, 1…K arms, K+1 cue) controlled by "go to" actions; context (which arm pays), not
/// controlled. Modalities: location (observed exactly), reward (0 none, 1 reward, 2 loss), cue (which arm the cue
/// points to; uniform away from the cue location).
/// </remarks>
public sealed class TMaze : IDiscreteEnvironment
{
    private readonly TMazeOptions _o;
    private readonly int _k;
    private readonly int _nLoc;
    private int _loc;
    private int _context;
    private int _moves;

    /// <summary>Creates the maze and its generative model.</summary>
    public TMaze(TMazeOptions? options = null)
    {
        _o = options ?? new TMazeOptions();
        _k = _o.Arms;
        if (_k < 2)
        {
            throw new ArgumentException($"arms = {_k}: need at least 2");
        }

        if (!(_o.CueValidity >= 0 && _o.CueValidity <= 1) || !(_o.RewardProbability >= 0 && _o.RewardProbability <= 1))
        {
            throw new ArgumentException("cue validity and reward probability must be in [0, 1]");
        }

        _nLoc = _k + 2;
        Model = BuildModel();
    }

    /// <inheritdoc/>
    public GenerativeModel Model { get; }

    /// <summary>Number of location states in the agent's model (one more than the maze's locations with <see cref="TMazeOptions.TerminalAfterArm"/>).</summary>
    public int ModelLocations => _nLoc + (_o.TerminalAfterArm ? 1 : 0);

    /// <summary>Index of the cue location.</summary>
    public int CueLocation => _k + 1;

    /// <summary>Whether a location is a reward arm.</summary>
    public bool IsArm(int location) => location >= 1 && location <= _k;

    /// <summary>The rewarded arm of the current trial (0-based context).</summary>
    public int Context => _context;

    private double RewardP(int arm, int context) =>
        arm == context ? _o.RewardProbability : (1 - _o.RewardProbability) / (_k - 1);

    private double CueP(int cue, int context) =>
        cue == context ? _o.CueValidity : (1 - _o.CueValidity) / (_k - 1);

    private GenerativeModel BuildModel()
    {
        int nl = _nLoc, k = _k, ns = ModelLocations;
        var aLoc = new double[ns * ns * k];
        var aRew = new double[3 * ns * k];
        var aCue = new double[k * ns * k];
        for (int l = 0; l < ns; l++)
        {
            for (int c = 0; c < k; c++)
            {
                aLoc[(l * ns + l) * k + c] = 1;
                if (IsArm(l))
                {
                    double p = RewardP(l - 1, c);
                    aRew[(1 * ns + l) * k + c] = p;
                    aRew[(2 * ns + l) * k + c] = 1 - p;
                }
                else
                {
                    aRew[(0 * ns + l) * k + c] = 1;
                }

                for (int q = 0; q < k; q++)
                {
                    aCue[(q * ns + l) * k + c] = l == CueLocation ? CueP(q, c) : 1.0 / k;
                }
            }
        }

        // Controls are "go to location u" for the nl real locations; with TerminalAfterArm an arm leads to the end state,
        // which stays put, so the agent does not expect to sample an arm twice (the trial really ends there).
        var bLoc = new double[ns * ns * nl];
        for (int prev = 0; prev < ns; prev++)
        {
            for (int u = 0; u < nl; u++)
            {
                int next = prev >= nl ? prev : IsArm(prev) ? (ns > nl ? nl : prev) : u;
                bLoc[(next * ns + prev) * nl + u] = 1;
            }
        }

        var bCtx = new double[k * k];
        for (int c = 0; c < k; c++)
        {
            bCtx[c * k + c] = 1;
        }

        var cRew = new[] { 0.0, _o.RewardPreference, _o.LossPreference };
        var dLoc = new double[ns];
        dLoc[0] = 1;
        double[][]? pD = null;
        if (_o.LearnD)
        {
            pD = [(double[])dLoc.Clone(), Enumerable.Repeat(1.0, k).ToArray()];
        }

        ModelArray[]? pA = null;
        if (_o.LearnRewardMapping)
        {
            var pRew = new double[aRew.Length];
            for (int l = 0; l < ns; l++)
            {
                for (int c = 0; c < k; c++)
                {
                    if (IsArm(l))
                    {
                        pRew[(1 * ns + l) * k + c] = _o.RewardPriorConcentration;
                        pRew[(2 * ns + l) * k + c] = _o.RewardPriorConcentration;
                    }
                    else
                    {
                        pRew[(0 * ns + l) * k + c] = _o.KnownConcentration;
                    }
                }
            }

            pA =
            [
                new ModelArray([ns, ns, k], aLoc.Select(x => x * _o.KnownConcentration).ToArray()),
                new ModelArray([3, ns, k], pRew),
                new ModelArray([k, ns, k], aCue.Select(x => x * _o.KnownConcentration).ToArray()),
            ];
            aRew = Normalised(pRew, 3);
        }

        return new GenerativeModel(
            [new ModelArray([ns, ns, k], aLoc), new ModelArray([3, ns, k], aRew), new ModelArray([k, ns, k], aCue)],
            [new ModelArray([ns, ns, nl], bLoc), new ModelArray([k, k, 1], bCtx)],
            c: [new double[ns], cRew, new double[k]],
            d: pD is null ? [dLoc, Enumerable.Repeat(1.0 / k, k).ToArray()] : null,
            pA: pA,
            pD: pD,
            options: _o.Agent);
    }

    /// <summary>Index of the reward modality (outcomes: 0 none, 1 reward, 2 loss).</summary>
    public const int RewardModality = 1;

    /// <summary>The agent's P(reward | arm, context) from a (learned) reward likelihood A[1]; [arm, context], arms 0-based.</summary>
    public double[,] RewardContingency(IReadOnlyList<ModelArray> a)
    {
        var result = new double[_k, _k];
        var data = a[RewardModality].Data;
        for (int arm = 0; arm < _k; arm++)
        {
            for (int c = 0; c < _k; c++)
            {
                result[arm, c] = data[(1 * ModelLocations + arm + 1) * _k + c];
            }
        }

        return result;
    }

    private static double[] Normalised(double[] counts, int rows)
    {
        int cols = counts.Length / rows;
        var x = new double[counts.Length];
        for (int j = 0; j < cols; j++)
        {
            double sum = 0;
            for (int i = 0; i < rows; i++)
            {
                sum += counts[i * cols + j];
            }

            for (int i = 0; i < rows; i++)
            {
                x[i * cols + j] = counts[i * cols + j] / sum;
            }
        }

        return x;
    }

    /// <inheritdoc/>
    public int[] Reset(Rng rng)
    {
        _loc = 0;
        _moves = 0;
        _context = _o.FixedContext ?? rng.NextInt(_k);
        return Observe(rng);
    }

    /// <inheritdoc/>
    public (int[] Observation, bool Done) Step(ReadOnlySpan<int> action, Rng rng)
    {
        if (!IsArm(_loc))
        {
            _loc = action[0];
        }

        _moves++;
        return (Observe(rng), IsArm(_loc) || _moves >= _o.MaxMoves);
    }

    /// <summary>The current location.</summary>
    public int Location => _loc;

    private int[] Observe(Rng rng)
    {
        int reward = 0;
        if (IsArm(_loc))
        {
            reward = rng.NextDouble() < RewardP(_loc - 1, _context) ? 1 : 2;
        }

        int cue;
        if (_loc == CueLocation)
        {
            cue = rng.NextDouble() < _o.CueValidity ? _context : Other(rng);
        }
        else
        {
            cue = rng.NextInt(_k);
        }

        return [_loc, reward, cue];
    }

    private int Other(Rng rng)
    {
        int c = rng.NextInt(_k - 1);
        return c >= _context ? c + 1 : c;
    }
}
