using System.Globalization;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Discrete;

/// <summary>A dense float64 array with its shape, stored row-major (the last axis fastest, as NumPy's C order).</summary>
/// <param name="Shape">The length of each axis.</param>
/// <param name="Data">The entries, row-major; its length is the product of <paramref name="Shape"/>.</param>
public sealed record ModelArray(int[] Shape, double[] Data)
{
    /// <summary>Copies the array (shape and data), so that learning never writes into a caller's arrays.</summary>
    public ModelArray Copy() => new((int[])Shape.Clone(), (double[])Data.Clone());

    /// <summary>Formats the shape as [a, b, c].</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}

/// <summary>How state inference is done (pymdp's <c>inference_algo</c>).</summary>
public enum InferenceAlgorithm
{
    /// <summary>Fixed-point iteration on the current observation (pymdp's "VANILLA").</summary>
    Fpi,

    /// <summary>Marginal message passing over a window of past observations and the policy's future.</summary>
    Mmp,
}

/// <summary>How policies are scored.</summary>
public enum Planner
{
    /// <summary>Enumerate every policy of <see cref="AgentOptions.PolicyLength"/> steps and score it by its expected free energy (pymdp 0.0.7.1).</summary>
    Efe,

    /// <summary>Sophisticated inference: a recursive tree search over actions and outcomes (Friston et al. 2021), with pruning.</summary>
    Sophisticated,
}

/// <summary>Agent settings, with pymdp 0.0.7.1's defaults.</summary>
public sealed record AgentOptions
{
    /// <summary>Number of future steps in each policy.</summary>
    public int PolicyLength { get; init; } = 1;

    /// <summary>Number of observations in MMP's inference window.</summary>
    public int InferenceHorizon { get; init; } = 1;

    /// <summary>State inference algorithm.</summary>
    public InferenceAlgorithm Algorithm { get; init; } = InferenceAlgorithm.Fpi;

    /// <summary>Maximum number of iterations of FPI or MMP.</summary>
    public int NumIterations { get; init; } = 10;

    /// <summary>FPI stops when the change of free energy between sweeps falls below this.</summary>
    public double FreeEnergyTolerance { get; init; } = 0.001;

    /// <summary>MMP's gradient step size τ.</summary>
    public double MmpStepSize { get; init; } = 0.25;

    /// <summary>Policy precision γ.</summary>
    public double Gamma { get; init; } = 16;

    /// <summary>Action precision α (stochastic selection).</summary>
    public double Alpha { get; init; } = 16;

    /// <summary>Include expected utility in the EFE.</summary>
    public bool UseUtility { get; init; } = true;

    /// <summary>Include the state information gain in the EFE.</summary>
    public bool UseStatesInfoGain { get; init; } = true;

    /// <summary>Include the parameter information gain (needs pA and/or pB) in the EFE.</summary>
    public bool UseParamInfoGain { get; init; }

    /// <summary>How actions are chosen.</summary>
    public ActionSelection ActionSelection { get; init; } = ActionSelection.Deterministic;

    /// <summary>Learning rate of the pA update.</summary>
    public double LearningRateA { get; init; } = 1;

    /// <summary>Learning rate of the pB update.</summary>
    public double LearningRateB { get; init; } = 1;

    /// <summary>Learning rate of the pD update.</summary>
    public double LearningRateD { get; init; } = 1;

    /// <summary>Forgetting rate ω ∈ [0, 1): each update first moves counts back towards their initial prior by ω (pymdp has none).</summary>
    public double ForgettingRate { get; init; }

    /// <summary>How policies are scored: enumeration (pymdp 0.0.7.1) or sophisticated tree search.</summary>
    public Planner Planner { get; init; } = Planner.Efe;

    /// <summary>Sophisticated inference: depth of the tree search in steps (1 = one-step EFE).</summary>
    public int SophisticatedHorizon { get; init; } = 3;

