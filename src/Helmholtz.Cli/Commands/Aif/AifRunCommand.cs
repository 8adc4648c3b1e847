using System.Globalization;
using Helmholtz.ActiveInference;
using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Environments.Discrete;
using Helmholtz.Cli.Infrastructure;
using Helmholtz.Tensors;
using Spectre.Console;
using CliOut = Helmholtz.Cli.Infrastructure.Cli;

namespace Helmholtz.Cli.Commands.Aif;

/// <summary>One T-maze trial as the table and figures show it.</summary>
internal sealed record TrialRecord(int Trial, int Context, int[] Moves, bool EnteredArm, bool Rewarded, double Belief);

/// <summary>What one step of the example trial looked like (for the figures).</summary>
internal sealed record StepTrace(double[] Context, double[] QPi, double[] Utility, double[] InfoGain);

/// <summary>One trial in the grid with an unknown layout.</summary>
internal sealed record GridTrial(int Trial, int Steps, bool ReachedGoal, int[] Path, double GoalBelief);

/// <summary>Runs an agent in the T-maze, grid world or bandit for N trials (<see cref="TrialRunner"/>); prints a per-trial table, a summary and figures.</summary>
internal sealed class AifRunCommand : Infrastructure.HelmholtzCommand<AifRunSettings>
{
    internal sealed record MazeSummary(string Env, int Trials, ulong Seed, string Learn, bool InfoGain, double CueFirstRate, double RewardRate, double ArmEntryRate, double DirectArmRate, double RewardRateLast20, double[][]? LearnedRewardProbability, string Figures);

    internal sealed record GridSummary(string Env, int Trials, ulong Seed, double SuccessRate, double MeanSteps, string Figures);

    internal sealed record UnknownGridSummary(string Env, int Size, int Goal, int[] Walls, int PolicyLen, int Trials, ulong Seed, int ShortestPath, int[] StepsPerTrial, double SuccessRate, int FirstTrialSteps, double MeanStepsLast5, double[] LearnedGoalProbability, string Figures);

    /// <summary>The default run folder's name: one per variant, so that variants never overwrite each other's figures.</summary>
    internal static string DefaultFolderName(AifRunSettings s) =>
        $"aif-{s.Env}{(s.UnknownLayout ? "-unknown" : "")}{(s.Planner == "sophisticated" ? "-si" : "")}"
        + $"{(s.Learn ? "-learn" : s.LearnD ? "-learn-d" : "")}{(s.NoInfoGain ? "-noig" : "")}";

    protected override int Run(AifRunSettings s, CancellationToken ct)
    {
        string learn = s.Learn ? "A" : s.LearnD ? "D" : "none";
        string outDir = s.Out ?? Path.Combine("runs", DefaultFolderName(s));
        using var runFolder = RunFolderGuard.Take(OutPath.Folder(outDir));
        var rng = new Rng(s.Seed);
        bool sophisticated = s.Planner == "sophisticated";

        // The tree search grows faster with depth than policy enumeration: beyond 6 steps on the unknown grid it
        // exceeds the node limit (WorkLimits.MaxTreeNodes) per step.
        int depth = s.PolicyLength ?? (s.Env != "grid" ? 2 : s.UnknownLayout ? Math.Min(sophisticated ? 6 : 8, 2 * (s.Size - 1)) : 3);
        var agentOptions = new AgentOptions
        {
            PolicyLength = sophisticated ? 1 : depth,
            Planner = sophisticated ? Planner.Sophisticated : Planner.Efe,
            SophisticatedHorizon = depth,
            UseStatesInfoGain = !s.NoInfoGain,
            UseParamInfoGain = s.Learn || s.UnknownLayout,
            LearningRateB = s.UnknownLayout ? TaskModels.UnknownLayoutLearningRateB : 1,
            ActionSelection = s.Stochastic ? ActionSelection.Stochastic : ActionSelection.Deterministic,
        };
        try
        {
            return RunEnvironment(s, agentOptions, learn, outDir, rng, ct);
        }
        catch (ModelException ex) when (sophisticated && ex.Message.StartsWith("si_horizon", StringComparison.Ordinal))
        {
            // The models are built here, so the search depth is the option the user typed.
            throw new Infrastructure.BadInputException($"--policy-len {depth} (the search depth of --planner sophisticated) is too deep: {ex.Message}");
        }
    }

