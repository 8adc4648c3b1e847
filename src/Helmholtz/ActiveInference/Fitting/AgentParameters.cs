using System.Globalization;

namespace Helmholtz.ActiveInference.Fitting;

/// <summary>An agent parameter that a behaviour fit can estimate.</summary>
public enum FitParameter
{
    /// <summary>Policy precision γ (&gt; 0; fitted as ln γ).</summary>
    Gamma,

    /// <summary>Action precision α (&gt; 0; fitted as ln α).</summary>
    Alpha,

    /// <summary>Preference scale κ: the agent's C is κ·C of the model (&gt; 0; fitted as ln κ).</summary>
    PreferenceScale,

    /// <summary>Learning rate η of the Dirichlet updates of pA and pB (&gt; 0; fitted as ln η).</summary>
    LearningRate,

    /// <summary>Forgetting rate ω ∈ (0, 1) of pA and pB towards their priors (fitted as logit ω).</summary>
    ForgettingRate,
}

/// <summary>The parameters of an agent that a behaviour fit varies; every other model setting stays as the model has it.</summary>
/// <param name="Gamma">Policy precision γ.</param>
/// <param name="Alpha">Action precision α.</param>
/// <param name="PreferenceScale">Scale κ of the log-preferences C.</param>
/// <param name="LearningRate">Learning rate η of pA and pB.</param>
/// <param name="ForgettingRate">Forgetting rate ω of pA and pB.</param>
public sealed record AgentParameters(double Gamma, double Alpha, double PreferenceScale, double LearningRate, double ForgettingRate)
{
    /// <summary>The value of <paramref name="parameter"/>.</summary>
    public double Get(FitParameter parameter) => parameter switch
    {
        FitParameter.Gamma => Gamma,
        FitParameter.Alpha => Alpha,
        FitParameter.PreferenceScale => PreferenceScale,
        FitParameter.LearningRate => LearningRate,
        FitParameter.ForgettingRate => ForgettingRate,
        _ => throw new ArgumentOutOfRangeException(nameof(parameter)),
    };

    /// <summary>A copy with <paramref name="parameter"/> set to <paramref name="value"/>.</summary>
    public AgentParameters With(FitParameter parameter, double value) => parameter switch
    {
        FitParameter.Gamma => this with { Gamma = value },
        FitParameter.Alpha => this with { Alpha = value },
        FitParameter.PreferenceScale => this with { PreferenceScale = value },
        FitParameter.LearningRate => this with { LearningRate = value },
        FitParameter.ForgettingRate => this with { ForgettingRate = value },
        _ => throw new ArgumentOutOfRangeException(nameof(parameter)),
    };

    /// <summary>A copy with the free <paramref name="parameters"/> set from their transformed values <paramref name="z"/>.</summary>
    public AgentParameters WithTransformed(IReadOnlyList<FitParameter> parameters, ReadOnlySpan<double> z)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var p = this;
        for (int k = 0; k < parameters.Count; k++)
        {
            p = p.With(parameters[k], ParameterScale.FromTransformed(parameters[k], z[k]));
        }

        return p;
    }
}

/// <summary>The unconstrained scales on which parameters are fitted and their priors stated: ln x for positive parameters, logit x for rates in (0, 1).</summary>
public static class ParameterScale
{
    /// <summary>The snake_case name used in files and JSON (gamma, alpha, preference_scale, learning_rate, forgetting_rate).</summary>
    public static string Name(FitParameter parameter) => parameter switch
    {
        FitParameter.Gamma => "gamma",
        FitParameter.Alpha => "alpha",
        FitParameter.PreferenceScale => "preference_scale",
        FitParameter.LearningRate => "learning_rate",
        FitParameter.ForgettingRate => "forgetting_rate",
        _ => throw new ArgumentOutOfRangeException(nameof(parameter)),
    };

    /// <summary>The parameter named <paramref name="name"/> (as <see cref="Name"/> writes it), or null.</summary>
    public static FitParameter? Parse(string name) =>
        Enum.GetValues<FitParameter>().Select(p => (FitParameter?)p).FirstOrDefault(p => Name(p!.Value) == name.Trim().ToLowerInvariant());

    /// <summary>The name of the transform: "log" or "logit".</summary>
    public static string TransformName(FitParameter parameter) => parameter == FitParameter.ForgettingRate ? "logit" : "log";

    /// <summary>z = ln x, or logit x = ln(x / (1 − x)) for the forgetting rate.</summary>
    public static double ToTransformed(FitParameter parameter, double value) =>
        parameter == FitParameter.ForgettingRate ? Math.Log(value / (1 - value)) : Math.Log(value);

    /// <summary>x = exp z, or the logistic 1 / (1 + exp(−z)) for the forgetting rate.</summary>
    public static double FromTransformed(FitParameter parameter, double z) =>
        parameter == FitParameter.ForgettingRate ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z);

    /// <summary>dx/dz at z: x for the log scale, x(1 − x) for the logit scale (the delta method's factor).</summary>
    public static double Derivative(FitParameter parameter, double z)
    {
        double x = FromTransformed(parameter, z);
        return parameter == FitParameter.ForgettingRate ? x * (1 - x) : x;
    }
}

/// <summary>A normal prior on a parameter's transformed scale: z ~ N(<paramref name="Mean"/>, <paramref name="Sd"/>²), z = ln x or logit x.</summary>
/// <param name="Parameter">The parameter.</param>
/// <param name="Mean">Prior mean of z.</param>
/// <param name="Sd">Prior standard deviation of z (&gt; 0).</param>
public sealed record ParameterPrior(FitParameter Parameter, double Mean, double Sd)
{
    /// <summary>A prior whose median on the natural scale is <paramref name="median"/> (z's mean is its transform).</summary>
    public static ParameterPrior WithMedian(FitParameter parameter, double median, double sd) =>
        new(parameter, ParameterScale.ToTransformed(parameter, median), sd);

    /// <summary>ln N(z; Mean, Sd²).</summary>
    public double LogDensity(double z)
    {
        double u = (z - Mean) / Sd;
        return -0.5 * u * u - Math.Log(Sd) - 0.5 * Math.Log(2 * Math.PI);
    }

    /// <summary>As the docs and the fit's files state it, e.g. "ln gamma ~ N(0.693, 0.5²)".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(ParameterScale.TransformName(Parameter) == "log" ? "ln" : "logit")} {ParameterScale.Name(Parameter)} ~ N({Mean:G4}, {Sd:G4}²)");
}
