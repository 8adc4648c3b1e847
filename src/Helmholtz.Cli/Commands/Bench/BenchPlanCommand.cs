using System.ComponentModel;
using System.Globalization;
using Helmholtz.ActiveInference.Deep.Planning;
using Helmholtz.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Bench;

/// <summary>Settings of <c>helmholtz bench plan</c>.</summary>
internal sealed class BenchPlanSettings : CommandSettings
{
    [CommandOption("--preset <NAME>")]
    [Description("Planner configuration: cpu (ensemble 5, width 64, horizon 30, 200 candidates, top 20, 3 iterations) or paper (25, 3×200, 30, 500, 50, 5). Default cpu.")]
    public string Preset { get; init; } = "cpu";

    [CommandOption("--plans <N>")]
    [Description("Timed plans after one warm-up (default 5); the median is reported.")]
    public int Plans { get; init; } = 5;

    [CommandOption("--threads <K>")]
    [Description("Threads for the rollouts (default 2; 0 = all processors).")]
    public int Threads { get; init; } = 2;

    [CommandOption("--refit <T>")]
    [Description("Also time one model refit on T random transitions (default 0: not measured).")]
    public int Refit { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object on the last line of stdout.")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (Preset is not ("cpu" or "paper"))
        {
            return ValidationResult.Error($"--preset must be cpu or paper (got '{Preset}').");
        }

        if (Plans < 1 || Plans > 1000)
        {
            return ValidationResult.Error($"--plans must be between 1 and 1000 (got {Plans}).");
        }

        if (Threads < 0)
        {
            return ValidationResult.Error($"--threads must be ≥ 0 (got {Threads}).");
        }

        return Refit < 0 ? ValidationResult.Error($"--refit must be ≥ 0 (got {Refit}).") : ValidationResult.Success();
    }
}

/// <summary><c>helmholtz bench plan</c>: milliseconds per CEM plan of the ensemble planner (and optionally a refit).</summary>
internal sealed class BenchPlanCommand : HelmholtzCommand<BenchPlanSettings>
{
    protected override int Run(BenchPlanSettings settings, CancellationToken cancellationToken)
    {
        var options = PlannerOptions.Preset(settings.Preset) with { Threads = settings.Threads };
        var t = PlannerBenchmark.Measure(options, settings.Plans, settings.Refit);
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(new
            {
                ms_per_plan = Math.Round(t.MsPerPlan, 2),
                min_ms_per_plan = Math.Round(t.MinMsPerPlan, 2),
                plans = t.Plans,
                preset = settings.Preset,
                threads = settings.Threads,
                refit_seconds = Math.Round(t.RefitSeconds, 3),
                refit_transitions = t.RefitTransitions,
            });
        }
        else
        {
            string refit = t.RefitTransitions > 0
                ? string.Create(CultureInfo.InvariantCulture, $"; refit on {t.RefitTransitions} transitions {t.RefitSeconds:F2} s")
                : string.Empty;
            Console.Out.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"plan preset={settings.Preset} threads={settings.Threads}: median {t.MsPerPlan:F1} ms per plan, fastest {t.MinMsPerPlan:F1} ms ({t.Plans} plans){refit}"));
        }

        return ExitCode.Ok;
    }
}
