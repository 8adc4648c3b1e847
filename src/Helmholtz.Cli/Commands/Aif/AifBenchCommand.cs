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
    [Description("tmaze or grid")]
    public string Env { get; init; } = "tmaze";

    [CommandOption("--size <N>")]
    [Description("Grid side length (default 10)")]
    public int Size { get; init; } = 10;

    [CommandOption("--policy-len <L>")]
    [Description("Policy length (default 2 for tmaze, 3 for grid)")]
    public int? PolicyLength { get; init; }

    [CommandOption("--steps <N>")]
    [Description("Timed agent steps (default 200)")]
    public int Steps { get; init; } = 200;

    [CommandOption("--json")]
    [Description("Print one JSON object on the last line of stdout")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        Env is not ("tmaze" or "grid") ? ValidationResult.Error($"--env {Env}: must be tmaze or grid")
        : Steps < 1 ? ValidationResult.Error("--steps must be ≥ 1")
        : PolicyLength is < 1 or > 6 ? ValidationResult.Error($"--policy-len {PolicyLength}: must be 1…6")
        : ValidationResult.Success();
}

/// <summary>Median wall time of one agent step (infer states + infer policies + sample action) in an environment.</summary>
internal sealed class AifBenchCommand : Infrastructure.HelmholtzCommand<AifBenchSettings>
{
    internal sealed record Result(string Env, int Size, int PolicyLen, int Policies, int States, int Steps, double MsPerStep, double MsPerStepMin);

    protected override int Run(AifBenchSettings s, CancellationToken ct)
    {
        var options = new AgentOptions { PolicyLength = s.PolicyLength ?? (s.Env == "grid" ? 3 : 2) };
        IDiscreteEnvironment env = s.Env == "grid"
            ? new GridWorld(new GridWorldOptions { Size = s.Size, MaxSteps = 4 * s.Size, Agent = options })
            : new TMaze(new TMazeOptions { Agent = options });
        var agent = new Agent(env.Model);
        var rng = new Rng(1);
        var obs = env.Reset(rng);
        var times = new List<double>();
        int warmup = Math.Min(20, s.Steps);
        for (int i = 0; i < s.Steps + warmup; i++)
        {
            ct.ThrowIfCancellationRequested();
            long t0 = Stopwatch.GetTimestamp();
            agent.InferStates(obs);
            agent.InferPolicies();
            var action = agent.SampleAction(rng);
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            if (i >= warmup)
            {
                times.Add(ms);
            }

            var (next, done) = env.Step(action, rng);
            obs = next;
            if (done)
            {
                agent.Reset();
                obs = env.Reset(rng);
            }
        }

        times.Sort();
        var result = new Result(s.Env, s.Env == "grid" ? s.Size : 0, options.PolicyLength, env.Model.Policies.Count, env.Model.NumJointStates,
            times.Count, times[times.Count / 2], times[0]);
        if (s.Json)
        {
            CliOut.WriteJson(result);
        }
        else
        {
            AnsiConsole.MarkupLine($"{result.Env}: {result.Policies} policies, {result.States} joint states: median {result.MsPerStep:F4} ms per step");
        }

        return 0;
    }
}
