using Helmholtz.Environments.Discrete;

namespace Helmholtz.ActiveInference.Discrete;

/// <summary>What an agent believes about the T-maze beyond the task itself: preferences, what it must learn, its options.</summary>
public sealed record TMazeModelOptions
{
    /// <summary>Log-preference for the reward outcome.</summary>
    public double RewardPreference { get; init; } = 3;

    /// <summary>Log-preference for the loss outcome.</summary>
    public double LossPreference { get; init; } = -3;

    /// <summary>Give the agent Dirichlet counts over D (pD = 1 for the context, a point mass on the centre for location).</summary>
    public bool LearnD { get; init; }

    /// <summary>
    /// Give the agent Dirichlet counts pA in which the reward outcome of every arm in every context is unknown (flat
    /// prior: <see cref="RewardPriorConcentration"/> for reward and for loss; "none" impossible in an arm); the location
    /// and cue mappings are known (counts <see cref="KnownConcentration"/> × A). The agent must learn which arm pays in
    /// which context (the contingency).
    /// </summary>
    public bool LearnRewardMapping { get; init; }

    /// <summary>Prior Dirichlet count of reward and of loss for each (arm, context) when <see cref="LearnRewardMapping"/> is set.</summary>
    public double RewardPriorConcentration { get; init; } = 1;

    /// <summary>Scale of the Dirichlet counts of the mappings the learning agent already knows (large: barely moved by learning).</summary>
    public double KnownConcentration { get; init; } = 100;

    /// <summary>
    /// Give the agent's model an end state that every arm leads to (observed as its own location outcome, no reward, an
    /// uninformative cue), matching the task in which entering an arm ends the trial; without it the arms are absorbing
    /// in the model and the agent expects to sample an arm again.
    /// </summary>
    public bool TerminalAfterArm { get; init; }

    /// <summary>Agent options (policy length 2 by default).</summary>
    public AgentOptions Agent { get; init; } = new() { PolicyLength = 2 };
}

/// <summary>What an agent believes about the grid world: whether it knows the layout, its priors, its options.</summary>
public sealed record GridWorldModelOptions
{
    /// <summary>
    /// The agent does not know the layout: where the goal is (the goal-sensor modality's mapping from cells has flat
    /// Dirichlet counts pA, <see cref="GoalPrior"/> each) and, when there are walls, which moves they block (Dirichlet
    /// counts pB that expect every move to succeed). Its only preference is for the goal outcome. Needs a grid with
    /// <see cref="GridWorldOptions.GoalSensor"/>. Known layout: preferences C = −(Manhattan distance to the goal), so a
    /// short planning horizon still sees the way.
    /// </summary>
    public bool UnknownLayout { get; init; }

    /// <summary>Unknown layout: prior Dirichlet count of "goal" and of "nothing" at every cell.</summary>
    public double GoalPrior { get; init; } = 1;

    /// <summary>Unknown layout: log-preference for the goal outcome (C of the goal modality; "nothing" is 0).</summary>
    public double GoalPreference { get; init; } = 3;

    /// <summary>Unknown layout with walls: prior count that a move reaches the neighbouring cell.</summary>
    public double MovePrior { get; init; } = 1;

    /// <summary>Unknown layout with walls: prior count that a move is blocked (the agent stays).</summary>
    public double BlockPrior { get; init; } = 0.25;

    /// <summary>Dirichlet count given to what the agent knows for certain (location sensing, the stay action, edges).</summary>
    public double KnownConcentration { get; init; } = 100;

    /// <summary>Agent options.</summary>
    public AgentOptions Agent { get; init; } = new() { PolicyLength = 3 };
}

/// <summary>What an agent believes about the dial corridor: its preference for reward and its options.</summary>
public sealed record DialCorridorModelOptions
{
    /// <summary>Log-preference of the reward outcome (C of modality 2; no reward is 0).</summary>
    public double RewardPreference { get; init; } = 3;

