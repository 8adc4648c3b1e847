using System.Text.Json;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Discrete;

/// <summary>An agent's beliefs at one step of a replayed trajectory.</summary>
/// <param name="Qs">q(s) per factor.</param>
/// <param name="QPi">q(π) over the policies.</param>
/// <param name="NegEfe">−G per policy.</param>
public sealed record TrajectoryStep(double[][] Qs, double[] QPi, double[] NegEfe);

/// <summary>A replayed trajectory: the policies ([policy][time][factor]) and the beliefs at each step.</summary>
/// <param name="Policies">The model's policies, [policy][time][factor].</param>
/// <param name="Steps">The beliefs after each observation.</param>
public sealed record TrajectoryReplay(int[][][] Policies, TrajectoryStep[] Steps);

/// <summary>Recorded trajectories (observations and actions): reading them and replaying them through an agent.</summary>
public static class Trajectories
{
    /// <summary>Replays a recorded trajectory through a fresh agent of <paramref name="model"/>: per step, infer states, infer policies, then take the recorded action.</summary>
    /// <exception cref="ModelException">An observation or action does not fit the model, or there are more actions than observations.</exception>
    public static TrajectoryReplay Replay(GenerativeModel model, int[][] observations, int[][] actions, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(observations);
        ArgumentNullException.ThrowIfNull(actions);
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
        var steps = new TrajectoryStep[observations.Length];
        for (int t = 0; t < observations.Length; t++)
        {
            ct.ThrowIfCancellationRequested();
            agent.InferStates(observations[t]);
            agent.InferPolicies(ct);
            steps[t] = new TrajectoryStep(agent.Qs.Select(x => (double[])x.Clone()).ToArray(), (double[])agent.QPi.Clone(), (double[])agent.NegEfe.Clone());
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

        return new TrajectoryReplay(policies, steps);
    }

    /// <summary>Reads a trajectory file: JSON with "observations" (a list of per-modality outcome lists) and optional "actions".</summary>
    /// <exception cref="ModelException">The file is not such a trajectory; the message names the bad element.</exception>
    public static (int[][] Observations, int[][] Actions) Read(string path) =>
        Parse(WorkLimits.Default.ReadAllText(path, "trajectory file"), path);

    /// <summary>Parses a trajectory from JSON text (as <see cref="Read"/>); <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="ModelException">The text is not valid JSON or not such a trajectory; the message names the bad element.</exception>
    public static (int[][] Observations, int[][] Actions) Parse(string json, string source = "trajectory")
    {
        using (var doc = ModelFile.ParseJson(json, source))
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("observations", out var obs))
            {
                throw new ModelException($"{source}: missing required key \"observations\"");
            }

            var observations = IntRows(obs, $"{source}: observations");
            var actions = root.TryGetProperty("actions", out var act) && act.ValueKind != JsonValueKind.Null
                ? IntRows(act, $"{source}: actions")
                : [];
            return (observations, actions);
        }
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
