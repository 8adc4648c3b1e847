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

    /// <summary>
    /// One float32 elementwise function (exp, log, tanh, sin, … and their derivative formulas): a few ulps relative.
    /// .NET's vector exp and log are within ~2 ulps, and a formula of them (σ, tanh, swish) adds a rounding or two;
    /// 8 ulps (8·2⁻²³ ≈ 1e-6) covers that with margin.
    /// </summary>
    public const double Float32ElementwiseRelative = 1e-6;

    /// <summary>
    /// The absolute floor beside <see cref="Float32ElementwiseRelative"/>: formulas that subtract from 1 (e^x − 1 inside
    /// tanh, 1 − y² in tanh′) lose relative accuracy near their zeros, but stay within a few ε₃₂ = 2⁻²³ ≈ 1.2e-7 absolutely.
    /// </summary>
    public const double Float32ElementwiseAbsolute = 4e-7;
}