    /// <summary>Agent options.</summary>
    public AgentOptions Agent { get; init; } = new() { PolicyLength = 3 };
}

/// <summary>
/// The model factory of the discrete tasks: builds an agent's generative model of a T-maze, grid world or dial corridor.
/// The environment does not own its agent's model; the model is built from the task's public description.
/// </summary>
public static partial class TaskModels
{
    /// <summary>A learning rate of pB for the unknown-layout grid: one bump into a wall should make the agent doubt that move.</summary>
    public const double UnknownLayoutLearningRateB = 4;

    /// <summary>Index of the T-maze reward modality (outcomes: 0 none, 1 reward, 2 loss).</summary>
    public const int TMazeRewardModality = 1;

    /// <summary>
    /// The T-maze model. Factors: location (0 centre, 1…K arms, K+1 cue; one more, the end state, with
    /// <see cref="TMazeModelOptions.TerminalAfterArm"/>) controlled by "go to" actions; context (which arm pays), not
    /// controlled. Modalities: location (observed exactly), reward (0 none, 1 reward, 2 loss), cue (which arm the cue
    /// points to; uniform away from the cue location).
    /// </summary>
    public static GenerativeModel ForTMaze(TMaze maze, TMazeModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(maze);
        var o = options ?? new TMazeModelOptions();
        int nl = maze.Locations, k = maze.Arms, ns = nl + (o.TerminalAfterArm ? 1 : 0);
        var aLoc = new double[ns * ns * k];
        var aRew = new double[3 * ns * k];
        var aCue = new double[k * ns * k];
        for (int l = 0; l < ns; l++)
        {
            for (int c = 0; c < k; c++)
            {
                aLoc[(l * ns + l) * k + c] = 1;
                if (maze.IsArm(l))
                {
                    double p = maze.RewardProbability(l - 1, c);
                    aRew[(1 * ns + l) * k + c] = p;
                    aRew[(2 * ns + l) * k + c] = 1 - p;
                }
                else
                {
                    aRew[(0 * ns + l) * k + c] = 1;
                }

                for (int q = 0; q < k; q++)
                {
                    aCue[(q * ns + l) * k + c] = l == maze.CueLocation ? maze.CueProbability(q, c) : 1.0 / k;
                }
            }
        }

        // Controls are "go to location u" for the nl real locations; with TerminalAfterArm an arm leads to the end state,
        // which stays put, so the agent does not expect to sample an arm twice (the trial really ends there).
        var bLoc = new double[ns * ns * nl];
        for (int prev = 0; prev < ns; prev++)
        {
            for (int u = 0; u < nl; u++)
            {
                int next = prev >= nl ? prev : maze.IsArm(prev) ? (ns > nl ? nl : prev) : u;
                bLoc[(next * ns + prev) * nl + u] = 1;
            }
        }

        var bCtx = new double[k * k];
        for (int c = 0; c < k; c++)
        {
            bCtx[c * k + c] = 1;
        }

        var cRew = new[] { 0.0, o.RewardPreference, o.LossPreference };
        var dLoc = new double[ns];
        dLoc[0] = 1;
        double[][]? pD = null;
        if (o.LearnD)
        {
            pD = [(double[])dLoc.Clone(), Enumerable.Repeat(1.0, k).ToArray()];
        }

        ModelArray[]? pA = null;
        if (o.LearnRewardMapping)
        {
            var pRew = new double[aRew.Length];
            for (int l = 0; l < ns; l++)
            {
                for (int c = 0; c < k; c++)
                {
                    if (maze.IsArm(l))
                    {
                        pRew[(1 * ns + l) * k + c] = o.RewardPriorConcentration;
                        pRew[(2 * ns + l) * k + c] = o.RewardPriorConcentration;
                    }
                    else
                    {
                        pRew[(0 * ns + l) * k + c] = o.KnownConcentration;
                    }
                }
            }

            pA =
            [
                new ModelArray([ns, ns, k], aLoc.Select(x => x * o.KnownConcentration).ToArray()),
                new ModelArray([3, ns, k], pRew),
                new ModelArray([k, ns, k], aCue.Select(x => x * o.KnownConcentration).ToArray()),
            ];
            aRew = Normalised(pRew, 3);
        }

        return new GenerativeModel(
            [new ModelArray([ns, ns, k], aLoc), new ModelArray([3, ns, k], aRew), new ModelArray([k, ns, k], aCue)],
            [new ModelArray([ns, ns, nl], bLoc), new ModelArray([k, k, 1], bCtx)],
            c: [new double[ns], cRew, new double[k]],
            d: pD is null ? [dLoc, Enumerable.Repeat(1.0 / k, k).ToArray()] : null,
            pA: pA,
            pD: pD,
            options: o.Agent);
    }

