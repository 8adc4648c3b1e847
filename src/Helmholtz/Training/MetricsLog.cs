using System.Globalization;
using System.Text;

namespace Helmholtz.Training;

/// <summary>One epoch's measurements.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="Batches">Batches trained in the epoch.</param>
/// <param name="TrainLoss">Mean training loss over the epoch's batches (before each update).</param>
/// <param name="TestLoss">Mean loss on the held-out split after the epoch.</param>
/// <param name="TestAccuracy">Fraction of held-out examples classified correctly after the epoch.</param>
/// <param name="EpochSeconds">Wall-clock training time of the epoch (evaluation excluded).</param>
public sealed record EpochMetrics(int Epoch, int Batches, double TrainLoss, double TestLoss, double TestAccuracy, double EpochSeconds);

/// <summary>Reads and writes <c>metrics.csv</c>: one row per epoch, numbers in round-trip invariant format.</summary>
public static class MetricsLog
{
    /// <summary>The CSV header line.</summary>
    public const string Header = "epoch,batches,train_loss,test_loss,test_accuracy,epoch_seconds";

    /// <summary>The CSV text of <paramref name="rows"/> (header included).</summary>
    public static string ToCsv(IEnumerable<EpochMetrics> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var sb = new StringBuilder(Header).Append('\n');
        foreach (var r in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{r.Epoch},{r.Batches},{r.TrainLoss:R},{r.TestLoss:R},{r.TestAccuracy:R},{r.EpochSeconds:0.###}\n");
        }

        return sb.ToString();
    }

    /// <summary>Parses text written by <see cref="ToCsv"/>.</summary>
    /// <exception cref="FormatException">The text is not a metrics table; the message names the line.</exception>
    public static IReadOnlyList<EpochMetrics> Parse(string csv)
    {
        ArgumentNullException.ThrowIfNull(csv);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 0 || lines[0].Trim() != Header)
        {
            throw new FormatException($"metrics: the first line must be '{Header}'.");
        }

        var rows = new List<EpochMetrics>();
        for (int i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            if (f.Length != 6)
            {
                throw new FormatException($"metrics: line {i + 1} has {f.Length} fields, expected 6.");
            }

            var c = CultureInfo.InvariantCulture;
            rows.Add(new EpochMetrics(int.Parse(f[0], c), int.Parse(f[1], c), double.Parse(f[2], c), double.Parse(f[3], c), double.Parse(f[4], c), double.Parse(f[5], c)));
        }

        return rows;
    }
}
