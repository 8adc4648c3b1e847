using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Fitting;

/// <summary>
/// The design of a fitting task: what the agent starts out believing about the rewards it learns, how much it cares about
/// them, how it forgets, and how often the task reverses. A null property keeps the task's default (<see cref="BehaviourTask.TMaze"/>,
/// <see cref="BehaviourTask.Bandit"/> state them).
/// </summary>
public sealed record BehaviourTaskDesign
{
    /// <summary>Prior Dirichlet count p₀ of reward and of loss for each learned (arm, context) or arm (&gt; 0); null: the task's.</summary>
    public double? RewardPriorConcentration { get; init; }

    /// <summary>The forgetting rate ω ∈ [0, 1) an agent has when ω is neither free nor tied to η (<see cref="LearningMemory"/> = 0); null: the task's.</summary>
    public double? ForgettingRate { get; init; }

    /// <summary>
    /// The learning memory M &gt; 0 that ties the forgetting rate to the learning rate, ω = η / (η + M) (<see cref="BehaviourModel.LearningMemory"/>),
    /// so that η sets the per-outcome step; 0: no tie (ω is its own parameter); null: the task's.
    /// </summary>
    public double? LearningMemory { get; init; }

    /// <summary>The reversal interval (≥ 1; 0: none): the bandit's better arm swaps, the T-maze's cue reverses its meaning, after every this many trials; null: the task's.</summary>
    public int? ReversalEvery { get; init; }

    /// <summary>The log-preference c &gt; 0 for reward, −c for loss (C of the reward modality = (0, c, −c)); null: the task's.</summary>
    public double? RewardPreference { get; init; }

    /// <summary>This design with every unset value taken from <paramref name="defaults"/> (a task's full design).</summary>
    internal BehaviourTaskDesign Over(BehaviourTaskDesign defaults) => new()
    {
        RewardPriorConcentration = RewardPriorConcentration ?? defaults.RewardPriorConcentration,
        ForgettingRate = ForgettingRate ?? defaults.ForgettingRate,
        LearningMemory = LearningMemory ?? defaults.LearningMemory,
        ReversalEvery = ReversalEvery ?? defaults.ReversalEvery,
        RewardPreference = RewardPreference ?? defaults.RewardPreference,
    };

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">p₀ or c not positive and finite, ω outside [0, 1), M negative or infinite, or a negative reversal interval.</exception>
    public void Check()
    {
        if (RewardPriorConcentration is { } p0 && !(p0 > 0 && double.IsFinite(p0)))
        {
            throw new ArgumentException($"RewardPriorConcentration = {p0}: must be positive and finite");
        }

        if (ForgettingRate is { } w && !(w >= 0 && w < 1))
        {
            throw new ArgumentException($"ForgettingRate = {w}: must be in [0, 1)");
        }

        if (LearningMemory is { } m && !(m >= 0 && double.IsFinite(m)))
        {
            throw new ArgumentException($"LearningMemory = {m}: must be ≥ 0 and finite (0: no tie)");
        }

        if (ReversalEvery is < 0)
        {
            throw new ArgumentException($"ReversalEvery = {ReversalEvery}: must be ≥ 0 (0: never)");
        }

        if (RewardPreference is { } c && !(c > 0 && double.IsFinite(c)))
        {
            throw new ArgumentException($"RewardPreference = {c}: must be positive and finite");
        }
    }
}

/// <summary>A task for fitting and recovery: the model subjects are fitted with, a fresh environment per subject, and the default free parameters with their priors.</summary>
/// <param name="Name">The task's name (tmaze, bandit).</param>
/// <param name="Model">The fitted model and its learning schedule.</param>
/// <param name="NewEnvironment">A fresh environment (one per simulated subject).</param>
/// <param name="Priors">The default free parameters and their priors.</param>
/// <param name="Fixed">The values of parameters that are not fitted.</param>
public sealed record BehaviourTask(string Name, BehaviourModel Model, Func<IDiscreteEnvironment> NewEnvironment, IReadOnlyList<ParameterPrior> Priors, AgentParameters Fixed)
{
    /// <summary>The design the task was built with, every setting resolved (empty for a task built from its constructor).</summary>
    public BehaviourTaskDesign Design { get; init; } = new();

