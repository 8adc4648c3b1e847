using Helmholtz.Graphs;
using Helmholtz.Graphs.Ops;
using Helmholtz.Optim;
using Helmholtz.Tensors;
using Tensor = Helmholtz.Tensors.Tensor;

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
    private readonly Tensor _completed;

    /// <summary>Builds the network and its trainer for batches of <paramref name="batchSize"/> images of <paramref name="imageSize"/> pixels.</summary>
    /// <param name="latentSize">d, the size of the top latent.</param>
    /// <param name="hiddenSizes">Sizes of the tanh layers between latent and image (may be empty: a linear model).</param>
    /// <param name="imageSize">p, pixels per image (flattened).</param>
    /// <param name="batchSize">Images per batch, for training and completion.</param>
    /// <param name="options">PC options; the algorithm must be pc-standard or pc-incremental (default pc-standard, T = 50, η_v = 0.1).</param>
    /// <param name="seed">Seed of the weight initialisation, N(0, 1/fan_in).</param>
    /// <exception cref="ArgumentException">A size is not positive, or the options are invalid or use fixed predictions.</exception>
    public PcGenerative(int latentSize, IReadOnlyList<int> hiddenSizes, int imageSize, int batchSize, PcOptions? options = null, ulong seed = 1)
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
            var w = new Tensor(sizes[i + 1], sizes[i]);
            rng.FillGaussian(w.Span, 0f, 1f / MathF.Sqrt(sizes[i]));
            bool last = i + 2 == sizes.Length;
            h = g.Apply(new DenseOp(last ? Activation.Identity : Activation.Tanh), last ? "image" : $"h{i + 1}", h,
                g.Parameter($"layers.{i}.weight", w), g.Parameter($"layers.{i}.bias", new Tensor(sizes[i + 1])));
        }

        var x = g.Input("x", imageSize);
        var loss = g.Apply(new MseLossOp(), "loss", h, x);
        Model = new Model(g.Build(), z, h, x, loss, LossKind.Mse);
        _trainer = new PredictiveCodingTrainer(Model, batchSize, options, null, [z], maskOutput: true);
        _completed = new Tensor(batchSize, imageSize);
        BatchSize = batchSize;
    }

    /// <summary>The generative network: <see cref="Model.Input"/> is the latent z, <see cref="Model.Output"/> the predicted image.</summary>
    public Model Model { get; }

    /// <summary>Images per batch.</summary>
    public int BatchSize { get; }

    /// <summary>The inferred latent of the last batch (after <see cref="TrainStep"/> or <see cref="Complete"/>).</summary>
    public Tensor Latent => _trainer.Value(Model.Input);

    /// <summary>Infers latents for a batch of images [batch, p] and updates the weights; returns the mean over the batch of ½‖x − μ‖² at the inferred latents.</summary>
    /// <exception cref="PcDivergenceException">Inference diverged.</exception>
    public float TrainStep(Tensor images, IOptimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Load(images, mask: null);
        _trainer.TrainStep(optimizer);
        return ReconstructionError();
    }

    /// <summary>Fills the missing pixels of each image: infers the latent from the observed pixels (mask 1) and predicts the rest (mask 0).</summary>
    /// <param name="images">[batch, p]; values at missing pixels are ignored.</param>
    /// <param name="mask">[batch, p] of 0 and 1: 1 where a pixel is observed.</param>
    /// <returns>The completed images (observed pixels kept, missing ones predicted); a buffer reused by the next call.</returns>
    public Tensor Complete(Tensor images, Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        Load(images, mask);
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

    private void Load(Tensor images, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(images);
        var target = _trainer.Executor.Value(Model.Target);
        Tensor.RequireSameShape(target, images, "Generative PC images");
        target.CopyFrom(images);
        _trainer.Executor.Value(Model.Input).Clear(); // inference starts at the prior mean
        if (mask is not null)
        {
            Tensor.RequireSameShape(target, mask, "Generative PC mask");
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
