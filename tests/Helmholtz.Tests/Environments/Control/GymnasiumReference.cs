using System.Text.Json;

namespace Helmholtz.Tests.Environments.Control;

/// <summary>One reference trajectory from TestData/gymnasium/*.json (made by bench/gymnasium/make_reference.py).</summary>
internal sealed record ReferenceCase(
    string Environment,
    string Name,
    string? Integrator,
    double[] State,
    float[][] Actions,
    bool DiscreteActions,
    float[][] Observations,
    double[] Rewards,
    bool[] Terminated,
    bool[] Truncated,
    double[][] States,
    bool OpenLoopUnstable);

/// <summary>Loads the Gymnasium reference trajectories committed as test data.</summary>
internal static class GymnasiumReference
{
    public static readonly string[] Environments =
        ["cartpole", "acrobot", "mountaincar", "mountaincar-continuous", "sparse-mountaincar", "pendulum"];

    public static string PathOf(string fileName) =>
        Path.Combine(AppContext.BaseDirectory, "TestData", "gymnasium", fileName);

    public static IReadOnlyList<ReferenceCase> Load(string environment)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf(environment + ".json")));
        var cases = new List<ReferenceCase>();
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var actionsJson = c.GetProperty("actions").EnumerateArray().ToArray();
            bool discrete = actionsJson.Length == 0 || actionsJson[0].ValueKind == JsonValueKind.Number;
            var actions = actionsJson
                .Select(a => a.ValueKind == JsonValueKind.Number
                    ? new[] { (float)a.GetDouble() }
                    : a.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray())
                .ToArray();
            cases.Add(new ReferenceCase(
                environment,
                c.GetProperty("name").GetString()!,
                c.TryGetProperty("integrator", out var integrator) ? integrator.GetString() : null,
                c.GetProperty("state").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
                actions,
                discrete,
                c.GetProperty("observations").EnumerateArray()
                    .Select(o => o.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToArray(),
                c.GetProperty("rewards").EnumerateArray().Select(v => v.GetDouble()).ToArray(),
                c.GetProperty("terminated").EnumerateArray().Select(v => v.GetBoolean()).ToArray(),
                c.GetProperty("truncated").EnumerateArray().Select(v => v.GetBoolean()).ToArray(),
                c.GetProperty("states").EnumerateArray()
                    .Select(o => o.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray(),
                c.TryGetProperty("open_loop_unstable", out var unstable) && unstable.GetBoolean()));
        }

        return cases;
    }

    /// <summary>Every (environment, case name) pair, for xunit theories.</summary>
    public static TheoryData<string, string> AllCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var env in Environments)
        {
            foreach (var c in Load(env))
            {
                data.Add(env, c.Name);
            }
        }

        return data;
    }
}
