using System.Text.Json;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Discrete;

/// <summary>Reads the JSON model format: {"A": [...], "B": [...], "C", "D", "E", "pA", "pB", "pD", options…}.</summary>
/// <remarks>
/// Arrays are nested JSON arrays in pymdp's shapes (A[m]: [outcomes, states…], B[f]: [next, previous, controls]).
/// Every key but A and B is optional with pymdp 0.0.7.1's defaults; unknown keys are errors so that typos surface.
/// Option keys: control_factors, policy_len, inference_horizon, inference_algo ("FPI" or "VANILLA" | "MMP"), num_iter,
/// dF_tol, gamma, alpha, use_utility, use_states_info_gain, use_param_info_gain, action_selection ("deterministic" |
/// "stochastic"), lr_pA, lr_pB, lr_pD, forgetting_rate, mmp_tau, planner ("efe" | "sophisticated"), si_horizon,
/// si_policy_prune_threshold, si_observation_prune_threshold, si_prune_penalty, si_gamma. Factor dependencies
/// (pymdp 1.0): A_dependencies (per modality, the ascending factor indices A[m]'s state axes follow) and B_dependencies
/// (per factor, the factors B[f]'s previous-state axes follow).
/// </remarks>
public static class ModelFile
{
    private static readonly HashSet<string> Known =
    [
        "A", "B", "C", "D", "E", "pA", "pB", "pD", "control_factors", "policy_len", "inference_horizon", "inference_algo",
        "num_iter", "dF_tol", "gamma", "alpha", "use_utility", "use_states_info_gain", "use_param_info_gain",
        "action_selection", "lr_pA", "lr_pB", "lr_pD", "forgetting_rate", "mmp_tau", "planner", "si_horizon",
        "si_policy_prune_threshold", "si_observation_prune_threshold", "si_prune_penalty", "si_gamma",
        "A_dependencies", "B_dependencies",
    ];

    /// <summary>Reads and validates a model file; errors name the file, key, index and rule.</summary>
    /// <remarks>Only regular files up to <see cref="WorkLimits.MaxFileBytes"/> of <paramref name="limits"/> (default 64 MiB) are read.</remarks>
    public static GenerativeModel Load(string path, WorkLimits? limits = null) =>
        Parse((limits ?? WorkLimits.Default).ReadAllText(path, "model file"), path);

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> as a model file (atomically); <see cref="Load"/> reads it back to an equal model.</summary>
    public static void Save(GenerativeModel model, string path) => Data.AtomicFile.WriteAllText(path, ToJson(model));

