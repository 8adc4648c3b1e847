using System.Buffers.Binary;
using Helmholtz.Cli.Commands.Aif;
using Helmholtz.Cli.Commands.Control;
using Helmholtz.Cli.Commands.Pc;
using Helmholtz.Cli.Plots;
using Helmholtz.Environments.Discrete;
using Helmholtz.PredictiveCoding;
using Helmholtz.Training;

namespace Helmholtz.Tests.Cli.Plots;

/// <summary>Every figure type of the CLI, drawn from small synthetic data: each PNG is non-empty, has the requested pixel size, and comes with its SVG.</summary>
public sealed class FigureRenderingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("helmholtz-figures-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void TrainingCurves()
    {
        var metrics = Enumerable.Range(1, 3).Select(e => new EpochMetrics(e, 10, 1.0 / e, 1.2 / e, 0.5 + (0.1 * e), 0.1)).ToList();
        Helmholtz.Cli.Plots.TrainingCurves.Save(metrics, "mlp · pc-fixed", Path.Combine(_dir, "curves"));
        AssertFigure("curves", Figures.Width, Figures.Height);
    }

    [Fact]
    public void ControlReturnsSeedsAndCoverage()
    {
        double[] returns = [0, 1, 0, 0.5];
        ControlFigures.ReturnCurve(returns, 100, 0.9, "planner · sparse-mountaincar", Path.Combine(_dir, "returns"));
        AssertFigure("returns", Figures.Width, Figures.Height);
        ControlFigures.SeedCurves([(1UL, returns), (2UL, [1, 1, 0])], 2, null, "planner · 2 seeds", Path.Combine(_dir, "seeds"));
        AssertFigure("seeds", Figures.Width, Figures.Height);
        ControlFigures.Coverage([-0.5, -0.4, 0.1], [0.0, 0.01, 0.03], "visited states · sparse-mountaincar", Path.Combine(_dir, "coverage"));
        AssertFigure("coverage", Figures.Width, Figures.Height);
    }

    [Fact]
    public void TMazeFiguresWithLearnedContingency()
    {
        var env = new TMaze();
        int k = env.Arms, policies = 4;
        var traces = Enumerable.Range(0, 3).Select(t => new StepTrace(
            Enumerable.Repeat(1.0 / k, k).ToArray(),
            t < 2 ? Enumerable.Range(0, policies).Select(i => (i + t + 1.0) / 10).ToArray() : [],
            Enumerable.Repeat(-0.5, policies).ToArray(),
            Enumerable.Repeat(0.3, policies).ToArray())).ToList();
        var records = Enumerable.Range(0, 4).Select(t => new TrialRecord(t, t % k, [env.CueLocation, 1], true, t % 2 == 0, 0.9)).ToList();
        var history = records.Select(_ => Enumerable.Repeat(0.5, k * k).ToArray()).ToList();
        MazeFigures.Write(env, traces, records, history, "A", _dir);
        foreach (string name in new[] { "belief", "policy_posterior", "efe_split", "trials", "contingency" })
        {
            AssertFigure(name, 800, 500);
        }
    }

    [Fact]
    public void GridFigures()
    {
        const int n = 3;
        var env = new GridWorld(new GridWorldOptions { Size = n, Goal = 8, Walls = [4] });
        MazeFigures.WriteGridPath(n, 8, [0, 1, 2, 5, 8], _dir);
        AssertFigure("grid_path", 800, 500);
        var trials = new List<GridTrial> { new(0, 6, true, [0, 3, 6, 7, 8], 0.2), new(1, 4, true, [0, 1, 2, 5, 8], 0.9) };
        MazeFigures.WriteUnknownGrid(n, env, trials, Enumerable.Range(0, n * n).Select(i => i / 8.0).ToArray(), 4, _dir);
        AssertFigure("grid_unknown_steps", 800, 500);
        AssertFigure("grid_unknown_map", 800, 500);
    }

    [Fact]
    public void PredictiveCodingFigures()
    {
        var montage = new float[3 * 4, 10 * 4];
        for (int i = 0; i < montage.GetLength(0); i++)
        {
            montage[i, i] = 1f;
        }

        PcCompleteCommand.CompletionFigure(montage, "bottom half", 0.05, 0.08, Path.Combine(_dir, "completion"));
        AssertFigure("completion", 1000, 400);

        var result = new PcAgreementResult([new ParameterAgreement("w0", 1e-3, 0.999)], 1e-3, 0.999, 4, 1f);
        PcAgreementCommand.SaveCurve([1, 2, 4], [result, result, result], new PcAgreementSettings(), _dir);
        AssertFigure("agreement", Figures.Width, Figures.Height);

        PcDepthCommand.DepthFigure([2, 4, 8], [("pc-fixed T=20 η=0.1", [0.1, -1, -46])], "digits MLP", Path.Combine(_dir, "depth"));
        AssertFigure("depth", Figures.Width, Figures.Height);

        var path = Perception.Infer(new PerceptionModel(), 2, duration: 1);
        PcPerceptionCommand.Figure(path, 2, errorNodes: false, Path.Combine(_dir, "perception"));
        AssertFigure("perception", Figures.Width, Figures.Height);
    }

    [Fact]
    public void ExplorationFigure()
    {
        ExplorationCommand.Row[] rows = [new("feef", true, 1, 3, 0.4), new("feef", false, 1, null, 0.2), new("efe", true, 1, 5, 0.3)];
        ExplorationCommand.Draw(rows, "state coverage", Path.Combine(_dir, "exploration"), within: 2, baseline: 0.1);
        AssertFigure("exploration", 900, 500);
    }

    [Fact]
    public void CategoricalColoursAreDistinctAcrossThePalette()
    {
        var colours = Enumerable.Range(0, FigureStyle.CategoryCount).Select(i => FigureStyle.Category(i).ToHex()).ToArray();
        Assert.Equal(colours.Length, colours.Distinct().Count());
        Assert.Equal(FigureStyle.Category(0), FigureStyle.Category(FigureStyle.CategoryCount));
    }

    private void AssertFigure(string name, int width, int height)
    {
        byte[] png = File.ReadAllBytes(Path.Combine(_dir, name + ".png"));
        Assert.True(png.Length > 1000, $"{name}.png has only {png.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
        string svg = File.ReadAllText(Path.Combine(_dir, name + ".svg"));
        Assert.Contains("<svg", svg, StringComparison.Ordinal);
    }
}
