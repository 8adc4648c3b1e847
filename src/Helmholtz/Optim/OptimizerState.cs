using Helmholtz.Graphs;
using Helmholtz.Tensors;

namespace Helmholtz.Optim;

/// <summary>Shared checks and state plumbing of the optimisers.</summary>
internal static class OptimizerState
{
    public static void CheckStep(IReadOnlyList<Parameter> parameters, IReadOnlyList<FloatTensor> gradients)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(gradients);
        if (parameters.Count != gradients.Count)
        {
            throw new ArgumentException($"Step got {parameters.Count} parameter(s) but {gradients.Count} gradient(s).");
        }

        for (int i = 0; i < parameters.Count; i++)
        {
            if (!parameters[i].Value.SameShape(gradients[i]))
            {
                throw new ArgumentException(
                    $"The gradient of parameter '{parameters[i].Name}' has shape {FloatTensor.Format(gradients[i].Shape)}, the parameter {FloatTensor.Format(parameters[i].Value.Shape)}.");
            }
        }
    }

    /// <summary>The buffer for <paramref name="parameter"/> in <paramref name="buffers"/>, created zero-filled on first use.</summary>
    public static FloatTensor Buffer(Dictionary<string, FloatTensor> buffers, Parameter parameter, string suffix)
    {
        if (buffers.TryGetValue(parameter.Name, out var buffer))
        {
            if (!buffer.SameShape(parameter.Value))
            {
                throw new ArgumentException(
                    $"Optimiser state '{parameter.Name}{suffix}' has shape {FloatTensor.Format(buffer.Shape)}, but the parameter has {FloatTensor.Format(parameter.Value.Shape)}.");
            }

            return buffer;
        }

        buffer = new FloatTensor(parameter.Value.Shape.ToArray());
        buffers.Add(parameter.Name, buffer);
        return buffer;
    }

    /// <summary>Splits a state key "&lt;param&gt;.&lt;suffix&gt;" into the parameter name, given the allowed suffixes.</summary>
    public static (string Parameter, string Suffix) SplitKey(string key, params string[] suffixes)
    {
        foreach (var suffix in suffixes)
        {
            if (key.EndsWith(suffix, StringComparison.Ordinal) && key.Length > suffix.Length)
            {
                return (key[..^suffix.Length], suffix);
            }
        }

        throw new ArgumentException($"Optimiser state key '{key}' does not end in one of {string.Join(", ", suffixes)}.");
    }

    public static int ReadStep(string key, FloatTensor value)
    {
        if (value.Length != 1 || value.Span[0] < 0 || value.Span[0] != MathF.Floor(value.Span[0]))
        {
            throw new ArgumentException($"Optimiser state '{key}' must be one non-negative whole number; got shape {FloatTensor.Format(value.Shape)}.");
        }

        return (int)value.Span[0];
    }
}
