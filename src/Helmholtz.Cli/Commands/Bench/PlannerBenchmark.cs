using System.Diagnostics;
using Helmholtz.ActiveInference.Deep.Planning;
using Helmholtz.Environments;
using Helmholtz.Tensors;

namespace Helmholtz.Cli.Commands.Bench;

/// <summary>Timings of the planner: milliseconds per plan, and seconds per model refit.</summary>
/// <param name="MsPerPlan">Median time of one CEM plan (all iterations).</param>
/// <param name="MinMsPerPlan">Fastest plan.</param>
/// <param name="Plans">Timed plans.</param>
/// <param name="RefitSeconds">Time of one refit on <paramref name="RefitTransitions"/> transitions (0 when not measured).</param>
/// <param name="RefitTransitions">Transitions in the refit's buffer.</param>
internal sealed record PlannerTiming(double MsPerPlan, double MinMsPerPlan, int Plans, double RefitSeconds, int RefitTransitions);

/// <summary>Measures the planner on sparse-mountain-car-sized problems (state 2, action 1) with the given options.</summary>
internal static class PlannerBenchmark
{
    /// <summary>Times <paramref name="plans"/> plans (after one warm-up) from a fixed state, and optionally one refit.</summary>
    /// <remarks>
    /// The model is fitted briefly on random transitions of the sparse mountain car first so that the rollouts see
    /// realistic normalisation; the plan's cost does not depend on the weights' values.
    /// </remarks>
    public static PlannerTiming Measure(PlannerOptions options, int plans, int refitTransitions = 0, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(plans);
        var env = Environments.Control.EnvironmentCatalog.Create("sparse-mountaincar");
        var agent = new PlanningAgent(env, options with { Model = options.Model with { Epochs = 1 } }, seed);
        var rng = new Rng(seed);
        agent.RunEpisode(env, rng);
        agent.Model.Fit(agent.Buffer, rng);
        var obs = env.Reset(rng);
        var action = new float[1];
        agent.Plan(obs, action);
        var times = new double[plans];
        for (int i = 0; i < plans; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            agent.Plan(obs, action);
            times[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        }

        Array.Sort(times);
        double refit = 0;
        if (refitTransitions > 0)
        {
            var buffer = new TransitionBuffer(2, 1);
            while (buffer.Count < refitTransitions)
            {
                var o = env.Reset(rng);
                var a = new float[1];
                var next = new float[2];
                StepResult r;
                do
                {
                    a[0] = (2 * rng.NextFloat()) - 1;
                    r = env.Step(a, next);
                    buffer.Add(o, a, r.Reward, next);
                    next.AsSpan().CopyTo(o);
                }
                while (!r.Done && buffer.Count < refitTransitions);
            }

            var model = new DynamicsModel(2, 1, options.Model, new Rng(seed));
            var watch = Stopwatch.StartNew();
            model.Fit(buffer, rng);
            refit = watch.Elapsed.TotalSeconds;
        }

        return new PlannerTiming(times[plans / 2], times[0], plans, refit, refitTransitions);
    }
}
