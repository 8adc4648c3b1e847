namespace Helmholtz.PredictiveCoding;

/// <summary>
/// The single-variable perception model of Bogacz (2017, section 2): a food item of size φ with prior N(v_p, Σ_p) produces
/// a light intensity u ~ N(g(φ), Σ_u), here g(φ) = φ² as in the tutorial.
/// </summary>
/// <param name="PriorMean">v_p, the expected size (tutorial: 3).</param>
/// <param name="PriorVariance">Σ_p (tutorial: 1).</param>
/// <param name="SensoryVariance">Σ_u (tutorial: 1).</param>
public sealed record PerceptionModel(double PriorMean = 3, double PriorVariance = 1, double SensoryVariance = 1)
{
    /// <summary>g(φ) = φ², the light intensity an item of size φ produces on average.</summary>
    public static double G(double phi) => phi * phi;

    /// <summary>g′(φ) = 2φ.</summary>
    public static double GPrime(double phi) => 2 * phi;

    /// <summary>ln p(φ) + ln p(u | φ) up to a constant: the quantity F that perception climbs (Bogacz 2017, section 2.3).</summary>
    /// <remarks>F = −(φ − v_p)²/(2Σ_p) − (u − g(φ))²/(2Σ_u) − ½ ln Σ_p − ½ ln Σ_u.</remarks>
    public double LogJoint(double phi, double u) =>
        -((phi - PriorMean) * (phi - PriorMean)) / (2 * PriorVariance)
        - ((u - G(phi)) * (u - G(phi))) / (2 * SensoryVariance)
        - 0.5 * Math.Log(PriorVariance) - 0.5 * Math.Log(SensoryVariance);
}

/// <summary>One state of the perception dynamics at time <paramref name="Time"/>.</summary>
/// <param name="Time">t.</param>
/// <param name="Phi">φ, the current estimate of the size.</param>
/// <param name="PriorError">ε_p, the prior prediction error.</param>
/// <param name="SensoryError">ε_u, the sensory prediction error.</param>
public readonly record struct PerceptionState(double Time, double Phi, double PriorError, double SensoryError);

/// <summary>Perception as gradient ascent on F (Bogacz 2017, sections 2.3–2.5), integrated with Euler steps.</summary>
public static class Perception
{
    /// <summary>Infers φ from the observation <paramref name="u"/>; returns the trajectory (first entry: t = 0, φ = v_p).</summary>
    /// <remarks>
    /// Without error nodes (Bogacz 2017, section 2.3): ε_p = (φ − v_p)/Σ_p, ε_u = (u − g(φ))/Σ_u, dφ/dt = ε_u g′(φ) − ε_p.
    /// With error nodes (section 2.5): dε_p/dt = φ − v_p − Σ_p ε_p, dε_u/dt = u − g(φ) − Σ_u ε_u, the errors starting at 0,
    /// which relax to the same values; φ then converges to the same mode of the posterior.
    /// </remarks>
    /// <param name="model">The generative model.</param>
    /// <param name="u">The observed light intensity (tutorial: 2).</param>
    /// <param name="dt">Euler step (tutorial: 0.01).</param>
    /// <param name="duration">Integration time (tutorial: 5).</param>
    /// <param name="errorNodes">Whether the errors are dynamic neurons (section 2.5) instead of computed instantly.</param>
    /// <exception cref="ArgumentException">dt or duration not positive, or variances not positive.</exception>
    public static IReadOnlyList<PerceptionState> Infer(PerceptionModel model, double u, double dt = 0.01, double duration = 5, bool errorNodes = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!(dt > 0) || !(duration > 0) || !(model.PriorVariance > 0) || !(model.SensoryVariance > 0))
        {
            throw new ArgumentException($"Perception needs dt > 0, duration > 0 and positive variances; got dt={dt}, duration={duration}, Σ_p={model.PriorVariance}, Σ_u={model.SensoryVariance}.");
        }

        int steps = (int)Math.Round(duration / dt);
        var path = new List<PerceptionState>(steps + 1);
        double phi = model.PriorMean, ep = 0, eu = 0;
        if (!errorNodes)
        {
            ep = (phi - model.PriorMean) / model.PriorVariance;
            eu = (u - PerceptionModel.G(phi)) / model.SensoryVariance;
        }

        path.Add(new PerceptionState(0, phi, ep, eu));
        for (int k = 1; k <= steps; k++)
        {
            if (errorNodes)
            {
                // Synchronous Euler step of all three neurons from the current state.
                double dphi = eu * PerceptionModel.GPrime(phi) - ep;
                double dep = phi - model.PriorMean - model.PriorVariance * ep;
                double deu = u - PerceptionModel.G(phi) - model.SensoryVariance * eu;
                phi += dt * dphi;
                ep += dt * dep;
                eu += dt * deu;
            }
            else
            {
                phi += dt * (eu * PerceptionModel.GPrime(phi) - ep);
                ep = (phi - model.PriorMean) / model.PriorVariance;
                eu = (u - PerceptionModel.G(phi)) / model.SensoryVariance;
            }

            path.Add(new PerceptionState(k * dt, phi, ep, eu));
        }

        return path;
    }
}
