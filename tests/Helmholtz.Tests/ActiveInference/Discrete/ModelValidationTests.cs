using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Tests.Cli.Infrastructure;

namespace Helmholtz.Tests.ActiveInference.Discrete;

/// <summary>Invalid model files and trajectories give one message naming the array, the index and the rule.</summary>
public sealed class ModelValidationTests
{
    private const string B = "\"B\": [[[[1],[0]],[[0],[1]]]]";

    [Theory]
    [InlineData("{" + B + "}", "missing required key \"A\"")]
    [InlineData("{\"A\": [[[0.5, 0.5], [0.5, 0.5]]]}", "missing required key \"B\"")]
    [InlineData("{\"A\": [[[0.9, 0.2], [0.2, 0.8]]], " + B + "}", "A[0][:, 0] sums to 1.1")]
    [InlineData("{\"A\": [[[1.2, 0.2], [-0.2, 0.8]]], " + B + "}", "A[0][1, 0] = -0.2: probabilities and concentrations must be ≥ 0")]
    [InlineData("{\"A\": [[[0.5, 0.5, 0], [0.5, 0.5, 1]]], " + B + "}", "A[0]: axis 1 has length 3 but B[0] has 2 states")]
    [InlineData("{\"A\": [[[1, 0], [0]]], " + B + "}", "A[0][1]: expected 2 entries at axis 1, found 1 entries")]
    [InlineData("{\"A\": [[[1, 0], [0, 1]]], \"B\": [[[1, 0], [0, 1]]]}", "B[0]: shape [2, 2] must have 3 axes [next, previous, controls]")]
    [InlineData("{\"A\": [[[1, 0], [0, 1]]], " + B + ", \"C\": [[1, 2, 3]]}", "C[0]: has 3 entries but there are 2 outcomes of modality 0")]
    [InlineData("{\"A\": [[[1, 0], [0, 1]]], " + B + ", \"D\": [[0.3, 0.3]]}", "D[0] sums to 0.6")]
    [InlineData("{\"A\": [[[1, 0], [0, 1]]], " + B + ", \"E\": [1, 1]}", "E: has 2 entries but there are 1 policies")]
    [InlineData("{\"A\": [[[1, 0], [0, 1]]], " + B + ", \"pA\": [[1, 1]]}", "pA[0]: shape [2] must equal A[0]'s shape [2, 2]")]
    [InlineData("{\"A\": [[[1, 0], [0, 1]]], " + B + ", \"polcy_len\": 2}", "unknown key \"polcy_len\"")]
    [InlineData("{\"A\": [[[1, 0], [0, 1]]], " + B + ", \"inference_algo\": \"BP\"}", "inference_algo = \"BP\"")]
    public void BadModelNamesArrayIndexAndRule(string json, string expected)
    {
        var ex = Assert.Throws<ModelException>(() => ModelFile.Parse(json, "m.json"));
        Assert.StartsWith("m.json: ", ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    [Fact]
    public void WrongObservationIndexIsNamed()
    {
        var model = ModelFile.Parse("{\"A\": [[[1, 0], [0, 1]]], " + B + "}");
        var ex = Assert.Throws<ModelException>(() => new Agent(model).InferStates([2]));
        Assert.Contains("observation[0] = 2: modality 0 has outcomes 0…1", ex.Message);
    }

    [Fact]
    public void CliExitsWithTwoOnBadModel()
    {
        var dir = Directory.CreateTempSubdirectory("helmholtz-aif-");
        try
        {
            var model = Path.Combine(dir.FullName, "m.json");
            var traj = Path.Combine(dir.FullName, "t.json");
            File.WriteAllText(model, "{\"A\": [[[0.9, 0.2], [0.2, 0.8]]], " + B + "}");
            File.WriteAllText(traj, "{\"observations\": [[0]], \"actions\": []}");
            Assert.Equal(2, CliInProcess.Run("aif", "evaluate", "--model", model, "--trajectory", traj, "--json").Code);
            File.WriteAllText(model, "{\"A\": [[[0.8, 0.2], [0.2, 0.8]]], " + B + "}");
            File.WriteAllText(traj, "{\"observations\": [[5]], \"actions\": []}");
            Assert.Equal(2, CliInProcess.Run("aif", "evaluate", "--model", model, "--trajectory", traj, "--json").Code);
            File.WriteAllText(traj, "{\"observations\": [[1]], \"actions\": []}");
            Assert.Equal(0, CliInProcess.Run("aif", "evaluate", "--model", model, "--trajectory", traj, "--json").Code);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