    /// <summary>
    /// The model file text of <paramref name="model"/>: every array and every option written out, one key per line,
    /// numbers as the shortest text that reads back to the same double (so <see cref="Parse"/> gives an equal model).
    /// </summary>
    public static string ToJson(GenerativeModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = model.Options;
        var entries = new List<(string Key, Action<Utf8JsonWriter> Write)>
        {
            ("A", w => WriteArrays(w, model.A)),
            ("B", w => WriteArrays(w, model.B)),
            ("C", w => WriteVectors(w, model.C)),
            ("D", w => WriteVectors(w, model.D)),
            ("E", w => WriteVector(w, model.E)),
        };
        if (model.PA is { } pA)
        {
            entries.Add(("pA", w => WriteArrays(w, pA)));
        }

        if (model.PB is { } pB)
        {
            entries.Add(("pB", w => WriteArrays(w, pB)));
        }

        if (model.PD is { } pD)
        {
            entries.Add(("pD", w => WriteVectors(w, pD)));
        }

        if (model.HasSparseDependencies)
        {
            entries.Add(("A_dependencies", w => WriteIndexLists(w, model.ADependencies)));
            entries.Add(("B_dependencies", w => WriteIndexLists(w, model.BDependencies)));
        }

        entries.AddRange(
        [
            ("policy_len", w => w.WriteNumberValue(o.PolicyLength)),
            ("inference_horizon", w => w.WriteNumberValue(o.InferenceHorizon)),
            ("inference_algo", w => w.WriteStringValue(o.Algorithm == InferenceAlgorithm.Mmp ? "MMP" : "FPI")),
            ("num_iter", w => w.WriteNumberValue(o.NumIterations)),
            ("dF_tol", w => w.WriteNumberValue(o.FreeEnergyTolerance)),
            ("gamma", w => w.WriteNumberValue(o.Gamma)),
            ("alpha", w => w.WriteNumberValue(o.Alpha)),
            ("use_utility", w => w.WriteBooleanValue(o.UseUtility)),
            ("use_states_info_gain", w => w.WriteBooleanValue(o.UseStatesInfoGain)),
            ("use_param_info_gain", w => w.WriteBooleanValue(o.UseParamInfoGain)),
            ("action_selection", w => w.WriteStringValue(o.ActionSelection == ActionSelection.Stochastic ? "stochastic" : "deterministic")),
            ("lr_pA", w => w.WriteNumberValue(o.LearningRateA)),
            ("lr_pB", w => w.WriteNumberValue(o.LearningRateB)),
            ("lr_pD", w => w.WriteNumberValue(o.LearningRateD)),
            ("forgetting_rate", w => w.WriteNumberValue(o.ForgettingRate)),
            ("mmp_tau", w => w.WriteNumberValue(o.MmpStepSize)),
            ("planner", w => w.WriteStringValue(o.Planner == Planner.Sophisticated ? "sophisticated" : "efe")),
            ("si_horizon", w => w.WriteNumberValue(o.SophisticatedHorizon)),
            ("si_policy_prune_threshold", w => w.WriteNumberValue(o.SophisticatedPolicyPruneThreshold)),
            ("si_observation_prune_threshold", w => w.WriteNumberValue(o.SophisticatedObservationPruneThreshold)),
            ("si_prune_penalty", w => w.WriteNumberValue(o.SophisticatedPrunePenalty)),
            ("si_gamma", w => w.WriteNumberValue(o.SophisticatedGamma)),
        ]);

        var text = new System.Text.StringBuilder("{\n");
        for (int i = 0; i < entries.Count; i++)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer))
            {
                entries[i].Write(w);
            }

            text.Append("  \"").Append(entries[i].Key).Append("\": ").Append(System.Text.Encoding.UTF8.GetString(buffer.ToArray()))
                .Append(i + 1 < entries.Count ? ",\n" : "\n");
        }

        return text.Append("}\n").ToString();
    }

    private static void WriteArrays(Utf8JsonWriter w, IReadOnlyList<ModelArray> arrays)
    {
        w.WriteStartArray();
        foreach (var a in arrays)
        {
            int at = 0;
            WriteNested(w, a, 0, ref at);
        }

        w.WriteEndArray();
    }

    // Row-major, as ReadTensor reads: the last axis varies fastest.
    private static void WriteNested(Utf8JsonWriter w, ModelArray a, int axis, ref int at)
    {
        w.WriteStartArray();
        for (int i = 0; i < a.Shape[axis]; i++)
        {
            if (axis + 1 == a.Shape.Length)
            {
                w.WriteNumberValue(a.Data[at++]);
            }
            else
            {
                WriteNested(w, a, axis + 1, ref at);
            }
        }

        w.WriteEndArray();
    }

    private static void WriteIndexLists(Utf8JsonWriter w, int[][] lists)
    {
        w.WriteStartArray();
        foreach (var list in lists)
        {
            w.WriteStartArray();
            foreach (int x in list)
            {
                w.WriteNumberValue(x);
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
    }

    private static List<int[]>? IndexLists(JsonElement root, string key)
    {
        if (!root.TryGetProperty(key, out var el) || el.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (el.ValueKind != JsonValueKind.Array)
        {
            throw new ModelException($"{key}: must be a list with one list of factor indices per {(key[0] == 'A' ? "modality" : "factor")}");
        }

        var lists = new List<int[]>();
        int i = 0;
        foreach (var item in el.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Array)
            {
                throw new ModelException($"{key}[{i}]: must be a list of factor indices");
            }

            var list = new List<int>();
            foreach (var x in item.EnumerateArray())
            {
                if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt32(out int f))
                {
                    throw new ModelException($"{key}[{i}]: {x.GetRawText()} is not a factor index");
                }

                list.Add(f);
            }

            lists.Add(list.ToArray());
            i++;
        }

        return lists;
    }

    private static void WriteVectors(Utf8JsonWriter w, IReadOnlyList<double[]> vectors)
    {
        w.WriteStartArray();
        foreach (var v in vectors)
        {
            WriteVector(w, v);
        }

        w.WriteEndArray();
    }

    private static void WriteVector(Utf8JsonWriter w, double[] v)
    {
        w.WriteStartArray();
        foreach (double x in v)
        {
            w.WriteNumberValue(x);
        }

        w.WriteEndArray();
    }

    /// <summary>Parses JSON text of a model or trajectory file; invalid JSON is a <see cref="ModelException"/> naming <paramref name="source"/>.</summary>
    internal static JsonDocument ParseJson(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new ModelException($"{source}: not valid JSON ({ex.Message})");
        }
    }

    /// <summary>Parses and validates a model from JSON text; <paramref name="source"/> names it in errors.</summary>
    public static GenerativeModel Parse(string json, string source = "model")
    {
        using (var doc = ParseJson(json, source))
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ModelException($"{source}: must be a JSON object with keys \"A\" and \"B\"");
            }

            foreach (var p in root.EnumerateObject())
            {
                if (!Known.Contains(p.Name))
                {
                    throw new ModelException($"{source}: unknown key \"{p.Name}\" (known: {string.Join(", ", Known)})");
                }
            }

            try
            {
                return Build(root);
            }
            catch (ModelException ex)
            {
                throw new ModelException($"{source}: {ex.Message}");
            }
        }
    }

    private static GenerativeModel Build(JsonElement root)
    {
        var a = TensorList(root, "A", required: true)!;
        var b = TensorList(root, "B", required: true)!;
        var opt = new AgentOptions
        {
            PolicyLength = Int(root, "policy_len", 1),
            InferenceHorizon = Int(root, "inference_horizon", 1),
            Algorithm = Str(root, "inference_algo", "FPI").ToUpperInvariant() switch
            {
                "FPI" or "VANILLA" => InferenceAlgorithm.Fpi,
                "MMP" => InferenceAlgorithm.Mmp,
                var other => throw new ModelException($"inference_algo = \"{other}\": must be \"FPI\" (or \"VANILLA\") or \"MMP\""),
            },
            NumIterations = Int(root, "num_iter", 10),
            FreeEnergyTolerance = Num(root, "dF_tol", 0.001),
            Gamma = Num(root, "gamma", 16),
            Alpha = Num(root, "alpha", 16),
            UseUtility = Bool(root, "use_utility", true),
            UseStatesInfoGain = Bool(root, "use_states_info_gain", true),
            UseParamInfoGain = Bool(root, "use_param_info_gain", false),
            ActionSelection = Str(root, "action_selection", "deterministic") switch
            {
                "deterministic" => ActionSelection.Deterministic,
                "stochastic" => ActionSelection.Stochastic,
                var other => throw new ModelException($"action_selection = \"{other}\": must be \"deterministic\" or \"stochastic\""),
            },
            LearningRateA = Num(root, "lr_pA", 1),
            LearningRateB = Num(root, "lr_pB", 1),
            LearningRateD = Num(root, "lr_pD", 1),
            ForgettingRate = Num(root, "forgetting_rate", 0),
            MmpStepSize = Num(root, "mmp_tau", 0.25),
            Planner = Str(root, "planner", "efe") switch
            {
                "efe" => Planner.Efe,
                "sophisticated" => Planner.Sophisticated,
                var other => throw new ModelException($"planner = \"{other}\": must be \"efe\" or \"sophisticated\""),
            },
            SophisticatedHorizon = Int(root, "si_horizon", 3),
            SophisticatedPolicyPruneThreshold = Num(root, "si_policy_prune_threshold", 1.0 / 16),
            SophisticatedObservationPruneThreshold = Num(root, "si_observation_prune_threshold", 1.0 / 16),
            SophisticatedPrunePenalty = Num(root, "si_prune_penalty", 512),
            SophisticatedGamma = Num(root, "si_gamma", 1),
        };

        var c = VectorList(root, "C");
        var d = VectorList(root, "D");
        double[]? e = null;
        if (root.TryGetProperty("E", out var ee) && ee.ValueKind != JsonValueKind.Null)
        {
            var t = ReadTensor(ee, "E");
            if (t.Shape.Length != 1)
            {
                throw new ModelException($"E: shape {t.ShapeText} must be a flat list, one entry per policy");
            }

            e = t.Data;
        }

        var model = new GenerativeModel(a, b, c, d, e, TensorList(root, "pA", false), TensorList(root, "pB", false), VectorList(root, "pD"), opt,
            IndexLists(root, "A_dependencies"), IndexLists(root, "B_dependencies"));
        if (root.TryGetProperty("control_factors", out var cf) && cf.ValueKind != JsonValueKind.Null)
        {
            if (cf.ValueKind != JsonValueKind.Array)
            {
                throw new ModelException("control_factors: must be a list of factor indices");
            }

            int i = 0;
            foreach (var x in cf.EnumerateArray())
            {
                if (x.ValueKind != JsonValueKind.Number || !x.TryGetInt32(out int f) || f < 0 || f >= model.NumStates.Length)
                {
                    throw new ModelException($"control_factors[{i}] = {x.GetRawText()}: must be a factor index 0…{model.NumStates.Length - 1}");
                }

                if (model.NumControls[f] < 2)
                {
                    throw new ModelException($"control_factors[{i}] = {f}: B[{f}] has one control, so factor {f} cannot be a control factor");
                }

                i++;
            }
        }

        return model;
    }

    private static List<ModelArray>? TensorList(JsonElement root, string key, bool required)
    {
        if (!root.TryGetProperty(key, out var el) || el.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                throw new ModelException($"missing required key \"{key}\"");
            }

            return null;
        }

        if (el.ValueKind != JsonValueKind.Array)
        {
            throw new ModelException($"{key}: must be a list with one array per {(key.EndsWith('A') ? "modality" : "factor")}");
        }

        var list = new List<ModelArray>();
        int i = 0;
        foreach (var item in el.EnumerateArray())
        {
            list.Add(ReadTensor(item, $"{key}[{i}]"));
            i++;
        }

        return list;
    }

    private static List<double[]>? VectorList(JsonElement root, string key)
    {
        if (!root.TryGetProperty(key, out var el) || el.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (el.ValueKind != JsonValueKind.Array)
        {
            throw new ModelException($"{key}: must be a list of vectors");
        }

        var list = new List<double[]>();
        int i = 0;
        foreach (var item in el.EnumerateArray())
        {
            var t = ReadTensor(item, $"{key}[{i}]");
            if (t.Shape.Length != 1)
            {
                throw new ModelException($"{key}[{i}]: shape {t.ShapeText} must be a vector");
            }

            list.Add(t.Data);
            i++;
        }

        return list;
    }

    /// <summary>Reads a rectangular nested array of numbers.</summary>
    public static ModelArray ReadTensor(JsonElement el, string name)
    {
        var shape = new List<int>();
        var probe = el;
        while (probe.ValueKind == JsonValueKind.Array)
        {
            shape.Add(probe.GetArrayLength());
            if (probe.GetArrayLength() == 0)
            {
                break;
            }

            probe = probe[0];
        }

        if (shape.Count == 0)
        {
            throw new ModelException($"{name}: must be a (nested) array of numbers, found {el.ValueKind}");
        }

        var data = new List<double>();
        Fill(el, 0, shape, data, name, "");
        return new ModelArray(shape.ToArray(), data.ToArray());
    }

    private static void Fill(JsonElement el, int depth, List<int> shape, List<double> data, string name, string index)
    {
        if (depth == shape.Count)
        {
            if (el.ValueKind != JsonValueKind.Number)
            {
                throw new ModelException($"{name}{index}: expected a number, found {el.ValueKind} (arrays must be rectangular with shape [{string.Join(", ", shape)}])");
            }

            data.Add(el.GetDouble());
            return;
        }

        if (el.ValueKind != JsonValueKind.Array || el.GetArrayLength() != shape[depth])
        {
            string found = el.ValueKind == JsonValueKind.Array ? $"{el.GetArrayLength()} entries" : el.ValueKind.ToString();
            throw new ModelException($"{name}{index}: expected {shape[depth]} entries at axis {depth}, found {found} (arrays must be rectangular with shape [{string.Join(", ", shape)}])");
        }

        int i = 0;
        foreach (var x in el.EnumerateArray())
        {
            Fill(x, depth + 1, shape, data, name, index + $"[{i}]");
            i++;
        }
    }

    private static int Int(JsonElement root, string key, int def)
    {
        if (!root.TryGetProperty(key, out var el) || el.ValueKind == JsonValueKind.Null)
        {
            return def;
        }

        if (el.ValueKind != JsonValueKind.Number || !el.TryGetInt32(out int v))
        {
            throw new ModelException($"{key} = {el.GetRawText()}: must be an integer");
        }

        return v;
    }

    private static double Num(JsonElement root, string key, double def)
    {
        if (!root.TryGetProperty(key, out var el) || el.ValueKind == JsonValueKind.Null)
        {
            return def;
        }

        if (el.ValueKind != JsonValueKind.Number)
        {
            throw new ModelException($"{key} = {el.GetRawText()}: must be a number");
        }

        return el.GetDouble();
    }

    private static bool Bool(JsonElement root, string key, bool def)
    {
        if (!root.TryGetProperty(key, out var el) || el.ValueKind == JsonValueKind.Null)
        {
            return def;
        }

        return el.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new ModelException($"{key} = {el.GetRawText()}: must be true or false"),
        };
    }

    private static string Str(JsonElement root, string key, string def)
    {
        if (!root.TryGetProperty(key, out var el) || el.ValueKind == JsonValueKind.Null)
        {
            return def;
        }

        return el.ValueKind == JsonValueKind.String ? el.GetString()! : throw new ModelException($"{key} = {el.GetRawText()}: must be a string");
    }
}