    /// <summary>Sophisticated inference: actions whose one-step probability softmax(γ·(−G)) is at or below this are not expanded (pymdp 1.x default 1/16).</summary>
    public double SophisticatedPolicyPruneThreshold { get; init; } = 1.0 / 16;

    /// <summary>Sophisticated inference: joint outcomes with predicted probability at or below this are not expanded (pymdp 1.x default 1/16).</summary>
    public double SophisticatedObservationPruneThreshold { get; init; } = 1.0 / 16;

    /// <summary>Sophisticated inference: precision of the softmax inside the tree (pruning and the expected best response; pymdp 1.x default 1). The root uses <see cref="Gamma"/>.</summary>
    public double SophisticatedGamma { get; init; } = 1;

    /// <summary>Sophisticated inference: the value −G of a pruned action is lowered by this (pymdp 1.x default 512).</summary>
    public double SophisticatedPrunePenalty { get; init; } = 512;

    /// <summary>Limits on the work one decision may take (<see cref="WorkLimits.MaxTreeNodes"/> bounds the sophisticated tree search).</summary>
    public WorkLimits Limits { get; init; } = WorkLimits.Default;
}

/// <summary>Thrown when a generative model, observation or action breaks a rule; the message names the array, index and rule.</summary>
public sealed class ModelException(string message) : FormatException(message);

/// <summary>A discrete POMDP generative model with pymdp's array conventions.</summary>
/// <remarks>
/// A[m] has shape [outcomes of modality m, states of factor 0, factor 1, …] and gives P(o_m | s); B[f] has shape
/// [next, previous, controls] and gives P(s_f' | s_f, u_f); C[m] holds log-preferences over outcomes (utility uses
/// ln softmax(C[m]), as pymdp 0.0.7.1); D[f] is the prior over initial states; E the prior over policies; pA, pB, pD
/// are Dirichlet concentrations over A, B, D (Da Costa et al. 2020, §2; Heins et al. 2022).
/// </remarks>
public sealed class GenerativeModel
{
    /// <summary>Tolerance on column sums (|Σ − 1| ≤ 1e-6, a little looser than float64 rounding of hand-written files).</summary>
    public const double NormalisationTolerance = 1e-6;

