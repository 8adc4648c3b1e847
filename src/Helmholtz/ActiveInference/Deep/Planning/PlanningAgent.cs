using System.Diagnostics;
using Helmholtz.Environments;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep.Planning;

/// <summary>
/// The planning agent of Tschantz, Millidge, Seth &amp; Buckley (2020), "Reinforcement learning through active
/// inference": an ensemble transition model and a reward model refitted on all data after every episode, and a CEM
/// planner over action sequences that maximises a pluggable <see cref="Objective"/>, re-planning at every decision.
/// </summary>
/// <remarks>
/// <para>Episodes: the first <see cref="PlannerOptions.SeedEpisodes"/> take uniformly random actions (the reference's
/// seed episode); every later episode first refits the model on all transitions so far, then plans at every decision.
/// A decision's action is held for <see cref="PlannerOptions.ActionRepeat"/> environment steps (rewards summed) and
/// stored as one transition (observation, action, summed reward, next observation).</para>
/// <para>Determinism: the agent's own generator (from the seed given at construction) drives initialisation, fitting,
/// CEM sampling and the random seed episodes; the generator given to <see cref="RunEpisode"/> only resets the
/// environment. Results are the same for any thread count.</para>
/// </remarks>
public sealed class PlanningAgent : IControlAgent
{
    private readonly Rng _rng;
    private readonly DynamicsModel _model;
    private readonly CemPlanner _planner;
    private readonly EnsembleRolloutEvaluator _evaluator;
    private readonly TransitionBuffer _buffer;
    private readonly BoxSpace _actionSpace;
    private readonly int _observationSize;
    private int _episodes;

    /// <summary>Creates the agent for an environment with these spaces (the action space must be a box).</summary>
    /// <exception cref="ArgumentException">The action space is discrete, or an option is out of range.</exception>
    public PlanningAgent(BoxSpace observationSpace, Space actionSpace, PlannerOptions options, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(observationSpace);
        ArgumentNullException.ThrowIfNull(actionSpace);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (actionSpace is not BoxSpace box)
        {
            throw new ArgumentException($"The planner needs a continuous (box) action space; got {actionSpace}.", nameof(actionSpace));
        }

        options.CheckSize(observationSpace.Size, box.Size);
        Options = options;
        _actionSpace = box;
        _observationSize = observationSpace.Size;
        _rng = new Rng(seed);
        _model = new DynamicsModel(_observationSize, box.Size, options.Model, _rng);
        _planner = new CemPlanner(options.Cem, box.Low, box.High);
        _evaluator = new EnsembleRolloutEvaluator(_model, options.Objective, options.UseMean, options.Threads, _rng);
        _buffer = new TransitionBuffer(_observationSize, box.Size);
    }

    /// <summary>Creates the agent for <paramref name="environment"/>'s spaces.</summary>
    public PlanningAgent(IControlEnvironment environment, PlannerOptions options, ulong seed)
        : this((environment ?? throw new ArgumentNullException(nameof(environment))).ObservationSpace, environment.ActionSpace, options, seed)
    {
    }

    /// <inheritdoc />
    public string Name => "planner";

    /// <summary>The agent's options.</summary>
    public PlannerOptions Options { get; }

    /// <summary>The transition and reward models.</summary>
    public DynamicsModel Model => _model;

    /// <summary>All transitions collected so far.</summary>
    public TransitionBuffer Buffer => _buffer;

    /// <summary>Episodes run so far (seed episodes included).</summary>
    public int EpisodesRun => _episodes;

    /// <summary>The paper's number of the <paramref name="run"/>-th episode this agent runs (counted from 1): the seed episodes end at 0, planned episodes count from 1.</summary>
    /// <remarks>Tschantz et al. (2020) and their code call the random seed episode episode 0 and the first planned
    /// episode episode 1, so "first success in episode 1" means the first planned episode. With
    /// s = <see cref="PlannerOptions.SeedEpisodes"/>: number = run − s (one seed episode: 0, 1, 2, …).</remarks>
    public int EpisodeNumber(int run) => run - Options.SeedEpisodes;

