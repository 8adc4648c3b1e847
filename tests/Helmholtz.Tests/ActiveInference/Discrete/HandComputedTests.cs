using Helmholtz.ActiveInference.Discrete;

namespace Helmholtz.Tests.ActiveInference.Discrete;

/// <summary>
/// Two states, two outcomes, two controls (stay, swap), computed by hand:
/// A = [[0.9, 0.2], [0.1, 0.8]], D = [½, ½], C = [1, 0], policy_len 1, γ = 16; the agent observes o = 0.
/// </summary>
public sealed class HandComputedTests
{
    /// <summary>The log floor ln(x + 1e-16) moves these closed forms by at most a few 1e-16 per term.</summary>
    private const double FloorTolerance = 1e-12;

    /// <summary>The ambiguity term uses ln(p + e^−16) (spm_MDP_G), which moves it by at most Σ_o p·e^−16/p = outcomes·e^−16.</summary>
    private static readonly double AmbiguityFloorTolerance = 2 * Math.Exp(-16) + 1e-12;

    private static GenerativeModel Model(bool infoGain = true) => new(
        [new ModelArray([2, 2], [0.9, 0.2, 0.1, 0.8])],
        [new ModelArray([2, 2, 2], [1, 0, 0, 1, 0, 1, 1, 0])], // B[:, :, 0] = I, B[:, :, 1] = swap
        c: [[1.0, 0.0]],
        d: [[0.5, 0.5]],
        options: new AgentOptions { UseStatesInfoGain = infoGain });

    // Hand calculation: q(s) ∝ A[0, :] ∘ D = [0.45, 0.10] → [9/11, 2/11].
    private static readonly double[] Posterior = [9.0 / 11, 2.0 / 11];

    // ln softmax(C) = [ln(e/(e+1)), ln(1/(e+1))].
    private static readonly double[] LnPreferred = [1 - Math.Log(Math.E + 1), -Math.Log(Math.E + 1)];

    private static double H2(double p) => -(p * Math.Log(p) + (1 - p) * Math.Log(1 - p));

    // Stay keeps q(s) = [9/11, 2/11], so q(o) = A q(s) = [17/22, 5/22]; swap gives q(s) = [2/11, 9/11], q(o) = [18/55, 37/55].
    private static readonly (double[] Qs, double[] Qo)[] Policies =
    [
        ([9.0 / 11, 2.0 / 11], [17.0 / 22, 5.0 / 22]),
        ([2.0 / 11, 9.0 / 11], [18.0 / 55, 37.0 / 55]),
    ];

    private static double Utility(double[] qo) => qo[0] * LnPreferred[0] + qo[1] * LnPreferred[1];

    // Information gain = H[q(o)] − Σ_s q(s) H[A[:, s]], with H[A[:, 0]] = H(0.9), H[A[:, 1]] = H(0.8).
    private static double InfoGain((double[] Qs, double[] Qo) p) => H2(p.Qo[0]) - (p.Qs[0] * H2(0.9) + p.Qs[1] * H2(0.8));

    [Fact]
    public void PosteriorIsBayesRule()
    {
        var agent = new Agent(Model());
        var qs = agent.InferStates([0]);
        Assert.Equal(Posterior[0], qs[0][0], FloorTolerance);
        Assert.Equal(Posterior[1], qs[0][1], FloorTolerance);
    }

    [Fact]
    public void NegativeEfeIsUtilityPlusInfoGain()
    {
        var agent = new Agent(Model());
        agent.InferStates([0]);
        agent.InferPolicies();
        for (int p = 0; p < 2; p++)
        {
            Assert.Equal(Utility(Policies[p].Qo), agent.Utility[p], FloorTolerance);
            Assert.Equal(InfoGain(Policies[p]), agent.StatesInfoGain[p], AmbiguityFloorTolerance);
            Assert.Equal(Utility(Policies[p].Qo) + InfoGain(Policies[p]), agent.NegEfe[p], AmbiguityFloorTolerance);
        }

        // Evaluated numbers of the closed forms (same hand calculation): −G = [−0.36153376, −0.82228474].
        Assert.Equal(-0.3615337626292249, agent.NegEfe[0], AmbiguityFloorTolerance);
        Assert.Equal(-0.8222847423421191, agent.NegEfe[1], AmbiguityFloorTolerance);
    }

