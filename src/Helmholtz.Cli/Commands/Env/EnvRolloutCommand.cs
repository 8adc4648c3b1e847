using System.ComponentModel;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Environments;
using Helmholtz.Environments.Control;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli.Commands.Env;

/// <summary>Options of <c>helmholtz env rollout</c>.</summary>
internal sealed class EnvRolloutSettings : CommandSettings
{
    [CommandOption("--env <NAME>")]
    [Description("Environment: cartpole, acrobot, mountaincar, mountaincar-continuous, sparse-mountaincar, pendulum.")]
    public string? Env { get; set; }

    [CommandOption("--state <JSON>")]
    [Description("Initial internal state as a JSON array: cartpole [[x, x_dot, theta, theta_dot]]; acrobot [[theta1, theta2, theta1_dot, theta2_dot]]; mountain cars [[position, velocity]]; pendulum [[theta, theta_dot]].")]
    public string? State { get; set; }

    [CommandOption("--actions <JSON>")]
    [Description("JSON array of actions: integers for discrete tasks; numbers or one-element arrays for continuous ones.")]
    public string? Actions { get; set; }

    [CommandOption("--strict-actions")]
    [Description("Reject continuous actions outside the action space instead of clipping them as Gymnasium does (discrete actions outside it are always rejected).")]
    public bool StrictActions { get; set; }

    [CommandOption("--json")]
    [Description("Print one JSON object {observations, rewards, terminated, truncated} instead of a table.")]
    public bool Json { get; set; }

    public override ValidationResult Validate()
    {
        if (string.IsNullOrWhiteSpace(Env))
        {
            return ValidationResult.Error($"--env is required (one of: {string.Join(", ", EnvironmentCatalog.Names)}).");
        }

        if (string.IsNullOrWhiteSpace(State))
        {
            return ValidationResult.Error("--state is required: the initial internal state as a JSON array of numbers.");
        }

        return string.IsNullOrWhiteSpace(Actions)
            ? ValidationResult.Error("--actions is required: a JSON array of actions.")
            : ValidationResult.Success();
    }
}

/// <summary>The per-step record of a rollout, as printed by <c>--json</c>.</summary>
internal sealed record EnvRollout(float[][] Observations, double[] Rewards, bool[] Terminated, bool[] Truncated);

/// <summary>
/// <c>helmholtz env rollout</c>: steps an environment from an explicit state through a list of actions, stopping at
/// termination or at the standard time limit counted from that state, and prints every step.
/// </summary>
internal sealed class EnvRolloutCommand : HelmholtzCommand<EnvRolloutSettings>
{
    private readonly TextWriter? _stdout;

    public EnvRolloutCommand()
    {
    }

    /// <summary>Writes to <paramref name="stdout"/> instead of the console (for tests).</summary>
    internal EnvRolloutCommand(TextWriter stdout) => _stdout = stdout;

    protected override int Run(EnvRolloutSettings settings, CancellationToken cancellationToken)
    {
        var rollout = Rollout(settings.Env!, settings.State!, settings.Actions!, settings.StrictActions, cancellationToken);
        var stdout = _stdout ?? Console.Out;
        if (settings.Json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(rollout, Infrastructure.Cli.JsonOptions));
        }
        else
        {
            stdout.WriteLine(FormatTable(rollout));
        }

