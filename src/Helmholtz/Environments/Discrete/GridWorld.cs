using Helmholtz.ActiveInference.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.Environments.Discrete;

/// <summary>Options of the grid world.</summary>
public sealed record GridWorldOptions
{
    /// <summary>Side length N of the N×N grid.</summary>
    public int Size { get; init; } = 5;

    /// <summary>Maximum steps per trial.</summary>
    public int MaxSteps { get; init; } = 20;

    /// <summary>The goal cell (row-major index); null for the bottom-right corner.</summary>
    public int? Goal { get; init; }

    /// <summary>Wall cells (row-major indices): moves into them leave the agent where it was.</summary>
    public IReadOnlyList<int> Walls { get; init; } = [];

    /// <summary>
    /// The agent does not know the layout: where the goal is (a second, goal modality whose mapping from cells has flat
    /// Dirichlet counts pA, <see cref="GoalPrior"/> each) and, when there are walls, which moves they block (Dirichlet
    /// counts pB that expect every move to succeed). Its only preference is for the goal outcome.
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

/// <summary>
/// An N×N grid world: one factor (location, N² states, row-major), five actions (stay, up, down, left, right; moves
/// into the edge or a wall stay put), location observed exactly, start in the top-left corner, goal by default in the
/// bottom-right corner. Known layout: preferences C = −(Manhattan distance to the goal), so a short planning horizon
/// still sees the way. Unknown layout (<see cref="GridWorldOptions.UnknownLayout"/>): a second modality says whether the
/// agent stands on the goal, the agent prefers only that outcome and must learn where it is (pA) and which moves walls
/// block (pB) across trials.
/// </summary>
public sealed class GridWorld : IDiscreteEnvironment
{
    /// <summary>Index of the goal modality in the unknown-layout model.</summary>
    public const int GoalModality = 1;

    private readonly GridWorldOptions _o;
    private readonly bool[] _wall;
    private int _loc;
    private int _steps;

    /// <summary>Creates the grid and its generative model.</summary>
    public GridWorld(GridWorldOptions? options = null)
    {
        _o = options ?? new GridWorldOptions();
        if (_o.Size < 2)
        {
            throw new ArgumentException($"size = {_o.Size}: need at least 2");
        }

        int n = _o.Size, s = n * n;
        Goal = _o.Goal ?? s - 1;
        _wall = new bool[s];
        foreach (int w in _o.Walls)
        {
            if (w < 0 || w >= s)
            {
                throw new ArgumentException($"wall {w}: cells are 0…{s - 1}");
            }

            _wall[w] = true;
        }

        if (Goal < 1 || Goal >= s || _wall[Goal] || _wall[0])
        {
            throw new ArgumentException($"goal {Goal}: must be a cell 1…{s - 1} that is not a wall, and the start (cell 0) must not be a wall");
        }

        var a = new double[s * s];
        for (int i = 0; i < s; i++)
        {
            a[i * s + i] = 1;
        }

        var d = new double[s];
        d[0] = 1;
        if (!_o.UnknownLayout)
        {
            var b = new double[s * s * 5];
            for (int prev = 0; prev < s; prev++)
            {
                for (int u = 0; u < 5; u++)
                {
                    b[(Move(prev, u) * s + prev) * 5 + u] = 1;
                }
            }

            var c = new double[s];
            int gr = Goal / n, gc = Goal % n;
            for (int i = 0; i < s; i++)
            {
                c[i] = -(Math.Abs(i / n - gr) + Math.Abs(i % n - gc));
            }

            Model = new GenerativeModel([new ModelArray([s, s], a)], [new ModelArray([s, s, 5], b)], c: [c], d: [d], options: _o.Agent);
            return;
        }

        double known = _o.KnownConcentration;
        var pLoc = a.Select(x => x * known).ToArray();
        var pGoal = Enumerable.Repeat(_o.GoalPrior, 2 * s).ToArray();
        var aGoal = Enumerable.Repeat(0.5, 2 * s).ToArray();
        ModelArray[]? pB = null;
        var bModel = new double[s * s * 5];
        if (_o.Walls.Count > 0)
        {
            var counts = new double[s * s * 5];
            for (int prev = 0; prev < s; prev++)
            {
                for (int u = 0; u < 5; u++)
                {
                    int target = OpenMove(prev, u);
                    if (target == prev)
                    {
                        counts[(prev * s + prev) * 5 + u] = known;
                    }
                    else
                    {
                        counts[(target * s + prev) * 5 + u] = _o.MovePrior;
                        counts[(prev * s + prev) * 5 + u] = _o.BlockPrior;
                    }
                }
            }

            for (int prev = 0; prev < s; prev++)
            {
                for (int u = 0; u < 5; u++)
                {
                    double sum = 0;
                    for (int i = 0; i < s; i++)
                    {
                        sum += counts[(i * s + prev) * 5 + u];
                    }

                    for (int i = 0; i < s; i++)
                    {
                        bModel[(i * s + prev) * 5 + u] = counts[(i * s + prev) * 5 + u] / sum;
                    }
                }
            }

            pB = [new ModelArray([s, s, 5], counts)];
        }
        else
        {
            for (int prev = 0; prev < s; prev++)
            {
                for (int u = 0; u < 5; u++)
                {
                    bModel[(OpenMove(prev, u) * s + prev) * 5 + u] = 1;
                }
            }
        }

        Model = new GenerativeModel(
            [new ModelArray([s, s], a), new ModelArray([2, s], aGoal)],
            [new ModelArray([s, s, 5], bModel)],
            c: [new double[s], [0, _o.GoalPreference]],
            d: [d],
            pA: [new ModelArray([s, s], pLoc), new ModelArray([2, s], pGoal)],
            pB: pB,
            options: _o.Agent);
    }