    /// <summary>Creates and validates a model; C, D, E, pA, pB, pD may be null (pymdp defaults: C = 0, D uniform or from pD, E uniform).</summary>
    public GenerativeModel(
        IReadOnlyList<ModelArray> a,
        IReadOnlyList<ModelArray> b,
        IReadOnlyList<double[]>? c = null,
        IReadOnlyList<double[]>? d = null,
        double[]? e = null,
        IReadOnlyList<ModelArray>? pA = null,
        IReadOnlyList<ModelArray>? pB = null,
        IReadOnlyList<double[]>? pD = null,
        AgentOptions? options = null,
        IReadOnlyList<int[]>? aDependencies = null,
        IReadOnlyList<int[]>? bDependencies = null)
    {
        Options = options ?? new AgentOptions();
        CheckOptions(Options);
        if (b.Count == 0)
        {
            throw new ModelException("B: at least one hidden-state factor is required (B is empty)");
        }

        if (a.Count == 0)
        {
            throw new ModelException("A: at least one observation modality is required (A is empty)");
        }

        NumStates = new int[b.Count];
        NumControls = new int[b.Count];
        if (bDependencies is not null)
        {
            BDependencies = FactorDependencies.CheckB(b, bDependencies, NumStates, NumControls);
        }

        for (int f = 0; f < b.Count && bDependencies is null; f++)
        {
            var s = b[f].Shape;
            if (s.Length != 3)
            {
                throw new ModelException($"B[{f}]: shape {b[f].ShapeText} must have 3 axes [next, previous, controls]");
            }

            if (s[0] != s[1] || s[0] == 0 || s[2] == 0)
            {
                throw new ModelException($"B[{f}]: shape {b[f].ShapeText} must be [n, n, controls] with n ≥ 1 and controls ≥ 1");
            }

            NumStates[f] = s[0];
            NumControls[f] = s[2];
            CheckProbabilities($"B[{f}]", b[f]);
        }

        BDependencies ??= Enumerable.Range(0, b.Count).Select(f => new[] { f }).ToArray();
        if (aDependencies is not null)
        {
            NumObs = new int[a.Count];
            ADependencies = FactorDependencies.CheckA(a, aDependencies, NumStates, NumObs);
        }
        else
        {
            ADependencies = a.Select(_ => Enumerable.Range(0, b.Count).ToArray()).ToArray();
        }

        HasSparseDependencies = ADependencies.Any(d => d.Length != b.Count) || BDependencies.Select((d, f) => d.Length != 1 || d[0] != f).Any(x => x);
        long joint = 1;
        foreach (int n in NumStates)
        {
            joint = Math.Min(joint * n, int.MaxValue);
        }

        // Dense models index joint states with an int; a model with sparse dependencies never forms them.
        NumJointStates = HasSparseDependencies ? (int)joint : checked((int)joint);
        if (joint == int.MaxValue && !HasSparseDependencies)
        {
            throw new ModelException($"B: {NumStates.Length} factors with [{string.Join(", ", NumStates)}] states have too many joint states for a dense model; declare A_dependencies");
        }

        NumObs ??= new int[a.Count];
        for (int m = 0; m < a.Count && aDependencies is null; m++)
        {
            var s = a[m].Shape;
            if (s.Length != NumStates.Length + 1)
            {
                throw new ModelException($"A[{m}]: shape {a[m].ShapeText} must have {NumStates.Length + 1} axes [outcomes, then the states of each of the {NumStates.Length} factors of B]");
            }

            for (int f = 0; f < NumStates.Length; f++)
            {
                if (s[f + 1] != NumStates[f])
                {
                    throw new ModelException($"A[{m}]: axis {f + 1} has length {s[f + 1]} but B[{f}] has {NumStates[f]} states; shape {a[m].ShapeText} must be [outcomes, {string.Join(", ", NumStates)}]");
                }
            }

            if (s[0] == 0)
            {
                throw new ModelException($"A[{m}]: needs at least one outcome");
            }

            NumObs[m] = s[0];
            CheckProbabilities($"A[{m}]", a[m]);
        }

        A = a.ToArray();
        B = b.ToArray();

        if (c is not null)
        {
            CheckVectors("C", c, NumObs, "outcomes of modality", normalised: false, nonNegative: false);
            C = c.ToArray();
        }
        else
        {
            C = NumObs.Select(n => new double[n]).ToArray();
        }

        if (pD is not null)
        {
            CheckVectors("pD", pD, NumStates, "states of factor", normalised: false, nonNegative: true);
            PD = pD.ToArray();
        }

        if (d is not null)
        {
            CheckVectors("D", d, NumStates, "states of factor", normalised: true, nonNegative: true);
            D = d.ToArray();
        }
        else if (pD is not null)
        {
            D = pD.Select(v => { var x = (double[])v.Clone(); Categorical.Normalise(x); return x; }).ToArray();
        }
        else
        {
            D = NumStates.Select(n => Enumerable.Repeat(1.0 / n, n).ToArray()).ToArray();
        }

        if (Options.Planner == Planner.Sophisticated)
        {
            if (Options.Algorithm != InferenceAlgorithm.Fpi)
            {
                throw new ModelException("planner = \"sophisticated\": needs inference_algo \"FPI\" (the tree search conditions on each predicted outcome with fixed-point iteration)");
            }

            if (Options.SophisticatedHorizon is < 1 or > MaxSophisticatedHorizon)
            {
                throw new ModelException($"si_horizon = {Options.SophisticatedHorizon}: must be 1…{MaxSophisticatedHorizon}");
            }

            if (!(Options.SophisticatedPolicyPruneThreshold >= 0 && Options.SophisticatedPolicyPruneThreshold < 1)
                || !(Options.SophisticatedObservationPruneThreshold >= 0 && Options.SophisticatedObservationPruneThreshold < 1))
            {
                throw new ModelException("si_policy_prune_threshold and si_observation_prune_threshold: must be in [0, 1)");
            }
        }

        // Sophisticated inference plans one action at a time (the tree supplies the future), so its policies, and E,
        // are the joint actions of one step.
        Policies = PolicySet.Construct(NumControls, Options.Planner == Planner.Sophisticated ? 1 : Options.PolicyLength);
        if (e is not null)
        {
            if (e.Length != Policies.Count)
            {
                throw new ModelException($"E: has {e.Length} entries but there are {Policies.Count} policies (policy_len {Options.PolicyLength}, controls [{string.Join(", ", NumControls)}])");
            }

            for (int i = 0; i < e.Length; i++)
            {
                if (!(e[i] >= 0) || double.IsInfinity(e[i]))
                {
                    throw new ModelException($"E[{i}] = {Fmt(e[i])}: policy prior entries must be finite and ≥ 0");
                }
            }

            E = e;
        }
        else
        {
            E = Enumerable.Repeat(1.0 / Policies.Count, Policies.Count).ToArray();
        }

        if (pA is not null)
        {
            CheckDirichlet("pA", pA, A);
            PA = pA.ToArray();
        }

        if (pB is not null)
        {
            CheckDirichlet("pB", pB, B);
            PB = pB.ToArray();
        }

        if (Options.PolicyLength < 1)
        {
            throw new ModelException($"policy_len = {Options.PolicyLength}: must be ≥ 1");
        }

        if (Options.InferenceHorizon < 1)
        {
            throw new ModelException($"inference_horizon = {Options.InferenceHorizon}: must be ≥ 1");
        }

        if (Options.NumIterations < 1)
        {
            throw new ModelException($"num_iter = {Options.NumIterations}: must be ≥ 1");
        }

        if (!(Options.ForgettingRate >= 0 && Options.ForgettingRate < 1))
        {
            throw new ModelException($"forgetting_rate = {Fmt(Options.ForgettingRate)}: must be in [0, 1)");
        }
    }

