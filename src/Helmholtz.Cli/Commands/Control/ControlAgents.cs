using Helmholtz.ActiveInference;
using Helmholtz.ActiveInference.Deep;
using Helmholtz.ActiveInference.Deep.Planning;
using Helmholtz.Environments;
using Helmholtz.Tensors;

namespace Helmholtz.Cli.Commands.Control;

/// <summary>The agent factory of <c>aif control</c>: one switch arm per agent, with the objectives each accepts.</summary>
/// <remarks>To add an agent: add its name to <see cref="Names"/>, its objectives to <see cref="Objectives"/> and an
/// arm to <see cref="Create"/> (the planner's arm goes where marked).</remarks>
internal static class ControlAgents
{
    /// <summary>The agent names, in the order the help lists them.</summary>
    public static IReadOnlyList<string> Names { get; } = ["deep-aif", "dqn", "planner"];

    /// <summary>The objectives an agent accepts; the first is its default.</summary>
    public static IReadOnlyList<string> Objectives(string agent) => agent switch
    {
        "deep-aif" => ["efe", "reward"],
        "dqn" => ["reward"],
        "planner" => ["feef", .. Objective.Names.Where(n => n != "feef")],
        _ => throw UnknownAgent(agent),
    };

    /// <summary>Checks the agent, objective and environment names of <paramref name="settings"/> (ArgumentException names the bad one).</summary>
    public static (IControlEnvironment Environment, string Objective) Check(ControlSettings settings)
    {
        var environment = Environments.Control.EnvironmentCatalog.Create(settings.Env!);
        var objectives = Objectives(settings.Agent);
        string objective = settings.Objective ?? objectives[0];
        if (!objectives.Contains(objective))
        {
            throw new ArgumentException(
                $"Unknown objective '{objective}' for agent '{settings.Agent}'. Known objectives for {settings.Agent}: {string.Join(", ", objectives)}.");
        }

        ControlAgentFactory.Check(environment, OptionsOf(settings, objective));
        _ = settings.HiddenSizes();
        return (environment, objective);
    }

    /// <summary>Creates the agent named in <paramref name="settings"/> for <paramref name="environment"/> (<see cref="ControlAgentFactory"/>); weights from <paramref name="rng"/>.</summary>
    public static IControlAgent Create(ControlSettings settings, IControlEnvironment environment, string objective, Rng rng) =>
        ControlAgentFactory.Create(environment, OptionsOf(settings, objective), rng);

    /// <summary>The options of the agent as a flat name → value map, for config.json.</summary>
    public static IControlAgentOptions OptionsOf(ControlSettings settings, string objective) => settings.Agent switch
    {
        "deep-aif" => DeepAifOptionsOf(settings, objective),
        "dqn" => DqnOptionsOf(settings),
        "planner" => PlannerOptionsOf(settings, objective),
        _ => throw UnknownAgent(settings.Agent),
    };

    internal static PlannerOptions PlannerOptionsOf(ControlSettings s, string objective)
    {
        var d = PlannerOptions.Preset(s.Preset ?? "cpu");
        var options = d with
        {
            Model = d.Model with
            {
                EnsembleSize = s.Ensemble ?? d.Model.EnsembleSize,
                HiddenSize = s.HiddenSizes()?[0] ?? d.Model.HiddenSize,
                Epochs = s.Epochs ?? d.Model.Epochs,
                BatchSize = s.BatchSize ?? d.Model.BatchSize,
                LearningRate = s.LearningRate ?? d.Model.LearningRate,
            },
            Cem = new CemOptions(s.Horizon ?? d.Cem.Horizon, s.Candidates ?? d.Cem.Candidates, s.Elites ?? d.Cem.Elites, s.Iterations ?? d.Cem.Iterations, s.WarmStart || d.Cem.WarmStart),
            Objective = d.Objective with { Kind = Objective.Parse(objective), InfoGainScale = s.InfoGainScale ?? d.Objective.InfoGainScale, IncludeInfoGain = !s.NoInfoGain },
            ActionRepeat = s.ActionRepeat ?? d.ActionRepeat,
            UseMean = s.UseMean || d.UseMean,
        };
        options.Validate();
        return options;
    }

    internal static DqnOptions DqnOptionsOf(ControlSettings s)
    {
        var d = new DqnOptions();
        return d with
        {
            HiddenSizes = s.HiddenSizes() ?? d.Hidden,
            LearningRate = s.LearningRate ?? d.LearningRate,
            Discount = s.Discount ?? d.Discount,
            BatchSize = s.BatchSize ?? d.BatchSize,
            BufferCapacity = s.Buffer ?? d.BufferCapacity,
            WarmupSteps = s.Warmup ?? d.WarmupSteps,
            TargetTau = s.Tau ?? d.TargetTau,
            TargetUpdateInterval = s.TargetInterval ?? d.TargetUpdateInterval,
            EpsilonDecaySteps = s.EpsilonDecay ?? d.EpsilonDecaySteps,
            EpsilonEnd = s.EpsilonEnd ?? d.EpsilonEnd,
            TrainEvery = s.TrainEvery ?? d.TrainEvery,
            GradientSteps = s.GradientSteps ?? d.GradientSteps,
            LearningRateDecaySteps = s.LearningRateDecay ?? d.LearningRateDecaySteps,
            FinalLearningRateFraction = s.LearningRateFinal ?? d.FinalLearningRateFraction,
        };
    }

    internal static DeepAifOptions DeepAifOptionsOf(ControlSettings s, string objective)
    {
        var d = new DeepAifOptions();
        return d with
        {
            HiddenSizes = s.HiddenSizes() ?? d.Hidden,
            TransitionHiddenSizes = d.TransitionHidden,
            ValueLearningRate = s.LearningRate ?? d.ValueLearningRate,
            PolicyLearningRate = s.LearningRate ?? d.PolicyLearningRate,
            Discount = s.Discount ?? d.Discount,
            BatchSize = s.BatchSize ?? d.BatchSize,
            BufferCapacity = s.Buffer ?? d.BufferCapacity,
            WarmupSteps = s.Warmup ?? d.WarmupSteps,
            TargetTau = s.Tau ?? d.TargetTau,
            Precision = s.Precision ?? d.Precision,
            LearnPrecision = s.LearnPrecision,
            EntropyWeight = s.EntropyWeight ?? d.EntropyWeight,
            EpistemicWeight = objective == "reward" ? 0 : s.EpistemicWeight ?? d.EpistemicWeight,
            Selection = s.Greedy ? ActionSelection.Deterministic : ActionSelection.Stochastic,
            TargetUpdateInterval = s.TargetInterval ?? d.TargetUpdateInterval,
            TrainEvery = s.TrainEvery ?? d.TrainEvery,
            GradientSteps = s.GradientSteps ?? d.GradientSteps,
            LearningRateDecaySteps = s.LearningRateDecay ?? d.LearningRateDecaySteps,
            FinalLearningRateFraction = s.LearningRateFinal ?? d.FinalLearningRateFraction,
            InitialPrecision = s.PrecisionStart ?? d.InitialPrecision,
            PrecisionAnnealSteps = s.PrecisionAnneal ?? d.PrecisionAnnealSteps,
        };
    }

    private static ArgumentException UnknownAgent(string agent) =>
        new($"Unknown agent '{agent}'. Known agents: {string.Join(", ", Names)}.");
}
