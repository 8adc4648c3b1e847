using System.Text.Json;
using Helmholtz.Graphs;
using Helmholtz.Graphs.Builders;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.Graphs.Builders;

/// <summary>
/// The builders against PyTorch: TestData/torch/builders_reference.json holds PyTorch-initialised weights, a batch,
/// and PyTorch's outputs, loss and parameter gradients (made by bench/torch_reference/make_builders_reference.py with
/// the torch version recorded in the file). Loading the weights by name proves the name/layout compatibility.
/// </summary>
public sealed class TorchReferenceTests
{
    /// <summary>
    /// Float32 forward/backward in two engines that sum in different orders: each element may differ by a few ulps of
    /// the largest magnitude in its tensor, so |ours − torch| ≤ 1e-4·(|torch| + max |torch tensor|).
    /// </summary>
    private const double Relative = 1e-4;

    private static readonly Lazy<JsonElement[]> Cases = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestData", "torch", "builders_reference.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    });

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases.Value)
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    private static FloatTensor Read(JsonElement e) =>
        new(e.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray(),
            e.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray());

    private static int[] Ints(JsonElement e) => e.EnumerateArray().Select(v => v.GetInt32()).ToArray();

    private static Activation ActivationOf(JsonElement o) => o.GetProperty("activation").GetString() switch
    {
        "tanh" => Activation.Tanh,
        "relu" => Activation.Relu,
        "sigmoid" => Activation.Sigmoid,
        var s => throw new InvalidDataException($"Unknown activation '{s}'."),
    };

    private static Model Build(JsonElement c)
    {
        var o = c.GetProperty("options");
        var loss = c.GetProperty("loss_kind").GetString() == "mse" ? LossKind.Mse : LossKind.CrossEntropy;
        var rng = new Rng(0);
        int I(string name) => o.GetProperty(name).GetInt32();
        return c.GetProperty("kind").GetString() switch
        {
            "mlp" => Mlp.Build(new MlpOptions(I("input"), Ints(o.GetProperty("hidden")), I("output"), ActivationOf(o), loss), rng),
            "cnn" => Cnn.Build(new CnnOptions(I("channels"), I("height"), I("width"), I("conv1"), I("conv2"), I("kernel"), I("padding"),
                I("pool"), Ints(o.GetProperty("hidden")), I("output"), ActivationOf(o), PoolingKind.Max, loss), rng),
            "rnn" => Rnn.Build(new RecurrentOptions(I("input"), I("steps"), I("hidden"), I("output"), loss), rng),
            "lstm" => Lstm.Build(new RecurrentOptions(I("input"), I("steps"), I("hidden"), I("output"), loss), rng),
            var k => throw new InvalidDataException($"Unknown model kind '{k}'."),
        };
    }

    private static void AssertClose(string what, FloatTensor expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var e = expected.ReadOnlySpan;
        double scale = TensorMaxAbs(e);
        for (int i = 0; i < e.Length; i++)
        {
            double err = Math.Abs(actual[i] - e[i]);
            Assert.True(err <= Relative * (Math.Abs(e[i]) + scale), $"{what}[{i}]: Helmholtz {actual[i]:R}, PyTorch {e[i]:R}");
        }
    }

    private static double TensorMaxAbs(ReadOnlySpan<float> values)
    {
        double m = 0;
        foreach (float v in values)
        {
            m = Math.Max(m, Math.Abs(v));
        }

        return m;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void OutputsLossAndGradientsMatchPyTorch(string name)
    {
        var c = Cases.Value.Single(x => x.GetProperty("name").GetString() == name);
        var model = Build(c);
        var parameters = c.GetProperty("parameters").EnumerateObject().ToDictionary(p => p.Name, p => Read(p.Value));
        model.Graph.LoadParameters(parameters);
        var ex = new Executor(model.Graph, c.GetProperty("batch").GetInt32());
        Read(c.GetProperty("input")).ReadOnlySpan.CopyTo(ex.Value(model.Input).Span);
        Read(c.GetProperty("target")).ReadOnlySpan.CopyTo(ex.Value(model.Target).Span);
        ex.Forward();
        ex.Backward(model.Loss);

        AssertClose("output", Read(c.GetProperty("output")), ex.Value(model.Output).ReadOnlySpan);
        AssertClose("loss", new FloatTensor([(float)c.GetProperty("loss").GetDouble()], 1), ex.Value(model.Loss).ReadOnlySpan);
        foreach (var g in c.GetProperty("gradients").EnumerateObject())
        {
            AssertClose($"d loss / d {g.Name}", Read(g.Value), ex.Gradient(model.Graph[g.Name]).ReadOnlySpan);
        }
    }
}
