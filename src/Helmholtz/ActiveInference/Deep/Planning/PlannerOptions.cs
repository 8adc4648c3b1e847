using System.Globalization;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep.Planning;

/// <summary>The ensemble of probabilistic transition models and the reward model, and how they are fitted.</summary>
/// <param name="EnsembleSize">Members E of the transition ensemble.</param>
/// <param name="HiddenSize">Width of every hidden layer (transition and reward models).</param>
/// <param name="HiddenLayers">Hidden layers of each transition member (Tschantz et al. 2020: 3, swish).</param>
/// <param name="MinLogVariance">ℓ_min of the soft-clamped log-variance, in normalised delta units (reference: −5).</param>
/// <param name="MaxLogVariance">ℓ_max (reference: −1).</param>
/// <param name="Epochs">Passes over all data at every refit (reference: 100).</param>
/// <param name="BatchSize">Rows per member per gradient step (reference: 50).</param>
/// <param name="LearningRate">Adam's step size (reference: 1e-3).</param>
/// <param name="AdamEpsilon">Adam's ε (reference: 1e-8).</param>
/// <param name="ResetEachEpisode">Re-initialise both models before each refit (the reference does).</param>
/// <param name="RewardHiddenLayers">Hidden ReLU layers of the reward model (reference: 2).</param>
public sealed record DynamicsModelOptions(
    int EnsembleSize = 5,
    int HiddenSize = 64,
    int HiddenLayers = 3,
    float MinLogVariance = -5f,
    float MaxLogVariance = -1f,
    int Epochs = 100,
    int BatchSize = 50,
    double LearningRate = 1e-3,
    double AdamEpsilon = 1e-8,
    bool ResetEachEpisode = true,
    int RewardHiddenLayers = 2)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        PlannerOptions.Positive(EnsembleSize, "ensemble size");
        PlannerOptions.Positive(HiddenSize, "hidden size");
        PlannerOptions.Positive(HiddenLayers, "hidden layers");
        PlannerOptions.Positive(RewardHiddenLayers, "reward hidden layers");
        PlannerOptions.Positive(Epochs, "epochs");
        PlannerOptions.Positive(BatchSize, "batch size");
        if (!(MinLogVariance < MaxLogVariance) || !float.IsFinite(MinLogVariance) || !float.IsFinite(MaxLogVariance))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The log-variance bounds must be finite with min < max; got [{MinLogVariance}, {MaxLogVariance}]."));
        }

        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"LearningRate must be positive and finite; got {LearningRate}."));
        }

        if (!(AdamEpsilon > 0) || !double.IsFinite(AdamEpsilon))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"AdamEpsilon must be positive and finite; got {AdamEpsilon}."));
        }
    }
}

/// <summary>The cross-entropy method over action sequences.</summary>
/// <param name="Horizon">Planned decisions H (each held for the action repeat).</param>
/// <param name="Candidates">Sequences sampled per iteration C.</param>
/// <param name="Elites">Best sequences K refitted per iteration (top-k).</param>
/// <param name="Iterations">CEM iterations I per plan.</param>
/// <param name="WarmStart">Start each plan's sampling mean from the previous plan's final mean shifted by one decision
/// (the last decision from the centre of the action box) instead of from the centre; the spread restarts at the half-width
/// of the box either way (receding-horizon warm start, as in PETS, Chua et al. 2018). The first plan of an episode starts
/// from the centre.</param>
public sealed record CemOptions(int Horizon = 30, int Candidates = 200, int Elites = 20, int Iterations = 3, bool WarmStart = false)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        PlannerOptions.Positive(Horizon, "horizon");
        PlannerOptions.Positive(Candidates, "candidates");
        PlannerOptions.Positive(Elites, "elites");
        PlannerOptions.Positive(Iterations, "iterations");
        if (Elites > Candidates)
        {
            throw new ArgumentException($"The elites ({Elites}) must not outnumber the candidates ({Candidates}).");
        }
    }
}

/// <summary>Which objective the planner maximises; see <see cref="Objective"/> for the formulas.</summary>
public enum ObjectiveKind
{
    /// <summary>Expected reward only (an evidence objective): U.</summary>
    Reward,

    /// <summary>Information gain about the model parameters only: β·IG.</summary>
    InfoGain,

    /// <summary>Free energy of the expected future (Tschantz et al. 2020): U + β·IG.</summary>
    Feef,

    /// <summary>Expected free energy (risk + ambiguity): U + β·IG − β·H̄ (the FEEF plus the ambiguity term).</summary>
    Efe,

    /// <summary>Free energy of the future (Millidge, Tschantz &amp; Buckley 2021), an evidence objective: U − β·IG.</summary>
    Fef,

