namespace Helmholtz.PredictiveCoding;

/// <summary>Which predictive-coding schedule a trainer runs.</summary>
public enum PcAlgorithm
{
    /// <summary>
    /// <c>pc-fixed</c>: fixed-prediction assumption (Millidge, Tschantz &amp; Buckley 2020); predictions and Jacobians stay at
    /// their forward-pass values, so the equilibrium errors equal backprop's gradients on any DAG.
    /// </summary>
    Fixed,

    /// <summary><c>pc-standard</c>: predictions recomputed from the current values at every step (Whittington &amp; Bogacz 2017).</summary>
    Standard,

    /// <summary><c>pc-incremental</c>: standard PC with the parameters updated at every inference step (Salvatori et al., incremental PC).</summary>
    Incremental,

    /// <summary><c>relaxed</c>: the fixed-prediction schedule with one or more <see cref="PcRelaxations"/> (Millidge, Tschantz, Seth &amp; Buckley 2020).</summary>
    Relaxed,

    /// <summary>
    /// <c>activation-relaxation</c>: one population of neurons relaxes from its forward activations to the backprop gradient
    /// (Millidge, Tschantz, Seth &amp; Buckley 2020, "Activation relaxation").
    /// </summary>
    ActivationRelaxation,
}

/// <summary>Biologically motivated relaxations of predictive coding (Millidge, Tschantz, Seth &amp; Buckley 2020); combinable.</summary>
[Flags]
public enum PcRelaxations
{
    /// <summary>Exact predictive coding.</summary>
    None = 0,

    /// <summary>No weight transport: a separate learned matrix B replaces W in the backward message (dense layers only).</summary>
    BackwardWeights = 1,

    /// <summary>The backward message omits the nonlinearity's derivative f′ (dense layers only).</summary>
    NoDerivative = 2,

    /// <summary>Errors reach the value units through a learned matrix Φ instead of one-to-one connections.</summary>
    ErrorConnections = 4,
}

/// <summary>Options of a predictive-coding trainer. Validate with <see cref="Validate"/> (trainers do it before any work).</summary>
/// <remarks>
/// Inference is Euler integration of dv/dt = −∂F/∂v with <see cref="Iterations"/> synchronous steps of size
/// <see cref="EtaV"/>: every error is computed from the current values, then every free value moves at once.
/// </remarks>
public sealed record PcOptions
{
    /// <summary>The schedule (default <see cref="PcAlgorithm.Fixed"/>).</summary>
    public PcAlgorithm Algorithm { get; init; } = PcAlgorithm.Fixed;

    /// <summary>T, the number of inference steps per batch (default 20, as the PyTorch reference loop).</summary>
    public int Iterations { get; init; } = 20;

    /// <summary>η_v, the Euler step of the value dynamics (default 0.1, as the PyTorch reference loop).</summary>
    public float EtaV { get; init; } = 0.1f;

    /// <summary>Early stop: inference ends once the largest value change of a step is at most this (0 = always run T steps).</summary>
    /// <remarks>Values move in float32 steps of at least one ulp (≈ 1.2e-7·|v|), so tolerances near that never trigger; 1e-5 is typical.</remarks>
    public float Tolerance { get; init; }

    /// <summary>Relaxations of exact PC (any algorithm; <see cref="PcAlgorithm.Relaxed"/> needs at least one).</summary>
    public PcRelaxations Relaxations { get; init; }

    /// <summary>Weight decay of the learned backward weights B per update: B ← (1 − λ)B + ΔW.</summary>
    public float BackwardWeightDecay { get; init; }

    /// <summary>Learning rate of the learned error connections Φ.</summary>
    public float ErrorConnectionLearningRate { get; init; } = 0.01f;

    /// <summary>When true, each free node's diagonal variance Σ is learned with Bogacz's (2017) rule.</summary>
    public bool LearnPrecision { get; init; }

    /// <summary>Initial (or, when not learned, fixed) variance Σ of every free node; precision Π = 1/Σ (default 1).</summary>
    public float InitialVariance { get; init; } = 1f;

    /// <summary>Variance Σ_L of the output (target) error; null = <see cref="InitialVariance"/>. A large Σ_L clamps the output weakly.</summary>
    /// <remarks>
    /// Standard PC approximates backprop only when the output error is small next to the hidden errors (Whittington &amp; Bogacz 2017,
    /// sec. 3; Rosenbaum 2022): with Π_L = 1/Σ_L → 0 its equilibrium errors tend to Π_L·B·∂L/∂v_n. Uniformly scaling every precision
    /// changes nothing but the time scale, so only the output's own variance controls this.
    /// </remarks>
    public float? OutputVariance { get; init; }

    /// <summary>Learning rate of the variances when <see cref="LearnPrecision"/> is on.</summary>
    public float PrecisionLearningRate { get; init; } = 0.01f;

    /// <summary>Seed of the random initial backward weights and error connections.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The name of the algorithm, as in config.json (e.g. <c>pc-fixed</c>).</summary>
    public string Name => Algorithm switch
    {
        PcAlgorithm.Fixed => "pc-fixed",
        PcAlgorithm.Standard => "pc-standard",
        PcAlgorithm.Incremental => "pc-incremental",
        PcAlgorithm.Relaxed => "relaxed",
        PcAlgorithm.ActivationRelaxation => "activation-relaxation",
        _ => Algorithm.ToString(),
    };