    /// <summary>
    /// The T-maze with learning: the agent learns which arm pays in which cued context (pA of the reward modality), values
    /// novelty and plans two moves. Default design: prior counts p₀ = 0.5, the cue's meaning reverses every 25 trials,
    /// C = (0, 8, −8), forgetting tied to the learning rate by a memory M = 32 (ω = η / (η + 32)); free parameters γ and η.
    /// </summary>
    /// <param name="design">Changes to the default design; null: the defaults.</param>
    public static BehaviourTask TMaze(BehaviourTaskDesign? design = null)
    {
        design ??= new BehaviourTaskDesign();
        design.Check();
        var d = design.Over(new BehaviourTaskDesign
        {
            RewardPriorConcentration = TMazePriorConcentration, ForgettingRate = TMazeForgettingRate, LearningMemory = TMazeLearningMemory,
            ReversalEvery = TMazeReversalEvery, RewardPreference = TMazeRewardPreference,
        });
        double preference = d.RewardPreference!.Value, memory = d.LearningMemory!.Value;
        var mazeOptions = new TMazeOptions { ReversalEvery = d.ReversalEvery!.Value };
        var maze = new TMaze(mazeOptions);
        var model = TaskModels.ForTMaze(maze, new TMazeModelOptions
        {
            LearnRewardMapping = true,
            TerminalAfterArm = true,
            RewardPriorConcentration = d.RewardPriorConcentration!.Value,
            RewardPreference = preference,
            LossPreference = -preference,
            Agent = new AgentOptions { PolicyLength = 2, UseParamInfoGain = true, ActionSelection = ActionSelection.Stochastic },
        });
        return new BehaviourTask("tmaze", new BehaviourModel(model, new LearningSchedule([TaskModels.TMazeRewardModality])) { LearningMemory = memory > 0 ? memory : null },
            () => new TMaze(mazeOptions), TMazePriors, new AgentParameters(1, 1, 1, 1, d.ForgettingRate!.Value))
        {
            Design = d,
        };
    }

    /// <summary>
    /// The two-armed bandit (reward 0.8 vs 0.2): the agent learns each arm's reward probability (pA), values novelty, one
    /// choice per trial. Default design: prior counts p₀ = 0.5, the better arm swaps every 25 trials, C = (0, 8, −8),
    /// forgetting tied to the learning rate by a memory M = 16 (ω = η / (η + 16)); free parameters γ and η. γ and α multiply
    /// each other in a one-step choice (P(u) ∝ q(u)^α and q(u) ∝ exp(γ·(−G_u))), so α stays at 1.
    /// </summary>
    /// <param name="design">Changes to the default design; null: the defaults.</param>
    public static BehaviourTask Bandit(BehaviourTaskDesign? design = null)
    {
        design ??= new BehaviourTaskDesign();
        design.Check();
        var d = design.Over(new BehaviourTaskDesign
        {
            RewardPriorConcentration = BanditPriorConcentration, ForgettingRate = BanditForgettingRate, LearningMemory = BanditLearningMemory,
            ReversalEvery = BanditReversalEvery, RewardPreference = BanditRewardPreference,
        });
        double preference = d.RewardPreference!.Value, memory = d.LearningMemory!.Value;
        var options = new TwoArmedBanditOptions { ReversalEvery = d.ReversalEvery!.Value };
        var model = TaskModels.ForTwoArmedBandit(new TwoArmedBandit(options), new TwoArmedBanditModelOptions
        {
            RewardPriorConcentration = d.RewardPriorConcentration!.Value,
            RewardPreference = preference,
            LossPreference = -preference,
            Agent = new AgentOptions { UseParamInfoGain = true, ActionSelection = ActionSelection.Stochastic },
        });
        return new BehaviourTask("bandit", new BehaviourModel(model, new LearningSchedule([TaskModels.BanditRewardModality])) { LearningMemory = memory > 0 ? memory : null },
            () => new TwoArmedBandit(options), BanditPriors, new AgentParameters(1, 1, 1, 1, d.ForgettingRate!.Value))
        {
            Design = d,
        };
    }

