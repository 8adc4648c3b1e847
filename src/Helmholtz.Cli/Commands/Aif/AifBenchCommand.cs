using System.ComponentModel;
using System.Diagnostics;
using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;
using Spectre.Console;
using Spectre.Console.Cli;
using CliOut = Helmholtz.Cli.Infrastructure.Cli;

namespace Helmholtz.Cli.Commands.Aif;

/// <summary>Settings of <c>helmholtz bench aif</c>.</summary>
internal sealed class AifBenchSettings : CommandSettings
{
    [CommandOption("--env <ENV>")]
    [Description("tmaze, grid (N×N, 5 actions, location observed), dial (the two-factor dial corridor: --cells × --settings joint states, 3 × 3 joint actions) or factors (12 factors × 4 states, 12 modalities on one or two factors each, stepped by the factorised agent)")]
    public string Env { get; init; } = "tmaze";

    [CommandOption("--size <N>")]
    [Description("Grid side length (default 10)")]
    public int Size { get; init; } = 10;

    [CommandOption("--cells <N>")]
    [Description("Dial corridor: corridor cells (default 20)")]
    public int Cells { get; init; } = 20;

    [CommandOption("--settings <K>")]
    [Description("Dial corridor: dial settings (default 10)")]
    public int Settings { get; init; } = 10;

    [CommandOption("--policy-len <L>")]
    [Description("Policy length (default 2 for tmaze, 3 for grid and dial)")]
    public int? PolicyLength { get; init; }

    [CommandOption("--steps <N>")]
    [Description("Timed agent steps (default 200; with --agents, timed batch steps, default 1000000 / agents within 5…200)")]
    public int? Steps { get; init; }

    [CommandOption("--agents <N>")]
    [Description("Step N agents as one batch (tmaze and grid), each against its own environment; prints agent_steps_per_second (default 1: one agent, timed per step)")]
    public int Agents { get; init; } = 1;

    [CommandOption("--no-share")]
    [Description("With --agents: compute every agent separately even where agents share a belief (times the arithmetic alone)")]
    public bool NoShare { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object on the last line of stdout")]
    public bool Json { get; init; }

    /// <summary>Most timed steps.</summary>
    internal const int MaxSteps = 1_000_000;

    /// <summary>Most agents in one batch.</summary>
    internal const int MaxAgents = 10_000_000;

    public override ValidationResult Validate() =>
        Env is not ("tmaze" or "grid" or "dial" or "factors") ? ValidationResult.Error($"--env '{Env}': must be tmaze, grid, dial or factors")
        : Size < 2 || Cells < 2 || Settings < 2 ? ValidationResult.Error("--size, --cells and --settings must be ≥ 2")
        : Env == "grid" && Size > TaskModels.MaxGridWorldSize(unknownLayout: false)
            ? ValidationResult.Error($"--size {Size}: must be 2…{TaskModels.MaxGridWorldSize(unknownLayout: false)} (the grid model's memory grows as size⁴)")
        : Cells > DialCorridor.MaxCells || Settings > DialCorridor.MaxCells
            ? ValidationResult.Error($"--cells {Cells}, --settings {Settings}: each must be 2…{DialCorridor.MaxCells}")
        : Infrastructure.OptionParsing.FirstError(
            Steps is { } steps ? Infrastructure.OptionParsing.InRange("--steps", steps, 1, MaxSteps) : null,
            Infrastructure.OptionParsing.InRange("--agents", Agents, 1, MaxAgents),
            Agents > 1 && Env is "dial" or "factors" ? "--agents: batches run tmaze and grid only" : null,
            PolicyLength is { } length ? Infrastructure.OptionParsing.InRange("--policy-len", length, 1, 6) : null);
}

/// <summary>Median wall time of one agent step (infer states + infer policies + sample action) in an environment.</summary>
internal sealed class AifBenchCommand : Infrastructure.HelmholtzCommand<AifBenchSettings>
{
    internal sealed record Result(string Env, int Size, int PolicyLen, int Policies, int States, int Steps, double MsPerStep, double MsPerStepMin,
        int Agents, double AgentStepsPerSecond, long? BytesPerAgent = null);

