using System.Numerics.Tensors;
using Helmholtz.Tensors;

namespace Helmholtz.ActiveInference.Deep.Planning;

/// <summary>Fills float spans with standard normal draws, vectorised Box–Muller over whole buffers.</summary>
/// <remarks>
/// Each 64-bit draw of <see cref="Rng"/> gives two 24-bit uniforms u₁ ∈ (0, 1], u₂ ∈ [0, 1); then
/// z₁ = √(−2 ln u₁)·cos 2πu₂ and z₂ = √(−2 ln u₁)·sin 2πu₂, computed with <see cref="TensorPrimitives"/> over the buffer
/// (the scalar <see cref="Rng.NextGaussian"/> costs a double log, sqrt and sin/cos per pair). Float32 throughout, so the
/// tails are cut at √(2·24 ln 2) ≈ 5.8σ, harmless for planning noise. Owns its scratch; not thread-safe.
/// </remarks>
public sealed class GaussianSampler
{
    private float[] _radius = [];
    private float[] _angle = [];

    /// <summary>destination[i] ~ N(0, 1), independent, from <paramref name="rng"/>'s stream.</summary>
    public void Fill(Rng rng, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(rng);
        int pairs = (destination.Length + 1) / 2;
        if (_radius.Length < pairs)
        {
            _radius = new float[pairs];
            _angle = new float[pairs];
        }

        var r = _radius.AsSpan(0, pairs);
        var a = _angle.AsSpan(0, pairs);
        const float Unit = 1f / (1 << 24);
        for (int i = 0; i < pairs; i++)
        {
            ulong bits = rng.NextUInt64();
            r[i] = ((bits >> 40) + 1) * Unit;
            a[i] = (bits & 0xFFFFFF) * (Unit * 2f * MathF.PI);
        }

        TensorPrimitives.Log(r, r);
        TensorPrimitives.Multiply(r, -2f, r);
        TensorPrimitives.Sqrt(r, r);
        int half = destination.Length / 2;
        var first = destination.Slice(0, half);
        var second = destination.Slice(half, destination.Length - half);
        TensorPrimitives.Cos(a.Slice(0, half), first);
        TensorPrimitives.Multiply(first, r.Slice(0, half), first);
        TensorPrimitives.Sin(a.Slice(0, second.Length), second);
        TensorPrimitives.Multiply(second, r.Slice(0, second.Length), second);
    }
}