    /// <summary>The divergence objective KL[q(o)‖p̃(o)] (Millidge, Seth &amp; Buckley 2021): U + β·(IG + H̄) = U + β·H[q(o)].</summary>
    Divergence,
}

/// <summary>How the information gain of the ensemble mixture is estimated per step.</summary>
public enum InfoGainEstimator
{
    /// <summary>Pairwise-distance estimate with the KL divergence (Kolchinsky &amp; Tracey 2017): −(1/E)Σ_i ln (1/E)Σ_j e^{−KL(p_i‖p_j)}.</summary>
    PairwiseKl,

    /// <summary>Moment matching: the mixture's entropy replaced by that of the Gaussian with the mixture's (diagonal) variance.</summary>
    MomentMatched,
}

/// <summary>The planner's objective: per planned step, a weighted sum of expected reward, information gain and expected entropy.</summary>
/// <param name="Kind">The named objective.</param>
/// <param name="InfoGainScale">β: the one scale of every epistemic term (information gain, entropy).</param>
/// <param name="RewardScale">Multiplies the expected reward U.</param>
/// <param name="IncludeInfoGain">False switches the objective's information-gain term off (for the ablations).</param>
/// <param name="Estimator">The information-gain estimator.</param>
public sealed record Objective(
    ObjectiveKind Kind = ObjectiveKind.Feef,
    double InfoGainScale = 1.0,
    double RewardScale = 1.0,
    bool IncludeInfoGain = true,
    InfoGainEstimator Estimator = InfoGainEstimator.PairwiseKl)
{
    /// <summary>The names of the objectives (as in configs and reports), in <see cref="ObjectiveKind"/> order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["reward", "infogain", "feef", "efe", "fef", "divergence"];

    /// <summary>The weights (w_U, w_IG, w_H) of expected reward U, information gain IG and mean member entropy H̄ per step.</summary>
    /// <remarks>
    /// Utility of a candidate = Σ_t [w_U·U_t + w_IG·IG_t + w_H·H̄_t], maximised by the planner (the negative of each
    /// free-energy objective). With q(o) = (1/E)Σ_e N(μ_e, σ_e²) the predicted next state and p̃(o) ∝ exp(r(o)):
    /// U = E_q[r], IG = H[q(o)] − H̄ = I(o; θ), H̄ = (1/E)Σ_e H[N(μ_e, σ_e²)].
    /// </remarks>
    public (double Reward, double InfoGain, double Entropy) Weights()
    {
        double u = RewardScale, b = InfoGainScale, ig = IncludeInfoGain ? 1 : 0;
        return Kind switch
        {
            ObjectiveKind.Reward => (u, 0, 0),
            ObjectiveKind.InfoGain => (0, ig * b, 0),
            ObjectiveKind.Feef => (u, ig * b, 0),
            ObjectiveKind.Efe => (u, ig * b, -b),
            ObjectiveKind.Fef => (u, -ig * b, 0),
            ObjectiveKind.Divergence => (u, ig * b, b),
            _ => throw new ArgumentOutOfRangeException(nameof(Kind), Kind, "Unknown objective."),
        };
    }

    /// <summary>Parses an objective name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    public static ObjectiveKind Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (int i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return (ObjectiveKind)i;
            }
        }

        throw new ArgumentException($"Unknown objective '{name}'. Known objectives: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>The name of <paramref name="kind"/>.</summary>
    public static string NameOf(ObjectiveKind kind) => Names[(int)kind];
}

