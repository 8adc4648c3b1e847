using Helmholtz.ActiveInference.Deep.Planning;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Deep.Planning;

public sealed class CemPlannerTests
{
    /// <summary>Utility −Σ (a − target)² over a [horizon, actionSize] target.</summary>
    private sealed class Quadratic(float[] target) : ICandidateEvaluator
    {
        public int Calls { get; private set; }

        public void Evaluate(ReadOnlySpan<float> start, ReadOnlySpan<float> actions, int horizon, int candidates, int actionSize, Span<float> utilities)
        {
            Calls++;
            for (int c = 0; c < candidates; c++)
            {
                double u = 0;
                for (int t = 0; t < horizon; t++)
                {
                    for (int j = 0; j < actionSize; j++)
                    {
                        double d = actions[((t * candidates) + c) * actionSize + j] - target[(t * actionSize) + j];
                        u -= d * d;
                    }
                }

                utilities[c] = (float)u;
            }
        }
    }

    /// <summary>Utility −Σ (a − s)² of every action element against the start state's first element: the plan follows the start it is given.</summary>
    private sealed class FollowTheStart : ICandidateEvaluator
    {
        public void Evaluate(ReadOnlySpan<float> start, ReadOnlySpan<float> actions, int horizon, int candidates, int actionSize, Span<float> utilities)
        {
            for (int c = 0; c < candidates; c++)
            {
                double u = 0;
                for (int t = 0; t < horizon; t++)
                {
                    for (int j = 0; j < actionSize; j++)
                    {
                        double d = actions[((t * candidates) + c) * actionSize + j] - start[0];
                        u -= d * d;
                    }
                }

                utilities[c] = (float)u;
            }
        }
    }

    /// <summary>Wraps an evaluator and keeps a copy of the candidates of its first call.</summary>
    private sealed class FirstCandidates(ICandidateEvaluator inner) : ICandidateEvaluator
    {
        public float[]? Actions { get; private set; }

        public void Evaluate(ReadOnlySpan<float> start, ReadOnlySpan<float> actions, int horizon, int candidates, int actionSize, Span<float> utilities)
        {
            Actions ??= actions.ToArray();
            inner.Evaluate(start, actions, horizon, candidates, actionSize, utilities);
        }
    }

    private static readonly float[] Low = [-1f, -2f];
    private static readonly float[] High = [1f, 2f];

    [Fact]
    public void FindsTheOptimumOfAQuadratic()
    {
        // 4 steps × 2 action elements, target inside the box [−1, 1] × [−2, 2].
        float[] target = [0.3f, -1.5f, -0.7f, 0.2f, 0.9f, 1.1f, 0f, -0.4f];
        var planner = new CemPlanner(new CemOptions(Horizon: 4, Candidates: 300, Elites: 30, Iterations: 12), Low, High);
        var quadratic = new Quadratic(target);
        var first = new float[2];
        planner.Plan(quadratic, [0f], new Rng(3), first);
        Assert.Equal(12, quadratic.Calls);

        // Each iteration refits to the best 10 %, shrinking σ by a factor ≈ 0.3–0.6 per element, so after 12 iterations
        // the mean sits within a few 1e-3 of the optimum; 0.02 (1 % of the box width) fails for any CEM that does not refit.
        for (int i = 0; i < target.Length; i++)
        {
            Assert.Equal(target[i], planner.Mean[i], 0.02f);
        }

        Assert.Equal(target[0], first[0], 0.02f);
        Assert.Equal(target[1], first[1], 0.02f);
    }

    [Fact]
    public void OptimumOutsideTheBoxEndsOnTheBound()
    {
        // Target (3, −5) is outside the box: clipped samples make the bound the best reachable action.
        float[] target = [3f, -5f];
        var planner = new CemPlanner(new CemOptions(Horizon: 1, Candidates: 100, Elites: 10, Iterations: 6), Low, High);
        var action = new float[2];
        planner.Plan(new Quadratic(target), [0f], new Rng(5), action);
        Assert.Equal(1f, action[0], 1e-3f);
        Assert.Equal(-2f, action[1], 1e-3f);
    }

    [Fact]
    public void SameSeedSamePlan()
    {
        float[] target = [0.5f, 0.5f, -0.5f, 1f];
        var options = new CemOptions(Horizon: 2, Candidates: 50, Elites: 5, Iterations: 3);
        var a = new float[2];
        var b = new float[2];
        new CemPlanner(options, Low, High).Plan(new Quadratic(target), [0f], new Rng(11), a);
        new CemPlanner(options, Low, High).Plan(new Quadratic(target), [0f], new Rng(11), b);
        Assert.Equal(a, b);
    }