    protected override int Run(AifBenchSettings s, CancellationToken ct)
    {
        if (s.Env == "factors")
        {
            return RunFactors(s, ct);
        }

        var options = new AgentOptions { PolicyLength = s.PolicyLength ?? (s.Env == "tmaze" ? 2 : 3) };
        var (env, model) = s.Env switch
        {
            "grid" => Pair(new GridWorld(new GridWorldOptions { Size = s.Size, MaxSteps = 4 * s.Size }), g => TaskModels.ForGridWorld(g, new() { Agent = options })),
            "dial" => Pair(new DialCorridor(new DialCorridorOptions { Cells = s.Cells, Settings = s.Settings }), d => TaskModels.ForDialCorridor(d, new() { Agent = options })),
            _ => Pair(new TMaze(), m => TaskModels.ForTMaze(m, new() { Agent = options })),
        };
        if (s.Agents > 1)
        {
            return RunBatch(s, env, model, options, ct);
        }

        int steps = s.Steps ?? 200;
        var agent = new Agent(model);
        var rng = new Rng(1);
        var obs = env.Reset(rng);
        var times = new List<double>();
        // Warm up for at least 20 steps and one second: the JIT moves hot methods to optimised code only after ~30 calls
        // and a 100 ms delay (tiered compilation), so a fixed small count would time unoptimised code on fast models.
        long warmStart = Stopwatch.GetTimestamp();
        bool warm = false;
        for (int i = 0; times.Count < steps; i++)
        {
            ct.ThrowIfCancellationRequested();
            long t0 = Stopwatch.GetTimestamp();
            agent.InferStates(obs);
            agent.InferPolicies();
            var action = agent.SampleAction(rng);
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            warm = Record(times, ms, warm, i, warmStart);

            var (next, done) = env.Step(action, rng);
            obs = next;
            if (done)
            {
                agent.Reset();
                obs = env.Reset(rng);
            }
        }

        times.Sort();
        var result = new Result(s.Env, s.Env == "grid" ? s.Size : s.Env == "dial" ? s.Cells : 0, options.PolicyLength, model.Policies.Count, model.NumJointStates,
            times.Count, times[times.Count / 2], times[0], 1, 1000 / times[times.Count / 2]);
        Print(s, result);
        return 0;
    }

    // The batch is timed as a whole (infer states, infer policies, sample actions of all agents); the environments
    // step between timed calls, as the single agent's environment does.
    private static int RunBatch(AifBenchSettings s, IDiscreteEnvironment first, GenerativeModel model, AgentOptions options, CancellationToken ct)
    {
        int n = s.Agents;
        int steps = s.Steps ?? Math.Clamp(1_000_000 / n, 5, 200);
        var envs = new IDiscreteEnvironment[n];
        envs[0] = first;
        for (int i = 1; i < n; i++)
        {
            envs[i] = s.Env == "grid" ? new GridWorld(new GridWorldOptions { Size = s.Size, MaxSteps = 4 * s.Size }) : new TMaze();
        }

        var rngs = new Rng[n];
        var root = new Rng(1);
        for (int i = 0; i < n; i++)
        {
            rngs[i] = root.Fork();
        }

        var batch = new BatchedAgent(model, n, shareEvaluations: !s.NoShare);
        int nm = batch.NumModalities, nf = batch.NumFactors;
        var obs = new int[n * nm];
        for (int i = 0; i < n; i++)
        {
            envs[i].Reset(rngs[i]).CopyTo(obs, i * nm);
        }

        long warmStart = Stopwatch.GetTimestamp();
        double seconds = 0;
        int timed = 0;
        for (int i = 0; timed < steps; i++)
        {
            ct.ThrowIfCancellationRequested();
            long t0 = Stopwatch.GetTimestamp();
            var actions = batch.Step(obs, rngs);
            double elapsed = Stopwatch.GetElapsedTime(t0).TotalSeconds;
            if (i >= 2 && Stopwatch.GetElapsedTime(warmStart).TotalSeconds >= 1)
            {
                seconds += elapsed;
                timed++;
            }

            var act = actions.ToArray();
            Parallel.For(0, n, j =>
            {
                var (next, done) = envs[j].Step(act.AsSpan(j * nf, nf), rngs[j]);
                if (done)
                {
                    batch.Reset(j);
                    next = envs[j].Reset(rngs[j]);
                }

                next.CopyTo(obs, j * nm);
            });
        }

        double msPerBatchStep = 1000 * seconds / timed;
        var result = new Result(s.Env, s.Env == "grid" ? s.Size : 0, options.PolicyLength, model.Policies.Count, model.NumJointStates,
            timed, msPerBatchStep, msPerBatchStep, n, n * (double)timed / seconds, batch.BytesPerAgent);
        Print(s, result);
        return 0;
    }

