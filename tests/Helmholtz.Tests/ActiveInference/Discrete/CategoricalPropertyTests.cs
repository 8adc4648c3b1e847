using CsCheck;
using Helmholtz.ActiveInference.Discrete;

namespace Helmholtz.Tests.ActiveInference.Discrete;

/// <summary>Identities every categorical routine and agent must satisfy, checked on random inputs (fixed CsCheck seeds).</summary>
public sealed class CategoricalPropertyTests
{
    /// <summary>Float64 rounding over a few dozen terms.</summary>
    private const double Rounding = 1e-12;

    // No Where filters: a filter that rejects most draws makes CsCheck give up ("Where max count") on an unlucky run.
    private static readonly Gen<double[]> Weights = Gen.Double[0.0, 1.0].Array[1, 12].Select(Positive);

    /// <summary>Two weight vectors of the same random length.</summary>
    private static readonly Gen<(double[], double[])> WeightPairs =
        Gen.Int[1, 12].SelectMany(n => Gen.Select(Gen.Double[0.0, 1.0].Array[n].Select(Positive), Gen.Double[0.0, 1.0].Array[n].Select(Positive)));

    /// <summary>Weights with a usable sum: a draw whose entries sum to at most 1e-3 becomes uniform.</summary>
    private static double[] Positive(double[] w) => w.Sum() > 1e-3 ? w : [.. w.Select(_ => 1.0)];

    private static double[] Normalised(double[] w)
    {
        var p = (double[])w.Clone();
        Categorical.Normalise(p);
        return p;
    }

    [Fact]
    public void SoftmaxIsNormalisedAndNonNegative() =>
        Gen.Double[-50, 50].Array[1, 20].Sample(x =>
        {
            var p = new double[x.Length];
            Categorical.Softmax(x, p);
            Assert.Equal(1.0, p.Sum(), Rounding);
            Assert.All(p, v => Assert.True(v >= 0));
        }, seed: "0N0XIzNsQ0O2");

    [Fact]
    public void KlIsNonNegativeAndZeroOnItself() =>
        WeightPairs.Sample(t =>
        {
            var p = Normalised(t.Item1);
            var q = Normalised(t.Item2);
            Assert.True(Categorical.KullbackLeibler(p, q) >= -Rounding);
            Assert.Equal(0.0, Categorical.KullbackLeibler(p, p), Rounding);
        }, seed: "0N0XIzNsQ0O2");

    [Fact]
    public void EntropyIsBetweenZeroAndLogN() =>
        Weights.Sample(w =>
        {
            var p = Normalised(w);
            double h = Categorical.Entropy(p);
            Assert.InRange(h, -Rounding, Math.Log(p.Length) + Rounding);
        }, seed: "0N0XIzNsQ0O2");

    [Fact]
    public void DirichletExpectedLogMatchesDigammaIdentity()
    {
        // ψ(1) = −γ_Euler and ψ(2) = 1 − γ_Euler (A&S 6.3.2): E_Dir(1,1)[ln θ_0] = ψ(1) − ψ(2) = −1.
        var d = new double[2];
        Categorical.DirichletExpectedLog([1.0, 1.0], d);
        Assert.Equal(-1.0, d[0], 1e-12);
        Assert.Equal(-0.5772156649015329, Categorical.Digamma(1), 1e-12);
        Gen.Double[0.05, 50].Sample(x => Assert.Equal(Categorical.Digamma(x) + 1 / x, Categorical.Digamma(x + 1), 1e-10), seed: "0N0XIzNsQ0O2");
    }

    private static readonly Gen<GenerativeModel> RandomModels =
        Gen.Select(Gen.Int[1, 3], Gen.Int[1, 2], Gen.Int[0, int.MaxValue]).Select(t =>
        {
            var (nf, nm, seed) = t;
            var rng = new Helmholtz.Tensors.Rng((ulong)seed);
            var ns = Enumerable.Range(0, nf).Select(_ => 2 + rng.NextInt(3)).ToArray();
            var no = Enumerable.Range(0, nm).Select(_ => 2 + rng.NextInt(3)).ToArray();
            int s = ns.Aggregate(1, (x, y) => x * y);
            ModelArray Random(int rows, int cols, int[] shape)
            {
                var data = new double[rows * cols];
                for (int j = 0; j < cols; j++)
                {
                    double sum = 0;
                    for (int i = 0; i < rows; i++)
                    {
                        // Some exact zeros, to exercise the log floor.
                        double v = rng.NextDouble() < 0.3 ? 0 : rng.NextDouble();
                        data[i * cols + j] = v;
                        sum += v;
                    }

                    if (sum == 0)
                    {
                        data[j] = sum = 1;
                    }

                    for (int i = 0; i < rows; i++)
                    {
                        data[i * cols + j] /= sum;
                    }
                }

                return new ModelArray(shape, data);
            }

            var a = no.Select(o => Random(o, s, [o, .. ns])).ToArray();
            var b = ns.Select(n => Random(n, n * 2, [n, n, 2])).ToArray();
            var c = no.Select(o => Enumerable.Range(0, o).Select(_ => 4 * rng.NextDouble() - 2).ToArray()).ToArray();
            return new GenerativeModel(a, b, c, options: new AgentOptions { PolicyLength = 2 });
        });

    [Fact]
    public void AgentPosteriorsAreNormalisedAndInfoGainIsNonNegative() =>
        Gen.Select(RandomModels, Gen.Int[0, 1000]).Sample(t =>
        {
            var (model, o) = t;
            var agent = new Agent(model);
            var rng = new Helmholtz.Tensors.Rng((ulong)o);
            for (int step = 0; step < 3; step++)
            {
                var obs = model.NumObs.Select(n => rng.NextInt(n)).ToArray();
                var qs = agent.InferStates(obs);
                foreach (var q in qs)
                {
                    Assert.Equal(1.0, q.Sum(), Rounding);
                    Assert.All(q, v => Assert.True(v >= 0 && double.IsFinite(v)));
                }

                var qpi = agent.InferPolicies();
                Assert.Equal(1.0, qpi.Sum(), Rounding);
                Assert.All(agent.StatesInfoGain, g => Assert.True(g >= -Rounding, $"information gain {g} < 0"));
                agent.SampleAction(rng);
            }
        }, iter: 60, seed: "0N0XIzNsQ0O2");
}
