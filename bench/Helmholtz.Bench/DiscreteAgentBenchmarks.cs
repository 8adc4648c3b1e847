using BenchmarkDotNet.Attributes;
using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.Bench;

/// <summary>
/// One step of the epistemic T-maze agent (as <c>helmholtz bench aif --env tmaze</c> times it): infer states from the
/// observation, infer policies (expected free energy of every policy), sample an action; then the maze steps, and a
/// finished trial starts again.
/// </summary>
[MemoryDiagnoser]
public class DiscreteAgentBenchmarks
{
    private Agent _agent = null!;
    private TMaze _maze = null!;
    private Rng _rng = null!;
    private int[] _observation = [];

    [Params(1, 2, 3)]
    public int PolicyLength { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _maze = new TMaze();
        var model = TaskModels.ForTMaze(_maze, new() { Agent = new AgentOptions { PolicyLength = PolicyLength } });
        _agent = new Agent(model);
        _rng = new Rng(1);
        _observation = _maze.Reset(_rng);
    }

    [Benchmark]
    public int AgentStep()
    {
        _agent.InferStates(_observation);
        _agent.InferPolicies();
        var action = _agent.SampleAction(_rng);
        var (next, done) = _maze.Step(action, _rng);
        _observation = next;
        if (done)
        {
            _agent.Reset();
            _observation = _maze.Reset(_rng);
        }

        return action[0];
    }
}