    /// <summary>Plans one action for <paramref name="observation"/> with the current model (no environment step).</summary>
    /// <param name="observation">The current observation.</param>
    /// <param name="action">Receives the planned action.</param>
    /// <param name="cancellationToken">Checked before every CEM iteration.</param>
    public void Plan(ReadOnlySpan<float> observation, Span<float> action, CancellationToken cancellationToken = default)
    {
        _planner.Plan(_evaluator, observation, _rng, action, cancellationToken);
    }

    /// <inheritdoc />
    public EpisodeResult RunEpisode(IControlEnvironment environment, Rng rng, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(rng);
        if (environment.ObservationSpace.Size != _observationSize || environment.ActionSpace is not BoxSpace box || box.Size != _actionSpace.Size)
        {
            throw new ArgumentException($"The environment '{environment.Name}' does not have the spaces this agent was made for.", nameof(environment));
        }

        // Every episode reports the same names (0 where they do not apply), so per-episode tables keep their columns.
        var diagnostics = new Dictionary<string, double>
        {
            ["fit_seconds"] = 0, ["ensemble_nll"] = 0, ["ensemble_nll_first_epoch"] = 0, ["reward_loss"] = 0,
            ["transitions"] = _buffer.Count, ["plan_ms"] = 0, ["info_gain"] = 0,
        };
        bool planned = _episodes >= Options.SeedEpisodes;
        diagnostics["planned"] = planned ? 1 : 0;
        if (planned)
        {
            var fitWatch = Stopwatch.StartNew();
            var fit = _model.Fit(_buffer, _rng, cancellationToken);
            diagnostics["fit_seconds"] = fitWatch.Elapsed.TotalSeconds;
            diagnostics["ensemble_nll"] = fit.EnsembleLoss;
            diagnostics["ensemble_nll_first_epoch"] = fit.FirstEpochEnsembleLoss;
            diagnostics["reward_loss"] = fit.RewardLoss;
            diagnostics["transitions"] = _buffer.Count;
        }

        var obs = new float[_observationSize];
        var next = new float[_observationSize];
        var action = new float[_actionSpace.Size];
        var stateBuffer = new double[environment.StateSize];
        var states = new List<double>();
        environment.Reset(rng, obs);
        _planner.Reset();
        double total = 0, planSeconds = 0, infoGain = 0;
        int steps = 0, decisions = 0;
        bool terminated = false, truncated = false;
        while (!terminated && !truncated)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (planned)
            {
                long t0 = Stopwatch.GetTimestamp();
                Plan(obs, action, cancellationToken);
                planSeconds += Stopwatch.GetElapsedTime(t0).TotalSeconds;
                infoGain += _evaluator.LastMeanInfoGain;
            }
            else
            {
                for (int j = 0; j < action.Length; j++)
                {
                    action[j] = _actionSpace.Low[j] + ((_actionSpace.High[j] - _actionSpace.Low[j]) * _rng.NextFloat());
                }
            }

            double reward = 0;
            for (int k = 0; k < Options.ActionRepeat; k++)
            {
                var r = environment.Step(action, next);
                reward += r.Reward;
                steps++;
                environment.GetState(stateBuffer);
                states.AddRange(stateBuffer);
                terminated = r.Terminated;
                truncated = r.Truncated;
                if (r.Done)
                {
                    break;
                }
            }

            _buffer.Add(obs, action, reward, next);
            total += reward;
            decisions++;
            next.AsSpan().CopyTo(obs);
        }

        _episodes++;
        diagnostics["decisions"] = decisions;
        if (planned)
        {
            diagnostics["plan_ms"] = 1000 * planSeconds / decisions;
            diagnostics["info_gain"] = infoGain / decisions;
        }

        return new EpisodeResult(total, steps, terminated, truncated, states.ToArray(), diagnostics);
    }
}
