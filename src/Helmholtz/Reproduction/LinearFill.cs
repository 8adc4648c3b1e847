using Helmholtz.Data;
using Helmholtz.Tensors;

namespace Helmholtz.Reproduction;

/// <summary>
/// The best linear fill of hidden pixels: the conditional mean of a Gaussian fitted to training images,
/// x_h = μ_h + Σ_ho (Σ_oo + λI)⁻¹ (x_o − μ_o), with a small ridge λ for pixels that never vary.
/// </summary>
internal sealed class LinearFill
{
    private const double Ridge = 1e-3;
    private readonly int[] _observed;
    private readonly int[] _hidden;
    private readonly double[,] _gain; // [hidden, observed]

    private LinearFill(double[] mean, int[] observed, int[] hidden, double[,] gain)
    {
        Mean = mean;
        _observed = observed;
        _hidden = hidden;
        _gain = gain;
    }

    /// <summary>The training mean of every pixel (the mean fill).</summary>
    public double[] Mean { get; }

    /// <summary>Fits the Gaussian to <paramref name="train"/>; <paramref name="hidden"/> marks the pixels to fill.</summary>
    public static LinearFill Fit(Dataset train, bool[] hidden)
    {
        int p = train.Features, n = train.Count;
        var mean = new double[p];
        for (int i = 0; i < n; i++)
        {
            var img = train.Image(i);
            for (int j = 0; j < p; j++)
            {
                mean[j] += img[j];
            }
        }

        for (int j = 0; j < p; j++)
        {
            mean[j] /= n;
        }

        var centred = new float[n * p];
        for (int i = 0; i < n; i++)
        {
            var img = train.Image(i);
            for (int j = 0; j < p; j++)
            {
                centred[(i * p) + j] = (float)(img[j] - mean[j]);
            }
        }

        var cov = new float[p * p];
        Gemm.Multiply(Transpose.Yes, Transpose.No, p, p, n, 1f / n, centred, p, centred, p, 0f, cov, p, Environment.ProcessorCount);
        int[] obs = Enumerable.Range(0, p).Where(j => !hidden[j]).ToArray();
        int[] hid = Enumerable.Range(0, p).Where(j => hidden[j]).ToArray();
        int o = obs.Length;
        var l = new double[o, o];
        for (int a = 0; a < o; a++)
        {
            for (int b = 0; b < o; b++)
            {
                l[a, b] = cov[(obs[a] * p) + obs[b]] + (a == b ? Ridge : 0);
            }
        }

        Cholesky(l);
        var gain = new double[hid.Length, o];
        var row = new double[o];
        for (int h = 0; h < hid.Length; h++)
        {
            for (int b = 0; b < o; b++)
            {
                row[b] = cov[(hid[h] * p) + obs[b]];
            }

            Solve(l, row); // row ← (Σ_oo + λI)⁻¹ Σ_oh
            for (int b = 0; b < o; b++)
            {
                gain[h, b] = row[b];
            }
        }

        return new LinearFill(mean, obs, hid, gain);
    }

    /// <summary>Writes the fill of the hidden pixels of <paramref name="image"/> into <paramref name="fill"/> (observed entries untouched).</summary>
    public void Fill(ReadOnlySpan<float> image, double[] fill)
    {
        Span<double> d = _observed.Length <= 1024 ? stackalloc double[_observed.Length] : new double[_observed.Length];
        for (int b = 0; b < _observed.Length; b++)
        {
            d[b] = image[_observed[b]] - Mean[_observed[b]];
        }

        for (int h = 0; h < _hidden.Length; h++)
        {
            double s = Mean[_hidden[h]];
            for (int b = 0; b < d.Length; b++)
            {
                s += _gain[h, b] * d[b];
            }

            fill[_hidden[h]] = s;
        }
    }

    // In place: the lower triangle becomes L with A = L Lᵀ.
    private static void Cholesky(double[,] a)
    {
        int n = a.GetLength(0);
        for (int j = 0; j < n; j++)
        {
            double s = a[j, j];
            for (int k = 0; k < j; k++)
            {
                s -= a[j, k] * a[j, k];
            }

            a[j, j] = Math.Sqrt(Math.Max(s, 1e-12));
            for (int i = j + 1; i < n; i++)
            {
                double t = a[i, j];
                for (int k = 0; k < j; k++)
                {
                    t -= a[i, k] * a[j, k];
                }

                a[i, j] = t / a[j, j];
            }
        }
    }

    private static void Solve(double[,] l, double[] x)
    {
        int n = x.Length;
        for (int i = 0; i < n; i++)
        {
            double s = x[i];
            for (int k = 0; k < i; k++)
            {
                s -= l[i, k] * x[k];
            }

            x[i] = s / l[i, i];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double s = x[i];
            for (int k = i + 1; k < n; k++)
            {
                s -= l[k, i] * x[k];
            }

            x[i] = s / l[i, i];
        }
    }
}
