namespace Helmholtz.Environments.Control;

/// <summary>Creates the classic-control tasks by name, with their standard settings and time limits.</summary>
/// <remarks>
/// Names (case-insensitive): <c>cartpole</c>, <c>acrobot</c>, <c>mountaincar</c>, <c>mountaincar-continuous</c>,
/// <c>sparse-mountaincar</c>, <c>pendulum</c>; Gymnasium's ids (<c>CartPole-v1</c>, <c>Acrobot-v1</c>,
/// <c>MountainCar-v0</c>, <c>MountainCarContinuous-v0</c>, <c>Pendulum-v1</c>) are accepted as aliases.
/// </remarks>
public static class EnvironmentCatalog
{
    private static readonly (string Name, string Alias, Func<IControlEnvironment> Create)[] Entries =
    [
        ("cartpole", "CartPole-v1", () => new CartPole()),
        ("acrobot", "Acrobot-v1", () => new Acrobot()),
        ("mountaincar", "MountainCar-v0", () => new MountainCar()),
        ("mountaincar-continuous", "MountainCarContinuous-v0", () => new ContinuousMountainCar()),
        ("sparse-mountaincar", "SparseMountainCar", () => new SparseMountainCar()),
        ("pendulum", "Pendulum-v1", () => new Pendulum()),
    ];

    /// <summary>The catalogue names, in a fixed order.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.ConvertAll(Entries, e => e.Name);

    /// <summary>Creates a fresh environment by catalogue name or Gymnasium id.</summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    public static IControlEnvironment Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (var entry in Entries)
        {
            if (string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(entry.Alias, name, StringComparison.OrdinalIgnoreCase))
            {
                return entry.Create();
            }
        }

        throw new ArgumentException($"Unknown environment '{name}'. Known environments: {string.Join(", ", Names)}.", nameof(name));
    }
}
