namespace Helmholtz.ActiveInference.Discrete;

/// <summary>Soft (distributional) observations: one distribution over outcomes per modality, or null for a missing one.</summary>
internal static class SoftObservations
{
    /// <summary>Throws a named <see cref="ModelException"/> unless every present entry is a distribution over the modality's outcomes.</summary>
    public static void Check(GenerativeModel model, IReadOnlyList<double[]?> observation)
    {
        if (observation.Count != model.NumObs.Length)
        {
            throw new ModelException($"observation: has {observation.Count} entries but the model has {model.NumObs.Length} modalities");
        }

        for (int m = 0; m < observation.Count; m++)
        {
            var q = observation[m];
            if (q is null)
            {
                continue;
            }

            if (q.Length != model.NumObs[m])
            {
                throw new ModelException($"observation[{m}]: has {q.Length} entries but modality {m} has {model.NumObs[m]} outcomes");
            }

            double sum = 0;
            foreach (double v in q)
            {
                if (!(v >= 0) || double.IsInfinity(v))
                {
                    throw new ModelException($"observation[{m}]: entries must be finite and ≥ 0");
                }

                sum += v;
            }

            if (Math.Abs(sum - 1) > GenerativeModel.NormalisationTolerance)
            {
                throw new ModelException($"observation[{m}] sums to {GenerativeModel.Fmt(sum)}: a distribution over outcomes must sum to 1");
            }
        }
    }

    /// <summary>destination[col] = Σ_o q(o) ln(A[o, col] + ε), the variational message of a soft observation; all zero when q is null (missing).</summary>
    public static void LogMessage(double[] a, int outcomes, double[]? q, Span<double> destination)
    {
        destination.Clear();
        if (q is null)
        {
            return;
        }

        int cols = destination.Length;
        for (int o = 0; o < outcomes; o++)
        {
            double w = q[o];
            if (w == 0)
            {
                continue;
            }

            var row = a.AsSpan(o * cols, cols);
            for (int c = 0; c < cols; c++)
            {
                destination[c] += w * Math.Log(row[c] + Categorical.LogFloor);
            }
        }
    }
}
