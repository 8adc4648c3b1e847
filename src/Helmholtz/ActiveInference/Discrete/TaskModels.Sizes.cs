using System.Globalization;
using Helmholtz.Environments.Discrete;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Discrete;

/// <summary>Memory estimates of the task models, checked before their dense arrays are allocated.</summary>
public static partial class TaskModels
{
    // The model's arrays are held about five times over: the model, the agent's working copy and, when learned, the
    // Dirichlet counts, their initial values and the agent's counts.
    private const double Copies = 5;

    /// <summary>Estimated bytes of a grid world model and its agent: A [N², N²] and B [N², N², 5] in float64, about five copies.</summary>
    public static double EstimateGridWorldBytes(int size, bool unknownLayout)
    {
        double cells = (double)size * size;
        double entries = cells * cells * (1 + GridWorld.Actions) + (unknownLayout ? 2 * cells : 0) + 4 * cells;
        return 8 * entries * Copies;
    }

    /// <summary>The largest grid side whose model fits <paramref name="limits"/> (default <see cref="WorkLimits.Default"/>).</summary>
    public static int MaxGridWorldSize(bool unknownLayout, WorkLimits? limits = null)
    {
        var l = limits ?? WorkLimits.Default;
        int size = 2;
        while (size < GridWorld.MaxSize && EstimateGridWorldBytes(size + 1, unknownLayout) <= l.MaxBytes)
        {
            size++;
        }

        return size;
    }

    /// <summary>Estimated bytes of a dial corridor model and its agent: A [(Cells + Settings + 2), Cells·Settings], B [Cells², 3] and [Settings², 3], about five copies.</summary>
    public static double EstimateDialCorridorBytes(int cells, int settings)
    {
        double s = (double)cells * settings;
        double entries = ((double)cells + settings + 2) * s + 3.0 * cells * cells + 3.0 * settings * settings + 8 * s;
        return 8 * entries * Copies;
    }

    private static void CheckGridWorldSize(int size, bool unknownLayout)
    {
        var l = WorkLimits.Default;
        double bytes = EstimateGridWorldBytes(size, unknownLayout);
        if (bytes > l.MaxBytes)
        {
            l.CheckBytes(bytes, string.Create(CultureInfo.InvariantCulture, $"The grid world model of Size {size}"),
                string.Create(CultureInfo.InvariantCulture, $"Size must be 2…{MaxGridWorldSize(unknownLayout, l)}"));
        }
    }

    private static void CheckDialCorridorSize(int cells, int settings)
    {
        var l = WorkLimits.Default;
        double bytes = EstimateDialCorridorBytes(cells, settings);
        if (bytes > l.MaxBytes)
        {
            // The largest Cells that fits with these Settings (the estimate grows with Cells).
            long lo = 1, hi = DialCorridor.MaxCells;
            while (lo < hi)
            {
                long mid = (lo + hi + 1) / 2;
                if (EstimateDialCorridorBytes((int)mid, settings) <= l.MaxBytes)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            string range = lo >= 2 ? $"with Settings {settings}, Cells must be 2…{lo}" : $"Settings {settings} is too many for any corridor";
            l.CheckBytes(bytes, string.Create(CultureInfo.InvariantCulture, $"The dial corridor model of Cells {cells} × Settings {settings}"), range);
        }
    }
}
