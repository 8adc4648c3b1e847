using System.Globalization;
using System.Text;
using Helmholtz.ActiveInference.Discrete;

namespace Helmholtz.ActiveInference.Fitting;

/// <summary>One recorded trial: the observations (the first after the reset included) and the actions between them.</summary>
/// <param name="Observations">One outcome per modality at each step; one more than <paramref name="Actions"/>.</param>
/// <param name="Actions">One control per factor, the action taken after observation t.</param>
public sealed record BehaviourTrial(int[][] Observations, int[][] Actions)
{
    /// <summary>Number of choices (actions) in the trial.</summary>
    public int Choices => Actions.Length;

    /// <summary>The record of a simulated trial.</summary>
    public static BehaviourTrial From(DiscreteTrial trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        return new BehaviourTrial(trial.Observations, trial.Actions);
    }
}

/// <summary>One subject's trials, in the order they were played (learning carries over from trial to trial).</summary>
/// <param name="Subject">The subject's identifier.</param>
/// <param name="Trials">The trials in order.</param>
public sealed record BehaviourSession(string Subject, IReadOnlyList<BehaviourTrial> Trials)
{
    /// <summary>Number of choices over all trials.</summary>
    public int Choices => Trials.Sum(t => t.Choices);
}

/// <summary>A behaviour file that does not fit its model; names the file, line and column.</summary>
/// <param name="path">The file.</param>
/// <param name="line">The 1-based line.</param>
/// <param name="column">The 1-based column (field), 0 for the whole line.</param>
/// <param name="columnName">The column's header name, or null.</param>
/// <param name="problem">What is wrong.</param>
public sealed class BehaviourDataException(string path, int line, int column, string? columnName, string problem)
    : FormatException(Compose(path, line, column, columnName, problem))
{
    /// <summary>The file.</summary>
    public string Path { get; } = path;

    /// <summary>The 1-based line.</summary>
    public int Line { get; } = line;

    /// <summary>The 1-based column (field), 0 for the whole line.</summary>
    public int Column { get; } = column;

    private static string Compose(string path, int line, int column, string? columnName, string problem) =>
        column > 0
            ? $"{path}, line {line}, column {column}{(columnName is null ? "" : $" ({columnName})")}: {problem}"
            : $"{path}, line {line}: {problem}";
}

/// <summary>
/// Behaviour files: CSV with the header <c>subject,trial,obs_0,…,obs_{M−1},action_0,…,action_{F−1}</c> for a model with
/// M modalities and F factors; one row per observation, holding the observation and the action taken after it; the
/// last row of each trial holds its final observation and empty action cells.
/// </summary>
/// <remarks>
/// Rows of one trial are consecutive and in order; a new trial starts where the subject or trial number changes; each
/// subject's rows are consecutive, and learning carries over between its trials in file order. Outcomes and controls
/// are 0-based indices into the model's modalities and factors. Fields are plain (no quotes); the subject is any text
/// without commas.
/// </remarks>
public static class BehaviourCsv
{
    /// <summary>The header for a model with <paramref name="modalities"/> modalities and <paramref name="factors"/> factors.</summary>
    public static string[] Header(int modalities, int factors) =>
        ["subject", "trial", .. Enumerable.Range(0, modalities).Select(m => $"obs_{m}"), .. Enumerable.Range(0, factors).Select(f => $"action_{f}")];