    [Fact]
    public void RejectsMoreElitesThanCandidates()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CemPlanner(new CemOptions(Candidates: 10, Elites: 11), Low, High));
        Assert.Contains("elites", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GaussianSamplerHasStandardMoments()
    {
        // 200,000 draws: the standard error of the mean is 1/√n ≈ 0.0022 and of the variance √(2/n) ≈ 0.0032;
        // bounds of 5 standard errors.
        var z = new float[200_001];
        new GaussianSampler().Fill(new Rng(9), z);
        double m = 0, v = 0;
        foreach (float x in z)
        {
            m += x;
        }

        m /= z.Length;
        foreach (float x in z)
        {
            v += (x - m) * (x - m);
        }

        v /= z.Length;
        Assert.InRange(m, -0.011, 0.011);
        Assert.InRange(v, 1 - 0.016, 1 + 0.016);
    }

    [Fact]
    public void EachPlanStartsFromTheStateItIsGiven()
    {
        // One planner, two starts in turn: each plan's first action approaches its own start (CEM's spread after 6
        // iterations with 64 of 256 elites is well under 0.1 on this bowl), so no state carries over between plans.
        var planner = new CemPlanner(new CemOptions(Horizon: 2, Candidates: 256, Elites: 64, Iterations: 6), Low, High);
        var evaluator = new FollowTheStart();
        var action = new float[2];
        foreach (float s in new[] { 0.6f, -0.5f, 0.6f })
        {
            planner.Plan(evaluator, [s, 99f], new Rng(7), action);
            Assert.Equal(s, action[0], 0.1f);
            Assert.Equal(s, action[1], 0.1f);
        }
    }

    [Fact]
    public void WarmStartShiftsThePreviousPlanByOneDecisionAndResetForgetsIt()
    {
        // Two planners with the same seed draw the same standard normals z, so a candidate is mean₀ + σ₀·z (clamped) in both:
        // where neither is clamped, warm − cold = (the previous final mean shifted by one decision) − (the box centre), the
        // last decision starts at the centre (difference 0), and after Reset the two plans are identical.
        float[] target = [0.3f, -1.5f, -0.7f, 0.2f, 0.9f, 1.1f, 0f, -0.4f];
        var options = new CemOptions(Horizon: 4, Candidates: 50, Elites: 5, Iterations: 6);
        var warm = new CemPlanner(options with { WarmStart = true }, Low, High);
        var cold = new CemPlanner(options, Low, High);
        Rng warmRng = new(11), coldRng = new(11);
        var action = new float[2];
        warm.Plan(new Quadratic(target), [0f], warmRng, action);
        cold.Plan(new Quadratic(target), [0f], coldRng, action);
        float[] previous = warm.Mean.ToArray();
        Assert.Equal(previous, cold.Mean.ToArray()); // the first plan of an episode starts from the centre either way

        var warmSecond = new FirstCandidates(new Quadratic(target));
        var coldSecond = new FirstCandidates(new Quadratic(target));
        warm.Plan(warmSecond, [0f], warmRng, action);
        cold.Plan(coldSecond, [0f], coldRng, action);
        int checkedEntries = 0;
        for (int t = 0; t < 4; t++)
        {
            for (int n = 0; n < 50; n++)
            {
                for (int j = 0; j < 2; j++)
                {
                    float w = warmSecond.Actions![((t * 50) + n) * 2 + j], c = coldSecond.Actions![((t * 50) + n) * 2 + j];
                    if (w <= Low[j] || w >= High[j] || c <= Low[j] || c >= High[j])
                    {
                        continue;
                    }

                    float expected = t < 3 ? previous[((t + 1) * 2) + j] - (0.5f * (Low[j] + High[j])) : 0f;
                    Assert.Equal(expected, w - c, 1e-5f);
                    checkedEntries++;
                }
            }
        }

        Assert.True(checkedEntries > 100, $"only {checkedEntries} unclamped pairs");

        // Reset: the next plans start from the centre in both planners and draw the same normals, so they agree exactly.
        warm.Reset();
        warm.Plan(new Quadratic(target), [0f], warmRng, action);
        cold.Plan(new Quadratic(target), [0f], coldRng, action);
        Assert.Equal(cold.Mean.ToArray(), warm.Mean.ToArray());
    }
}
