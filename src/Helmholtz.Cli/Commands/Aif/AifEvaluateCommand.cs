using System.ComponentModel;
using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Cli.Infrastructure;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Aif;

/// <summary>Settings of <c>helmholtz aif evaluate</c>.</summary>
internal sealed class AifEvaluateSettings : CommandSettings
{
    [CommandOption("--model <PATH>")]
    [Description("Model file (JSON: A, B and optional C, D, E, pA, pB, pD, options)")]
    public string? Model { get; init; }

    [CommandOption("--trajectory <PATH>")]
    // Spectre reads descriptions as markup: [[ and ]] print one bracket.
    [Description("Trajectory file (JSON: {\"observations\": [[[[o per modality]] per step]], \"actions\": [[[[u per factor]] per step]]})")]
    public string? Trajectory { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object on the last line of stdout")]
    public bool Json { get; init; }

    public override ValidationResult Validate() =>
        Model is null ? ValidationResult.Error("--model is required")
        : Trajectory is null ? ValidationResult.Error("--trajectory is required")
        : ValidationResult.Success();
}

/// <summary>Replays a recorded trajectory through an agent: infer states, infer policies, then take the recorded action.</summary>
internal sealed class AifEvaluateCommand : HelmholtzCommand<AifEvaluateSettings>
{
    protected override int Run(AifEvaluateSettings settings, CancellationToken cancellationToken)
    {
        var model = ModelFile.Load(settings.Model!);
        var (observations, actions) = Trajectories.Read(settings.Trajectory!);
        var output = Trajectories.Replay(model, observations, actions, cancellationToken);
        if (settings.Json)
        {
            Infrastructure.Cli.WriteJson(output);
        }
        else
        {
            var table = new Table().AddColumns("step", "argmax q(π)", "max q(π)", "qs (factor 0)");
            for (int t = 0; t < output.Steps.Length; t++)
            {
                var s = output.Steps[t];
                int best = Array.IndexOf(s.QPi, s.QPi.Max());
                table.AddRow(t.ToString(), best.ToString(), s.QPi[best].ToString("F4", System.Globalization.CultureInfo.InvariantCulture),
                    string.Join(" ", s.Qs[0].Select(x => x.ToString("F3", System.Globalization.CultureInfo.InvariantCulture))));
            }

            Infrastructure.Cli.Results(json: false).Write(table);
        }

        return ExitCode.Ok;
    }
}