    /// <summary>The P(reward | arm, context) of a (learned) T-maze reward likelihood <paramref name="a"/>[1]; [arm, context], arms 0-based.</summary>
    public static double[,] TMazeRewardContingency(IReadOnlyList<ModelArray> a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var reward = a[TMazeRewardModality];
        int ns = reward.Shape[1], k = reward.Shape[2];
        var result = new double[k, k];
        for (int arm = 0; arm < k; arm++)
        {
            for (int c = 0; c < k; c++)
            {
                result[arm, c] = reward.Data[(1 * ns + arm + 1) * k + c];
            }
        }

        return result;
    }

    /// <summary>
    /// The grid-world model: one factor (location, N² states), five actions, location observed exactly. Known layout:
    /// the true moves and C = −(Manhattan distance to the goal). Unknown layout: see <see cref="GridWorldModelOptions.UnknownLayout"/>.
    /// </summary>
    public static GenerativeModel ForGridWorld(GridWorld grid, GridWorldModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(grid);
        var o = options ?? new GridWorldModelOptions();
        CheckGridWorldSize(grid.Size, o.UnknownLayout);
        int n = grid.Size, s = grid.Cells;
        const int U = GridWorld.Actions;
        if (o.UnknownLayout != grid.Options.GoalSensor)
        {
            throw new ArgumentException(o.UnknownLayout
                ? "UnknownLayout: the agent needs the grid's goal sensor (GridWorldOptions.GoalSensor)"
                : "GoalSensor: a grid with a goal sensor needs a model with UnknownLayout", nameof(options));
        }

        var a = new double[s * s];
        for (int i = 0; i < s; i++)
        {
            a[i * s + i] = 1;
        }

        var d = new double[s];
        d[0] = 1;
        if (!o.UnknownLayout)
        {
            var b = new double[s * s * U];
            for (int prev = 0; prev < s; prev++)
            {
                for (int u = 0; u < U; u++)
                {
                    b[(grid.Move(prev, u) * s + prev) * U + u] = 1;
                }
            }

            var c = new double[s];
            int gr = grid.Goal / n, gc = grid.Goal % n;
            for (int i = 0; i < s; i++)
            {
                c[i] = -(Math.Abs(i / n - gr) + Math.Abs(i % n - gc));
            }

            return new GenerativeModel([new ModelArray([s, s], a)], [new ModelArray([s, s, U], b)], c: [c], d: [d], options: o.Agent);
        }

        double known = o.KnownConcentration;
        var pLoc = a.Select(x => x * known).ToArray();
        var pGoal = Enumerable.Repeat(o.GoalPrior, 2 * s).ToArray();
        var aGoal = Enumerable.Repeat(0.5, 2 * s).ToArray();
        ModelArray[]? pB = null;
        var bModel = new double[s * s * U];
        if (grid.Options.Walls.Count > 0)
        {
            var counts = new double[s * s * U];
            for (int prev = 0; prev < s; prev++)
            {
                for (int u = 0; u < U; u++)
                {
                    int target = grid.OpenMove(prev, u);
                    if (target == prev)
                    {
                        counts[(prev * s + prev) * U + u] = known;
                    }
                    else
                    {
                        counts[(target * s + prev) * U + u] = o.MovePrior;
                        counts[(prev * s + prev) * U + u] = o.BlockPrior;
                    }
                }
            }

            for (int prev = 0; prev < s; prev++)
            {
                for (int u = 0; u < U; u++)
                {
                    double sum = 0;
                    for (int i = 0; i < s; i++)
                    {
                        sum += counts[(i * s + prev) * U + u];
                    }

                    for (int i = 0; i < s; i++)
                    {
                        bModel[(i * s + prev) * U + u] = counts[(i * s + prev) * U + u] / sum;
                    }
                }
            }

            pB = [new ModelArray([s, s, U], counts)];
        }
        else
        {
            for (int prev = 0; prev < s; prev++)
            {
                for (int u = 0; u < U; u++)
                {
                    bModel[(grid.OpenMove(prev, u) * s + prev) * U + u] = 1;
                }
            }
        }

        return new GenerativeModel(
            [new ModelArray([s, s], a), new ModelArray([2, s], aGoal)],
            [new ModelArray([s, s, U], bModel)],
            c: [new double[s], [0, o.GoalPreference]],
            d: [d],
            pA: [new ModelArray([s, s], pLoc), new ModelArray([2, s], pGoal)],
            pB: pB,
            options: o.Agent);
    }

