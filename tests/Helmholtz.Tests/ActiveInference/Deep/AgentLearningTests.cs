using Helmholtz.ActiveInference.Deep;
using Helmholtz.Environments;
using Helmholtz.Tensors;

namespace Helmholtz.Tests.ActiveInference.Deep;

/// <summary>
/// A two-state contextual bandit as a control task: the observation is the one-hot state, reward 1 when the action
/// equals the state index, else 0; the next state is drawn uniformly; episodes end at 10 steps (truncation).
/// The optimal return is 10 and the optimal policy is a = s.
/// </summary>
internal sealed class TwoStateTask : IControlEnvironment
{
    private int _state;
    private Rng _rng = new(0);

    public string Name => "two-state";

    public BoxSpace ObservationSpace { get; } = BoxSpace.Uniform(0, 1, 2);

    public Space ActionSpace { get; } = new DiscreteSpace(2);

    public int StateSize => 1;

    public int MaxEpisodeSteps => 10;

    public int ElapsedSteps { get; private set; }

    public bool NeedsReset { get; private set; } = true;

    public void Reset(Rng rng, Span<float> observation)
    {
        _rng = rng.Fork();
        SetState([_rng.NextInt(2)], observation);
    }

    public void SetState(ReadOnlySpan<double> state, Span<float> observation)
    {
        _state = (int)state[0];
        ElapsedSteps = 0;
        NeedsReset = false;
        Write(observation);
    }

    public void GetState(Span<double> destination) => destination[0] = _state;

    public StepResult Step(int action, Span<float> observation)
    {
        double reward = action == _state ? 1 : 0;
        _state = _rng.NextInt(2);
        ElapsedSteps++;
        NeedsReset = ElapsedSteps >= MaxEpisodeSteps;
        Write(observation);
        return new StepResult(reward, false, NeedsReset);
    }

    public StepResult Step(ReadOnlySpan<float> action, Span<float> observation) => Step((int)action[0], observation);

    private void Write(Span<float> observation)
    {
        observation[0] = _state == 0 ? 1 : 0;
        observation[1] = _state == 1 ? 1 : 0;
    }
}

public sealed class AgentLearningTests
{
    [Fact]
    public void DqnLearnsTheTwoStateTask()
    {
        var env = new TwoStateTask();
        var agent = new DqnAgent(env, new DqnOptions(HiddenSizes: [16], LearningRate: 1e-2, Discount: 0.5, BatchSize: 16, BufferCapacity: 1000,
            WarmupSteps: 50, EpsilonDecaySteps: 200, TargetTau: 0.05), new Rng(3));
        var rng = new Rng(4);
        var returns = Enumerable.Range(0, 60).Select(_ => agent.RunEpisode(env, rng).Return).ToArray();

        Assert.Equal(0, DqnAgent.ArgMax(agent.QValues([1f, 0f])));
        Assert.Equal(1, DqnAgent.ArgMax(agent.QValues([0f, 1f])));

        // Last 10 episodes act with ε = 0.01: the mean return is near 10 (a random policy averages 5).
        Assert.True(returns[^10..].Average() >= 9, $"mean of the last 10 returns {returns[^10..].Average()}");
    }

    [Fact]
    public void DeepActiveInferenceLearnsTheTwoStateTask()
    {
        var env = new TwoStateTask();
        var agent = new DeepAifAgent(env, new DeepAifOptions(HiddenSizes: [16], TransitionHiddenSizes: [8], ValueLearningRate: 1e-2, PolicyLearningRate: 1e-2,
            Discount: 0.5, BatchSize: 16, BufferCapacity: 1000, WarmupSteps: 50, Precision: 10, TargetTau: 0.05), new Rng(3));
        var rng = new Rng(4);
        var returns = Enumerable.Range(0, 60).Select(_ => agent.RunEpisode(env, rng).Return).ToArray();

        var q = new double[2];
        agent.PolicyProbabilities([1f, 0f], q);
        Assert.True(q[0] > 0.9, $"q(a=0|s=0) = {q[0]}");
        agent.PolicyProbabilities([0f, 1f], q);
        Assert.True(q[1] > 0.9, $"q(a=1|s=1) = {q[1]}");

        // G(s, a) ≈ −r + 0.5·E[G(s′)]: the rewarded action has the lower expected free energy in each state.
        var g = agent.ExpectedFreeEnergy([1f, 0f]);
        Assert.True(g[0] < g[1], $"G(s=0) = [{g[0]}, {g[1]}]");
        Assert.True(returns[^10..].Average() >= 8.5, $"mean of the last 10 returns {returns[^10..].Average()}");
    }

