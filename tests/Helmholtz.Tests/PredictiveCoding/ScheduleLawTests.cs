using Helmholtz.Graphs;
using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.PredictiveCoding;

/// <summary>The laws every predictive-coding schedule obeys, checked once, generically, on MLP, CNN and RNN graphs.</summary>
/// <remarks>
/// A schedule gets these checks by being listed in <see cref="Schedules"/>; which laws apply follows from its declared
/// <see cref="PcDynamics"/>, not from its type:
/// <list type="number">
/// <item>Every schedule: inference writes only its own state; the graph's parameters and forward values are unchanged.</item>
/// <item>Energy schedules (predictions move): F (<see cref="FreeEnergy"/>) never rises from one inference step to the next.</item>
/// <item>Fixed-prediction schedules without relaxations: at η_v = 1, after as many steps as the graph is deep, the
/// parameter gradients equal backprop's (Millidge, Tschantz &amp; Buckley 2020, Theorem 1; at η_v = 1 one step moves the
/// exact gradient one edge down, for activation relaxation as for pc-fixed).</item>
/// </list>
/// </remarks>
public sealed class ScheduleLawTests
{
    /// <summary>η_v for the descent law. F's Hessian in v is I + Σ_c J_cᵀ Π J_c + (curvature of f and of the loss); with
    /// the builders' N(0, 1/fan_in)-scale weights and tanh, ‖J_c‖² ≲ 2 per child, so its largest eigenvalue L ≲ 5, and the
    /// descent lemma F(v − η∇F) ≤ F(v) − η(1 − ηL/2)‖∇F‖² needs η &lt; 2/L ≈ 0.4; 0.05 leaves a margin of 8.</summary>
    private const float DescentEtaV = 0.05f;