    /// <summary>The task named <paramref name="name"/> (tmaze or bandit), or null.</summary>
    /// <param name="name">tmaze or bandit.</param>
    /// <param name="design">The task's design; null: the defaults.</param>
    public static BehaviourTask? ByName(string name, BehaviourTaskDesign? design = null) => name switch
    {
        "tmaze" => TMaze(design),
        "bandit" => Bandit(design),
        _ => null,
    };

    // The default designs (docs/active-inference/fitting.md, "Parameter recovery"): prior counts p₀ = 0.5, forgetting tied to
    // the learning rate by a memory M, reversals every 25 trials; ω = 0.02 applies only where the tie is switched off (M = 0).
    private const double TMazePriorConcentration = 0.5, TMazeLearningMemory = 32, TMazeRewardPreference = 8, TMazeForgettingRate = 0.02;
    private const double BanditPriorConcentration = 0.5, BanditLearningMemory = 16, BanditRewardPreference = 8, BanditForgettingRate = 0.02;
    private const int TMazeReversalEvery = 25, BanditReversalEvery = 25;

    /// <summary>The default priors of both tasks (medians γ = 1, α = 1, κ = 1, η = 1, ω = 0.02).</summary>
    public static IReadOnlyList<ParameterPrior> DefaultPriors { get; } =
    [
        ParameterPrior.WithMedian(FitParameter.Gamma, 1, 1),
        ParameterPrior.WithMedian(FitParameter.Alpha, 1, 1),
        ParameterPrior.WithMedian(FitParameter.LearningRate, 1, 1),
        ParameterPrior.WithMedian(FitParameter.ForgettingRate, 0.02, 1),
    ];

    private static readonly ParameterPrior[] TMazePriors = [.. DefaultPriors.Where(p => p.Parameter is FitParameter.Gamma or FitParameter.LearningRate)];

    private static readonly ParameterPrior[] BanditPriors = TMazePriors;

    /// <summary>The default prior of <paramref name="parameter"/>: medians γ = α = κ = η = 1 (SD 1 on the log scale), ω = 0.02 (SD 1 on the logit scale).</summary>
    public static ParameterPrior DefaultPrior(FitParameter parameter) => parameter == FitParameter.PreferenceScale
        ? ParameterPrior.WithMedian(FitParameter.PreferenceScale, 1, 1)
        : DefaultPriors.First(p => p.Parameter == parameter);

    /// <summary>Simulates one subject with <paramref name="parameters"/> for <paramref name="trials"/> trials (<see cref="TrialRunner"/>).</summary>
    public BehaviourSession Simulate(string subject, AgentParameters parameters, int trials, Rng rng, CancellationToken cancellationToken = default)
    {
        var runner = new TrialRunner(NewEnvironment(), new Agent(Model.Build(parameters)), Model.Schedule);
        var run = runner.Run(trials, rng, null, cancellationToken);
        return new BehaviourSession(subject, run.Select(BehaviourTrial.From).ToArray());
    }
}

/// <summary>Settings of a parameter-recovery study.</summary>
public sealed record RecoveryOptions
{
    /// <summary>Number of simulated subjects.</summary>
    public int Subjects { get; init; } = 200;

    /// <summary>Trials per subject.</summary>
    public int Trials { get; init; } = 100;

    /// <summary>Seed of the true parameters and of the simulations.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The free parameters and their priors (the true values are drawn from them); null: the task's.</summary>
    public IReadOnlyList<ParameterPrior>? Priors { get; init; }

    /// <summary>The fit's settings (its <see cref="FitOptions.Priors"/> are replaced by <see cref="Priors"/>).</summary>
    public FitOptions Fit { get; init; } = new();
}

