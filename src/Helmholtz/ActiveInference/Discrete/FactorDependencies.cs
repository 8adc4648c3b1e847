using System.Globalization;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Discrete;

/// <summary>Factor dependencies (pymdp 1.0's <c>A_dependencies</c>, <c>B_dependencies</c>): checks, and the dense form of a model with its memory.</summary>
public static class FactorDependencies
{
    /// <summary>Estimated bytes a dense <see cref="Agent"/> needs for <paramref name="model"/>: A over every factor (the model's and the agent's copy) and the per-joint-state kernels.</summary>
    /// <remarks>8 bytes × S × (2 Σ_m outcomes_m + 6), S = Π_f states_f: A[m] holds outcomes_m × S doubles; the agent keeps
    /// utility, ambiguity, the joint belief, the log-likelihood and at least one joint outcome per state.</remarks>
    public static double EstimateDenseBytes(GenerativeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        double s = 1;
        foreach (int n in model.NumStates)
        {
            s *= n;
        }

        return 8.0 * s * (2.0 * model.NumObs.Sum() + 6);
    }

    /// <summary>Throws <see cref="Tensors.WorkLimitException"/> when the dense form of <paramref name="model"/> exceeds its <see cref="WorkLimits"/>.</summary>
    public static void CheckDense(GenerativeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        string joint = Product(model.NumStates).ToString("N0", CultureInfo.InvariantCulture);
        model.Options.Limits.CheckBytes(EstimateDenseBytes(model),
            $"A dense model of {model.NumStates.Length} factors ({joint} joint states) with A over every factor",
            "declare A_dependencies so that each modality depends only on the factors it needs");
    }

    /// <summary>The same model with every A over all factors (pymdp 0.0.7.1's form); refused when its memory exceeds the model's <see cref="WorkLimits"/>.</summary>
    /// <exception cref="ModelException">Some B depends on other factors (no dense 0.0.7.1 form).</exception>
    public static GenerativeModel ToDense(GenerativeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        for (int f = 0; f < model.BDependencies.Length; f++)
        {
            if (model.BDependencies[f].Length != 1 || model.BDependencies[f][0] != f)
            {
                throw new ModelException($"B_dependencies[{f}] = [{string.Join(", ", model.BDependencies[f])}]: a transition that depends on other factors has no dense form");
            }
        }

        CheckDense(model);
        int nf = model.NumStates.Length;
        int s = checked((int)Product(model.NumStates));
        var a = new ModelArray[model.NumObs.Length];
        var pa = model.PA is null ? null : new ModelArray[model.NumObs.Length];
        var idx = new int[nf];
        for (int m = 0; m < a.Length; m++)
        {
            int no = model.NumObs[m];
            var deps = model.ADependencies[m];
            var shape = new int[nf + 1];
            shape[0] = no;
            model.NumStates.CopyTo(shape, 1);
            a[m] = new ModelArray(shape, Expand(model.A[m].Data, no, deps, model.NumStates, s, idx));
            if (pa is not null)
            {
                pa[m] = new ModelArray((int[])shape.Clone(), Expand(model.PA![m].Data, no, deps, model.NumStates, s, idx));
            }
        }

        return new GenerativeModel(a, model.B, model.C, model.D, model.E, pa, model.PB, model.PD, model.Options);
    }

    private static double[] Expand(double[] sparse, int no, int[] deps, int[] numStates, int s, int[] idx)
    {
        int cols = sparse.Length / no;
        var data = new double[(long)no * s];
        Array.Clear(idx);
        for (int j = 0; j < s; j++)
        {
            int col = 0;
            foreach (int g in deps)
            {
                col = col * numStates[g] + idx[g];
            }

            for (int o = 0; o < no; o++)
            {
                data[(long)o * s + j] = sparse[o * cols + col];
            }

            for (int g = idx.Length - 1; g >= 0; g--)
            {
                if (++idx[g] < numStates[g])
                {
                    break;
                }

                idx[g] = 0;
            }
        }

        return data;
    }

    private static double Product(int[] sizes)
    {
        double p = 1;
        foreach (int n in sizes)
        {
            p *= n;
        }

        return p;
    }

    internal static int[][] CheckA(IReadOnlyList<ModelArray> a, IReadOnlyList<int[]> deps, int[] numStates, int[] numObs)
    {
        if (deps.Count != a.Count)
        {
            throw new ModelException($"A_dependencies: has {deps.Count} lists but A has {a.Count} modalities");
        }

        var result = new int[a.Count][];
        for (int m = 0; m < a.Count; m++)
        {
            result[m] = CheckList($"A_dependencies[{m}]", deps[m], numStates.Length);
            var shape = a[m].Shape;
            var expected = new[] { shape.Length > 0 ? shape[0] : 0 }.Concat(result[m].Select(g => numStates[g])).ToArray();
            if (shape.Length == 0 || shape[0] == 0 || !shape.SequenceEqual(expected))
            {
                throw new ModelException($"A[{m}]: shape {a[m].ShapeText} must be [outcomes ≥ 1, {string.Join(", ", result[m].Select(g => numStates[g]))}] (the states of factors [{string.Join(", ", result[m])}] named by A_dependencies[{m}])");
            }

            numObs[m] = shape[0];
            GenerativeModel.CheckProbabilities($"A[{m}]", a[m]);
        }

        return result;
    }

    internal static int[][] CheckB(IReadOnlyList<ModelArray> b, IReadOnlyList<int[]> deps, int[] numStates, int[] numControls)
    {
        if (deps.Count != b.Count)
        {
            throw new ModelException($"B_dependencies: has {deps.Count} lists but B has {b.Count} factors");
        }

        for (int f = 0; f < b.Count; f++)
        {
            var shape = b[f].Shape;
            if (shape.Length < 2 || shape[0] == 0 || shape[^1] == 0)
            {
                throw new ModelException($"B[{f}]: shape {b[f].ShapeText} must be [next states, states of each factor in B_dependencies[{f}], controls]");
            }

            numStates[f] = shape[0];
            numControls[f] = shape[^1];
        }

        var result = new int[b.Count][];
        for (int f = 0; f < b.Count; f++)
        {
            result[f] = CheckList($"B_dependencies[{f}]", deps[f], b.Count);
            var shape = b[f].Shape;
            var expected = new[] { numStates[f] }.Concat(result[f].Select(g => numStates[g])).Append(numControls[f]).ToArray();
            if (!shape.SequenceEqual(expected))
            {
                throw new ModelException($"B[{f}]: shape {b[f].ShapeText} must be [{string.Join(", ", expected)}] ([next states of factor {f}, the states of factors [{string.Join(", ", result[f])}] named by B_dependencies[{f}], controls])");
            }

            GenerativeModel.CheckProbabilities($"B[{f}]", b[f]);
        }

        return result;
    }

    private static int[] CheckList(string name, int[]? list, int numFactors)
    {
        if (list is null || list.Length == 0)
        {
            throw new ModelException($"{name}: must list at least one factor");
        }

        for (int i = 0; i < list.Length; i++)
        {
            if (list[i] < 0 || list[i] >= numFactors)
            {
                throw new ModelException($"{name}[{i}] = {list[i]}: must be a factor index 0…{numFactors - 1}");
            }

            if (i > 0 && list[i] <= list[i - 1])
            {
                throw new ModelException($"{name}: [{string.Join(", ", list)}] must be ascending without repeats");
            }
        }

        return (int[])list.Clone();
    }
}
