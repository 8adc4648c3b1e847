using Helmholtz.Tensors;

namespace Helmholtz.Graphs;

/// <summary>An op y = f(x ⋆ W + b) that can send a relaxed backward message to x: through other weights, or without f′.</summary>
/// <remarks>
/// <para>Inputs are x (index 0, batched), the weight W (index 1, a parameter) and optionally a bias. The exact message is
/// dx += (ε ⊙ f′(y)) ⋆ᵀ W, the op's own vector–Jacobian product. The relaxed message replaces W by any tensor B of W's
/// shape (learned backward weights) and may drop f′ (Millidge, Tschantz, Seth &amp; Buckley 2020, "Relaxing the
/// constraints on predictive coding models", sections on weight transport and nonlinear derivatives). With B = W and f′
/// kept it is the exact VJP, computed by the same arithmetic.</para>
/// <para>Predictive coding offers these relaxations on every op that implements this interface (dense and 2-D
/// convolution); error connections need no op support.</para>
/// </remarks>
public interface IRelaxableOp
{
    /// <summary>
    /// dx += g ⋆ᵀ weights, with g = ε ⊙ f′(y) when <paramref name="useDerivative"/> is true and g = ε otherwise.
    /// </summary>
    /// <param name="context">Thread budget and scratch.</param>
    /// <param name="x">The op's input x (its shape fixes the batch and the geometry).</param>
    /// <param name="weights">W itself or backward weights B of W's shape.</param>
    /// <param name="output">y = Forward(x, W, b), read for f′.</param>
    /// <param name="outputGradient">The cotangent ε, of y's shape.</param>
    /// <param name="useDerivative">Whether g carries f′(y).</param>
    /// <param name="inputGradient">dx, of x's shape, accumulated into.</param>
    void RelaxedBackward(OpContext context, FloatTensor x, FloatTensor weights, FloatTensor output, FloatTensor outputGradient, bool useDerivative, FloatTensor inputGradient);
}
