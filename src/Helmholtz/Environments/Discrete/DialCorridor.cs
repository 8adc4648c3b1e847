using Helmholtz.Tensors;

namespace Helmholtz.Environments.Discrete;

/// <summary>Options of the dial corridor (the two-factor benchmark model).</summary>
public sealed record DialCorridorOptions
{
    /// <summary>Number of corridor cells (hidden-state factor 0).</summary>
    public int Cells { get; init; } = 20;

    /// <summary>Number of dial settings (hidden-state factor 1).</summary>
    public int Settings { get; init; } = 10;

    /// <summary>Probability that the dial reading is the true setting; the rest goes to its neighbours.</summary>
    public double DialAccuracy { get; init; } = 0.8;

    /// <summary>Maximum steps per trial.</summary>
    public int MaxSteps { get; init; } = 40;
}

/// <summary>
/// A two-factor world: a corridor of <c>Cells</c> cells (factor 0; controls stay, left, right) and a dial with
/// <c>Settings</c> settings (factor 1; controls keep, down, up; clamped at the ends), so Cells × Settings joint states and
/// 9 joint actions. Three modalities: the cell (exact), a dial reading (the true setting with probability
/// <c>DialAccuracy</c>, else a neighbour) and reward, which depends on both factors: it pays when the agent stands on the
/// cell the dial points at, cell = round(setting · (Cells − 1)/(Settings − 1)). The agent starts in cell 0 not knowing the
/// dial (D uniform over settings). The benchmark's 20 × 10 = 200-state model; bench/pymdp/speed.py builds the same one.
/// </summary>
public sealed class DialCorridor : IDiscreteEnvironment
{
    /// <summary>Largest number of cells or settings accepted (a model is further bounded by memory: <see cref="ActiveInference.Discrete.TaskModels.EstimateDialCorridorBytes"/>).</summary>
    public const int MaxCells = 1_000_000;

    private readonly DialCorridorOptions _o;
    private int _cell;
    private int _dial;
    private int _steps;

    /// <summary>Creates the world.</summary>
    public DialCorridor(DialCorridorOptions? options = null)
    {
        _o = options ?? new DialCorridorOptions();
        int n = _o.Cells, k = _o.Settings;
        if (n is < 2 or > MaxCells || k is < 2 or > MaxCells)
        {
            throw new ArgumentException($"Cells = {n}, Settings = {k}: each must be 2…{MaxCells}");
        }

        if (_o.DialAccuracy is <= 0 or > 1)
        {
            throw new ArgumentException($"dial accuracy = {_o.DialAccuracy}: must be in (0, 1]");
        }

    }

    /// <summary>The world's options.</summary>
    public DialCorridorOptions Options => _o;

    /// <inheritdoc/>
    public IReadOnlyList<int> State => [_cell, _dial];

    /// <summary>The cell the dial setting <paramref name="setting"/> points at.</summary>
    public int Target(int setting) => (int)Math.Round(setting * (_o.Cells - 1) / (double)(_o.Settings - 1), MidpointRounding.AwayFromZero);

    /// <summary>P(reading | setting): accuracy on the setting, the rest split between its neighbours (all of it to the one neighbour at an end).</summary>
    public double ReadingProbability(int reading, int setting)
    {
        int k = _o.Settings;
        double rest = 1 - _o.DialAccuracy;
        if (reading == setting)
        {
            return _o.DialAccuracy;
        }

        if (Math.Abs(reading - setting) != 1)
        {
            return 0;
        }

        return setting == 0 || setting == k - 1 ? rest : rest / 2;
    }

    /// <summary>The cell after control <paramref name="u"/> (0 stay, 1 left, 2 right; clamped at the ends).</summary>
    public int MoveCell(int cell, int u) => u switch
    {
        1 => Math.Max(0, cell - 1),
        2 => Math.Min(_o.Cells - 1, cell + 1),
        _ => cell,
    };

    /// <summary>The dial setting after control <paramref name="u"/> (0 keep, 1 down, 2 up; clamped at the ends).</summary>
    public int TurnDial(int setting, int u) => u switch
    {
        1 => Math.Max(0, setting - 1),
        2 => Math.Min(_o.Settings - 1, setting + 1),
        _ => setting,
    };

    /// <inheritdoc/>
    public int[] Reset(Rng rng)
    {
        _cell = 0;
        _dial = rng.NextInt(_o.Settings);
        _steps = 0;
        return Observe(rng);
    }

    /// <inheritdoc/>
    public (int[] Observation, bool Done) Step(ReadOnlySpan<int> action, Rng rng)
    {
        _cell = MoveCell(_cell, action[0]);
        _dial = TurnDial(_dial, action[1]);
        _steps++;
        var obs = Observe(rng);
        return (obs, obs[2] == 1 || _steps >= _o.MaxSteps);
    }

    private int[] Observe(Rng rng)
    {
        double r = rng.NextDouble(), c = 0;
        int reading = _dial;
        for (int o = 0; o < _o.Settings; o++)
        {
            c += ReadingProbability(o, _dial);
            if (r < c)
            {
                reading = o;
                break;
            }
        }

        return [_cell, reading, _cell == Target(_dial) ? 1 : 0];
    }
}
