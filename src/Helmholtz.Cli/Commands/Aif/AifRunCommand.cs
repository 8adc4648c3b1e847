using System.ComponentModel;
using System.Globalization;
using Helmholtz.ActiveInference;
using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;
using Spectre.Console;
using Spectre.Console.Cli;
using CliOut = Helmholtz.Cli.Infrastructure.Cli;

namespace Helmholtz.Cli.Commands.Aif;

/// <summary>Settings of <c>helmholtz aif run</c>.</summary>
internal sealed class AifRunSettings : CommandSettings
{
    [CommandArgument(0, "<ENV>")]
    [Description("tmaze, grid or bandit")]
    public string Env { get; init; } = "tmaze";

    [CommandOption("--trials <N>")]
    [Description("Number of trials (default 100)")]
    public int Trials { get; init; } = 100;

    [CommandOption("--seed <S>")]
    [Description("Random seed (default 1)")]
    public ulong Seed { get; init; } = 1;

    [CommandOption("--learn")]
    [Description("T-maze/bandit: the agent does not know which arm pays in which context (flat Dirichlet prior pA over the reward outcome of each arm) and learns it across trials, with parameter information gain (novelty) in the EFE")]
    public bool Learn { get; init; }

    [CommandOption("--learn-prior <A>")]
    [Description("With --learn: prior Dirichlet count of reward and of loss for each arm in each context (default 1, as pymdp's T-maze learning demo)")]
    public double LearnPrior { get; init; } = 1;

    [CommandOption("--learn-d")]
    [Description("T-maze/bandit: the rewarded arm is fixed (arm 1) and the agent learns D (Dirichlet pD over the context) across trials")]
    public bool LearnD { get; init; }

    [CommandOption("--no-info-gain")]
    [Description("Switch off the state information gain term of the EFE")]
    public bool NoInfoGain { get; init; }

    [CommandOption("--cue-validity <P>")]
    [Description("T-maze/bandit: probability that the cue is right (default 1)")]
    public double CueValidity { get; init; } = 1.0;

    [CommandOption("--reward-prob <P>")]
    [Description("T-maze/bandit: probability of reward in the rewarded arm (default 0.98)")]
    public double RewardProbability { get; init; } = 0.98;

    [CommandOption("--size <N>")]
    [Description("Grid side length (default 5)")]
    public int Size { get; init; } = 5;

    [CommandOption("--unknown-layout")]
    [Description("Grid: the agent does not know where the goal is (flat Dirichlet pA over a goal sensor at every cell) nor, with --walls, which moves walls block (pB), and learns both across trials with novelty in the EFE; trials end at the goal")]
    public bool UnknownLayout { get; init; }

    [CommandOption("--goal <CELL>")]
    [Description("Grid: goal cell, row-major (default: bottom-right corner)")]
    public int? Goal { get; init; }

    [CommandOption("--walls <CELLS>")]
    [Description("Grid: comma-separated wall cells, row-major (default none)")]
    public string? Walls { get; init; }

    [CommandOption("--goal-preference <C>")]
    [Description("Grid with --unknown-layout: log-preference for the goal outcome (default 3)")]
    public double GoalPreference { get; init; } = 3;

    [CommandOption("--max-steps <N>")]
    [Description("Grid: steps per trial before it is cut off (default 4 × size, 3 × size² with --unknown-layout)")]
    public int? MaxSteps { get; init; }

    [CommandOption("--policy-len <L>")]
    [Description("Policy length, or the search depth with --planner sophisticated (default 2 for tmaze/bandit, 3 for grid, 2 × (size − 1), at most 8, for grid --unknown-layout)")]
    public int? PolicyLength { get; init; }

    [CommandOption("--planner <PLANNER>")]
    [Description("efe (enumerate policies, pymdp 0.0.7.1; default) or sophisticated (recursive tree search over actions and outcomes)")]
    public string Planner { get; init; } = "efe";

