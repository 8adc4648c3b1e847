namespace Helmholtz.Environments;

/// <summary>What counts as one successful episode of a control task.</summary>
public enum SuccessRule
{
    /// <summary>The episode terminated (the task terminates only at its goal: mountain car, acrobot).</summary>
    Terminated,

    /// <summary>The episode ran to the time limit without terminating (cart-pole: the pole stayed up).</summary>
    SurvivedToTimeLimit,

    /// <summary>The return reached <see cref="TaskGoal.SuccessReturn"/> (tasks without a goal state: pendulum).</summary>
    ReturnAtLeast,
}

/// <summary>A control task's goal: when one episode is a success, and the moving-mean return at which the task counts as solved.</summary>
/// <param name="Success">The success rule of one episode.</param>
/// <param name="SolveThreshold">The standard threshold of the moving-mean return ("solved"), or null when the task has none.</param>
/// <param name="SuccessReturn">With <see cref="SuccessRule.ReturnAtLeast"/>: the return that counts as success.</param>
/// <param name="NeedsExploration">Reaching the goal needs exploration of the (position, velocity) plane, so an experiment measures how much of it was visited.</param>
public sealed record TaskGoal(SuccessRule Success, double? SolveThreshold, double SuccessReturn = 0, bool NeedsExploration = false)
{
    /// <summary>A goal that terminates the episode, with no solve threshold.</summary>
    public static TaskGoal Terminal { get; } = new(SuccessRule.Terminated, null);

    /// <summary>Whether an episode with this return and end was a success.</summary>
    public bool IsSuccess(double episodeReturn, bool terminated, bool truncated) => Success switch
    {
        SuccessRule.SurvivedToTimeLimit => !terminated && truncated,
        SuccessRule.ReturnAtLeast => episodeReturn >= SuccessReturn,
        _ => terminated,
    };
}
