using System.Text.Json;
using Helmholtz.ActiveInference.Discrete;

namespace Helmholtz.Tests.ActiveInference.Discrete;

/// <summary>
/// Same numbers as pymdp 0.0.7.1 (NumPy) on random multi-factor, multi-modality models. The cases in
/// TestData/pymdp/&lt;case&gt;/ were made by bench/pymdp/make_reference.py (pymdp v0.0.7.1 on Debian 12's NumPy 1.24;
/// see that script's header): model.json and trajectory.json are the inputs, expected.json pymdp's q(s), q(π) and G.
/// </summary>
public sealed class PymdpReferenceTests
{
    /// <summary>FPI is exact up to float64 rounding; the bar is 1e-6 (observed agreement: about 1e-14).</summary>
    private const double FpiTolerance = 1e-6;

    /// <summary>MMP is iterative gradient descent; the bar is 1e-4 (observed agreement: about 1e-14).</summary>
    private const double MmpTolerance = 1e-4;

    private static string CaseDir(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "pymdp", name);

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(AppContext.BaseDirectory, "TestData", "pymdp")).Order())
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Fact]
    public void AllTwelveCasesArePresent() => Assert.Equal(12, Cases().Count);

    [Theory]
    [MemberData(nameof(Cases))]
    public void EvaluateMatchesPymdp(string name)
    {
        var dir = CaseDir(name);
        var model = ModelFile.Load(Path.Combine(dir, "model.json"));
        var (obs, actions) = Trajectories.Read(Path.Combine(dir, "trajectory.json"));
        var got = Trajectories.Replay(model, obs, actions);
        using var expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "expected.json")));
        double tol = model.Options.Algorithm == InferenceAlgorithm.Fpi ? FpiTolerance : MmpTolerance;

        var policies = expected.RootElement.GetProperty("policies");
        Assert.Equal(policies.GetArrayLength(), got.Policies.Length);
        int p = 0;
        foreach (var pol in policies.EnumerateArray())
        {
            Assert.Equal(pol.EnumerateArray().Select(r => r.EnumerateArray().Select(x => x.GetInt32()).ToArray()).ToArray(), got.Policies[p]);
            p++;
        }

        var steps = expected.RootElement.GetProperty("steps");
        Assert.Equal(steps.GetArrayLength(), got.Steps.Length);
        int t = 0;
        foreach (var step in steps.EnumerateArray())
        {
            var s = got.Steps[t];
            int f = 0;
            foreach (var qf in step.GetProperty("qs").EnumerateArray())
            {
                AssertClose(qf, s.Qs[f], tol, $"{name} step {t} qs[{f}]");
                f++;
            }

            AssertClose(step.GetProperty("q_pi"), s.QPi, tol, $"{name} step {t} q_pi");
            AssertClose(step.GetProperty("neg_efe"), s.NegEfe, tol, $"{name} step {t} neg_efe");
            t++;
        }
    }

    private static void AssertClose(JsonElement expected, double[] actual, double tol, string what)
    {
        var e = expected.EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.Equal(e.Length, actual.Length);
        for (int i = 0; i < e.Length; i++)
        {
            Assert.True(Math.Abs(e[i] - actual[i]) <= tol, $"{what}[{i}]: pymdp {e[i]:R}, Helmholtz {actual[i]:R}, |diff| {Math.Abs(e[i] - actual[i]):E2} > {tol:E0}");
        }
    }
}
