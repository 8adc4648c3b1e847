namespace Helmholtz.Environments.Control;

/// <summary>Creates the classic-control tasks by name, with their standard settings and time limits.</summary>
/// <remarks>
/// Names (case-insensitive): <c>cartpole</c>, <c>acrobot</c>, <c>mountaincar</c>, <c>mountaincar-continuous</c>,
/// <c>sparse-mountaincar</c>, <c>pendulum</c>; Gymnasium's ids (<c>CartPole-v1</c>, <c>Acrobot-v1</c>,
/// <c>MountainCar-v0</c>, <c>MountainCarContinuous-v0</c>, <c>Pendulum-v1</c>) are accepted as aliases.
/// </remarks>
public static class EnvironmentCatalog
{
    private static readonly (string Name, string Alias, Func<ControlEnvironmentOptions, IControlEnvironment> Create)[] Entries =
    [
        ("cartpole", "CartPole-v1", o => new CartPole { Options = o }),
        ("acrobot", "Acrobot-v1", o => new Acrobot { Options = o }),
        ("mountaincar", "MountainCar-v0", o => new MountainCar { Options = o }),
        ("mountaincar-continuous", "MountainCarContinuous-v0", o => new ContinuousMountainCar { Options = o }),
        ("sparse-mountaincar", "SparseMountainCar", o => new SparseMountainCar { Options = o }),
        ("pendulum", "Pendulum-v1", o => new Pendulum { Options = o }),
    ];

    /// <summary>The catalogue names, in a fixed order.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.ConvertAll(Entries, e => e.Name);

    /// <summary>Creates a fresh environment by catalogue name or Gymnasium id.</summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    public static IControlEnvironment Create(string name) => Create(name, ControlEnvironmentOptions.Default);

    /// <summary>Creates a fresh environment by catalogue name or Gymnasium id, with <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known names.</exception>
    public static IControlEnvironment Create(string name, ControlEnvironmentOptions options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        foreach (var entry in Entries)
        {
            if (string.Equals(entry.Name, name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(entry.Alias, name, StringComparison.OrdinalIgnoreCase))
            {
                return entry.Create(options);
            }
        }

        throw new ArgumentException($"Unknown environment '{name}'. Known environments: {string.Join(", ", Names)}.", nameof(name));
    }
}