    private static int RunEnvironment(AifRunSettings s, AgentOptions agentOptions, string learn, string outDir, Rng rng, CancellationToken ct)
    {
        if (s.Env == "grid")
        {
            return s.UnknownLayout ? RunUnknownGrid(s, agentOptions, rng, outDir, ct) : RunGrid(s, agentOptions, rng, outDir, ct);
        }

        var env = new TMaze(new TMazeOptions
        {
            Arms = s.Env == "bandit" ? 3 : 2, CueValidity = s.CueValidity, RewardProbability = s.RewardProbability, FixedContext = s.LearnD ? 0 : null,
        });
        var model = TaskModels.ForTMaze(env, new TMazeModelOptions
        {
            LearnD = s.LearnD, LearnRewardMapping = s.Learn, TerminalAfterArm = s.Learn, RewardPriorConcentration = s.LearnPrior, Agent = agentOptions,
        });
        var schedule = new LearningSchedule(s.Learn ? [TaskModels.TMazeRewardModality] : null, LearnD: s.LearnD);
        var traces = new List<StepTrace>();
        var history = new List<double[]>();
        var runner = new TrialRunner(env, new Agent(model), schedule)
        {
            AfterPolicyInference = (trial, _, qs, agent) =>
            {
                if (trial == 0)
                {
                    traces.Add(new StepTrace((double[])qs[1].Clone(), (double[])agent.QPi.Clone(), (double[])agent.Utility.Clone(), (double[])agent.StatesInfoGain.Clone()));
                }
            },
        };
        var trials = runner.Run(s.Trials, rng, t => history.Add(
            s.Learn ? TaskModels.TMazeRewardContingency(runner.Agent.A).Cast<double>().ToArray() : s.LearnD ? [runner.Agent.D[1][t.FinalState[1]]] : []), ct);
        traces.Add(new StepTrace((double[])trials[0].FinalBeliefs[1].Clone(), [], [], []));
        var records = trials.Select(t => new TrialRecord(t.Index, t.FinalState[1], t.Actions.Select(a => a[0]).ToArray(), env.IsArm(t.FinalState[0]),
            t.FinalObservation[1] == 1, t.FinalBeliefs[1][t.FinalState[1]])).ToList();
        int entered = records.Count(r => r.EnteredArm);
        var last = records.Skip(Math.Max(0, records.Count - 20)).ToList();
        var summary = new MazeSummary(s.Env, s.Trials, s.Seed, learn, !s.NoInfoGain,
            (double)records.Count(r => r.Moves[0] == env.CueLocation) / records.Count, entered == 0 ? 0 : (double)records.Count(r => r.Rewarded) / entered,
            (double)entered / records.Count, (double)records.Count(r => env.IsArm(r.Moves[0])) / records.Count,
            (double)last.Count(r => r.Rewarded) / last.Count, s.Learn ? history[^1].Chunk(env.Arms).ToArray() : null, outDir);

        var table = new Table().AddColumns("trial", "rewarded arm", "moves", "entered", "reward", "belief in rewarded arm");
        foreach (var r in records.Take(20))
        {
            table.AddRow(r.Trial.ToString(CultureInfo.InvariantCulture), (r.Context + 1).ToString(CultureInfo.InvariantCulture),
                string.Join(" → ", r.Moves.Select(m => m == 0 ? "centre" : m == env.CueLocation ? "cue" : $"arm {m}")), r.EnteredArm ? "yes" : "no",
                r.Rewarded ? "yes" : "no", r.Belief.ToString("F3", CultureInfo.InvariantCulture));
        }

        if (records.Count > 20)
        {
            table.Caption($"first 20 of {records.Count} trials");
        }

        CliOut.Results(s.Json).Write(table);
        MazeFigures.Write(env, traces, records, history, learn, outDir);
        return Report(s, summary, $"cue first {summary.CueFirstRate:P0}, reward rate {summary.RewardRate:P0} of {entered} arm entries ({summary.RewardRateLast20:P0} in the last 20 trials); figures in {outDir}");
    }

