using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Discrete;

/// <summary>Models with A_dependencies / B_dependencies (pymdp 1.0 semantics) step without forming the joint state space.</summary>
public sealed class FactorDependencyTests
{
    // Floors and summation order separate Σ_m ln(A_m + ε) from ln(Π_m A_m + ε) by a few ulps per term.
    private const double Rounding = 1e-10;

    // The dense ambiguity floors each joint outcome, ln(Π_m p_m + e^−16), the factorised one each modality's outcome:
    // per policy step they differ by at most (number of joint outcomes) × e^−16 ≈ 12 × 1.1e-7; two steps.
    private const double FloorBound = 4e-6;

    // Three factors (2, 3, 2 states); modality m observes factor m only (noisy), so the joint outcome's information gain
    // is the sum of the per-modality gains under a factorised belief, and FactorisedAgent must equal Agent on ToDense.
    private static GenerativeModel SmallSparse(int policyLength = 2)
    {
        int[] ns = [2, 3, 2];
        var a = new List<ModelArray>();
        var c = new List<double[]>();
        for (int m = 0; m < 3; m++)
        {
            int n = ns[m];
            var data = new double[n * n];
            for (int o = 0; o < n; o++)
            {
                for (int s = 0; s < n; s++)
                {
                    data[o * n + s] = o == s ? 0.7 + 0.05 * m : (0.3 - 0.05 * m) / (n - 1);
                }
            }

            a.Add(new ModelArray([n, n], data));
            c.Add(Enumerable.Range(0, n).Select(o => 0.5 * o * (m + 1)).ToArray());
        }

        var b = new List<ModelArray>();
        for (int f = 0; f < 3; f++)
        {
            int n = ns[f], nu = f == 2 ? 1 : 2;
            var data = new double[n * n * nu];
            for (int prev = 0; prev < n; prev++)
            {
                data[(prev * n + prev) * nu] = 1;
                if (nu == 2)
                {
                    data[((prev + 1) % n * n + prev) * nu + 1] = 1;
                }
            }

            b.Add(new ModelArray([n, n, nu], data));
        }

        return new GenerativeModel(a, b, c, d: [[0.6, 0.4], [0.2, 0.5, 0.3], [0.5, 0.5]], options: new AgentOptions { PolicyLength = policyLength },
            aDependencies: [[0], [1], [2]]);
    }

    [Fact]
    public void SparseModelMatchesTheDenseAgentWhereTheirMathsAgree()
    {
        var sparse = SmallSparse();
        Assert.True(sparse.HasSparseDependencies);
        var dense = FactorDependencies.ToDense(sparse);
        Assert.False(dense.HasSparseDependencies);
        Assert.Equal([3, 2, 3, 2], dense.A[1].Shape);
        var fa = new FactorisedAgent(sparse);
        var agent = new Agent(dense);
        int[][] observations = [[0, 1, 1], [1, 2, 0], [1, 0, 1]];
        foreach (var o in observations)
        {
            var q1 = fa.InferStates(o);
            var q2 = agent.InferStates(o);
            for (int f = 0; f < 3; f++)
            {
                AssertClose(q2[f], q1[f], $"q(s) factor {f}");
            }

            AssertClose(agent.InferPolicies(), fa.InferPolicies(), "q(π)");
            AssertClose(agent.NegEfe, fa.NegEfe, "−G", FloorBound);
            var a = agent.SampleAction(new Rng(1));
            fa.TakeAction(a);
        }
    }

    [Fact]
    public void AgentRefusesASparseModelAndNamesFactorisedAgent()
    {
        var e = Assert.Throws<ModelException>(() => new Agent(SmallSparse()));
        Assert.Contains("FactorisedAgent", e.Message);
    }

    [Fact]
    public void TwelveFactorModelStepsWithoutTheJointAndItsDenseFormIsRefusedWithItsMemory()
    {
        var model = TaskModels.ForFactorRing();
        Assert.Equal(16_777_216, model.NumJointStates);
        Assert.Equal(64, model.Policies.Count);
        var agent = new FactorisedAgent(model);
        var rng = new Rng(3);
        var obs = new int[12];
        for (int t = 0; t < 3; t++)
        {
            agent.InferStates(obs);
            var qPi = agent.InferPolicies();
            Assert.Equal(1.0, qPi.Sum(), 12);
            agent.SampleAction(rng);
        }

        // Observing factor 0 in its preferred state 3 makes "stay" on factor 0 the better first action.
        agent.Reset();
        obs[0] = 3;
        agent.InferStates(obs);
        Assert.True(agent.Qs[0][3] > 0.8, $"q(s0 = 3) = {agent.Qs[0][3]}");

        // 8 B × 16,777,216 × (2 × 36 outcomes + 6) = 9.75 GiB, printed as 9.8 GiB
        var e = Assert.Throws<WorkLimitException>(() => FactorDependencies.ToDense(model));
        Assert.Contains("16,777,216 joint states", e.Message);
        Assert.Contains("needs an estimated 9.8 GiB of memory", e.Message);
        Assert.Contains("A_dependencies", e.Message);
    }

    [Fact]
    public void DependenciesReadAndWriteThroughTheModelFile()
    {
        var model = SmallSparse(policyLength: 1);
        var back = ModelFile.Parse(ModelFile.ToJson(model));
        Assert.Equal(model.ADependencies, back.ADependencies);
        Assert.True(back.HasSparseDependencies);
        var e = Assert.Throws<ModelException>(() => ModelFile.Parse("{\"A\": [[[0.5], [0.5]]], \"B\": [[[[1]]], [[[1]]]], \"A_dependencies\": [[1, 0]]}"));
        Assert.Contains("ascending", e.Message);
        var shape = Assert.Throws<ModelException>(() => ModelFile.Parse("{\"A\": [[1, 0]], \"B\": [[[[1]]]], \"A_dependencies\": [[0]]}"));
        Assert.Contains("A[0]", shape.Message);
    }

    [Fact]
    public void TransitionThatDependsOnAnotherFactorMovesTheBelief()
    {
        // Factor 1 copies factor 0 at each step: B[1][s1', s0, s1, u] = [s1' = s0].
        var a = new List<ModelArray> { new([2, 2], [1, 0, 0, 1]), new([2, 2], [0.5, 0.5, 0.5, 0.5]) };
        var b0 = new ModelArray([2, 2, 1], [1, 0, 0, 1]);
        var b1 = new double[2 * 2 * 2 * 1];
        for (int s0 = 0; s0 < 2; s0++)
        {
            for (int s1 = 0; s1 < 2; s1++)
            {
                b1[((s0 * 2 + s0) * 2 + s1) * 1] = 1;
            }
        }

        var model = new GenerativeModel(a, [b0, new ModelArray([2, 2, 2, 1], b1)], aDependencies: [[0], [1]], bDependencies: [[0], [0, 1]]);
        var agent = new FactorisedAgent(model);
        agent.InferStates([1, 0]);
        agent.TakeAction([0, 0]);
        var qs = agent.InferStates([1, 0]);
        Assert.True(qs[1][1] > 0.999, $"q(s1 = 1) = {qs[1][1]}");
    }

    private static void AssertClose(double[] expected, double[] actual, string what, double tolerance = Rounding)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])), $"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
        }
    }
}
