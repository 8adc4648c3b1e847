using Helmholtz.Graphs;
using Helmholtz.Graphs.Ops;
using Helmholtz.Optim;
using Helmholtz.Tensors;

namespace Helmholtz.PredictiveCoding;

/// <summary>Generative (unsupervised) predictive coding: a latent at the top predicts the image at the bottom.</summary>
/// <remarks>
/// <para>The network is latent z [d] → dense(tanh) layers → image [p] (identity output), with a standard-normal prior on z
/// (its error is ε_z = v_z − 0). For each image the latent and hidden values are inferred by standard PC with the image
/// clamped at the bottom (output error ε = x − μ, MSE), then the weights learn from the errors (Rao &amp; Ballard 1999;
/// Bogacz 2017, section 4; Millidge 2021, ch. 3).</para>
/// <para>Image completion clamps only the observed pixels: a free pixel's value would settle at its prediction at once, so
/// its error is zero, which is the same as masking the output error. After inference the missing pixels are read from
/// the prediction μ.</para>
/// </remarks>
public sealed class PcGenerative
{
    private readonly PredictiveCodingTrainer _trainer;
    private readonly FloatTensor _completed;
    private readonly FloatTensor[] _weights;
    private readonly float[][] _powerVectors;
    private readonly float[] _powerScratch;
    private readonly bool _normaliseSteps;
    private bool _warm;
    private readonly Node[] _chain;      // z, h1, …, image
    private readonly float[] _precisions; // Π of each chain node
    private readonly float[] _sigmas;

    /// <summary>Builds the network and its trainer for batches of <paramref name="batchSize"/> images of <paramref name="imageSize"/> pixels.</summary>
    /// <param name="latentSize">d, the size of the top latent.</param>
    /// <param name="hiddenSizes">Sizes of the tanh layers between latent and image (may be empty: a linear model).</param>
    /// <param name="imageSize">p, pixels per image (flattened).</param>
    /// <param name="batchSize">Images per batch, for training and completion.</param>
    /// <param name="options">PC options; the algorithm must be pc-standard or pc-incremental (default pc-standard, T = 50, η_v = 0.1).</param>
    /// <param name="seed">Seed of the weight initialisation, N(0, 1/fan_in).</param>
    /// <param name="normaliseSteps">Precondition inference by each node's curvature bound (see <see cref="StepSizes"/>); off: always η_v.</param>
    /// <param name="hiddenVariance">Σ_h, the variance of every hidden layer around its prediction (the latent prior has variance 1).</param>
    /// <param name="pixelVariance">Σ_x, the pixel noise variance of the image around its prediction.</param>
    /// <exception cref="ArgumentException">A size is not positive, or the options are invalid or use fixed predictions.</exception>
    public PcGenerative(
        int latentSize, IReadOnlyList<int> hiddenSizes, int imageSize, int batchSize, PcOptions? options = null, ulong seed = 1, bool normaliseSteps = true,
        float hiddenVariance = 1f, float pixelVariance = 1f)
    {
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        options ??= new PcOptions { Algorithm = PcAlgorithm.Standard, Iterations = 50, EtaV = 0.1f };
        options.Validate();
        if (options.Algorithm is not (PcAlgorithm.Standard or PcAlgorithm.Incremental))
        {
            throw new ArgumentException($"Generative PC infers latents by moving predictions, so it needs pc-standard or pc-incremental; got {options.Name}.");
        }

        if (latentSize <= 0 || imageSize <= 0 || hiddenSizes.Any(h => h <= 0))
        {
            throw new ArgumentException($"Generative PC sizes must be positive; got latent {latentSize}, hidden [{string.Join(", ", hiddenSizes)}], image {imageSize}.");
        }

        var rng = new Rng(seed);
        var g = new GraphBuilder();
        var z = g.Input("z", latentSize);
        var h = z;
        int[] sizes = [latentSize, .. hiddenSizes, imageSize];
        for (int i = 0; i + 1 < sizes.Length; i++)
        {
            var w = new FloatTensor(sizes[i + 1], sizes[i]);
            rng.FillGaussian(w.Span, 0f, 1f / MathF.Sqrt(sizes[i]));
            bool last = i + 2 == sizes.Length;
            h = g.Apply(new DenseOp(last ? Activation.Identity : Activation.Tanh), last ? "image" : $"h{i + 1}", h,
                g.Parameter($"layers.{i}.weight", w), g.Parameter($"layers.{i}.bias", new FloatTensor(sizes[i + 1])));
        }

        var x = g.Input("x", imageSize);
        var loss = g.Apply(new MseLossOp(), "loss", h, x);
        Model = new Model(g.Build(), z, h, x, loss, LossKind.Mse);
        if (!(hiddenVariance > 0f) || !float.IsFinite(hiddenVariance) || !(pixelVariance > 0f) || !float.IsFinite(pixelVariance))
        {
            throw new ArgumentException($"Generative PC variances must be positive and finite; got hidden {hiddenVariance}, pixel {pixelVariance}.");
        }

        if (options.LearnPrecision || options.InitialVariance != 1f)
        {
            throw new ArgumentException("Generative PC sets its own variances (latent prior 1, hidden Σ_h, pixels Σ_x); use hiddenVariance and pixelVariance instead of InitialVariance or LearnPrecision.");
        }

        bool precisions = hiddenVariance != 1f || pixelVariance != 1f;
        _trainer = new PredictiveCodingTrainer(Model, batchSize, options, null, [z], maskOutput: true, precisions);
        _chain = [z, .. Model.Graph.Nodes.Where(n => n.Kind == NodeKind.Op && n.Op is DenseOp)];
        _precisions = _chain.Select((n, i) => i == 0 ? 1f : ReferenceEquals(n, h) ? 1f / pixelVariance : 1f / hiddenVariance).ToArray();
        if (precisions)
        {
            for (int i = 1; i < _chain.Length; i++)
            {
                _trainer.SetVariance(_chain[i], 1f / _precisions[i]);
            }
        }

        HiddenVariance = hiddenVariance;
        PixelVariance = pixelVariance;
        _completed = new FloatTensor(batchSize, imageSize);
        BatchSize = batchSize;
        _normaliseSteps = normaliseSteps;
        _weights = Model.Graph.Parameters.Where(q => q.Name.EndsWith(".weight", StringComparison.Ordinal)).Select(q => q.Value).ToArray();
        _powerVectors = _weights.Select(w =>
        {
            var u = new float[w.Dim(1)];
            new Rng(seed + 7).FillGaussian(u, 0f, 1f);
            return u;
        }).ToArray();
        _powerScratch = new float[_weights.Max(w => w.Dim(0))];
        _sigmas = new float[_weights.Length];
        StepSizes = new float[_chain.Length - 1];
    }