    /// <inheritdoc/>
    public GenerativeModel Model { get; }

    /// <summary>The goal cell.</summary>
    public int Goal { get; }

    /// <summary>The current location.</summary>
    public int Location => _loc;

    /// <summary>Whether <paramref name="cell"/> is a wall.</summary>
    public bool IsWall(int cell) => _wall[cell];

    /// <summary>Length of the shortest path from the start to the goal around the walls (breadth-first search).</summary>
    public int ShortestPath()
    {
        int s = _o.Size * _o.Size;
        var dist = Enumerable.Repeat(-1, s).ToArray();
        var queue = new Queue<int>();
        dist[0] = 0;
        queue.Enqueue(0);
        while (queue.Count > 0)
        {
            int x = queue.Dequeue();
            for (int u = 1; u < 5; u++)
            {
                int y = Move(x, u);
                if (dist[y] < 0)
                {
                    dist[y] = dist[x] + 1;
                    queue.Enqueue(y);
                }
            }
        }

        return dist[Goal];
    }

    // The move on the open grid (edges only).
    private int OpenMove(int state, int u)
    {
        int n = _o.Size, r = state / n, c = state % n;
        switch (u)
        {
            case 1: r = Math.Max(0, r - 1); break;
            case 2: r = Math.Min(n - 1, r + 1); break;
            case 3: c = Math.Max(0, c - 1); break;
            case 4: c = Math.Min(n - 1, c + 1); break;
        }

        return r * n + c;
    }

    private int Move(int state, int u)
    {
        int target = OpenMove(state, u);
        return _wall[target] ? state : target;
    }

    /// <inheritdoc/>
    public int[] Reset(Rng rng)
    {
        _loc = 0;
        _steps = 0;
        return Observe();
    }

    /// <inheritdoc/>
    public (int[] Observation, bool Done) Step(ReadOnlySpan<int> action, Rng rng)
    {
        _loc = Move(_loc, action[0]);
        _steps++;
        return (Observe(), _loc == Goal || _steps >= _o.MaxSteps);
    }

    private int[] Observe() => _o.UnknownLayout ? [_loc, _loc == Goal ? 1 : 0] : [_loc];
}