    private static int RunGrid(AifRunSettings s, AgentOptions options, Rng rng, string outDir, CancellationToken ct)
    {
        var env = new GridWorld(new GridWorldOptions { Size = s.Size, MaxSteps = s.MaxSteps ?? 4 * s.Size, Goal = s.Goal, Walls = ParseWalls(s.Walls) });
        var trials = new TrialRunner(env, new Agent(TaskModels.ForGridWorld(env, new GridWorldModelOptions { Agent = options }))).Run(s.Trials, rng, null, ct);
        MazeFigures.WriteGridPath(s.Size, env.Goal, trials[0].Observations.Select(o => o[0]).ToList(), outDir);
        var summary = new GridSummary("grid", s.Trials, s.Seed, (double)trials.Count(t => t.FinalState[0] == env.Goal) / s.Trials,
            (double)trials.Sum(t => (long)t.Steps) / s.Trials, outDir);
        return Report(s, summary, $"reached the goal in {summary.SuccessRate:P0} of trials, {summary.MeanSteps:F1} steps per trial; figures in {outDir}");
    }

    private static int[] ParseWalls(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split(',').Select(x => int.TryParse(x.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v : throw new FormatException($"--walls: '{x}' is not a cell index")).ToArray();

    private static int RunUnknownGrid(AifRunSettings s, AgentOptions options, Rng rng, string outDir, CancellationToken ct)
    {
        int[] walls = ParseWalls(s.Walls);
        var env = new GridWorld(new GridWorldOptions { Size = s.Size, MaxSteps = s.MaxSteps ?? 3 * s.Size * s.Size, Goal = s.Goal, Walls = walls, GoalSensor = true });
        var model = TaskModels.ForGridWorld(env, new GridWorldModelOptions { UnknownLayout = true, GoalPreference = s.GoalPreference, Agent = options });
        var runner = new TrialRunner(env, new Agent(model), new LearningSchedule([GridWorld.GoalModality], LearnB: model.PB is not null));
        var trials = new List<GridTrial>();
        runner.Run(s.Trials, rng, t => trials.Add(new GridTrial(t.Index, t.Steps, t.FinalState[0] == env.Goal, t.Observations.Select(o => o[0]).ToArray(),
            runner.Agent.A[GridWorld.GoalModality].Data[env.Cells + env.Goal])), ct);
        double[] learned = runner.Agent.A[GridWorld.GoalModality].Data.AsSpan(env.Cells, env.Cells).ToArray();
        var table = new Table().AddColumns("trial", "steps", "goal reached", "q(goal at the goal cell)");
        foreach (var t in trials)
        {
            table.AddRow(t.Trial.ToString(CultureInfo.InvariantCulture), t.Steps.ToString(CultureInfo.InvariantCulture), t.ReachedGoal ? "yes" : "no",
                t.GoalBelief.ToString("F3", CultureInfo.InvariantCulture));
        }

        CliOut.Results(s.Json).Write(table);
        int shortest = env.ShortestPath();
        MazeFigures.WriteUnknownGrid(s.Size, env, trials, learned, shortest, outDir);
        var summary = new UnknownGridSummary("grid", s.Size, env.Goal, walls, options.PolicyLength, s.Trials, s.Seed, shortest,
            trials.Select(t => t.Steps).ToArray(), (double)trials.Count(t => t.ReachedGoal) / trials.Count, trials[0].Steps,
            trials.Skip(Math.Max(0, trials.Count - 5)).Average(t => t.Steps), learned, outDir);
        return Report(s, summary, $"steps to the goal: {trials[0].Steps} in trial 1, {summary.MeanStepsLast5:F1} in the last 5 (shortest path {shortest}); figures in {outDir}");
    }

    private static int Report<T>(AifRunSettings s, T summary, string line)
    {
        if (s.Json)
        {
            CliOut.WriteJson(summary);
        }
        else
        {
            CliOut.Results(json: false).MarkupLine(line);
        }

        return 0;
    }
}
