using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Discrete;

/// <summary>
/// Where pymdp is wrong, Helmholtz pins the right behaviour: soft observations (pymdp #336), structural zeros under
/// learning and clipping (#453), A-learning with missing observations (#433), sophisticated inference with more than
/// ten policies (#418). See docs/active-inference/pymdp-departures.md.
/// </summary>
public sealed class PymdpDepartureTests
{
    // Posteriors pass through ln(x + 1e-16) and a softmax: a few ulps from the closed forms.
    private const double Rounding = 1e-12;

    private static GenerativeModel Sensor(double[] a, AgentOptions? options = null, ModelArray? pA = null) => new(
        [new ModelArray([2, 2], a)],
        [new ModelArray([2, 2, 1], [1, 0, 0, 1])],
        d: [[0.5, 0.5]],
        pA: pA is null ? null : [pA],
        options: options);

    [Fact]
    public void SoftObservationSendsTheExpectedLogLikelihood_Pymdp336()
    {
        // A = [[0.9, 0.2], [0.1, 0.8]], q(o) = [½, ½]. Variational message Σ_o q(o) ln A[o, s]: ½ ln 0.09 and ½ ln 0.16,
        // so q(s) ∝ [0.3, 0.4] = [3/7, 4/7] (hand calculation). pymdp's ln Σ_o q(o) A[o, s] = ln ½ for both states
        // would leave q(s) = [½, ½].
        var agent = new Agent(Sensor([0.9, 0.2, 0.1, 0.8]));
        var qs = agent.InferStatesSoft([[0.5, 0.5]]);
        Assert.Equal(3.0 / 7, qs[0][0], Rounding);
        Assert.Equal(4.0 / 7, qs[0][1], Rounding);

        // A one-hot distribution is the outcome index.
        var hard = new Agent(Sensor([0.9, 0.2, 0.1, 0.8])).InferStates([1]);
        var soft = new Agent(Sensor([0.9, 0.2, 0.1, 0.8])).InferStatesSoft([[0, 1]]);
        Assert.Equal(hard[0][0], soft[0][0], Rounding);

        // The factorised agent sends the same message.
        var fa = new FactorisedAgent(Sensor([0.9, 0.2, 0.1, 0.8]));
        Assert.Equal(3.0 / 7, fa.InferStatesSoft([[0.5, 0.5]])[0][0], Rounding);
    }

    [Fact]
    public void StructuralZerosStayZeroUnderLearningAndTheLogFloor_Pymdp453()
    {
        // pymdp #453's case: A = pA = identity, so A[0, 1] is impossible. A soft observation q(o) = [0.6, 0.4] leaves
        // q(s = 1) ≈ e^{0.2 ln 1e-16} / (1 + …) ≈ 6e-4 > 0 because of the log floor; an update with o = 0 must still add
        // nothing at (o = 0, s = 1). pymdp clips the counts before normalising and revives the cell (0.29, 0.44, 0.55).
        var agent = new Agent(Sensor([1, 0, 0, 1], new AgentOptions { ForgettingRate = 0.2 }, new ModelArray([2, 2], [1, 0, 0, 1])));
        for (int step = 0; step < 3; step++)
        {
            var qs = agent.InferStatesSoft([[0.6, 0.4]]);
            Assert.True(qs[0][1] > 1e-4, $"the floor leaves q(s = 1) = {qs[0][1]} > 0");
            agent.UpdateA([0]);
            Assert.Equal(0.0, agent.PA![0].Data[1]); // pA[o = 0, s = 1]
            Assert.Equal(0.0, agent.A[0].Data[1]);
            Assert.Equal(0.0, agent.A[0].Data[2]);
            Assert.Equal(1.0, agent.A[0].Data[0]);
        }

        // The batched agent keeps them too.
        var batch = new BatchedAgent(Sensor([1, 0, 0, 1], pA: new ModelArray([2, 2], [1, 0, 0, 1])), 2);
        batch.InferStates([0, 1]);
        batch.UpdateA([0, 1]);
        Assert.Equal(0.0, batch.A(0)[0].Data[1]);
        Assert.Equal(0.0, batch.A(1)[0].Data[2]);

        // B: an impossible transition gets no counts, whatever the beliefs.
        var bModel = new GenerativeModel(
            [new ModelArray([2, 2], [0.5, 0.5, 0.5, 0.5])],
            [new ModelArray([2, 2, 1], [1, 0, 0, 1])],
            d: [[0.5, 0.5]],
            pB: [new ModelArray([2, 2, 1], [1, 0, 0, 1])]);
        var bAgent = new Agent(bModel);
        var before = bAgent.InferStates([0]).Select(x => (double[])x.Clone()).ToArray();
        bAgent.TakeAction([0]);
        bAgent.InferStates([1]);
        bAgent.UpdateB(before);
        Assert.Equal(0.0, bAgent.PB![0].Data[1]);
        Assert.Equal(0.0, bAgent.B[0].Data[1]);
        Assert.Equal(0.0, bAgent.B[0].Data[2]);
    }