    /// <summary>
    /// The dial-corridor model (the benchmark's two-factor model): cell and dial factors, modalities cell (exact), dial
    /// reading (noisy) and reward (on the cell the dial points at); the cell is known at the start, the dial is not.
    /// </summary>
    public static GenerativeModel ForDialCorridor(DialCorridor world, DialCorridorModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(world);
        var o = options ?? new DialCorridorModelOptions();
        CheckDialCorridorSize(world.Options.Cells, world.Options.Settings);
        int n = world.Options.Cells, k = world.Options.Settings, s = n * k;
        var aCell = new double[n * s];
        var aDial = new double[k * s];
        var aReward = new double[2 * s];
        for (int c = 0; c < n; c++)
        {
            for (int d = 0; d < k; d++)
            {
                int j = c * k + d;
                aCell[c * s + j] = 1;
                for (int r = 0; r < k; r++)
                {
                    aDial[r * s + j] = world.ReadingProbability(r, d);
                }

                aReward[(c == world.Target(d) ? 1 : 0) * s + j] = 1;
            }
        }

        var bCell = new double[n * n * 3];
        for (int prev = 0; prev < n; prev++)
        {
            for (int u = 0; u < 3; u++)
            {
                bCell[(world.MoveCell(prev, u) * n + prev) * 3 + u] = 1;
            }
        }

        var bDial = new double[k * k * 3];
        for (int prev = 0; prev < k; prev++)
        {
            for (int u = 0; u < 3; u++)
            {
                bDial[(world.TurnDial(prev, u) * k + prev) * 3 + u] = 1;
            }
        }

        var dCell = new double[n];
        dCell[0] = 1;
        var dDial = Enumerable.Repeat(1.0 / k, k).ToArray();
        return new GenerativeModel(
            [new ModelArray([n, n, k], aCell), new ModelArray([k, n, k], aDial), new ModelArray([2, n, k], aReward)],
            [new ModelArray([n, n, 3], bCell), new ModelArray([k, k, 3], bDial)],
            c: [new double[n], new double[k], [0, o.RewardPreference]],
            d: [dCell, dDial],
            options: o.Agent);
    }

    private static double[] Normalised(double[] counts, int rows)
    {
        int cols = counts.Length / rows;
        var x = new double[counts.Length];
        for (int j = 0; j < cols; j++)
        {
            double sum = 0;
            for (int i = 0; i < rows; i++)
            {
                sum += counts[i * cols + j];
            }

            for (int i = 0; i < rows; i++)
            {
                x[i * cols + j] = counts[i * cols + j] / sum;
            }
        }

        return x;
    }
}
