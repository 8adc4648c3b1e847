using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Environments.Discrete;

namespace Helmholtz.Tests.ActiveInference.Discrete;

/// <summary>ModelFile.ToJson/Save: what Load reads back is the same model, and the shipped T-maze example is the library's T-maze.</summary>
public sealed class ModelFileWriterTests
{
    public static TheoryData<string> PymdpCases()
    {
        var cases = new TheoryData<string>();
        foreach (string dir in Directory.GetDirectories(Path.Combine(AppContext.BaseDirectory, "TestData", "pymdp")).Order(StringComparer.Ordinal))
        {
            cases.Add(Path.GetFileName(dir));
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(PymdpCases))]
    public void AWrittenModelReadsBackToTheSameModel(string name)
    {
        var model = ModelFile.Load(Path.Combine(AppContext.BaseDirectory, "TestData", "pymdp", name, "model.json"));
        string json = ModelFile.ToJson(model);
        var again = ModelFile.Parse(json, name);
        Assert.Equal(json, ModelFile.ToJson(again));
        for (int m = 0; m < model.A.Length; m++)
        {
            Assert.Equal(model.A[m].Shape, again.A[m].Shape);
            Assert.Equal(model.A[m].Data, again.A[m].Data); // exact: numbers are written as their shortest round-trip text
        }

        for (int f = 0; f < model.B.Length; f++)
        {
            Assert.Equal(model.B[f].Data, again.B[f].Data);
            Assert.Equal(model.D[f], again.D[f]);
        }

        Assert.Equal(model.E, again.E);
        Assert.Equal(model.Options with { Limits = again.Options.Limits }, again.Options);
    }

    /// <summary>The T-maze that learns which arm pays (as <c>aif run tmaze --learn</c> builds it).</summary>
    internal static GenerativeModel LearningTMaze() => TaskModels.ForTMaze(new TMaze(), new TMazeModelOptions
    {
        LearnRewardMapping = true,
        TerminalAfterArm = true,
        Agent = new AgentOptions { PolicyLength = 2, UseParamInfoGain = true },
    });

    [Fact]
    public void TheShippedLearningTMazeIsTheLibrarysTMaze()
    {
        string path = RepositoryFiles.Path("examples/aif/tmaze-learn.json");
        string actual = ModelFile.ToJson(LearningTMaze());
        if (Environment.GetEnvironmentVariable("HELMHOLTZ_UPDATE_GOLDEN") == "1")
        {
            ModelFile.Save(LearningTMaze(), path);
        }

        Assert.Equal(actual, File.ReadAllText(path));
        Assert.NotNull(ModelFile.Load(path).PA); // the reward mapping is to be learned
    }
}