    /// <summary>Agent settings carried with the model.</summary>
    public AgentOptions Options { get; }

    /// <summary>Number of outcomes per modality.</summary>
    public int[] NumObs { get; }

    /// <summary>The factors each modality's A depends on, ascending (pymdp 1.0's <c>A_dependencies</c>; every factor when not declared).</summary>
    /// <remarks>A[m] has shape [outcomes, states of ADependencies[m][0], …].</remarks>
    public int[][] ADependencies { get; }

    /// <summary>The factors each factor's B depends on, ascending (pymdp 1.0's <c>B_dependencies</c>; [f] when not declared).</summary>
    /// <remarks>B[f] has shape [next states of f, states of BDependencies[f][0], …, controls of f].</remarks>
    public int[][] BDependencies { get; }

    /// <summary>True when some A depends on fewer than all factors or some B on more or other than its own factor: such a model runs in <see cref="FactorisedAgent"/>, which never forms the joint state space.</summary>
    public bool HasSparseDependencies { get; }

    /// <summary>Number of states per hidden-state factor.</summary>
    public int[] NumStates { get; }

    /// <summary>Number of controls per factor (B[f]'s last axis).</summary>
    public int[] NumControls { get; }

    /// <summary>Product of <see cref="NumStates"/> (capped at <see cref="int.MaxValue"/> for models with sparse dependencies).</summary>
    public int NumJointStates { get; }

    /// <summary>Likelihoods, per modality [outcomes, states f0, f1, …].</summary>
    public ModelArray[] A { get; }

    /// <summary>Transitions, per factor [next, previous, controls].</summary>
    public ModelArray[] B { get; }

