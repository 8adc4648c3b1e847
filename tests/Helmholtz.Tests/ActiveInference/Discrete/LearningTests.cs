using Helmholtz.ActiveInference.Discrete;

namespace Helmholtz.Tests.ActiveInference.Discrete;

/// <summary>
/// Dirichlet learning computed by hand: pA += η·(o ⊗ q(s)) ∘ [A &gt; 0] (pymdp's update_obs_likelihood_dirichlet),
/// pB[:, :, u] += η·(q(s_t) ⊗ q(s_{t−1})) ∘ [B[:, :, u] &gt; 0] (update_state_likelihood_dirichlet), pD += η·q(s_0), and the
/// forgetting rate ω: p ← p₀ + (1 − ω)(p − p₀) before each update.
/// </summary>
public sealed class LearningTests
{
    /// <summary>Posteriors go through ln(x + 1e-16) and a softmax, which moves these closed forms by a few 1e-16.</summary>
    private const double FloorTolerance = 1e-12;

    // pA = [[2, 1], [1, 3]] (rows: outcomes, columns: states), so A = [[2/3, 1/4], [1/3, 3/4]]; D = [½, ½].
    private static GenerativeModel ModelA(double lr = 1, double forgetting = 0) => new(
        [new ModelArray([2, 2], [2.0 / 3, 1.0 / 4, 1.0 / 3, 3.0 / 4])],
        [new ModelArray([2, 2, 1], [1, 0, 0, 1])],
        d: [[0.5, 0.5]],
        pA: [new ModelArray([2, 2], [2, 1, 1, 3])],
        options: new AgentOptions { LearningRateA = lr, ForgettingRate = forgetting });

