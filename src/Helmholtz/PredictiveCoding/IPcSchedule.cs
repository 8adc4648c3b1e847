namespace Helmholtz.PredictiveCoding;

/// <summary>A predictive-coding variant as an object: how errors are formed and how values move, over a <see cref="PcState"/>.</summary>
/// <remarks>
/// <para>One training batch (driven by <see cref="PredictiveCodingTrainer"/> through <see cref="PcInference"/>):</para>
/// <code>
/// forward pass → state.InitialiseValues → schedule.Begin
/// for t = 1..T:  schedule.FormErrors(t) → schedule.Step        (stop early below the tolerance)
/// schedule.FormErrors(T) → parameter gradients → precisions / Φ → optimiser step
/// </code>
/// <para>With <see cref="PcDynamics.StepsParametersEveryStep"/> the last line runs inside the loop, before each
/// <see cref="Step"/>. A schedule holds no per-batch state of its own unless it needs it (momentum, say); what it
/// reads and moves is declared by <see cref="Dynamics"/>, which the state is built from. The library's schedules are
/// <see cref="FixedPredictionSchedule"/>, <see cref="StandardSchedule"/>, <see cref="IncrementalSchedule"/> and
/// <see cref="ActivationRelaxationSchedule"/>; user code may add its own.</para>
/// </remarks>
public interface IPcSchedule
{
    /// <summary>A short lower-case name (e.g. <c>pc-fixed</c>), reported as the training algorithm's name.</summary>
    string Name { get; }

    /// <summary>What this schedule's VJPs read, whether predictions move, and when parameters step.</summary>
    PcDynamics Dynamics { get; }

    /// <summary>Runs once per batch after the forward pass and the value initialisation, before step 1.</summary>
    void Begin(PcState state);

    /// <summary>Forms the errors of inference step <paramref name="iteration"/> (1..T) from the current values.</summary>
    void FormErrors(PcState state, int iteration);

    /// <summary>Moves the free values one step from the errors just formed; returns the largest change (0 when no tolerance is set).</summary>
    float Step(PcState state);
}

/// <summary>What a schedule's inference reads and moves; the <see cref="PcState"/> is built from it.</summary>
/// <param name="FixedPredictions">VJPs read the forward pass (inputs and outputs) and predictions never move; errors are in
/// gradient sign (s = +1, ε_L = B·∂L/∂μ_L). When false, VJPs read the current values and predictions, in energy sign (s = −1).</param>
/// <param name="PredictionsAlwaysMove">Every prediction is recomputed at every step, even one whose parents are fixed (the
/// parameters move during inference). When false only predictions with a free parent move (none with fixed predictions).</param>
/// <param name="TracksActivity">Inference may skip nodes the output error has not reached (exact only when errors start at
/// zero and values move by <see cref="PcState.MoveValues"/>).</param>
/// <param name="StepsParametersEveryStep">Parameters step at every inference step (incremental) instead of once after inference.</param>
/// <param name="PerSampleInference">Inference of each sample is independent of the others': its output error is formed
/// from its own rows (once in <see cref="IPcSchedule.Begin"/>, or at every step from its own prediction and target) and the
/// parameters do not move during inference, so <see cref="ShardedInference"/> may split the batch over threads.</param>
public sealed record PcDynamics(
    bool FixedPredictions,
    bool PredictionsAlwaysMove = false,
    bool TracksActivity = true,
    bool StepsParametersEveryStep = false,
    bool PerSampleInference = false);

/// <summary>The Euler loop shared by every schedule, and the factory of the library's schedules.</summary>
public static class PcInference
{
    /// <summary>The library's schedule for <paramref name="algorithm"/> (<see cref="PcAlgorithm.Relaxed"/> is fixed prediction with relaxations).</summary>
    public static IPcSchedule ScheduleFor(PcAlgorithm algorithm) => algorithm switch
    {
        PcAlgorithm.Fixed => new FixedPredictionSchedule(),
        PcAlgorithm.Relaxed => new FixedPredictionSchedule(relaxed: true),
        PcAlgorithm.Standard => new StandardSchedule(),
        PcAlgorithm.Incremental => new IncrementalSchedule(),
        PcAlgorithm.ActivationRelaxation => new ActivationRelaxationSchedule(),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown PC algorithm."),
    };

    /// <summary>T steps of <paramref name="schedule"/> from the initialised values (fewer once the largest change is within the tolerance), then the final errors.</summary>
    public static void Iterate(IPcSchedule schedule, PcState state)
    {
        Steps(schedule, state, optimizer: null);
        schedule.FormErrors(state, state.LastIterations);
    }

    /// <summary>Incremental inference: at every step the errors, the parameter gradients and their optimiser step, then the values move.</summary>
    /// <remarks>The parameter gradient is taken before the values move, from the errors of the same step (Salvatori et al., incremental PC).</remarks>
    public static void IterateWithLearning(IPcSchedule schedule, PcState state, Optim.IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Steps(schedule, state, optimizer);
    }

    /// <summary>The Euler loop: errors, (with an optimiser: parameter gradients, precisions and Φ), the value step, (the parameter step); early stop within the tolerance.</summary>
    private static void Steps(IPcSchedule schedule, PcState state, Optim.IOptimizer? optimizer)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        ArgumentNullException.ThrowIfNull(state);
        var options = state.Options;
        int t = 0;
        while (t < options.Iterations)
        {
            t++;
            schedule.FormErrors(state, t);
            if (optimizer is not null)
            {
                state.ComputeParameterGradients();
                state.LearnPrecisionAndErrorConnections();
            }

            float change = schedule.Step(state);
            if (optimizer is not null)
            {
                state.StepParameters(optimizer);
            }

            if (options.Tolerance > 0f && change <= options.Tolerance)
            {
                break;
            }
        }

        state.LastIterations = t;
    }
}