    /// <summary>Reads the sessions of <paramref name="path"/>, checked against <paramref name="model"/>.</summary>
    /// <exception cref="BehaviourDataException">A row does not fit the format or the model; the message names file, line and column.</exception>
    public static IReadOnlyList<BehaviourSession> Read(string path, GenerativeModel model)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Parse(reader, model, path);
    }

    /// <summary>Parses behaviour CSV text from <paramref name="reader"/>; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="BehaviourDataException">A row does not fit the format or the model.</exception>
    public static IReadOnlyList<BehaviourSession> Parse(TextReader reader, GenerativeModel model, string source = "behaviour")
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(model);
        int nm = model.NumObs.Length, nf = model.NumStates.Length;
        var header = Header(nm, nf);
        string expected = string.Join(",", header);
        string? first = reader.ReadLine();
        if (first is null)
        {
            throw new BehaviourDataException(source, 1, 0, null, $"the file is empty; it needs the header '{expected}'");
        }

        var names = first.TrimStart('\uFEFF').Split(',').Select(x => x.Trim()).ToArray();
        for (int c = 0; c < Math.Max(names.Length, header.Length); c++)
        {
            if (c >= names.Length || c >= header.Length || names[c] != header[c])
            {
                string got = c < names.Length ? $"'{names[c]}'" : "nothing";
                string want = c < header.Length ? $"'{header[c]}'" : "no further column";
                throw new BehaviourDataException(source, 1, c + 1, null,
                    $"header has {got} where {want} belongs; a model with {nm} modalit{(nm == 1 ? "y" : "ies")} and {nf} factor{(nf == 1 ? "" : "s")} needs the header '{expected}'");
            }
        }

        var sessions = new List<BehaviourSession>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? subject = null;
        int trialNumber = -1;
        List<BehaviourTrial>? trials = null;
        var obs = new List<int[]>();
        var acts = new List<int[]>();
        int lastActionLine = 0;
        int line = 1;

        void EndTrial()
        {
            if (obs.Count == 0)
            {
                return;
            }

            if (acts.Count == obs.Count)
            {
                throw new BehaviourDataException(source, lastActionLine, 3 + nm, header[2 + nm],
                    $"trial {trialNumber} of subject '{subject}' ends on this row but has an action after it; the last row of a trial holds its final observation with empty action cells");
            }

            trials!.Add(new BehaviourTrial([.. obs], [.. acts]));
            obs.Clear();
            acts.Clear();
        }

        string? text;
        while ((text = reader.ReadLine()) is not null)
        {
            line++;
            if (text.Trim().Length == 0)
            {
                continue;
            }

            var f = text.Split(',');
            if (f.Length != header.Length)
            {
                throw new BehaviourDataException(source, line, 0, null, $"{f.Length} fields, but the header has {header.Length} ('{expected}')");
            }

            string s = f[0].Trim();
            if (s.Length == 0)
            {
                throw new BehaviourDataException(source, line, 1, "subject", "the subject is empty");
            }

            int trial = Integer(f[1], source, line, 2, "trial", 0, int.MaxValue, "a trial number ≥ 0");
            if (s != subject)
            {
                EndTrial();
                if (!seen.Add(s))
                {
                    throw new BehaviourDataException(source, line, 1, "subject", $"subject '{s}' appears again after other subjects; keep each subject's rows together");
                }

                if (trials is not null)
                {
                    sessions.Add(new BehaviourSession(subject!, trials));
                }

                subject = s;
                trials = [];
                trialNumber = trial;
            }
            else if (trial != trialNumber)
            {
                EndTrial();
                trialNumber = trial;
            }
            else if (acts.Count < obs.Count)
            {
                throw new BehaviourDataException(source, line - 1, 3 + nm, header[2 + nm],
                    $"the action cells are empty, but trial {trial} of subject '{s}' goes on in the next row; only a trial's last row has no action");
            }

            var o = new int[nm];
            for (int m = 0; m < nm; m++)
            {
                o[m] = Integer(f[2 + m], source, line, 3 + m, header[2 + m], 0, model.NumObs[m] - 1, $"an outcome of modality {m} (0…{model.NumObs[m] - 1})");
            }

            obs.Add(o);
            int empty = Enumerable.Range(0, nf).Count(k => f[2 + nm + k].Trim().Length == 0);
            if (empty == nf)
            {
                continue;
            }

            var a = new int[nf];
            for (int k = 0; k < nf; k++)
            {
                int col = 3 + nm + k;
                string cell = f[col - 1].Trim();
                if (cell.Length == 0)
                {
                    throw new BehaviourDataException(source, line, col, header[col - 1], "empty, but other action cells of this row are not; leave all empty (the trial's last row) or none");
                }

                if (!int.TryParse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture, out a[k]))
                {
                    throw new BehaviourDataException(source, line, col, header[col - 1], $"'{cell}' is not an integer action index");
                }

                if (a[k] < 0 || a[k] >= model.NumControls[k])
                {
                    throw new BehaviourDataException(source, line, col, header[col - 1],
                        $"unknown action {a[k]}: factor {k} has controls 0…{model.NumControls[k] - 1}");
                }
            }

            acts.Add(a);
            lastActionLine = line;
        }

        EndTrial();
        if (trials is not null)
        {
            sessions.Add(new BehaviourSession(subject!, trials));
        }

        if (sessions.Count == 0)
        {
            throw new BehaviourDataException(source, line, 0, null, "no rows after the header");
        }

        return sessions;
    }

    private static int Integer(string field, string source, int line, int column, string name, int min, int max, string what)
    {
        string cell = field.Trim();
        if (!int.TryParse(cell, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
        {
            throw new BehaviourDataException(source, line, column, name, $"'{cell}' is not an integer; expected {what}");
        }

        if (v < min || v > max)
        {
            throw new BehaviourDataException(source, line, column, name, $"{v} is out of range; expected {what}");
        }

        return v;
    }

    /// <summary>The CSV text of <paramref name="sessions"/> (trials numbered from 0 per subject).</summary>
    public static string Format(IReadOnlyList<BehaviourSession> sessions)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        var firstTrial = sessions.SelectMany(s => s.Trials).FirstOrDefault(t => t.Actions.Length > 0)
            ?? throw new ArgumentException("Sessions: there is no trial with an action", nameof(sessions));
        int nm = firstTrial.Observations[0].Length, nf = firstTrial.Actions[0].Length;
        var sb = new StringBuilder().AppendJoin(',', Header(nm, nf)).Append('\n');
        string blanks = string.Concat(Enumerable.Repeat(",", nf));
        foreach (var session in sessions)
        {
            for (int t = 0; t < session.Trials.Count; t++)
            {
                var trial = session.Trials[t];
                for (int i = 0; i < trial.Observations.Length; i++)
                {
                    sb.Append(session.Subject).Append(',').Append(t.ToString(CultureInfo.InvariantCulture)).Append(',')
                        .AppendJoin(',', trial.Observations[i].Select(x => x.ToString(CultureInfo.InvariantCulture)));
                    if (i < trial.Actions.Length)
                    {
                        sb.Append(',').AppendJoin(',', trial.Actions[i].Select(x => x.ToString(CultureInfo.InvariantCulture)));
                    }
                    else
                    {
                        sb.Append(blanks);
                    }

                    sb.Append('\n');
                }
            }
        }

        return sb.ToString();
    }

    /// <summary>Writes <paramref name="sessions"/> to <paramref name="path"/> atomically (see <see cref="Format"/>).</summary>
    public static void Write(string path, IReadOnlyList<BehaviourSession> sessions) => Data.AtomicFile.WriteAllText(path, Format(sessions));
}