    /// <summary>F is summed in double from float32 values and predictions; a step whose true decrease is below their rounding
    /// (~1e-7 relative per term) may show as a rise of that size, so a rise up to 1e-6·F₀ is rounding, not ascent.</summary>
    private const double RoundingOfF = 1e-6;

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var schedule in Schedules)
        {
            foreach (var graph in new[] { "mlp", "cnn", "rnn" })
            {
                data.Add(schedule, graph);
            }
        }

        return data;
    }

    /// <summary>The schedules under test: the library's, by their names, and the relaxed schedule with every relaxation.</summary>
    private static readonly string[] Schedules = ["pc-fixed", "relaxed", "pc-standard", "pc-incremental", "activation-relaxation"];

    // The RNN's recurrent bias_add offers no relaxed message, so there the relaxed schedule runs error connections only.
    private static PcOptions Options(string schedule, string graph, int iterations, float etaV) => new()
    {
        Algorithm = PcOptions.ParseAlgorithm(schedule),
        Relaxations = schedule != "relaxed" ? PcRelaxations.None
            : graph == "rnn" ? PcRelaxations.ErrorConnections : PcRelaxations.BackwardWeights | PcRelaxations.ErrorConnections,
        Iterations = iterations,
        EtaV = etaV,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryScheduleObeysItsLaws(string scheduleName, string graph)
    {
        var model = BuilderAgreementTests.Build(graph);
        var (x, y) = PcTestKit.Batch(model, 4, seed: 21);
        var schedule = PcInference.ScheduleFor(PcOptions.ParseAlgorithm(scheduleName));
        var dynamics = schedule.Dynamics;

        WritesOnlyItsOwnState(model, x, y, schedule, Options(scheduleName, graph, 6, 0.2f));
        if (!dynamics.FixedPredictions)
        {
            FreeEnergyNeverRises(model, x, y, schedule, Options(scheduleName, graph, 40, DescentEtaV), graph);
        }
        else if (scheduleName != "relaxed")
        {
            ErrorsEqualBackpropAfterDepthSweeps(model, x, y, schedule, graph);
        }
    }

    private static void WritesOnlyItsOwnState(Model model, FloatTensor x, FloatTensor y, IPcSchedule schedule, PcOptions options)
    {
        var trainer = new PredictiveCodingTrainer(schedule, model, x.Dim(0), options);
        PcTestKit.Load(trainer.Executor, model, x, y);
        var parameters = model.Graph.Parameters.Select(p => p.Value.ReadOnlySpan.ToArray()).ToArray();
        trainer.Infer();

        var fresh = new Executor(model.Graph, x.Dim(0));
        PcTestKit.Load(fresh, model, x, y);
        fresh.Forward();
        foreach (var n in model.Graph.Nodes)
        {
            Assert.True(fresh.Value(n).ReadOnlySpan.SequenceEqual(trainer.Executor.Value(n).ReadOnlySpan), $"{schedule.Name}: inference wrote into the forward value of '{n.Name}'");
        }

        for (int i = 0; i < parameters.Length; i++)
        {
            Assert.True(parameters[i].AsSpan().SequenceEqual(model.Graph.Parameters[i].Value.ReadOnlySpan), $"{schedule.Name}: inference wrote into parameter '{model.Graph.Parameters[i].Name}'");
        }
    }

    private static void FreeEnergyNeverRises(Model model, FloatTensor x, FloatTensor y, IPcSchedule schedule, PcOptions options, string graph)
    {
        var recorder = new RecordingSchedule(schedule);
        var trainer = new PredictiveCodingTrainer(recorder, model, x.Dim(0), options);
        PcTestKit.Load(trainer.Executor, model, x, y);
        trainer.TrainStep(new TestSgd(0.01f)); // incremental steps the parameters inside inference; the others after it
        var f = recorder.Energies;
        Assert.Equal(options.Iterations + (schedule.Dynamics.StepsParametersEveryStep ? 0 : 1), f.Count);
        for (int t = 1; t < f.Count; t++)
        {
            Assert.True(f[t] <= f[t - 1] + RoundingOfF * f[0], $"{schedule.Name} on {graph}: F rose at step {t}: {f[t - 1]:R} → {f[t]:R}");
        }

        Assert.True(f[^1] < f[0], $"{schedule.Name} on {graph}: F did not fall: {f[0]:R} → {f[^1]:R}");
    }

    private static void ErrorsEqualBackpropAfterDepthSweeps(Model model, FloatTensor x, FloatTensor y, IPcSchedule schedule, string graph)
    {
        var probe = new PredictiveCodingTrainer(schedule, model, x.Dim(0), new PcOptions());
        int depth = Depth(model, probe.State);
        var trainer = new PredictiveCodingTrainer(schedule, model, x.Dim(0), new PcOptions { Iterations = depth, EtaV = 1f });
        PcTestKit.Load(trainer.Executor, model, x, y);
        trainer.Infer();
        var pc = trainer.ComputeParameterGradients();

        var backprop = new Executor(model.Graph, x.Dim(0));
        PcTestKit.Load(backprop, model, x, y);
        backprop.Forward();
        backprop.Backward(model.Loss);
        var parameters = model.Graph.Parameters;
        for (int i = 0; i < parameters.Count; i++)
        {
            var bp = backprop.Gradient(parameters[i].Node).ReadOnlySpan;
            var p = pc[i].ReadOnlySpan;
            double scale = 0, diff = 0;
            for (int k = 0; k < bp.Length; k++)
            {
                scale = Math.Max(scale, Math.Abs(bp[k]));
                diff = Math.Max(diff, Math.Abs(p[k] - bp[k]));
            }

            // The same products summed in another order: float32 rounding, a few ulp of the largest entry per edge.
            Assert.True(diff <= 1e-5 * scale + 1e-7, $"{schedule.Name} on {graph}, depth {depth}: '{parameters[i].Name}' differs from backprop by {diff:E3} (scale {scale:E3})");
        }
    }

    /// <summary>The longest path, in edges between value nodes, from a free node to the output.</summary>
    private static int Depth(Model model, PcState state)
    {
        var dist = new int[model.Graph.Nodes.Count];
        var values = state.ValueNodes;
        var isValue = new bool[dist.Length];
        foreach (var n in values)
        {
            isValue[n.Index] = true;
        }

        int depth = 0;
        for (int i = values.Count - 2; i >= 0; i--)
        {
            var n = values[i];
            dist[n.Index] = 1 + model.Graph.Consumers[n.Index].Where(c => isValue[c.Index]).Max(c => dist[c.Index]);
            depth = Math.Max(depth, dist[n.Index]);
        }

        return depth;
    }

    /// <summary>Wraps a schedule and records F after every error formation (a user-code schedule, as the sample's).</summary>
    private sealed class RecordingSchedule(IPcSchedule inner) : IPcSchedule
    {
        public List<double> Energies { get; } = [];

        public string Name => inner.Name;

        public PcDynamics Dynamics => inner.Dynamics;

        public void Begin(PcState state) => inner.Begin(state);

        public void FormErrors(PcState state, int iteration)
        {
            inner.FormErrors(state, iteration);
            Energies.Add(FreeEnergy.Of(state));
        }

        public float Step(PcState state) => inner.Step(state);
    }
}