    /// <summary>Σ_h, the variance of the hidden layers around their predictions.</summary>
    public float HiddenVariance { get; }

    /// <summary>Σ_x, the pixel noise variance.</summary>
    public float PixelVariance { get; }

    /// <summary>The largest curvature of the inference energy's diagonal blocks, max over layers of 1 + ‖W_l‖₂², for the current weights.</summary>
    /// <remarks>
    /// <para>Standard PC descends F = ½‖z‖² + ½ Σ_l ‖v_l − f(W_l v_{l−1} + b_l)‖² (unit precisions). The Hessian block of a free value
    /// v_{l−1} is I + J_lᵀJ_l with J_l = diag(f′) W_l, f′ ≤ 1 for tanh and identity, so its largest eigenvalue is at most 1 + ‖W_l‖₂².
    /// An Euler step η is stable only if η·λ_max(H) &lt; 2. The weights of a generative model with a Gaussian latent prior grow
    /// during learning (the energy is lowered by shrinking the latents and enlarging the weights), so a fixed η_v that is
    /// stable at the start (η_v = 0.1 with ‖W‖₂² ≈ 8) oscillates once ‖W‖₂² passes 2/η_v − 1 = 19: the reconstruction error
    /// then rises from epoch to epoch.</para>
    /// <para>‖W‖₂ is estimated by power iteration on WᵀW, warm-started from the previous call's vector (a few iterations
    /// per batch track the slowly changing weights).</para>
    /// </remarks>
    public float Curvature(int powerIterations = 4)
    {
        float largest = 0f;
        for (int i = 0; i < _weights.Length; i++)
        {
            largest = MathF.Max(largest, SpectralNormSquared(_weights[i], _powerVectors[i], powerIterations));
        }

        return 1f + largest;
    }

    /// <summary>The Euler steps of the last inference, one per free node (z, h1, …): η_v, or with step normalisation min(η_v, 1/R_n).</summary>
    /// <remarks>
    /// <para>Near a solution the inference energy is quadratic with Hessian H; its block for free node n is
    /// H_nn = Π_n I + Σ_c J_cᵀ Π_c J_c and its coupling to a neighbour m is ‖H_nm‖ ≤ Π σ (the precision of the lower of the two
    /// and the norm of the Jacobian between them), with σ_l = ‖W_l‖₂ bounding ‖J_l‖ = ‖diag(f′) W_l‖ since |f′| ≤ 1 for tanh and
    /// identity. The block Gershgorin bound R_n = Π_n(1 + σ_in) + Π_c(σ_c² + σ_c) (σ_in the Jacobian into n, 0 for the latent)
    /// gives H ⪯ diag(R_n), so the preconditioned step v_n ← v_n − (1/R_n) ∂F/∂v_n has every eigenvalue of its iteration matrix in
    /// [0, 1): inference cannot oscillate or diverge however large the weights grow, and nodes with very different curvature
    /// (a precise hidden layer above a loose latent) each move at their own rate.</para>
    /// <para>Without it a fixed η_v = 0.1 is stable only while η_v(1 + ‖W‖₂²) &lt; 2; on the digits the weights pass that in the
    /// first epochs (see <see cref="Curvature"/>) and the reconstruction error rises again.</para>
    /// </remarks>
    public IReadOnlyList<float> StepSizes { get; }

