using Helmholtz.ActiveInference.Discrete;

namespace Helmholtz.Tests.ActiveInference.Discrete;

/// <summary>The worked example of docs/free-energy.md: two states, two outcomes, o = 0 observed.</summary>
/// <remarks>Expected numbers by hand (and Python's math module, double precision): p(o=0) = 0.9·0.5 + 0.2·0.5 = 0.55.</remarks>
public sealed class FreeEnergyWorkedExampleTests
{
    private static readonly double[] Prior = [0.5, 0.5];
    private static readonly double[] LikelihoodOfO0 = [0.9, 0.2]; // P(o = 0 | s)
    private const double Tolerance = 1e-12;

    /// <summary>F[q] = Σ_s q(s) (ln q(s) − ln p(o, s)).</summary>
    private static double F(double[] q) => Enumerable.Range(0, 2).Sum(s => q[s] * (Math.Log(q[s]) - Math.Log(LikelihoodOfO0[s] * Prior[s])));

    [Fact]
    public void F_at_the_posterior_is_the_surprise_and_above_it_elsewhere()
    {
        double[] posterior = [0.45 / 0.55, 0.10 / 0.55];
        Assert.Equal(-Math.Log(0.55), F(posterior), Tolerance); // 0.597837000755620
        Assert.Equal(0.857399214045963, F(Prior), 1e-12);
        // F = KL[q ‖ p(s|o)] − ln p(o): the bound's gap is the KL to the true posterior.
        Assert.Equal(F(Prior), Categorical.KullbackLeibler(Prior, posterior) - Math.Log(0.55), Tolerance);
        // F = complexity − accuracy = KL[q ‖ p(s)] − E_q[ln p(o|s)]
        double accuracy = Enumerable.Range(0, 2).Sum(s => Prior[s] * Math.Log(LikelihoodOfO0[s]));
        Assert.Equal(F(Prior), Categorical.KullbackLeibler(Prior, Prior) - accuracy, Tolerance);
        // F = energy − entropy = −E_q[ln p(o, s)] − H[q]
        double energy = -Enumerable.Range(0, 2).Sum(s => Prior[s] * Math.Log(LikelihoodOfO0[s] * Prior[s]));
        Assert.Equal(F(Prior), energy - Categorical.Entropy(Prior), Tolerance);
    }

    [Fact]
    public void The_discrete_agent_infers_the_posterior_and_scores_the_policy_as_risk_plus_ambiguity()
    {
        var model = new GenerativeModel(
            [new ModelArray([2, 2], [0.9, 0.2, 0.1, 0.8])], // A[o, s]
            [new ModelArray([2, 2, 1], [1, 0, 0, 1])],     // B: the state stays
            c: [[0.0, 0.0]], d: [Prior],
            options: new AgentOptions { PolicyLength = 1 });
        var agent = new Agent(model);
        var qs = agent.InferStates([0]);
        Assert.Equal(0.45 / 0.55, qs[0][0], 1e-9);
        agent.InferPolicies();
        // q(o) = A q(s) = [0.772727…, 0.227272…]; ambiguity E_q(s) H[P(o|s)] = 0.356959237; risk KL[q(o) ‖ softmax(C)] = 0.157187291.
        Assert.Equal(-(0.35695923705449173 + 0.1571872913437283), agent.NegEfe[0], 1e-6);
        Assert.Equal(Math.Log(0.5), agent.Utility[0], 1e-9);                        // E_q(o)[ln softmax(C)] with C = 0
        Assert.Equal(0.5359605 - 0.35695923705449173, agent.StatesInfoGain[0], 1e-6); // H[q(o)] − ambiguity
    }
}