    /// <summary>Log-preferences over outcomes, per modality.</summary>
    public double[][] C { get; }

    /// <summary>Prior over initial states, per factor.</summary>
    public double[][] D { get; }

    /// <summary>Prior over policies (habits), one entry per policy in <see cref="Policies"/> order.</summary>
    public double[] E { get; }

    /// <summary>Dirichlet concentrations over A, or null.</summary>
    public ModelArray[]? PA { get; }

    /// <summary>Dirichlet concentrations over B, or null.</summary>
    public ModelArray[]? PB { get; }

    /// <summary>Dirichlet concentrations over D, or null.</summary>
    public double[][]? PD { get; }

    /// <summary>The policies, in pymdp's order.</summary>
    public PolicySet Policies { get; }

    /// <summary>Checks an observation (one outcome index per modality) and throws a named error if it does not fit.</summary>
    public void CheckObservation(IReadOnlyList<int> observation, string where)
    {
        if (observation.Count != NumObs.Length)
        {
            throw new ModelException($"{where}: has {observation.Count} entries but the model has {NumObs.Length} modalities");
        }

        for (int m = 0; m < NumObs.Length; m++)
        {
            if (observation[m] < 0 || observation[m] >= NumObs[m])
            {
                throw new ModelException($"{where}[{m}] = {observation[m]}: modality {m} has outcomes 0…{NumObs[m] - 1}");
            }
        }
    }

    /// <summary>Checks an action (one control index per factor) and throws a named error if it does not fit.</summary>
    public void CheckAction(IReadOnlyList<int> action, string where)
    {
        if (action.Count != NumStates.Length)
        {
            throw new ModelException($"{where}: has {action.Count} entries but the model has {NumStates.Length} factors");
        }

        for (int f = 0; f < NumStates.Length; f++)
        {
            if (action[f] < 0 || action[f] >= NumControls[f])
            {
                throw new ModelException($"{where}[{f}] = {action[f]}: factor {f} has controls 0…{NumControls[f] - 1}");
            }
        }
    }

    /// <summary>Largest <see cref="AgentOptions.SophisticatedHorizon"/> accepted; the tree's node count is further bounded by <see cref="WorkLimits.MaxTreeNodes"/>.</summary>
    public const int MaxSophisticatedHorizon = 64;

    /// <summary>Largest <see cref="AgentOptions.NumIterations"/> accepted (the fixed-point iteration converges in tens).</summary>
    public const int MaxIterations = 10_000;

    /// <summary>Largest <see cref="AgentOptions.InferenceHorizon"/> accepted (MMP's window of past observations).</summary>
    public const int MaxInferenceHorizon = 1_000;

    // Rates and precisions: finite and ≥ 0 (a negative precision or rate inverts preferences or unlearns counts).
    private static void CheckOptions(AgentOptions o)
    {
        NonNegative("gamma", o.Gamma);
        NonNegative("alpha", o.Alpha);
        NonNegative("si_gamma", o.SophisticatedGamma);
        NonNegative("si_prune_penalty", o.SophisticatedPrunePenalty);
        NonNegative("lr_pA", o.LearningRateA);
        NonNegative("lr_pB", o.LearningRateB);
        NonNegative("lr_pD", o.LearningRateD);
        NonNegative("dF_tol", o.FreeEnergyTolerance);
        if (!(o.MmpStepSize > 0) || double.IsInfinity(o.MmpStepSize))
        {
            throw new ModelException($"mmp_tau = {Fmt(o.MmpStepSize)}: must be a finite number > 0");
        }

        ArgumentNullException.ThrowIfNull(o.Limits);
        if (o.NumIterations > MaxIterations)
        {
            throw new ModelException($"num_iter = {o.NumIterations}: must be 1…{MaxIterations}");
        }

        if (o.InferenceHorizon > MaxInferenceHorizon)
        {
            throw new ModelException($"inference_horizon = {o.InferenceHorizon}: must be 1…{MaxInferenceHorizon}");
        }
    }

