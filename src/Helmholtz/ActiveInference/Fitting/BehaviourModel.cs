using Helmholtz.ActiveInference.Discrete;

namespace Helmholtz.ActiveInference.Fitting;

/// <summary>The model a subject is fitted with: a generative model, what the agent learns, and how <see cref="AgentParameters"/> enter it.</summary>
/// <remarks>
/// <see cref="Build"/> returns the model with γ and α in its options, C multiplied by κ, the pA and pB learning rates set
/// to η and the forgetting rate to ω; action selection is stochastic (a deterministic agent gives observed choices
/// probability 0 or 1). Everything else (A, B, D, E, the Dirichlet priors, the inference settings) is the model's.
/// </remarks>
/// <param name="Model">The generative model, with the agent's other settings.</param>
/// <param name="Schedule">What the agent learns between and within trials (as <see cref="TrialRunner"/>).</param>
public sealed record BehaviourModel(GenerativeModel Model, LearningSchedule Schedule)
{
    /// <summary>
    /// Null: the forgetting rate is <see cref="AgentParameters.ForgettingRate"/>. Set to a memory M &gt; 0: the forgetting rate is tied to
    /// the learning rate, ω = η / (η + M), and <see cref="AgentParameters.ForgettingRate"/> is ignored. A count that every update
    /// adds η to then settles at η / ω = η + M above its prior p₀, and each outcome moves the estimate by about
    /// λ = η / (2p₀ + M + η), so ln η = logit λ + ln(2p₀ + M): η sets the per-outcome step (on the odds scale), as a
    /// delta-rule learning rate does, where without the tie it only sets how fast the data outweigh p₀.
    /// </summary>
    public double? LearningMemory { get; init; }

    /// <summary>The forgetting rate an agent with <paramref name="parameters"/> has: ω, or η / (η + M) under a <see cref="LearningMemory"/> M.</summary>
    public double ForgettingRateOf(AgentParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        return LearningMemory is { } m ? parameters.LearningRate / (parameters.LearningRate + m) : parameters.ForgettingRate;
    }

    /// <summary>The model's own values: its γ, α, κ = 1, its pA learning rate and its forgetting rate.</summary>
    public AgentParameters Defaults => new(Model.Options.Gamma, Model.Options.Alpha, 1, Model.Options.LearningRateA, Model.Options.ForgettingRate);

    /// <summary>The learning schedule for a model file: pA of every modality when the model has pA, pB when it has pB, pD when it has pD.</summary>
    public static LearningSchedule ScheduleFor(GenerativeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new LearningSchedule(model.PA is null ? null : Enumerable.Range(0, model.NumObs.Length).ToArray(), model.PB is not null, model.PD is not null);
    }

    /// <summary>The generative model of an agent with <paramref name="parameters"/>.</summary>
    /// <exception cref="ModelException">A parameter is outside its range (γ, α, κ, η must be positive and finite, ω in [0, 1)).</exception>
    public GenerativeModel Build(AgentParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Check(parameters);
        var options = Model.Options with
        {
            Gamma = parameters.Gamma,
            Alpha = parameters.Alpha,
            LearningRateA = parameters.LearningRate,
            LearningRateB = parameters.LearningRate,
            ForgettingRate = ForgettingRateOf(parameters),
            ActionSelection = ActionSelection.Stochastic,
        };
        double k = parameters.PreferenceScale;
        var c = Model.C.Select(v => v.Select(x => x * k).ToArray()).ToArray();
        return new GenerativeModel(Model.A, Model.B, c, Model.D, Model.E, Model.PA, Model.PB, Model.PD, options);
    }

    private void Check(AgentParameters p)
    {
        if (LearningMemory is { } m && !(m > 0 && double.IsFinite(m)))
        {
            throw new ModelException($"LearningMemory = {m}: must be positive and finite");
        }

        foreach (var (name, v) in new[] { ("Gamma", p.Gamma), ("Alpha", p.Alpha), ("PreferenceScale", p.PreferenceScale), ("LearningRate", p.LearningRate) })
        {
            if (!(v > 0 && double.IsFinite(v)))
            {
                throw new ModelException($"{name} = {v}: must be positive and finite");
            }
        }

        if (!(p.ForgettingRate >= 0 && p.ForgettingRate < 1))
        {
            throw new ModelException($"ForgettingRate = {p.ForgettingRate}: must be in [0, 1)");
        }
    }
}
