namespace Helmholtz.ActiveInference.Discrete;

/// <summary>A large factorised model with sparse dependencies.</summary>
public static partial class TaskModels
{
    /// <summary>
    /// A ring of <paramref name="factors"/> factors with <paramref name="states"/> states each and one modality per
    /// factor: modality m of an even m observes factor m (probability 0.85 of the true state, the rest spread evenly);
    /// modality m of an odd m reports whether factors m and m + 1 (mod the ring) agree (0.9 reliable). The first
    /// <paramref name="controlled"/> factors have two controls (stay, step to the next state cyclically); the others
    /// stay. C prefers the last state of factor 0. With 12 factors of 4 states the joint space has 16,777,216 states,
    /// which only <see cref="FactorisedAgent"/> (A_dependencies, never the joint) can step.
    /// </summary>
    public static GenerativeModel ForFactorRing(int factors = 12, int states = 4, int controlled = 6, AgentOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(factors, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(states, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(controlled);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(controlled, factors);
        int n = states;
        var a = new List<ModelArray>();
        var deps = new List<int[]>();
        var c = new List<double[]>();
        for (int m = 0; m < factors; m++)
        {
            if (m % 2 == 0)
            {
                var data = new double[n * n];
                for (int o = 0; o < n; o++)
                {
                    for (int s = 0; s < n; s++)
                    {
                        data[o * n + s] = o == s ? 0.85 : 0.15 / (n - 1);
                    }
                }

                a.Add(new ModelArray([n, n], data));
                deps.Add([m]);
                var cm = new double[n];
                if (m == 0)
                {
                    cm[n - 1] = 3;
                }

                c.Add(cm);
            }
            else
            {
                int g = (m + 1) % factors;
                var data = new double[2 * n * n];
                for (int s1 = 0; s1 < n; s1++)
                {
                    for (int s2 = 0; s2 < n; s2++)
                    {
                        double agree = s1 == s2 ? 0.9 : 0.1;
                        data[(0 * n + s1) * n + s2] = 1 - agree;
                        data[(1 * n + s1) * n + s2] = agree;
                    }
                }

                a.Add(new ModelArray([2, n, n], data));
                deps.Add(m < g ? [m, g] : [g, m]);
                c.Add(new double[2]);
            }
        }

        var b = new List<ModelArray>();
        for (int f = 0; f < factors; f++)
        {
            int nu = f < controlled ? 2 : 1;
            var data = new double[n * n * nu];
            for (int prev = 0; prev < n; prev++)
            {
                data[(prev * n + prev) * nu + 0] = 1;
                if (nu == 2)
                {
                    data[(((prev + 1) % n) * n + prev) * nu + 1] = 1;
                }
            }

            b.Add(new ModelArray([n, n, nu], data));
        }

        return new GenerativeModel(a, b, c, options: options, aDependencies: deps);
    }
}
