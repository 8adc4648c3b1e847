using System.Text;
using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Tests.Data;
using Xunit.Abstractions;

namespace Helmholtz.Tests.ActiveInference.Discrete;

/// <summary>
/// Fuzzing of the discrete active inference inputs (HELMHOLTZ_FUZZ_ITERATIONS=10000 for the long run): every mutant
/// of a model file or a trajectory file is either accepted or refused with <see cref="ModelException"/>, the documented
/// bad-input type; any other exception or a hang is counted as "other", which must stay 0.
/// </summary>
public sealed class DiscreteFuzzTests(ITestOutputHelper output)
{
    private static readonly string CaseDir = Path.Combine(AppContext.BaseDirectory, "TestData", "pymdp", "fpi_1f_1m");

    // The reference case with the most keys (two factors, pA and pB, γ, the inference settings), to reach every field's check.
    private static readonly string RichModel = Path.Combine(AppContext.BaseDirectory, "TestData", "pymdp", "fpi_2f_param_gain", "model.json");

    [Fact]
    public void FuzzedModelFilesAreAcceptedOrRefusedWithModelException()
    {
        int iterations = Fuzz.Iterations(300);
        byte[] valid = File.ReadAllBytes(RichModel);
        var outcomes = Fuzz.Count(valid, iterations, seed: 31, bytes =>
        {
            // A model that parses has been checked key by key and array against array.
            var model = ModelFile.Parse(Encoding.UTF8.GetString(bytes), "mutant");
            Assert.True(model.A.Length > 0 && model.B.Length > 0);
            return true;
        }, ex => ex is ModelException, lengthFieldBytes: 0);
        output.WriteLine($"model JSON ({valid.Length} bytes): {outcomes}");
        Assert.Empty(outcomes.Other);
        Assert.Empty(outcomes.AcceptedChanged);
    }

    [Fact]
    public void FuzzedTrajectoriesAreReplayedOrRefusedWithModelException()
    {
        int iterations = Fuzz.Iterations(300);
        var model = ModelFile.Load(Path.Combine(CaseDir, "model.json"));
        byte[] valid = File.ReadAllBytes(Path.Combine(CaseDir, "trajectory.json"));
        var outcomes = Fuzz.Count(valid, iterations, seed: 32, bytes =>
        {
            // As aif evaluate does: read, then replay through a fresh agent (which checks every index against the model).
            var (observations, actions) = Trajectories.Parse(Encoding.UTF8.GetString(bytes), "mutant");
            var replay = Trajectories.Replay(model, observations, actions);
            Assert.Equal(observations.Length, replay.Steps.Length);
            return true;
        }, ex => ex is ModelException, lengthFieldBytes: 0);
        output.WriteLine($"trajectory JSON ({valid.Length} bytes): {outcomes}");
        Assert.Empty(outcomes.Other);
        Assert.Empty(outcomes.AcceptedChanged);
    }
}