    // Bayes with A[0, :] = [2/3, 1/4] and D = [½, ½]: q(s) = [2/3, 1/4] / (11/12) = [8/11, 3/11].
    private static readonly double[] PosteriorAfterO0 = [8.0 / 11, 3.0 / 11];

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.25)] // pymdp's T-maze learning demo uses lr_pA = 0.25
    public void UpdateAAddsLearningRateTimesOuterProductOfObservationAndPosterior(double lr)
    {
        var agent = new Agent(ModelA(lr));
        var qs = agent.InferStates([0]);
        AssertClose(PosteriorAfterO0, qs[0], "q(s)");
        agent.UpdateA([0]);

        // Row o = 0 gains η·q(s); row 1 is unchanged.
        double[] expected = [2 + lr * 8 / 11, 1 + lr * 3 / 11, 1, 3];
        AssertClose(expected, agent.PA![0].Data, "pA");

        // A is pA normalised over outcomes (pymdp's norm_dist): column 0 = [2 + 8η/11, 1] / (3 + 8η/11).
        double c0 = 3 + lr * 8 / 11, c1 = 4 + lr * 3 / 11;
        AssertClose([expected[0] / c0, expected[1] / c1, 1 / c0, 3 / c1], agent.A[0].Data, "A");
    }

    [Fact]
    public void UpdateALeavesStructuralZerosOfAAtZero()
    {
        // A[:, 1] = [0, 1]: a structural zero at (o = 0, s = 1) must not gain counts even though q(s = 1) > 0.
        var model = new GenerativeModel(
            [new ModelArray([2, 2], [0.5, 0, 0.5, 1])],
            [new ModelArray([2, 2, 1], [1, 0, 0, 1])],
            d: [[0.5, 0.5]],
            pA: [new ModelArray([2, 2], [1, 0, 1, 2])]);
        var agent = new Agent(model);
        agent.InferStates([1]); // q(s) ∝ [0.5, 1] = [1/3, 2/3]
        agent.UpdateA([1]);
        AssertClose([1, 0, 1 + 1.0 / 3, 2 + 2.0 / 3], agent.PA![0].Data, "pA");
    }

    [Fact]
    public void UpdateAOnlyTouchesTheRequestedModalities()
    {
        var a = new ModelArray([2, 2], [2.0 / 3, 1.0 / 4, 1.0 / 3, 3.0 / 4]);
        var p = new ModelArray([2, 2], [2, 1, 1, 3]);
        var model = new GenerativeModel([a, a], [new ModelArray([2, 2, 1], [1, 0, 0, 1])], d: [[0.5, 0.5]], pA: [p, p]);
        var agent = new Agent(model);
        agent.InferStates([0, 0]);
        agent.UpdateA([0, 0], [1]);
        AssertClose([2, 1, 1, 3], agent.PA![0].Data, "pA[0] (not learned)");
        Assert.NotEqual(2.0, agent.PA[1].Data[0]);
    }

    [Fact]
    public void ForgettingPullsCountsBackTowardsThePriorBeforeEachUpdate()
    {
        const double omega = 0.5;
        var agent = new Agent(ModelA(lr: 1, forgetting: omega));
        agent.InferStates([0]);
        agent.UpdateA([0]); // counts equal the prior, so forgetting does nothing: pA = [2 + 8/11, 1 + 3/11, 1, 3]
        AssertClose([2 + 8.0 / 11, 1 + 3.0 / 11, 1, 3], agent.PA![0].Data, "pA after 1 update");

        // Second trial: the new A = [[30/41, 14/47], [11/41, 33/47]] gives q(s) ∝ [30/41, 14/47] (D = [½, ½]).
        agent.Reset();
        var qs = agent.InferStates([0]);
        double q0 = 30.0 / 41 / (30.0 / 41 + 14.0 / 47);
        AssertClose([q0, 1 - q0], qs[0], "q(s) in trial 2");
        agent.UpdateA([0]);

        // pA = pA₀ + (1 − ω)·(first increment) + second increment.
        AssertClose([2 + (1 - omega) * 8 / 11 + q0, 1 + (1 - omega) * 3 / 11 + (1 - q0), 1, 3], agent.PA[0].Data, "pA after 2 updates");
    }

    [Theory]
    [InlineData(1.0, 0.0)]
    [InlineData(0.5, 0.0)]
    [InlineData(1.0, 0.25)]
    public void UpdateBAddsOuterProductOfConsecutivePosteriorsForTheActionTaken(double lr, double omega)
    {
        // A = [[0.9, 0.2], [0.1, 0.8]]; B[:, :, 0] = I; B[:, :, 1] = [[0.3, 0], [0.7, 1]] (column = previous state).
        double[] b = [1, 0.3, 0, 0, 0, 0.7, 1, 1]; // [next, previous, control] row-major
        double[] pb = [1, 3, 0, 0, 0, 7, 1, 5];
        var model = new GenerativeModel(
            [new ModelArray([2, 2], [0.9, 0.2, 0.1, 0.8])],
            [new ModelArray([2, 2, 2], b)],
            d: [[0.5, 0.5]],
            pB: [new ModelArray([2, 2, 2], pb)],
            options: new AgentOptions { LearningRateB = lr, ForgettingRate = omega });
        var agent = new Agent(model);

        // t = 0: q0 = [0.9, 0.2] / 1.1 = [9/11, 2/11].
        var q0 = (double[])agent.InferStates([0])[0].Clone();
        AssertClose([9.0 / 11, 2.0 / 11], q0, "q(s_0)");
        agent.TakeAction([1]);

        // t = 1: prior B[:, :, 1]·q0 = [2.7/11, 8.3/11]; o = 1 gives q1 ∝ [0.1·2.7, 0.8·8.3] = [0.27, 6.64].
        var q1 = agent.InferStates([1])[0];
        AssertClose([0.27 / 6.91, 6.64 / 6.91], q1, "q(s_1)");
        agent.UpdateB([q0]);

        // Forgetting does nothing on the first update (counts equal the prior). Only control 1's slice changes, and
        // B[0, 1, 1] = 0 keeps pB[0, 1, 1] at 0.
        var expected = (double[])pb.Clone();
        expected[(0 * 2 + 0) * 2 + 1] += lr * q1[0] * q0[0];
        expected[(1 * 2 + 0) * 2 + 1] += lr * q1[1] * q0[0];
        expected[(1 * 2 + 1) * 2 + 1] += lr * q1[1] * q0[1];
        AssertClose(expected, agent.PB![0].Data, "pB");

        // B is pB normalised over next states for every (previous, control) column.
        double col0 = expected[1] + expected[5], col1 = expected[3] + expected[7];
        AssertClose([1, expected[1] / col0, 0, 0, 0, expected[5] / col0, 1, expected[7] / col1], agent.B[0].Data, "B");
    }

    [Fact]
    public void UpdateDAddsThePosteriorOverInitialStates()
    {
        var model = new GenerativeModel(
            [new ModelArray([2, 2], [0.9, 0.2, 0.1, 0.8])],
            [new ModelArray([2, 2, 1], [1, 0, 0, 1])],
            pD: [[1.0, 3.0]],
            options: new AgentOptions { LearningRateD = 0.5, ForgettingRate = 0.5 });
        var agent = new Agent(model);
        AssertClose([0.25, 0.75], agent.D[0], "D = pD normalised");
        agent.UpdateD([[0.2, 0.8]]);
        AssertClose([1.1, 3.4], agent.PD![0], "pD after 1 update");
        agent.UpdateD([[1.0, 0.0]]);
        // Forget: [1, 3] + 0.5·([1.1, 3.4] − [1, 3]) = [1.05, 3.2]; then += 0.5·[1, 0].
        AssertClose([1.55, 3.2], agent.PD[0], "pD after 2 updates");
        AssertClose([1.55 / 4.75, 3.2 / 4.75], agent.D[0], "D");
    }

    private static void AssertClose(double[] expected, IReadOnlyList<double> actual, string what)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= FloorTolerance, $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