    [Fact]
    public void MissingObservationsLearnNothingAndInferNothing_Pymdp433()
    {
        // Two modalities; modality 1 is missing. Inference with a null entry equals inference with modality 0 alone.
        var a0 = new ModelArray([2, 2], [0.8, 0.3, 0.2, 0.7]);
        var a1 = new ModelArray([2, 2], [0.6, 0.1, 0.4, 0.9]);
        var pA0 = new ModelArray([2, 2], [4, 3, 1, 7]);
        var pA1 = new ModelArray([2, 2], [3, 1, 2, 9]);
        var both = new GenerativeModel([a0, a1], [new ModelArray([2, 2, 1], [1, 0, 0, 1])], d: [[0.4, 0.6]], pA: [pA0, pA1],
            options: new AgentOptions { ForgettingRate = 0.1 });
        var only0 = new GenerativeModel([a0], [new ModelArray([2, 2, 1], [1, 0, 0, 1])], d: [[0.4, 0.6]], pA: [pA0],
            options: new AgentOptions { ForgettingRate = 0.1 });
        var agent = new Agent(both);
        var reference = new Agent(only0);
        var qs = agent.InferStatesSoft([[1, 0], null]);
        var qRef = reference.InferStates([0]);
        Assert.Equal(qRef[0][0], qs[0][0], Rounding);

        // Learning only the observed modality: the missing one's counts do not move (not even by forgetting); the
        // observed one's move as in the model without the missing modality.
        var missingBefore = agent.PA![1].Data.ToArray();
        agent.UpdateA([0, 0], modalities: [0]);
        reference.UpdateA([0]);
        Assert.Equal(missingBefore, agent.PA![1].Data);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(reference.PA![0].Data[i], agent.PA![0].Data[i], Rounding);
        }

        // The batched agent takes a per-agent, per-modality mask.
        var batch = new BatchedAgent(both, 2);
        batch.InferStates([0, 0, 0, 0]);
        batch.UpdateA([0, 0, 0, 0], [true, false, true, true]);
        Assert.Equal(pA1.Data, batch.PA(0)![1].Data);
        Assert.NotEqual(pA1.Data, batch.PA(1)![1].Data);
    }

    // Twelve locations, "go to u" for each of twelve actions (twelve one-step policies), location seen with 0.8
    // accuracy, preference for location 7.
    private static GenerativeModel TwelveActions(WorkLimits? limits = null, double prune = 1.0 / 16)
    {
        const int n = 12;
        var a = new double[n * n];
        var b = new double[n * n * n];
        for (int o = 0; o < n; o++)
        {
            for (int s = 0; s < n; s++)
            {
                a[o * n + s] = o == s ? 0.8 : 0.2 / (n - 1);
            }
        }

        for (int next = 0; next < n; next++)
        {
            for (int prev = 0; prev < n; prev++)
            {
                b[(next * n + prev) * n + next] = 1;
            }
        }

        var c = new double[n];
        c[7] = 4;
        return new GenerativeModel([new ModelArray([n, n], a)], [new ModelArray([n, n, n], b)], [c], [Enumerable.Range(0, n).Select(i => i == 0 ? 1.0 : 0).ToArray()],
            options: new AgentOptions
            {
                Planner = Planner.Sophisticated,
                SophisticatedHorizon = 3,
                SophisticatedPolicyPruneThreshold = prune,
                SophisticatedObservationPruneThreshold = prune,
                Limits = limits ?? WorkLimits.Default,
            });
    }

    [Fact]
    public void SophisticatedInferenceWithTwelvePoliciesRunsInBoundedMemory_Pymdp418()
    {
        // pymdp's si_policy_search crashes with more than max_branching = 10 policies; here twelve are searched.
        var agent = new Agent(TwelveActions());
        Assert.Equal(12, agent.Policies.Count);
        agent.InferStates([0]);
        agent.InferPolicies();
        long allocated = GC.GetAllocatedBytesForCurrentThread();
        var qPi = agent.InferPolicies();
        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        Assert.Equal(1.0, qPi.Sum(), Rounding);
        Assert.Equal(7, Array.IndexOf(qPi, qPi.Max()));
        Assert.InRange(agent.SophisticatedNodes, 1, WorkLimits.Default.MaxTreeNodes);
        // The search reuses per-depth buffers: one step allocates far less than a tree of belief nodes would
        // (nodes × 12 states × 8 B each).
        Assert.True(allocated < 4L << 20, $"one sophisticated step allocated {allocated} bytes over {agent.SophisticatedNodes} nodes");

        // Without pruning the tree has 1 + 144 + 144² nodes; a node limit the search would exceed is a named error,
        // never a crash or an unbounded allocation.
        var e = Assert.Throws<ModelException>(() =>
        {
            var small = new Agent(TwelveActions(new WorkLimits(MaxTreeNodes: 20), prune: 0));
            small.InferStates([0]);
            small.InferPolicies();
        });
        Assert.Contains("MaxTreeNodes", e.Message);
    }
}