    private void UpdateStepSize()
    {
        float eta = _trainer.Options.EtaV;
        var steps = (float[])StepSizes;
        if (!_normaliseSteps)
        {
            Array.Fill(steps, eta);
            return;
        }

        // The first estimate starts from a random vector; later ones track the slowly moving weights.
        for (int i = 0; i < _weights.Length; i++)
        {
            _sigmas[i] = MathF.Sqrt(SpectralNormSquared(_weights[i], _powerVectors[i], _warm ? 4 : 50));
        }

        _warm = true;
        for (int n = 0; n + 1 < _chain.Length; n++)
        {
            // Node n is predicted by layer n − 1 (none for the latent) and predicts node n + 1 through layer n.
            float sigmaIn = n == 0 ? 0f : _sigmas[n - 1], sigmaOut = _sigmas[n];
            float r = (_precisions[n] * (1f + sigmaIn)) + (_precisions[n + 1] * ((sigmaOut * sigmaOut) + sigmaOut));
            steps[n] = MathF.Min(eta, 1f / r);
            _trainer.SetStepSize(_chain[n], steps[n]);
        }
    }

    private float SpectralNormSquared(FloatTensor w, float[] u, int iterations)
    {
        int rows = w.Dim(0), cols = w.Dim(1);
        var ws = w.ReadOnlySpan;
        var t = _powerScratch.AsSpan(0, rows);
        float lambda = 0f;
        for (int k = 0; k < iterations; k++)
        {
            // t = W u, u' = Wᵀ t; λ = ‖u'‖ for unit u.
            for (int r = 0; r < rows; r++)
            {
                t[r] = System.Numerics.Tensors.TensorPrimitives.Dot(ws.Slice(r * cols, cols), u);
            }

            Array.Clear(u);
            for (int r = 0; r < rows; r++)
            {
                System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(ws.Slice(r * cols, cols), t[r], u, u);
            }

            float norm = System.Numerics.Tensors.TensorPrimitives.Norm(u);
            if (!(norm > 0f) || !float.IsFinite(norm))
            {
                new Rng(17).FillGaussian(u, 0f, 1f);
                lambda = 0f;
                continue;
            }

            lambda = norm;
            System.Numerics.Tensors.TensorPrimitives.Divide(u, norm, u);
        }

        return lambda;
    }

    /// <summary>The generative network: <see cref="Model.Input"/> is the latent z, <see cref="Model.Output"/> the predicted image.</summary>
    public Model Model { get; }

    /// <summary>Images per batch.</summary>
    public int BatchSize { get; }

    /// <summary>The inferred latent of the last batch (after <see cref="TrainStep"/> or <see cref="Complete"/>).</summary>
    public FloatTensor Latent => _trainer.Value(Model.Input);

    /// <summary>Infers latents for a batch of images [batch, p] and updates the weights; returns the mean over the batch of ½‖x − μ‖² at the inferred latents.</summary>
    /// <exception cref="PcDivergenceException">Inference diverged.</exception>
    public float TrainStep(FloatTensor images, IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Load(images, mask: null);
        UpdateStepSize();
        _trainer.TrainStep(optimizer);
        return ReconstructionError();
    }

    /// <summary>Fills the missing pixels of each image: infers the latent from the observed pixels (mask 1) and predicts the rest (mask 0).</summary>
    /// <param name="images">[batch, p]; values at missing pixels are ignored.</param>
    /// <param name="mask">[batch, p] of 0 and 1: 1 where a pixel is observed.</param>
    /// <returns>The completed images (observed pixels kept, missing ones predicted); a buffer reused by the next call.</returns>
    public FloatTensor Complete(FloatTensor images, FloatTensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        Load(images, mask);
        UpdateStepSize();
        try
        {
            _trainer.Infer();
        }
        finally
        {
            _trainer.OutputMask!.Fill(1f);
        }

        var mu = _trainer.Prediction(Model.Output).ReadOnlySpan;
        var x = images.ReadOnlySpan;
        var m = mask.ReadOnlySpan;
        var c = _completed.Span;
        for (int i = 0; i < c.Length; i++)
        {
            c[i] = m[i] != 0f ? x[i] : mu[i];
        }

        return _completed;
    }

    private void Load(FloatTensor images, FloatTensor? mask)
    {
        ArgumentNullException.ThrowIfNull(images);
        var target = _trainer.Executor.Value(Model.Target);
        FloatTensor.RequireSameShape(target, images, "Generative PC images");
        target.CopyFrom(images);
        _trainer.Executor.Value(Model.Input).Clear(); // inference starts at the prior mean
        if (mask is not null)
        {
            FloatTensor.RequireSameShape(target, mask, "Generative PC mask");
            foreach (float v in mask.ReadOnlySpan)
            {
                if (v is not (0f or 1f))
                {
                    throw new ArgumentException($"Generative PC mask: values must be 0 (missing) or 1 (observed); found {v}.", nameof(mask));
                }
            }

            _trainer.OutputMask!.CopyFrom(mask);
        }
    }

    private float ReconstructionError()
    {
        var mu = _trainer.Prediction(Model.Output).ReadOnlySpan;
        var x = _trainer.Executor.Value(Model.Target).ReadOnlySpan;
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = x[i] - mu[i];
            s += d * d;
        }

        return (float)(0.5 * s / BatchSize);
    }
}