/// <summary>A recovery study's outcome: per subject the true and fitted parameters, and per parameter their correlation.</summary>
/// <param name="Task">The task's name.</param>
/// <param name="Parameters">The free parameters.</param>
/// <param name="Truth">[subject][parameter] true values on the transformed scales.</param>
/// <param name="Fit">The fits.</param>
/// <param name="Sessions">The simulated sessions.</param>
public sealed record RecoveryResult(string Task, IReadOnlyList<FitParameter> Parameters, double[][] Truth, BehaviourFit Fit, IReadOnlyList<BehaviourSession> Sessions)
{
    /// <summary>Pearson correlation of true and fitted values per parameter, on the transformed scales (where the priors are normal).</summary>
    public IReadOnlyDictionary<FitParameter, double> Correlations =>
        Enumerable.Range(0, Parameters.Count).ToDictionary(j => Parameters[j], j => ParameterRecovery.Pearson(Truth.Select(t => t[j]).ToArray(), Fit.Subjects.Select(s => s.Transformed[j]).ToArray()));

    /// <summary>Pearson correlation of true and fitted values per parameter on the natural scales.</summary>
    public IReadOnlyDictionary<FitParameter, double> NaturalCorrelations =>
        Enumerable.Range(0, Parameters.Count).ToDictionary(j => Parameters[j], j => ParameterRecovery.Pearson(
            Truth.Select(t => ParameterScale.FromTransformed(Parameters[j], t[j])).ToArray(), Fit.Subjects.Select(s => s.Estimates.Get(Parameters[j])).ToArray()));
}

/// <summary>Parameter recovery: draw true parameters from the priors, simulate subjects, fit them, compare.</summary>
public static class ParameterRecovery
{
    /// <summary>Runs a recovery study on <paramref name="task"/>; <paramref name="progress"/> counts simulated and then fitted subjects.</summary>
    public static RecoveryResult Run(BehaviourTask task, RecoveryOptions options, IProgress<int>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Subjects < 2 || options.Trials < 1)
        {
            throw new ArgumentException("Subjects must be ≥ 2 and Trials ≥ 1");
        }

        var priors = options.Priors ?? task.Priors;
        if (task.Model.LearningMemory is not null && priors.Any(p => p.Parameter == FitParameter.ForgettingRate))
        {
            throw new ArgumentException("forgetting_rate cannot be free: the task ties it to the learning rate (LearningMemory); use a design with LearningMemory = 0");
        }

        var fit = options.Fit with { Priors = priors };
        fit.Check();
        var parameters = priors.Select(p => p.Parameter).ToArray();

        // Draws happen in subject order before anything runs in parallel, so the study does not depend on thread timing.
        var master = new Rng(options.Seed);
        var truth = new double[options.Subjects][];
        var rngs = new Rng[options.Subjects];
        for (int i = 0; i < options.Subjects; i++)
        {
            truth[i] = priors.Select(p => p.Mean + (p.Sd * master.NextGaussian())).ToArray();
            rngs[i] = master.Fork();
        }

        var sessions = new BehaviourSession[options.Subjects];
        Parallel.For(0, options.Subjects, new ParallelOptions
        {
            MaxDegreeOfParallelism = fit.MaxDegreeOfParallelism ?? Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        }, i => sessions[i] = task.Simulate($"s{i + 1:D3}", task.Fixed.WithTransformed(parameters, truth[i]), options.Trials, rngs[i], cancellationToken));

        var result = new BehaviourFitter(new AgentChoiceLikelihood(task.Model), task.Fixed, fit).Fit(sessions, progress, cancellationToken);
        return new RecoveryResult(task.Name, parameters, truth, result, sessions);
    }

    /// <summary>Pearson's r of <paramref name="x"/> and <paramref name="y"/>; NaN when either is constant.</summary>
    public static double Pearson(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Count; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }

        return sxx > 0 && syy > 0 ? sxy / Math.Sqrt(sxx * syy) : double.NaN;
    }
}
