namespace Helmholtz.Tests;

/// <summary>Named tolerances, each with the reason for its size.</summary>
internal static class Tolerance
{
    /// <summary>
    /// Central differences on float32 ops with step h = 1e-2: truncation error O(h²·f‴) ≈ 1e-4 and rounding error
    /// ≈ ε₃₂·|φ|/h ≈ 1e-5·|φ|, so a relative error of 2e-3 (on max(1, |g|)) separates a right VJP from a wrong one.
    /// </summary>
    public const double FiniteDifferenceFloat32 = 2e-3;

    /// <summary>Step of the central differences above.</summary>
    public const double FiniteDifferenceStep = 1e-2;

    /// <summary>Float32 arithmetic repeated over a few hundred terms: a few hundred ulps relative.</summary>
    public const double Float32Accumulated = 1e-5;
}
