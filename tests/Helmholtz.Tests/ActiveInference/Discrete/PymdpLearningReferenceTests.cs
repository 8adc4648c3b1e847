using System.Text.Json;
using Helmholtz.ActiveInference.Discrete;

namespace Helmholtz.Tests.ActiveInference.Discrete;

/// <summary>
/// pA and pB after each step agree with pymdp 0.0.7.1's update_A / update_B. The cases in TestData/pymdp-learning were
/// made by bench/pymdp/make_learning_reference.py (pymdp v0.0.7.1, Debian 12's NumPy; protocol in that script's header).
/// </summary>
public sealed class PymdpLearningReferenceTests
{
    /// <summary>Counts are sums of posteriors that agree to ~1e-15 (FPI is exact for one factor; several factors use the same sweeps).</summary>
    private const double CountTolerance = 1e-9;

    [Theory]
    [InlineData("learn_1f_2m")]
    [InlineData("learn_2f_2m_lr")]
    public void DirichletUpdatesMatchPymdp(string name)
    {
        var dir = Path.Combine(AppContext.BaseDirectory, "TestData", "pymdp-learning", name);
        var model = ModelFile.Load(Path.Combine(dir, "model.json"));
        var (observations, actions) = Trajectories.Read(Path.Combine(dir, "trajectory.json"));
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")));
        var steps = expected.RootElement.GetProperty("steps").EnumerateArray().ToArray();
        Assert.Equal(observations.Length, steps.Length);

        var agent = new Agent(model);
        double[][]? previous = null;
        for (int t = 0; t < observations.Length; t++)
        {
            var qs = agent.InferStates(observations[t]).Select(q => (double[])q.Clone()).ToArray();
            agent.UpdateA(observations[t]);
            if (previous is not null)
            {
                agent.UpdateB(previous);
            }

            int m = 0;
            foreach (var pa in steps[t].GetProperty("pA").EnumerateArray())
            {
                AssertClose(ModelFile.ReadTensor(pa, "pA").Data, agent.PA![m].Data, $"{name} step {t} pA[{m}]");
                m++;
            }

            int f = 0;
            foreach (var pb in steps[t].GetProperty("pB").EnumerateArray())
            {
                AssertClose(ModelFile.ReadTensor(pb, "pB").Data, agent.PB![f].Data, $"{name} step {t} pB[{f}]");
                f++;
            }

            previous = qs;
            agent.TakeAction(actions[t]);
        }
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= CountTolerance, $"{what}[{i}]: pymdp {expected[i]:R}, Helmholtz {actual[i]:R}");
        }
    }
}