    [CommandOption("--stochastic")]
    [Description("Stochastic action selection with precision alpha = 16 instead of argmax")]
    public bool Stochastic { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Folder for figures (PNG and SVG); default runs/aif-<env>")]
    public string? Out { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object on the last line of stdout")]
    public bool Json { get; init; }

    public override ValidationResult Validate()
    {
        if (Env is not ("tmaze" or "grid" or "bandit"))
        {
            return ValidationResult.Error($"environment '{Env}': must be tmaze, grid or bandit");
        }

        if (Planner is not ("efe" or "sophisticated"))
        {
            return ValidationResult.Error($"--planner {Planner}: must be efe or sophisticated");
        }

        if (Trials < 1)
        {
            return ValidationResult.Error($"--trials {Trials}: must be ≥ 1");
        }

        if (PolicyLength is < 1 or > 8)
        {
            return ValidationResult.Error($"--policy-len {PolicyLength}: must be 1…8");
        }

        if ((UnknownLayout || Goal is not null || Walls is not null || MaxSteps is not null) && Env != "grid")
        {
            return ValidationResult.Error("--unknown-layout, --goal, --walls and --max-steps are for the grid");
        }

        if (MaxSteps is < 1)
        {
            return ValidationResult.Error($"--max-steps {MaxSteps}: must be ≥ 1");
        }

        return Size < 2 ? ValidationResult.Error($"--size {Size}: must be ≥ 2") : ValidationResult.Success();
    }
}

/// <summary>Runs an agent in the T-maze, grid world or bandit for N trials; prints a per-trial table, a summary and figures.</summary>
internal sealed class AifRunCommand : Infrastructure.HelmholtzCommand<AifRunSettings>
{
    internal sealed record TrialRecord(int Trial, int Context, int[] Moves, bool EnteredArm, bool Rewarded, double Belief);

    /// <summary>What one step of the example trial looked like (for the figures).</summary>
    internal sealed record StepTrace(double[] Context, double[] QPi, double[] Utility, double[] InfoGain);

    internal sealed record MazeSummary(string Env, int Trials, ulong Seed, string Learn, bool InfoGain, double CueFirstRate, double RewardRate, double ArmEntryRate, double DirectArmRate, double RewardRateLast20, double[][]? LearnedRewardProbability, string Figures);

    internal sealed record GridSummary(string Env, int Trials, ulong Seed, double SuccessRate, double MeanSteps, string Figures);

    /// <summary>One trial in the grid with an unknown layout.</summary>
    internal sealed record GridTrial(int Trial, int Steps, bool ReachedGoal, int[] Path, double GoalBelief);

    internal sealed record UnknownGridSummary(string Env, int Size, int Goal, int[] Walls, int PolicyLen, int Trials, ulong Seed, int ShortestPath, int[] StepsPerTrial, double SuccessRate, int FirstTrialSteps, double MeanStepsLast5, double[] LearnedGoalProbability, string Figures);

    /// <summary>Learning rate of pB in the unknown-layout grid: one bump into a wall should make the agent doubt that move.</summary>
    internal const double GridLearningRateB = 4;

    protected override int Run(AifRunSettings s, CancellationToken ct)
    {
        string learn = s.Learn ? "A" : s.LearnD ? "D" : "none";
        string outDir = s.Out ?? Path.Combine("runs", $"aif-{s.Env}{(s.Learn ? "-learn" : s.LearnD ? "-learn-d" : "")}{(s.NoInfoGain ? "-noig" : "")}");
        Directory.CreateDirectory(outDir);
        var rng = new Rng(s.Seed);
        int depth = s.PolicyLength ?? (s.Env != "grid" ? 2 : s.UnknownLayout ? Math.Min(8, 2 * (s.Size - 1)) : 3);
        bool sophisticated = s.Planner == "sophisticated";
        var agentOptions = new AgentOptions
        {
            PolicyLength = sophisticated ? 1 : depth,
            Planner = sophisticated ? Helmholtz.ActiveInference.Discrete.Planner.Sophisticated : Helmholtz.ActiveInference.Discrete.Planner.Efe,
            SophisticatedHorizon = depth,
            UseStatesInfoGain = !s.NoInfoGain,
            UseParamInfoGain = s.Learn || s.UnknownLayout,
            LearningRateB = s.UnknownLayout ? GridLearningRateB : 1,
            ActionSelection = s.Stochastic ? ActionSelection.Stochastic : ActionSelection.Deterministic,
        };
        if (s.Env == "grid")
        {
            return RunGrid(s, agentOptions, rng, outDir, ct);
        }

        var env = new TMaze(new TMazeOptions
        {
            Arms = s.Env == "bandit" ? 3 : 2,
            CueValidity = s.CueValidity,
            RewardProbability = s.RewardProbability,
            FixedContext = s.LearnD ? 0 : null,
            LearnD = s.LearnD,
            LearnRewardMapping = s.Learn,
            TerminalAfterArm = s.Learn,
            RewardPriorConcentration = s.LearnPrior,
            Agent = agentOptions,
        });
        var (records, traces, history) = RunMaze(env, s.Trials, s.Learn || s.LearnD, rng, ct);
        int cueFirst = records.Count(r => r.Moves[0] == env.CueLocation);
        int entered = records.Count(r => r.EnteredArm);
        int rewarded = records.Count(r => r.Rewarded);
        int direct = records.Count(r => env.IsArm(r.Moves[0]));
        var last = records.Skip(Math.Max(0, records.Count - 20)).ToList();
        double[][]? learned = s.Learn ? history[^1].Chunk(env.Model.NumStates[1]).ToArray() : null;
        var summary = new MazeSummary(s.Env, s.Trials, s.Seed, learn, !s.NoInfoGain,
            (double)cueFirst / records.Count, entered == 0 ? 0 : (double)rewarded / entered,
            (double)entered / records.Count, (double)direct / records.Count,
            (double)last.Count(r => r.Rewarded) / last.Count, learned, outDir);

        var table = new Table().AddColumns("trial", "rewarded arm", "moves", "entered", "reward", "belief in rewarded arm");
        foreach (var r in records.Take(20))
        {
            table.AddRow(r.Trial.ToString(CultureInfo.InvariantCulture), (r.Context + 1).ToString(CultureInfo.InvariantCulture),
                string.Join(" → ", r.Moves.Select(m => LocationName(env, m))), r.EnteredArm ? "yes" : "no", r.Rewarded ? "yes" : "no",
                r.Belief.ToString("F3", CultureInfo.InvariantCulture));
        }

        if (records.Count > 20)
        {
            table.Caption($"first 20 of {records.Count} trials");
        }

        CliOut.Stderr.Write(table);
        MazeFigures.Write(env, traces, records, history, learn, outDir);
        if (s.Json)
        {
            CliOut.WriteJson(summary);
        }
        else
        {
            AnsiConsole.MarkupLine($"cue first {summary.CueFirstRate:P0}, reward rate {summary.RewardRate:P0} of {entered} arm entries ({summary.RewardRateLast20:P0} in the last 20 trials); figures in {outDir}");
        }

        return 0;
    }

    private static string LocationName(TMaze env, int loc) =>
        loc == 0 ? "centre" : loc == env.CueLocation ? "cue" : $"arm {loc}";

    /// <summary>
    /// Runs <paramref name="trials"/> trials. With <paramref name="learn"/>, the agent learns what its model has Dirichlet
    /// counts for: pA (reward modality only, after every observation, as pymdp's update_A) and/or pD (at the end of each
    /// trial). History per trial: with pA, the learned P(reward | arm, context) flattened [arm, context]; with pD, D over
    /// the rewarded arm; otherwise empty.
    /// </summary>
    internal static (List<TrialRecord> Records, List<StepTrace> FirstTrial, List<double[]> History) RunMaze(TMaze env, int trials, bool learn, Rng rng, CancellationToken ct = default)
    {
        var agent = new Agent(env.Model);
        bool learnA = learn && env.Model.PA is not null;
        bool learnD = learn && env.Model.PD is not null;
        int[] rewardModality = [TMaze.RewardModality];
        var records = new List<TrialRecord>();
        var traces = new List<StepTrace>();
        var history = new List<double[]>();
        for (int trial = 0; trial < trials; trial++)
        {
            ct.ThrowIfCancellationRequested();
            agent.Reset();
            var obs = env.Reset(rng);
            var moves = new List<int>();
            double[][]? firstQs = null;
            bool rewarded = false;
            while (true)
            {
                var qs = agent.InferStates(obs);
                firstQs ??= qs.Select(x => (double[])x.Clone()).ToArray();
                if (learnA)
                {
                    agent.UpdateA(obs, rewardModality);
                }

                agent.InferPolicies();
                if (trial == 0)
                {
                    traces.Add(new StepTrace((double[])qs[1].Clone(), (double[])agent.QPi.Clone(), (double[])agent.Utility.Clone(), (double[])agent.StatesInfoGain.Clone()));
                }

                var action = agent.SampleAction(rng);
                moves.Add(action[0]);
                var (next, done) = env.Step(action, rng);
                obs = next;
                if (done)
                {
                    var final = agent.InferStates(obs);
                    if (learnA)
                    {
                        agent.UpdateA(obs, rewardModality);
                    }

                    rewarded = obs[1] == 1;
                    if (trial == 0)
                    {
                        traces.Add(new StepTrace((double[])final[1].Clone(), [], [], []));
                    }

                    if (learnD)
                    {
                        // The context does not change within a trial, so the final belief about it is also the belief
                        // about the initial context; the location's initial belief is the first step's.
                        agent.UpdateD([firstQs[0], (double[])final[1].Clone()]);
                    }

                    records.Add(new TrialRecord(trial, env.Context, moves.ToArray(), env.IsArm(env.Location), rewarded, final[1][env.Context]));
                    break;
                }
            }

            if (learnA)
            {
                var c = env.RewardContingency(agent.A);
                history.Add(c.Cast<double>().ToArray());
            }
            else if (learnD)
            {
                history.Add([agent.D[1][env.Context]]);
            }
            else
            {
                history.Add([]);
            }
        }

        return (records, traces, history);
    }

    private static int RunGrid(AifRunSettings s, AgentOptions options, Rng rng, string outDir, CancellationToken ct)
    {
        int[] walls = ParseWalls(s.Walls);
        if (s.UnknownLayout)
        {
            return RunUnknownGrid(s, options, walls, rng, outDir, ct);
        }

        var env = new GridWorld(new GridWorldOptions { Size = s.Size, MaxSteps = s.MaxSteps ?? 4 * s.Size, Goal = s.Goal, Walls = walls, Agent = options });
        var agent = new Agent(env.Model);
        int success = 0;
        long steps = 0;
        var path = new List<int>();
        for (int trial = 0; trial < s.Trials; trial++)
        {
            ct.ThrowIfCancellationRequested();
            agent.Reset();
            var obs = env.Reset(rng);
            if (trial == 0)
            {
                path.Add(obs[0]);
            }

            while (true)
            {
                agent.InferStates(obs);
                agent.InferPolicies();
                var (next, done) = env.Step(agent.SampleAction(rng), rng);
                obs = next;
                steps++;
                if (trial == 0)
                {
                    path.Add(obs[0]);
                }

                if (done)
                {
                    if (env.Location == env.Goal)
                    {
                        success++;
                    }

                    break;
                }
            }
        }

        MazeFigures.WriteGridPath(s.Size, env.Goal, path, outDir);
        var summary = new GridSummary("grid", s.Trials, s.Seed, (double)success / s.Trials, (double)steps / s.Trials, outDir);
        if (s.Json)
        {
            CliOut.WriteJson(summary);
        }
        else
        {
            AnsiConsole.MarkupLine($"reached the goal in {summary.SuccessRate:P0} of trials, {summary.MeanSteps:F1} steps per trial; figures in {outDir}");
        }

        return 0;
    }

    private static int[] ParseWalls(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : text.Split(',').Select(x => int.TryParse(x.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v : throw new FormatException($"--walls: '{x}' is not a cell index")).ToArray();

    private static int RunUnknownGrid(AifRunSettings s, AgentOptions options, int[] walls, Rng rng, string outDir, CancellationToken ct)
    {
        var env = new GridWorld(new GridWorldOptions
        {
            Size = s.Size, MaxSteps = s.MaxSteps ?? 3 * s.Size * s.Size, Goal = s.Goal, Walls = walls, UnknownLayout = true,
            GoalPreference = s.GoalPreference, Agent = options,
        });
        var (trials, learned) = RunUnknownLayout(env, s.Trials, rng, ct);
        var table = new Table().AddColumns("trial", "steps", "goal reached", "q(goal at the goal cell)");
        foreach (var t in trials)
        {
            table.AddRow(t.Trial.ToString(CultureInfo.InvariantCulture), t.Steps.ToString(CultureInfo.InvariantCulture), t.ReachedGoal ? "yes" : "no",
                t.GoalBelief.ToString("F3", CultureInfo.InvariantCulture));
        }

        CliOut.Stderr.Write(table);
        int shortest = env.ShortestPath();
        MazeFigures.WriteUnknownGrid(s.Size, env, trials, learned, shortest, outDir);
        var last = trials.Skip(Math.Max(0, trials.Count - 5)).ToList();
        var summary = new UnknownGridSummary("grid", s.Size, env.Goal, walls, options.PolicyLength, s.Trials, s.Seed, shortest,
            trials.Select(t => t.Steps).ToArray(), (double)trials.Count(t => t.ReachedGoal) / trials.Count, trials[0].Steps,
            last.Average(t => t.Steps), learned, outDir);
        if (s.Json)
        {
            CliOut.WriteJson(summary);
        }
        else
        {
            AnsiConsole.MarkupLine($"steps to the goal: {trials[0].Steps} in trial 1, {summary.MeanStepsLast5:F1} in the last 5 (shortest path {shortest}); figures in {outDir}");
        }

        return 0;
    }

    /// <summary>
    /// Runs trials in a grid with an unknown layout. After every observation the agent updates pA of the goal modality
    /// (and pB after every move when the model has pB); learned parameters carry over between trials. Returns the trials
    /// and the final learned P(goal | cell) per cell.
    /// </summary>
    internal static (List<GridTrial> Trials, double[] LearnedGoal) RunUnknownLayout(GridWorld env, int trials, Rng rng, CancellationToken ct = default)
    {
        var agent = new Agent(env.Model);
        bool learnB = env.Model.PB is not null;
        int[] goalModality = [GridWorld.GoalModality];
        var result = new List<GridTrial>();
        for (int trial = 0; trial < trials; trial++)
        {
            ct.ThrowIfCancellationRequested();
            agent.Reset();
            var obs = env.Reset(rng);
            var path = new List<int> { obs[0] };
            double[]? previous = null;
            int steps = 0;
            bool done = false;
            while (true)
            {
                // Learn from every observation, the last one (at the goal, or where the trial was cut off) included.
                agent.InferStates(obs);
                agent.UpdateA(obs, goalModality);
                if (learnB && previous is not null)
                {
                    agent.UpdateB([previous]);
                }

                if (done)
                {
                    break;
                }

                previous = (double[])agent.Qs[0].Clone();
                agent.InferPolicies();
                (obs, done) = env.Step(agent.SampleAction(rng), rng);
                steps++;
                path.Add(obs[0]);
            }

            var a = agent.A[GridWorld.GoalModality];
            int n = a.Shape[1];
            result.Add(new GridTrial(trial, steps, env.Location == env.Goal, path.ToArray(), a.Data[n + env.Goal]));
        }

        var final = agent.A[GridWorld.GoalModality];
        return (result, final.Data.AsSpan(final.Shape[1], final.Shape[1]).ToArray());
    }
}