    [Theory]
    [InlineData("dqn")]
    [InlineData("deep-aif")]
    public void TrainingRoundsRunGradientStepsEveryTrainEverySteps(string kind)
    {
        var env = new TwoStateTask(); // 10 steps per episode
        IControlAgent agent = kind == "dqn"
            ? new DqnAgent(env, new DqnOptions(HiddenSizes: [8], BatchSize: 8, WarmupSteps: 20, TrainEvery: 4, GradientSteps: 3), new Rng(1))
            : new DeepAifAgent(env, new DeepAifOptions(HiddenSizes: [8], TransitionHiddenSizes: [8], BatchSize: 8, WarmupSteps: 20, TrainEvery: 4, GradientSteps: 3), new Rng(1));
        var rng = new Rng(2);
        EpisodeResult last = agent.RunEpisode(env, rng);
        for (int e = 1; e < 5; e++)
        {
            last = agent.RunEpisode(env, rng);
        }

        // Steps 20, 24, …, 48 of the 50 taken (step counts from 1) start a round of 3 updates: 8 rounds.
        Assert.Equal(8 * 3, last.Diagnostics["updates"]);
    }

    [Fact]
    public void PrecisionRisesLinearlyDuringItsAnnealingThenStays()
    {
        var annealed = new DeepAifOptions(Precision: 100, InitialPrecision: 4, PrecisionAnnealSteps: 1000);
        Assert.Equal(4, DeepAifAgent.ScheduledPrecision(annealed, 0), 12);
        Assert.Equal(52, DeepAifAgent.ScheduledPrecision(annealed, 500), 12);
        Assert.Equal(100, DeepAifAgent.ScheduledPrecision(annealed, 1000), 12);
        Assert.Equal(100, DeepAifAgent.ScheduledPrecision(annealed, 50_000), 12);
        Assert.Equal(7, DeepAifAgent.ScheduledPrecision(new DeepAifOptions(Precision: 7), 123), 12);

        // The agent starts at the initial precision, and learning the precision excludes a schedule.
        var env = new TwoStateTask();
        var agent = new DeepAifAgent(env, annealed with { HiddenSizes = [8], TransitionHiddenSizes = [8] }, new Rng(1));
        Assert.Equal(4, agent.Precision, 5);
        var ex = Assert.Throws<ArgumentException>(() => (annealed with { LearnPrecision = true }).Validate());
        Assert.Contains("PrecisionAnnealSteps", ex.Message);
    }

    [Fact]
    public void SameSeedGivesTheSameEpisodes()
    {
        double[] Run()
        {
            var env = new TwoStateTask();
            var agent = new DeepAifAgent(env, new DeepAifOptions(HiddenSizes: [8], TransitionHiddenSizes: [8], BatchSize: 8, WarmupSteps: 10), new Rng(11));
            var rng = new Rng(12);
            return Enumerable.Range(0, 5).Select(_ => agent.RunEpisode(env, rng).Return).ToArray();
        }

        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void ContinuousActionSpacesAreRejectedWithTheSpaceNamed()
    {
        var env = Helmholtz.Environments.Control.EnvironmentCatalog.Create("pendulum");
        var ex = Assert.Throws<ArgumentException>(() => new DqnAgent(env, new DqnOptions(), new Rng(1)));
        Assert.Contains("discrete action space; pendulum has Box(-2, 2, (1,))", ex.Message);
    }

    [Fact]
    public void SuccessAndSolvedFollowTheTaskDefinitions()
    {
        var full = new EpisodeResult(500, 500, false, true, [], new Dictionary<string, double>());
        var fell = new EpisodeResult(120, 120, true, false, [], new Dictionary<string, double>());
        Assert.True(ControlTasks.IsSuccess("cartpole", full));
        Assert.False(ControlTasks.IsSuccess("cartpole", fell));
        Assert.True(ControlTasks.IsSuccess("mountaincar", fell));
        Assert.Equal(475, ControlTasks.SolveThreshold("CartPole-v1"));

        // Window 3, threshold 5: means of episodes 1–3, 2–4, 3–5 are 3, 4.67, 6 → solved at episode 5.
        Assert.Equal(5, ControlTasks.SolvedEpisode([1, 2, 6, 6, 6], 5, window: 3));
        Assert.Null(ControlTasks.SolvedEpisode([9, 9], 5, window: 3));
    }
}