    // The 12-factor ring: observations drawn from the model's own A at a true state that follows the agent's actions.
    private static int RunFactors(AifBenchSettings s, CancellationToken ct)
    {
        int steps = s.Steps ?? 200;
        var options = new AgentOptions { PolicyLength = s.PolicyLength ?? 1 };
        long before = GC.GetTotalMemory(forceFullCollection: true);
        var model = TaskModels.ForFactorRing(options: options);
        var agent = new FactorisedAgent(model);
        long bytes = GC.GetTotalMemory(forceFullCollection: true) - before;
        var rng = new Rng(1);
        var truth = new int[model.NumStates.Length];
        var obs = new int[model.NumObs.Length];
        var times = new List<double>();
        long warmStart = Stopwatch.GetTimestamp();
        bool warm = false;
        for (int i = 0; times.Count < steps; i++)
        {
            ct.ThrowIfCancellationRequested();
            for (int m = 0; m < obs.Length; m++)
            {
                var deps = model.ADependencies[m];
                int cols = model.A[m].Data.Length / model.NumObs[m], col = 0;
                foreach (int g in deps)
                {
                    col = col * model.NumStates[g] + truth[g];
                }

                double r = rng.NextDouble(), c = 0;
                obs[m] = model.NumObs[m] - 1;
                for (int o = 0; o < model.NumObs[m]; o++)
                {
                    c += model.A[m].Data[o * cols + col];
                    if (r < c)
                    {
                        obs[m] = o;
                        break;
                    }
                }
            }

            long t0 = Stopwatch.GetTimestamp();
            agent.InferStates(obs);
            agent.InferPolicies();
            var action = agent.SampleAction(rng);
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            warm = Record(times, ms, warm, i, warmStart);

            for (int f = 0; f < truth.Length; f++)
            {
                if (action[f] == 1)
                {
                    truth[f] = (truth[f] + 1) % model.NumStates[f];
                }
            }
        }

        times.Sort();
        var result = new Result("factors", model.NumStates.Length, options.PolicyLength, model.Policies.Count, model.NumJointStates, times.Count,
            times[times.Count / 2], times[0], 1, 1000 / times[times.Count / 2], bytes);
        Print(s, result);
        return 0;
    }

    private static void Print(AifBenchSettings s, Result result)
    {
        if (s.Json)
        {
            CliOut.WriteJson(result);
        }
        else
        {
            Infrastructure.Cli.Results(json: false).MarkupLine(result.Agents == 1
                ? $"{result.Env}: {result.Policies} policies, {result.States} joint states: median {result.MsPerStep:F4} ms per step"
                : $"{result.Env}: {result.Agents} agents, {result.Policies} policies, {result.States} joint states: {result.AgentStepsPerSecond:F0} agent steps per second ({result.MsPerStep:F3} ms per batch step)");
        }
    }

    private static (IDiscreteEnvironment, GenerativeModel) Pair<T>(T env, Func<T, GenerativeModel> model) where T : IDiscreteEnvironment => (env, model(env));

    /// <summary>Keeps a step's time once warm; warm after at least 20 steps and one second (or 100,000 steps).</summary>
    private static bool Record(List<double> times, double ms, bool warm, int step, long warmStart)
    {
        if (warm)
        {
            times.Add(ms);
            return true;
        }

        return (step >= 20 && Stopwatch.GetElapsedTime(warmStart).TotalSeconds >= 1) || step >= 100_000;
    }
}
