namespace Helmholtz.Reproduction;

/// <summary>Every result of the thesis that Helmholtz re-runs, by id (<see cref="Reproduction.Id"/>).</summary>
/// <remarks>
/// Published numbers come from the papers (named in each row's source) or, where a paper gives a figure and no number,
/// from the claim its text makes, turned into a number the criterion can test (a "≈ BP" claim is a gap of 0 within a
/// stated tolerance). Quick times are the shortest of three or four measured passes on two cores (AMD EPYC, shared with other
/// jobs); full times are the quick run's time per unit of work (batches, trials, episodes) scaled to the full size,
/// except CartPole's (scaled from four measured 1,500-episode runs) and the pendulum's (docs/planning.md: 2.5 minutes a seed).
/// </remarks>
public static partial class ReproductionCatalog
{
    /// <summary>All reproductions, in the thesis's order (perception, learning, action).</summary>
    public static IReadOnlyList<Reproduction> All { get; } =
    [
        PcBackpropAgreement(), PcVsBpTraining(), RelaxedPc(), ActivationRelaxation(), GenerativePc(), PcDepth(), ResidualDepth(),
        TMazeEpistemic(), TMazeLearning(), DeepAifCartPole(), DeepAifAcrobot(), FeefMountainCar(), ExplorationObjectives(), PendulumPlanner(),
    ];

    /// <summary>The ids of <see cref="All"/>.</summary>
    public static IReadOnlyList<string> Ids { get; } = All.Select(r => r.Id).ToArray();

    /// <summary>The reproduction called <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentException">No reproduction has that id; the message lists the ids.</exception>
    public static Reproduction Get(string id) => All.FirstOrDefault(r => r.Id == id)
        ?? throw new ArgumentException($"Unknown reproduction '{id}'. Known: {string.Join(", ", Ids)}.", nameof(id));
}