    /// <summary>Parses an algorithm name (<c>pc-fixed</c>, <c>pc-standard</c>, <c>pc-incremental</c>, <c>relaxed</c>, <c>activation-relaxation</c>).</summary>
    /// <exception cref="ArgumentException">The name is not one of these.</exception>
    public static PcAlgorithm ParseAlgorithm(string name) => name switch
    {
        "pc-fixed" => PcAlgorithm.Fixed,
        "pc-standard" => PcAlgorithm.Standard,
        "pc-incremental" => PcAlgorithm.Incremental,
        "relaxed" => PcAlgorithm.Relaxed,
        "activation-relaxation" => PcAlgorithm.ActivationRelaxation,
        _ => throw new ArgumentException(
            $"Unknown predictive-coding algorithm '{name}'; expected pc-fixed, pc-standard, pc-incremental, relaxed or activation-relaxation.", nameof(name)),
    };

    /// <summary>Parses a comma-separated relaxation list (<c>backward-weights,no-derivative,error-connections</c>).</summary>
    /// <exception cref="ArgumentException">An entry is not one of these.</exception>
    public static PcRelaxations ParseRelaxations(string list)
    {
        ArgumentNullException.ThrowIfNull(list);
        var result = PcRelaxations.None;
        foreach (var part in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            result |= part switch
            {
                "backward-weights" => PcRelaxations.BackwardWeights,
                "no-derivative" => PcRelaxations.NoDerivative,
                "error-connections" => PcRelaxations.ErrorConnections,
                _ => throw new ArgumentException(
                    $"Unknown relaxation '{part}'; expected backward-weights, no-derivative or error-connections.", nameof(list)),
            };
        }

        return result;
    }

    /// <summary>Largest number of inference steps accepted (each step is a sweep over the whole graph).</summary>
    public const int MaxIterations = 100_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Algorithm))
        {
            throw new ArgumentException($"PC option Algorithm: {Algorithm} is not a known algorithm.");
        }

        if (Iterations is <= 0 or > MaxIterations)
        {
            throw new ArgumentException($"PC option T (inference iterations) must be 1…{MaxIterations}; got {Iterations}.");
        }

        if (!(EtaV > 0f) || !float.IsFinite(EtaV))
        {
            throw new ArgumentException($"PC option eta-v (inference step η_v) must be a positive finite number; got {EtaV}.");
        }

        if (!(Tolerance >= 0f))
        {
            throw new ArgumentException($"PC option tolerance must be ≥ 0; got {Tolerance}.");
        }

        if ((Relaxations & ~(PcRelaxations.BackwardWeights | PcRelaxations.NoDerivative | PcRelaxations.ErrorConnections)) != 0)
        {
            throw new ArgumentException($"PC option relaxations: {Relaxations} has unknown flags.");
        }

        if (Algorithm == PcAlgorithm.Relaxed && Relaxations == PcRelaxations.None)
        {
            throw new ArgumentException("PC algorithm 'relaxed' needs at least one relaxation (backward-weights, no-derivative, error-connections); without any it is pc-fixed.");
        }

        if (!(BackwardWeightDecay >= 0f && BackwardWeightDecay < 1f))
        {
            throw new ArgumentException($"PC option backward-weight decay must be in [0, 1); got {BackwardWeightDecay}.");
        }

        if (!(ErrorConnectionLearningRate >= 0f) || !float.IsFinite(ErrorConnectionLearningRate))
        {
            throw new ArgumentException($"PC option error-connection learning rate must be ≥ 0; got {ErrorConnectionLearningRate}.");
        }

        if (!(InitialVariance > 0f) || !float.IsFinite(InitialVariance))
        {
            throw new ArgumentException($"PC option initial variance must be positive; got {InitialVariance}.");
        }

        if (OutputVariance is { } ov && (!(ov > 0f) || !float.IsFinite(ov)))
        {
            throw new ArgumentException($"PC option output variance must be positive; got {ov}.");
        }

        if (!(PrecisionLearningRate >= 0f) || !float.IsFinite(PrecisionLearningRate))
        {
            throw new ArgumentException($"PC option precision learning rate must be ≥ 0; got {PrecisionLearningRate}.");
        }
    }
}

/// <summary>Predictive-coding inference produced a NaN or infinity; names the node and the inference step.</summary>
public sealed class PcDivergenceException : ArithmeticException
{
    /// <summary>Creates the exception for <paramref name="node"/> at inference step <paramref name="iteration"/>.</summary>
    public PcDivergenceException(string node, int iteration, string what, float etaV)
        : base($"Predictive coding diverged: the {what} of node '{node}' became NaN or infinite at inference step {iteration}"
            + (iteration == 0 ? " (the forward pass, before inference)" : string.Empty)
            + $". Try a lower η_v (now {etaV.ToString(System.Globalization.CultureInfo.InvariantCulture)}) or a lower learning rate.")
    {
        Node = node;
        Iteration = iteration;
    }

    /// <summary>The name of the node whose value or error was not finite.</summary>
    public string Node { get; }

    /// <summary>The inference step (1-based; 0 = the forward pass) at which it happened.</summary>
    public int Iteration { get; }
}