        return ExitCode.Ok;
    }

    /// <summary>Parses the inputs, checks every action against the space, and runs the steps.</summary>
    internal static EnvRollout Rollout(
        string envName, string stateJson, string actionsJson, bool strictActions = false, CancellationToken cancellationToken = default)
    {
        IControlEnvironment env;
        try
        {
            env = EnvironmentCatalog.Create(envName.Trim(), new ControlEnvironmentOptions { StrictActions = strictActions });
        }
        catch (ArgumentException ex) when (ex.ParamName is not null)
        {
            // The library's message carries " (Parameter 'name')"; the user named no parameter, they typed --env.
            throw new ArgumentException($"--env: {ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal)}", ex);
        }

        double[] state = ParseState(env, stateJson);
        float[][] actions = ParseActions(env, actionsJson, strictActions);

        var observations = new List<float[]>();
        var rewards = new List<double>();
        var terminated = new List<bool>();
        var truncated = new List<bool>();
        var observation = new float[env.ObservationSpace.Size];
        env.SetState(state, observation);
        foreach (var action in actions)
        {
            cancellationToken.ThrowIfCancellationRequested();
            StepResult r;
            try
            {
                r = env.ActionSpace is DiscreteSpace ? env.Step((int)action[0], observation) : env.Step(action, observation);
            }
            catch (EnvironmentOverflowException ex)
            {
                throw new ArgumentException($"--state {Shorten(stateJson)}: {ex.Message}", ex);
            }

            observations.Add((float[])observation.Clone());
            rewards.Add(r.Reward);
            terminated.Add(r.Terminated);
            truncated.Add(r.Truncated);
            if (r.Done)
            {
                break;
            }
        }

        return new EnvRollout([.. observations], [.. rewards], [.. terminated], [.. truncated]);
    }

    private static double[] ParseState(IControlEnvironment env, string json)
    {
        using var doc = ParseJson("--state", json);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Array || root.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.Number)
            || root.GetArrayLength() != env.StateSize)
        {
            throw new ArgumentException(
                $"--state for {env.Name} must be a JSON array of {env.StateSize} numbers ({StateLayout(env.Name)}); got {Shorten(json)}.");
        }

        double[] state = root.EnumerateArray().Select(e => e.GetDouble()).ToArray();
        int overflow = Array.FindIndex(state, v => !double.IsFinite(v));
        if (overflow >= 0)
        {
            throw new ArgumentException(
                $"--state[{overflow}]: {root[overflow].GetRawText()} is beyond the float64 range (±1.8e308); every element must be finite.");
        }

        return state;
    }

    private static float[][] ParseActions(IControlEnvironment env, string json, bool strictActions)
    {
        using var doc = ParseJson("--actions", json);
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Array)
        {
            throw new ArgumentException($"--actions must be a JSON array; got {Shorten(json)}.");
        }

        var actions = new float[root.GetArrayLength()][];
        int index = 0;
        foreach (var element in root.EnumerateArray())
        {
            float[]? action = element.ValueKind switch
            {
                JsonValueKind.Number => [(float)element.GetDouble()],
                JsonValueKind.Array when element.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number) =>
                    element.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray(),
                _ => null,
            };
            if (action is not null && env.ActionSpace is BoxSpace && action.Any(v => !float.IsFinite(v)))
            {
                throw new ArgumentException(
                    $"--actions[{index}]: action {element.GetRawText()} is beyond the float32 range (±3.4e38) of the {env.Name} action space {env.ActionSpace}.");
            }

            // Gymnasium clips a continuous action into its box (the environment does that); --strict-actions rejects it.
            bool accepted = action is not null && env.ActionSpace switch
            {
                DiscreteSpace d => action.Length == 1 && action[0] == MathF.Round(action[0]) && action[0] >= 0 && action[0] < d.N,
                BoxSpace b => strictActions ? b.Contains(action) : action.Length == b.Size,
                _ => false,
            };
            if (!accepted)
            {
                throw new ArgumentException(
                    $"--actions[{index}]: action {element.GetRawText()} is outside the {env.Name} action space {env.ActionSpace}"
                    + (strictActions && env.ActionSpace is BoxSpace ? " (--strict-actions)." : "."));
            }

            actions[index++] = action!;
        }

        return actions;
    }

    private static JsonDocument ParseJson(string option, string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{option} is not valid JSON ({ex.Message}): {Shorten(json)}.", ex);
        }
    }

    private static string StateLayout(string name) => name switch
    {
        "cartpole" => "x, x_dot, theta, theta_dot",
        "acrobot" => "theta1, theta2, theta1_dot, theta2_dot",
        "pendulum" => "theta, theta_dot",
        _ => "position, velocity",
    };

    private static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 57), "...");

    private static string FormatTable(EnvRollout rollout)
    {
        var sb = new StringBuilder("step  reward        terminated  truncated  observation");
        for (int t = 0; t < rollout.Rewards.Length; t++)
        {
            sb.Append('\n').Append(string.Create(
                CultureInfo.InvariantCulture,
                $"{t + 1,4}  {rollout.Rewards[t],-12:G6}  {rollout.Terminated[t],-10}  {rollout.Truncated[t],-9}  [{string.Join(", ", rollout.Observations[t].Select(v => v.ToString("G9", CultureInfo.InvariantCulture)))}]"));
        }

        return sb.ToString();
    }
}
