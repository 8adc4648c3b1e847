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
    /// A second modality, a goal sensor, says whether the agent stands on the goal (observations [cell, 0 or 1]); without
    /// it the observation is the cell alone. An agent that does not know where the goal is needs it.
    /// </summary>
    public bool GoalSensor { get; init; }
}

/// <summary>
/// An N×N grid world: one factor (location, N² states, row-major), five actions (stay, up, down, left, right; moves
/// into the edge or a wall stay put), location observed exactly, start in the top-left corner, goal by default in the
/// bottom-right corner; with <see cref="GridWorldOptions.GoalSensor"/> a second modality says whether the agent stands on
/// the goal. The trial ends at the goal or after <see cref="GridWorldOptions.MaxSteps"/> steps.
/// </summary>
public sealed class GridWorld : IDiscreteEnvironment
{
    /// <summary>Index of the goal-sensor modality (with <see cref="GridWorldOptions.GoalSensor"/>).</summary>
    public const int GoalModality = 1;

    /// <summary>Number of actions: stay, up, down, left, right.</summary>
    public const int Actions = 5;

    /// <summary>Largest side length accepted (a model of the grid is further bounded by memory: <see cref="ActiveInference.Discrete.TaskModels.MaxGridWorldSize"/>).</summary>
    public const int MaxSize = 1_000;

    private readonly GridWorldOptions _o;
    private readonly bool[] _wall;
    private int _loc;
    private int _steps;

    /// <summary>Creates the grid.</summary>
    public GridWorld(GridWorldOptions? options = null)
    {
        _o = options ?? new GridWorldOptions();
        if (_o.Size is < 2 or > MaxSize)
        {
            throw new ArgumentException($"Size = {_o.Size}: must be 2…{MaxSize}");
        }

        if (_o.MaxSteps < 1)
        {
            throw new ArgumentException($"MaxSteps = {_o.MaxSteps}: must be ≥ 1");
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

        if (ShortestPath() < 0)
        {
            throw new ArgumentException($"Goal {Goal}: unreachable from the start (cell 0); the Walls {string.Join(", ", _o.Walls)} cut it off");
        }

    }

    /// <summary>The task's options.</summary>
    public GridWorldOptions Options => _o;

    /// <summary>Side length N.</summary>
    public int Size => _o.Size;

    /// <summary>Number of cells N².</summary>
    public int Cells => _o.Size * _o.Size;

    /// <inheritdoc/>
    public IReadOnlyList<int> State => [_loc];

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

    /// <summary>Where action <paramref name="u"/> leads from <paramref name="state"/> on the open grid (edges stop it; walls ignored).</summary>
    public int OpenMove(int state, int u)
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

    /// <summary>Where action <paramref name="u"/> leads from <paramref name="state"/> (edges and walls stop it).</summary>
    public int Move(int state, int u)
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

    private int[] Observe() => _o.GoalSensor ? [_loc, _loc == Goal ? 1 : 0] : [_loc];
}
