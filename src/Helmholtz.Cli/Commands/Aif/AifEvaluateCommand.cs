using System.ComponentModel;
using System.Text.Json;
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
    internal sealed record StepOutput(double[][] Qs, double[] QPi, double[] NegEfe);

    internal sealed record Output(int[][][] Policies, StepOutput[] Steps);

    protected override int Run(AifEvaluateSettings settings, CancellationToken cancellationToken)
    {
        var model = ModelFile.Load(settings.Model!);
        var (observations, actions) = ReadTrajectory(settings.Trajectory!);
        var output = Evaluate(model, observations, actions, cancellationToken);
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

            AnsiConsole.Write(table);
        }

        return ExitCode.Ok;
    }

    internal static Output Evaluate(GenerativeModel model, int[][] observations, int[][] actions, CancellationToken ct = default)
    {
        if (actions.Length > observations.Length)
        {
            throw new ModelException($"trajectory: {actions.Length} actions for {observations.Length} observations; actions[t] follows observations[t], so there can be at most as many");
        }

        for (int t = 0; t < observations.Length; t++)
        {
            model.CheckObservation(observations[t], $"trajectory: observations[{t}]");
        }

        for (int t = 0; t < actions.Length; t++)
        {
            model.CheckAction(actions[t], $"trajectory: actions[{t}]");
        }

        var agent = new Agent(model);
        var steps = new StepOutput[observations.Length];
        for (int t = 0; t < observations.Length; t++)
        {
            ct.ThrowIfCancellationRequested();
            agent.InferStates(observations[t]);
            agent.InferPolicies();
            steps[t] = new StepOutput(agent.Qs.Select(x => (double[])x.Clone()).ToArray(), (double[])agent.QPi.Clone(), (double[])agent.NegEfe.Clone());
            if (t < actions.Length)
            {
                agent.TakeAction(actions[t]);
            }
        }

        var ps = model.Policies;
        var policies = new int[ps.Count][][];
        for (int p = 0; p < ps.Count; p++)
        {
            policies[p] = new int[ps.Length][];
            for (int t = 0; t < ps.Length; t++)
            {
                policies[p][t] = new int[model.NumStates.Length];
                for (int f = 0; f < model.NumStates.Length; f++)
                {
                    policies[p][t][f] = ps[p, t, f];
                }
            }
        }

        return new Output(policies, steps);
    }

    internal static (int[][] Observations, int[][] Actions) ReadTrajectory(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"trajectory file '{path}' not found", path);
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("observations", out var obs))
        {
            throw new ModelException($"{path}: missing required key \"observations\"");
        }

        var observations = IntRows(obs, $"{path}: observations");
        var actions = root.TryGetProperty("actions", out var act) && act.ValueKind != JsonValueKind.Null
            ? IntRows(act, $"{path}: actions")
            : [];
        return (observations, actions);
    }

    private static int[][] IntRows(JsonElement el, string name)
    {
        if (el.ValueKind != JsonValueKind.Array)
        {
            throw new ModelException($"{name}: must be a list of lists of integers");
        }

        var rows = new List<int[]>();
        int t = 0;
        foreach (var row in el.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Array)
            {
                throw new ModelException($"{name}[{t}]: must be a list of integers");
            }

            var r = new List<int>();
            int i = 0;
            foreach (var x in row.EnumerateArray())
            {
                if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt32(out int v))
                {
                    throw new ModelException($"{name}[{t}][{i}] = {x.GetRawText()}: must be an integer index");
                }

                r.Add(v);
                i++;
            }

            rows.Add(r.ToArray());
            t++;
        }

        return rows.ToArray();
    }
}
