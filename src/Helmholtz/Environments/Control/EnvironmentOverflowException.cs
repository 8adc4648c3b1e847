namespace Helmholtz.Environments.Control;

/// <summary>
/// A step from a finite state produced a non-finite state or reward (the dynamics overflowed, e.g. from an
/// extreme state set with <see cref="IControlEnvironment.SetState"/>); the episode is over and must be reset.
/// </summary>
public sealed class EnvironmentOverflowException(string message) : ArithmeticException(message);
