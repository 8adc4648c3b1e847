using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep.Planning;

/// <summary>Scores candidate action sequences for <see cref="CemPlanner"/>.</summary>
public interface ICandidateEvaluator
{
    /// <summary>Writes the utility (higher is better) of each candidate sequence started from <paramref name="start"/>.</summary>
    /// <param name="start">The state the sequences start from.</param>
    /// <param name="actions">The sequences, time-major: [horizon, candidates, actionSize].</param>
    /// <param name="horizon">Steps per sequence.</param>
    /// <param name="candidates">Number of sequences.</param>
    /// <param name="actionSize">Elements per action.</param>
    /// <param name="utilities">Receives one utility per candidate; NaN counts as the worst.</param>
    void Evaluate(ReadOnlySpan<float> start, ReadOnlySpan<float> actions, int horizon, int candidates, int actionSize, Span<float> utilities);
}

/// <summary>The cross-entropy method over open-loop action sequences (Rubinstein 1999; as used by PETS and Tschantz et al. 2020).</summary>
/// <remarks>
/// Each plan starts from a diagonal Gaussian over the H·A action elements, centred on the action box with a standard
/// deviation of half its width (the reference's N(0, 1) for actions in [−1, 1]). Each iteration samples C sequences
/// a = clip(μ + σ·ε, low, high), scores them, and refits μ and σ to the K best (σ the population standard deviation,
/// as <c>std(unbiased=False)</c>). The plan is μ after the last iteration; its first action is executed. Unlike the
/// reference, samples are clipped to the action box (it leaves that to the environment, which here rejects actions
/// outside the space), so the model is never queried off the box. Buffers are owned and reused across iterations
/// and plans.
/// </remarks>
public sealed class CemPlanner
{
    private readonly float[] _low;
    private readonly float[] _high;
    private readonly float[] _mean;
    private readonly float[] _std;
    private readonly float[] _actions;
    private readonly float[] _utilities;
    private readonly float[] _keys;
    private readonly int[] _order;
    private readonly GaussianSampler _sampler = new();
    private bool _hasPlan;

    /// <summary>Creates a planner for actions in the box [<paramref name="low"/>, <paramref name="high"/>] (finite bounds).</summary>
    public CemPlanner(CemOptions options, ReadOnlySpan<float> low, ReadOnlySpan<float> high)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (low.Length != high.Length || low.IsEmpty)
        {
            throw new ArgumentException($"The action bounds must be non-empty and of equal length; got {low.Length} and {high.Length}.");
        }

        for (int i = 0; i < low.Length; i++)
        {
            if (!float.IsFinite(low[i]) || !float.IsFinite(high[i]) || !(low[i] < high[i]))
            {
                throw new ArgumentException($"The planner needs a finite action box with low < high; element {i} is [{low[i]}, {high[i]}].");
            }
        }

        WorkLimits.Default.CheckBytes(4.0 * options.Horizon * ((double)options.Candidates * low.Length + 2 * low.Length) + 12.0 * options.Candidates,
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"The CEM buffers of Horizon {options.Horizon} and Candidates {options.Candidates}"));
        Options = options;
        ActionSize = low.Length;
        _low = low.ToArray();
        _high = high.ToArray();
        _mean = new float[options.Horizon * ActionSize];
        _std = new float[_mean.Length];
        _actions = new float[options.Horizon * options.Candidates * ActionSize];
        _utilities = new float[options.Candidates];
        _keys = new float[options.Candidates];
        _order = new int[options.Candidates];
    }

    /// <summary>The CEM settings.</summary>
    public CemOptions Options { get; }

    /// <summary>Elements per action.</summary>
    public int ActionSize { get; }

    /// <summary>The current plan's mean sequence [horizon, actionSize] (after <see cref="Plan"/>, the plan).</summary>
    public ReadOnlySpan<float> Mean => _mean;

    /// <summary>Mean utility of the elites in the last iteration of the last plan.</summary>
    public double LastEliteUtility { get; private set; }

    /// <summary>Runs the CEM iterations from the state <paramref name="start"/> and writes the plan's first action into <paramref name="action"/>.</summary>
    /// <param name="evaluator">Scores the candidates.</param>
    /// <param name="start">The state the plan starts from.</param>
    /// <param name="rng">The generator of the candidates.</param>
    /// <param name="action">Receives the plan's first action.</param>
    /// <param name="cancellationToken">Checked before every CEM iteration.</param>
    public void Plan(ICandidateEvaluator evaluator, ReadOnlySpan<float> start, Rng rng, Span<float> action, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evaluator);
        ArgumentNullException.ThrowIfNull(rng);
        if (action.Length != ActionSize)
        {
            throw new ArgumentException($"The action buffer needs {ActionSize} elements; got {action.Length}.", nameof(action));
        }

        int h = Options.Horizon, c = Options.Candidates, a = ActionSize, k = Options.Elites;
        bool shift = Options.WarmStart && _hasPlan;
        for (int t = 0; t < h; t++)
        {
            for (int j = 0; j < a; j++)
            {
                _mean[(t * a) + j] = shift && t < h - 1 ? _mean[((t + 1) * a) + j] : 0.5f * (_low[j] + _high[j]);
                _std[(t * a) + j] = 0.5f * (_high[j] - _low[j]);
            }
        }

        _hasPlan = false; // a plan cancelled part-way leaves no mean to warm-start from
        for (int iteration = 0; iteration < Options.Iterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _sampler.Fill(rng, _actions);
            for (int t = 0; t < h; t++)
            {
                for (int n = 0; n < c; n++)
                {
                    int row = ((t * c) + n) * a;
                    for (int j = 0; j < a; j++)
                    {
                        float v = _mean[(t * a) + j] + (_std[(t * a) + j] * _actions[row + j]);
                        _actions[row + j] = Math.Clamp(v, _low[j], _high[j]);
                    }
                }
            }

            evaluator.Evaluate(start, _actions, h, c, a, _utilities);
            for (int n = 0; n < c; n++)
            {
                _order[n] = n;
                float u = _utilities[n];
                _keys[n] = float.IsNaN(u) ? float.PositiveInfinity : -u;
            }

            Array.Sort(_keys, _order);
            double elite = 0;
            for (int e = 0; e < k; e++)
            {
                elite += -_keys[e];
            }

            LastEliteUtility = elite / k;
            for (int t = 0; t < h; t++)
            {
                for (int j = 0; j < a; j++)
                {
                    double sum = 0, sum2 = 0;
                    for (int e = 0; e < k; e++)
                    {
                        double v = _actions[((t * c) + _order[e]) * a + j];
                        sum += v;
                        sum2 += v * v;
                    }

                    double m = sum / k;
                    _mean[(t * a) + j] = (float)m;
                    _std[(t * a) + j] = (float)Math.Sqrt(Math.Max(0, (sum2 / k) - (m * m)));
                }
            }
        }

        for (int j = 0; j < a; j++)
        {
            action[j] = Math.Clamp(_mean[j], _low[j], _high[j]);
        }

        _hasPlan = true;
    }

    /// <summary>Forgets the previous plan, so that the next <see cref="Plan"/> starts from the centre of the action box
    /// even with <see cref="CemOptions.WarmStart"/> (call it when an episode starts).</summary>
    public void Reset() => _hasPlan = false;
}