    private static void NonNegative(string key, double value)
    {
        if (!(value >= 0) || double.IsInfinity(value))
        {
            throw new ModelException($"{key} = {Fmt(value)}: must be a finite number ≥ 0");
        }
    }

    internal static string Fmt(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    private static string Index(int[] shape, int flat)
    {
        var idx = new int[shape.Length];
        for (int k = shape.Length - 1; k >= 0; k--)
        {
            idx[k] = flat % shape[k];
            flat /= shape[k];
        }

        return "[" + string.Join(", ", idx) + "]";
    }

    internal static void CheckProbabilities(string name, ModelArray x)
    {
        CheckEntries(name, x, nonNegative: true);
        int rows = x.Shape[0];
        int cols = x.Data.Length / rows;
        for (int j = 0; j < cols; j++)
        {
            double sum = 0;
            for (int i = 0; i < rows; i++)
            {
                sum += x.Data[i * cols + j];
            }

            if (Math.Abs(sum - 1) > NormalisationTolerance)
            {
                string col = Index(x.Shape[1..], j);
                col = "[:, " + col[1..];
                throw new ModelException($"{name}{col} sums to {Fmt(sum)}: every column (over axis 0) must sum to 1 within {Fmt(NormalisationTolerance)}");
            }
        }
    }

    private static void CheckEntries(string name, ModelArray x, bool nonNegative)
    {
        int expected = 1;
        foreach (int n in x.Shape)
        {
            expected *= n;
        }

        if (expected != x.Data.Length)
        {
            throw new ModelException($"{name}: shape {x.ShapeText} needs {expected} entries but {x.Data.Length} were given");
        }

        for (int i = 0; i < x.Data.Length; i++)
        {
            double v = x.Data[i];
            if (!double.IsFinite(v))
            {
                throw new ModelException($"{name}{Index(x.Shape, i)} = {Fmt(v)}: entries must be finite");
            }

            if (nonNegative && v < 0)
            {
                throw new ModelException($"{name}{Index(x.Shape, i)} = {Fmt(v)}: probabilities and concentrations must be ≥ 0");
            }
        }
    }

    private static void CheckVectors(string name, IReadOnlyList<double[]> v, int[] lengths, string what, bool normalised, bool nonNegative)
    {
        if (v.Count != lengths.Length)
        {
            throw new ModelException($"{name}: has {v.Count} sub-arrays but the model has {lengths.Length} ({(what.Contains("modality") ? "modalities" : "factors")})");
        }

        for (int k = 0; k < v.Count; k++)
        {
            if (v[k].Length != lengths[k])
            {
                throw new ModelException($"{name}[{k}]: has {v[k].Length} entries but there are {lengths[k]} {what} {k}");
            }

            CheckEntries($"{name}[{k}]", new ModelArray([v[k].Length], v[k]), nonNegative);
            if (normalised)
            {
                double sum = v[k].Sum();
                if (Math.Abs(sum - 1) > NormalisationTolerance)
                {
                    throw new ModelException($"{name}[{k}] sums to {Fmt(sum)}: must sum to 1 within {Fmt(NormalisationTolerance)}");
                }
            }
        }
    }

    private static void CheckDirichlet(string name, IReadOnlyList<ModelArray> p, ModelArray[] like)
    {
        if (p.Count != like.Length)
        {
            throw new ModelException($"{name}: has {p.Count} sub-arrays but {name[1..]} has {like.Length}");
        }

        for (int k = 0; k < p.Count; k++)
        {
            if (!p[k].Shape.SequenceEqual(like[k].Shape))
            {
                throw new ModelException($"{name}[{k}]: shape {p[k].ShapeText} must equal {name[1..]}[{k}]'s shape {like[k].ShapeText}");
            }

            CheckEntries($"{name}[{k}]", p[k], nonNegative: true);
        }
    }
}