    [Fact]
    public void RiskPlusAmbiguityEqualsMinusUtilityPlusInfoGain()
    {
        // G = KL[q(o) ‖ softmax(C)] + E_q(s) H[P(o|s)] = −(utility + information gain) (Da Costa et al. 2020, eq. 8).
        var agent = new Agent(Model());
        agent.InferStates([0]);
        agent.InferPolicies();
        var preferred = new double[2];
        Categorical.Softmax([1.0, 0.0], preferred);
        for (int p = 0; p < 2; p++)
        {
            var (qs, qo) = Policies[p];
            double risk = Categorical.KullbackLeibler(qo, preferred);
            double ambiguity = qs[0] * Categorical.Entropy([0.9, 0.1]) + qs[1] * Categorical.Entropy([0.2, 0.8]);
            Assert.Equal(risk + ambiguity, -agent.NegEfe[p], AmbiguityFloorTolerance);
        }
    }

    [Fact]
    public void PolicyPosteriorIsSoftmaxOfGammaTimesNegEfe()
    {
        var agent = new Agent(Model());
        agent.InferStates([0]);
        var qpi = agent.InferPolicies();
        double g0 = Utility(Policies[0].Qo) + InfoGain(Policies[0]);
        double g1 = Utility(Policies[1].Qo) + InfoGain(Policies[1]);
        // q(π) = softmax(16·(−G) + ln ½) = 1 / (1 + exp(16 (g1 − g0))) for policy 0; ≈ 0.99937180.
        double expected0 = 1 / (1 + Math.Exp(16 * (g1 - g0)));
        // The ambiguity floor enters the exponent times γ = 16.
        Assert.Equal(expected0, qpi[0], 16 * 2 * AmbiguityFloorTolerance);
        Assert.Equal(1 - expected0, qpi[1], 16 * 2 * AmbiguityFloorTolerance);
        Assert.Equal(0, agent.SampleAction(new Helmholtz.Tensors.Rng(1))[0]);
    }

    [Fact]
    public void ZeroProbabilitiesNeverGiveNaN()
    {
        // A point-mass likelihood and an impossible observation under D: the floor keeps every number finite.
        var model = new GenerativeModel(
            [new ModelArray([2, 2], [1, 0, 0, 1])],
            [new ModelArray([2, 2, 1], [1, 0, 0, 1])],
            d: [[1.0, 0.0]]);
        var agent = new Agent(model);
        var qs = agent.InferStates([1]);
        var qpi = agent.InferPolicies();
        Assert.All(qs[0], x => Assert.True(double.IsFinite(x)));
        Assert.All(agent.NegEfe, x => Assert.True(double.IsFinite(x)));
        Assert.Equal(1.0, qpi.Sum(), 1e-12);
        Assert.Equal(1.0, qs[0].Sum(), 1e-12);
    }

    [Fact]
    public void PoliciesFollowPymdpOrder()
    {
        // construct_policies: itertools.product over (step 0 factor 0, step 0 factor 1, step 1 factor 0, …), first slowest.
        var ps = PolicySet.Construct([2, 1, 3], 2);
        Assert.Equal(36, ps.Count);
        int[] p7 = [ps[7, 0, 0], ps[7, 0, 1], ps[7, 0, 2], ps[7, 1, 0], ps[7, 1, 1], ps[7, 1, 2]];
        // 7 = 0·18 + 0·18 + 1·6 + 0·3 + 0·3 + 1·1: digits (0, 0, 1, 0, 0, 1) in radices (2, 1, 3, 2, 1, 3).
        Assert.Equal([0, 0, 1, 0, 0, 1], p7);
        Assert.Equal([1, 0, 2, 1, 0, 2], new[] { ps[35, 0, 0], ps[35, 0, 1], ps[35, 0, 2], ps[35, 1, 0], ps[35, 1, 1], ps[35, 1, 2] });
    }
}
