using Helmholtz.PredictiveCoding;

namespace Helmholtz.Tests.PredictiveCoding;

/// <summary>Bogacz (2017), section 2: the size φ of a food item from light intensity u = 2, g(φ) = φ², v_p = 3, Σ_p = Σ_u = 1.</summary>
public sealed class PerceptionTests
{
    private static readonly PerceptionModel Tutorial = new();

    /// <summary>The posterior mode by Newton's method on dF/dφ = (u − φ²)·2φ − (φ − v_p) = 0 (derivative 2u − 6φ² − 1).</summary>
    private static double ExactMode(double u)
    {
        double phi = 1.6; // Bogacz's Fig. 2 reports φ ≈ 1.6
        for (int i = 0; i < 50; i++)
        {
            double f = (u - phi * phi) * 2 * phi - (phi - 3);
            double df = 2 * u - 6 * phi * phi - 1;
            phi -= f / df;
        }

        return phi;
    }

    [Fact]
    public void DynamicsConvergeToThePosteriorMode()
    {
        double mode = ExactMode(2);
        // Cross-check Newton against a grid search of the unnormalised posterior (step 1e-5 on [0, 5]).
        double best = 0, bestF = double.NegativeInfinity;
        for (double p = 0; p <= 5; p += 1e-5)
        {
            double f = Tutorial.LogJoint(p, 2);
            if (f > bestF)
            {
                (best, bestF) = (p, f);
            }
        }

        Assert.Equal(mode, best, 1e-4);
        Assert.Equal(1.5675, mode, 1e-4); // also numpy grid search (numpy 1.24): 1.56747

        // dt = 0.01 for 5 time units, as the tutorial; the linearised rate at the mode is 6φ² − 3 ≈ 11.7, so e^(−58) ≈ 0 is left.
        var path = Perception.Infer(Tutorial, 2);
        Assert.Equal(501, path.Count);
        Assert.Equal(3.0, path[0].Phi);
        Assert.Equal(mode, path[^1].Phi, 1e-9);
        Assert.Equal(5.0, path[^1].Time, 1e-9);
    }

    [Fact]
    public void ErrorNodesRelaxToTheSameEstimate()
    {
        double mode = ExactMode(2);
        var path = Perception.Infer(Tutorial, 2, dt: 0.01, duration: 20, errorNodes: true);
        var last = path[^1];
        Assert.Equal(mode, last.Phi, 1e-6);
        Assert.Equal((last.Phi - 3) / 1, last.PriorError, 1e-6);
        Assert.Equal(2 - last.Phi * last.Phi, last.SensoryError, 1e-6);
    }

    [Fact]
    public void RejectsNonPositiveStep()
    {
        Assert.Throws<ArgumentException>(() => Perception.Infer(Tutorial, 2, dt: 0));
        Assert.Throws<ArgumentException>(() => Perception.Infer(Tutorial with { SensoryVariance = 0 }, 2));
    }
}