/// <summary>Everything the planning agent of Tschantz, Millidge, Seth &amp; Buckley (2020) takes.</summary>
/// <param name="Model">Transition ensemble and reward model.</param>
/// <param name="Cem">The CEM planner.</param>
/// <param name="Objective">What the planner maximises.</param>
/// <param name="ActionRepeat">Environment steps each chosen action is held for (rewards summed); reference: 3.</param>
/// <param name="SeedEpisodes">Random-action episodes before the first planned one (reference: 1).</param>
/// <param name="UseMean">Roll out the members' means instead of sampling their Gaussians (reference: false for mountain car).</param>
/// <param name="Threads">Threads for the rollouts (0 = all processors).</param>
public sealed record PlannerOptions(
    DynamicsModelOptions Model,
    CemOptions Cem,
    Objective Objective,
    int ActionRepeat = 3,
    int SeedEpisodes = 1,
    bool UseMean = false,
    int Threads = 0) : IControlAgentOptions
{
    /// <summary>Fast CPU defaults: ensemble 5, width 64, horizon 30, 200 candidates, top 20, 3 iterations, FEEF.</summary>
    public static PlannerOptions CpuDefault { get; } = new(new DynamicsModelOptions(), new CemOptions(), new Objective());

    /// <summary>The paper's mountain-car configuration: ensemble 25, 3×200 hidden, horizon 30, 500 candidates, top 50, 5 iterations.</summary>
    public static PlannerOptions Paper { get; } = new(
        new DynamicsModelOptions(EnsembleSize: 25, HiddenSize: 200),
        new CemOptions(Horizon: 30, Candidates: 500, Elites: 50, Iterations: 5),
        new Objective());

    /// <summary>The presets by name: <c>cpu</c> and <c>paper</c>.</summary>
    public static PlannerOptions Preset(string name) => name?.ToLowerInvariant() switch
    {
        "cpu" => CpuDefault,
        "paper" => Paper,
        _ => throw new ArgumentException($"Unknown planner preset '{name}'. Known presets: cpu, paper.", nameof(name)),
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Model);
        ArgumentNullException.ThrowIfNull(Cem);
        ArgumentNullException.ThrowIfNull(Objective);
        Model.Validate();
        Cem.Validate();
        Positive(ActionRepeat, "action repeat");
        if (SeedEpisodes < 0)
        {
            throw new ArgumentException($"The seed episodes must be ≥ 0; got {SeedEpisodes}.");
        }

        if (Threads < 0)
        {
            throw new ArgumentException($"The thread count must be ≥ 0 (0 = all processors); got {Threads}.");
        }

        if (!double.IsFinite(Objective.InfoGainScale) || !double.IsFinite(Objective.RewardScale))
        {
            throw new ArgumentException("The objective's scales must be finite.");
        }
    }

    /// <summary>
    /// Estimated bytes of the planning agent's buffers and models for a task with these state and action sizes: the
    /// rollouts' means and log-variances (Horizon × EnsembleSize × Candidates × state), the candidate actions, the
    /// per-member scratch and the ensemble's weights with Adam's moments.
    /// </summary>
    public double EstimateBytes(int stateSize, int actionSize)
    {
        double h = Cem.Horizon, c = Cem.Candidates, e = Model.EnsembleSize, w = Model.HiddenSize, s = stateSize, a = actionSize;
        double rollouts = 2 * h * e * c * s;
        double actions = 2 * h * c * a;
        double scratch = 2 * e * c * (8 * s + 4 * a + 3 * w);
        double weights = 4 * e * ((s + a) * w + Model.HiddenLayers * w * w + w * 2 * s) + 4 * ((2 * s + a) * w + Model.RewardHiddenLayers * w * w);
        return 4 * (rollouts + actions + scratch + weights + 8 * c);
    }

    /// <summary>Throws <see cref="WorkLimitException"/> when <see cref="EstimateBytes"/> exceeds <paramref name="limits"/> (default <see cref="WorkLimits.Default"/>).</summary>
    public void CheckSize(int stateSize, int actionSize, WorkLimits? limits = null)
    {
        var l = limits ?? WorkLimits.Default;
        double bytes = EstimateBytes(stateSize, actionSize);
        if (bytes <= l.MaxBytes)
        {
            return;
        }

        // The estimate is close to linear in each of Horizon and Candidates: the largest values that fit with the others fixed.
        long maxHorizon = LargestFitting(v => this with { Cem = Cem with { Horizon = v } }, stateSize, actionSize, l);
        long maxCandidates = LargestFitting(v => this with { Cem = Cem with { Candidates = v } }, stateSize, actionSize, l);
        var ranges = new List<string>();
        if (maxHorizon >= 1)
        {
            ranges.Add(string.Create(CultureInfo.InvariantCulture, $"with Candidates {Cem.Candidates}, Horizon must be 1…{maxHorizon}"));
        }

        if (maxCandidates >= Cem.Elites)
        {
            ranges.Add(string.Create(CultureInfo.InvariantCulture, $"with Horizon {Cem.Horizon}, Candidates must be {Cem.Elites}…{maxCandidates}"));
        }

        string range = ranges.Count > 0 ? string.Join("; ", ranges) : "lower EnsembleSize or HiddenSize";
        l.CheckBytes(bytes, string.Create(CultureInfo.InvariantCulture,
            $"Planning with Horizon {Cem.Horizon}, Candidates {Cem.Candidates}, EnsembleSize {Model.EnsembleSize} and HiddenSize {Model.HiddenSize}"), range);
    }

    private static long LargestFitting(Func<int, PlannerOptions> with, int stateSize, int actionSize, WorkLimits limits)
    {
        long lo = 0, hi = int.MaxValue;
        while (lo < hi)
        {
            long mid = (lo + hi + 1) / 2;
            if (with((int)mid).EstimateBytes(stateSize, actionSize) <= limits.MaxBytes)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    internal static void Positive(int value, string what)
    {
        if (value <= 0)
        {
            throw new ArgumentException($"The {what} must be positive; got {value}.");
        }
    }
}
