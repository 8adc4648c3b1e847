using Helmholtz.ActiveInference.Deep;
using Helmholtz.ActiveInference.Deep.Planning;
using Helmholtz.Environments;
using Helmholtz.Environments.Control;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Deep;

/// <summary>The control experiment's bookkeeping (episode numbers, success, moving mean, solved) and the tasks' goals.</summary>
public sealed class ControlExperimentTests
{
    /// <summary>An agent that returns a fixed sequence of returns without stepping the environment.</summary>
    private sealed class ScriptedAgent(double[] returns, bool terminated) : IControlAgent
    {
        private int _k;

        public string Name => "scripted";

        public EpisodeResult RunEpisode(IControlEnvironment environment, Rng rng, CancellationToken cancellationToken = default) =>
            new(returns[_k++], 10, terminated, !terminated, [], new Dictionary<string, double>());
    }

    [Fact]
    public void SolvedIsTheFirstFullWindowWhoseMeanReachesTheThreshold()
    {
        // CartPole's threshold 475, window 2: means 400, 450, 500 (run 3, solved), 500.
        var result = new ControlExperiment(new CartPole(), new ScriptedAgent([400, 500, 500, 500], terminated: false), solveWindow: 2).Run(4, new Rng(1));
        Assert.Equal([1, 2, 3, 4], result.Episodes.Select(e => e.Episode));
        Assert.Equal([400, 450, 500, 500], result.Episodes.Select(e => e.MovingMean));
        Assert.Equal(3, result.SolvedEpisode);
        Assert.Equal(1, result.FirstSuccessEpisode); // survived to the time limit
        Assert.Equal(4, result.Successes);
        Assert.Equal(500, result.FinalMean);
    }

    [Fact]
    public void AWindowMustBeFullBeforeTheTaskCountsAsSolved()
    {
        var result = new ControlExperiment(new CartPole(), new ScriptedAgent([500, 500], terminated: true), solveWindow: 3).Run(2, new Rng(1));
        Assert.Null(result.SolvedEpisode);
        Assert.Null(result.FirstSuccessEpisode); // the pole fell (terminated) both times
    }

    [Fact]
    public void EachTaskOwnsItsGoal()
    {
        Assert.Equal(475, new CartPole().Goal.SolveThreshold);
        Assert.True(new CartPole().Goal.IsSuccess(500, terminated: false, truncated: true));
        Assert.False(new CartPole().Goal.IsSuccess(30, terminated: true, truncated: false));
        Assert.True(new MountainCar().Goal.IsSuccess(-150, terminated: true, truncated: false));
        Assert.True(new SparseMountainCar().Goal.NeedsExploration);
        Assert.False(new Pendulum().Goal.IsSuccess(-250, terminated: false, truncated: true));
        Assert.True(new Pendulum().Goal.IsSuccess(-150, terminated: false, truncated: true));
        Assert.All(EnvironmentCatalog.Names, n => Assert.NotNull(EnvironmentCatalog.Create(n).Goal.SolveThreshold));
    }

    [Fact]
    public void ThePlannerNumbersItsSeedEpisodeZero()
    {
        var env = new SparseMountainCar();
        var d = PlannerOptions.CpuDefault;
        var options = d with
        {
            Model = d.Model with { EnsembleSize = 2, HiddenSize = 8, Epochs = 2 },
            Cem = new CemOptions(4, 10, 2, 1),
        };
        var result = new ControlExperiment(env, new PlanningAgent(env, options, 2)).Run(3, new Rng(2));
        Assert.Equal([0, 1, 2], result.Episodes.Select(e => e.Episode));
        Assert.Equal(result.Episodes.FirstOrDefault(e => e.Success)?.Episode, result.FirstSuccessEpisode);
        Assert.Equal(3, result.Returns.Length);
    }
}

/// <summary>The agent factory: typed options → agent, checked against the action space.</summary>
public sealed class ControlAgentFactoryTests
{
    [Fact]
    public void OptionsPickTheAgentAndTheActionSpaceMustFit()
    {
        Assert.IsType<DqnAgent>(ControlAgentFactory.Create(new CartPole(), new DqnOptions(), new Rng(1)));
        Assert.IsType<DeepAifAgent>(ControlAgentFactory.Create(new CartPole(), new DeepAifOptions(), new Rng(1)));
        Assert.IsType<PlanningAgent>(ControlAgentFactory.Create(new SparseMountainCar(), PlannerOptions.CpuDefault, new Rng(1)));
        var e = Assert.Throws<ArgumentException>(() => ControlAgentFactory.Create(new Pendulum(), new DqnOptions(), new Rng(1)));
        Assert.Contains("needs a discrete action space", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ControlAgentFactory.Create(new CartPole(), PlannerOptions.CpuDefault, new Rng(1)));
        // Options of an agent the factory does not know (a user's own record) are refused by name.
        var unknown = Assert.Throws<ArgumentException>(() => ControlAgentFactory.Create(new CartPole(), new UnknownAgentOptions(), new Rng(1)));
        Assert.Contains(nameof(UnknownAgentOptions), unknown.Message, StringComparison.Ordinal);
    }

    private sealed record UnknownAgentOptions : IControlAgentOptions;
}
