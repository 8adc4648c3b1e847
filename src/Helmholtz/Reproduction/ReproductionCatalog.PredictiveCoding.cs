using Helmholtz.Data;
using Helmholtz.Graphs;
using Helmholtz.Optim;
using Helmholtz.PredictiveCoding;
using Helmholtz.Tensors;
using Helmholtz.Training;

namespace Helmholtz.Reproduction;

public static partial class ReproductionCatalog
{
    private const string FashionData =
        "Fashion-MNIST (Xiao, Rasul & Vollgraf 2017; Debian package dataset-fashion-mnist) in full runs, the embedded digits (8,000/2,000 MNIST digits) in quick runs and where Fashion-MNIST is not installed";

    private static Criterion WithinOnePoint => new(1.0, Direction.HigherIsBetter);

    /// <summary>The dataset a size trains on: Fashion-MNIST when the size asks for full data and it is installed, else the embedded digits.</summary>
    private static string DatasetFor(ReproductionSize size) =>
        size.UseFullData && File.Exists(Path.Combine(DatasetCatalog.FashionMnistDirectory, "train-images-idx3-ubyte.gz")) ? "fashion-mnist" : "digits";

    private static TrainingConfig BaseConfig(ReproductionSize size, string model, ulong seed) => new()
    {
        Model = model,
        Hidden = model switch { "cnn" => [120, 84], "rnn" or "lstm" => [64], _ => [128, 128] },
        Loss = LossKind.CrossEntropy,
        Optimizer = "adam",
        LearningRate = 1e-3f,
        BatchSize = 64,
        Dataset = DatasetFor(size),
        Epochs = size.Epochs,
        MaxBatches = size.MaxBatches,
        Seed = seed,
        Threads = Environment.ProcessorCount,
        // A recurrent graph is 28 time steps deep: with η_v = 1 fixed-prediction PC carries the error one node per step, so T
        // must exceed the graph's depth (docs/predictive-coding/depth.md); T = 20, η_v = 0.1 suits the shallow MLP and CNN.
        InferenceSteps = model is "rnn" or "lstm" ? 200 : 20,
        InferenceRate = model is "rnn" or "lstm" ? 1f : 0.1f,
    };

    /// <summary>A supervised training unit: per-epoch test accuracy and loss, and the final test accuracy.</summary>
    private static ReproductionUnit TrainUnit(string name, TrainingConfig config) => new(name, ct =>
    {
        var metrics = SupervisedTraining.Train(config, cancellationToken: ct);
        var list = new List<Measurement>();
        foreach (var m in metrics)
        {
            list.Add(new Measurement(name, "test_accuracy", m.Epoch, m.TestAccuracy));
            list.Add(new Measurement(name, "train_loss", m.Epoch, m.TrainLoss));
            list.Add(new Measurement(name, "test_loss", m.Epoch, m.TestLoss));
        }

        list.Add(new Measurement(name, "final_test_accuracy", double.NaN, metrics[^1].TestAccuracy));
        return list;
    });

    private static IEnumerable<T> Limit<T>(IReadOnlyList<T> items, ReproductionSize size) => size.Variants > 0 ? items.Take(size.Variants) : items;

    private static PublishedResult GapRow(string quantity, string variant, string reference, string published, string source) =>
        new(quantity, published, 0, source, WithinOnePoint, all => Pick.Gap(all, variant, reference, "final_test_accuracy", 100), "+0.00;-0.00;0.00");

    private static Reproduction PcBackpropAgreement()
    {
        string[] models = ["mlp", "cnn", "rnn", "lstm"];
        const string Source = "Millidge, Tschantz & Buckley (2020/2022), Predictive coding approximates backprop along arbitrary computation graphs";
        return new Reproduction("pc-backprop-agreement", "PC's parameter updates converge to exact backprop gradients on MLP, CNN, RNN and LSTM graphs",
            "Thesis part 'Learning'; " + Source, "the figure of gradient divergence against inference steps",
            "the first 16 embedded digits (one batch; the paper used its own small batches)",
            new ReproductionSize("quick", Steps: 256), new ReproductionSize("full", Steps: 1024),
            (size, seeds) => seeds.SelectMany(seed => models.Select(model => new ReproductionUnit(Pick.Unit(model, seed), ct =>
            {
                var data = DatasetCatalog.LoadEmbeddedDigits().Train;
                var config = BaseConfig(size, model, seed) with { Loss = LossKind.Mse, Dataset = "digits" };
                var net = TrainingSetup.CreateModel(config, data, new Rng(seed));
                var x = new FloatTensor(16, data.Features);
                var y = new FloatTensor(16, data.ClassCount);
                var batches = new BatchIterator(data, new BatchOptions(16, Shuffle: false));
                batches.BeginEpoch(1);
                batches.Next(x, y, [], out _);
                var list = new List<Measurement>();
                string unit = Pick.Unit(model, seed);
                PcAgreementResult? last = null;
                for (int t = 1; ; t *= 2)
                {
                    ct.ThrowIfCancellationRequested();
                    int steps = Math.Min(t, size.Steps);
                    last = PcAgreement.Measure(net, x, y, steps, 0.5f);
                    list.Add(new Measurement(unit, "max_relative_error", steps, last.MaxRelativeError));
                    list.Add(new Measurement(unit, "min_cosine", steps, last.MinCosine));
                    if (steps == size.Steps)
                    {
                        break;
                    }
                }

                list.Add(new Measurement(unit, "final_max_relative_error", double.NaN, last.MaxRelativeError));
                list.Add(new Measurement(unit, "final_min_cosine", double.NaN, last.MinCosine));
                return list;
            }))).ToList(),
            models.Select(m => new PublishedResult($"largest relative error ‖g_pc − g_bp‖/‖g_bp‖ over parameters at the largest T, {m.ToUpperInvariant()}",
                "→ 0: converges to the exact backprop gradients as T grows (figure; no number)", 0, Source,
                new Criterion(1e-3, Direction.LowerIsBetter), all => Pick.Mean(all, m, "final_max_relative_error"), "E2")).ToList(),
            new FigureSpec("max_relative_error", "fixed-prediction PC vs backprop: largest relative gradient error", "inference steps T", "max relative error (log10)", LogX: true, LogY: true),
            new RunTime(3.1, 7, true));
    }

    private static Reproduction PcVsBpTraining()
    {
        string[] models = ["mlp", "cnn", "rnn", "lstm"];
        const string Source = "Millidge, Tschantz & Buckley (2020/2022), Table 1 and training-curve figures (CNN on SVHN, CIFAR-10, CIFAR-100; RNN/LSTM on sequence tasks)";
        return new Reproduction("pc-vs-bp-training", "PC (fixed prediction) and backprop training curves on the same networks and data",
            "Thesis part 'Learning'; " + Source, "Table 1 (final accuracies) and the training-curve figures",
            FashionData + ". The RNN and LSTM read each image as a sequence of 28 rows (sequential Fashion-MNIST): the nearest offline sequence task; "
            + "the paper's SVHN/CIFAR (CNN) and its text data (RNN/LSTM) are not available here",
            new ReproductionSize("quick", Epochs: 1, MaxBatches: 40), new ReproductionSize("full", Epochs: 5, UseFullData: true),
            (size, seeds) => seeds.SelectMany(seed => Limit(models, size).SelectMany(model => new[]
            {
                TrainUnit(Pick.Unit($"{model}-bp", seed), BaseConfig(size, model, seed)),
                TrainUnit(Pick.Unit($"{model}-pc", seed), BaseConfig(size, model, seed) with { Algorithm = "pc-fixed" }),
            })).ToList(),
            models.Select(m => GapRow($"PC − BP final test accuracy, {m.ToUpperInvariant()} (percentage points)", $"{m}-pc", $"{m}-bp",
                "0: \"performs equivalently to backprop\" (CNN on CIFAR/SVHN and RNN/LSTM accuracies equal to backprop's to within noise)", Source)).ToList(),
            new FigureSpec("test_accuracy", "PC and backprop: test accuracy per epoch", "epoch", "test accuracy"),
            new RunTime(24.0, 2968, true));
    }

    // The CNN's max-pool passes errors without a weight matrix, so no-derivative (and with it "all three") applies to the MLP only.
    private static string[] RelaxationSets(string model) => model == "cnn"
        ? ["backward-weights", "error-connections", "backward-weights,error-connections"]
        : ["backward-weights", "no-derivative", "error-connections", "backward-weights,no-derivative,error-connections"];

    private static string RelaxationName(string set) => set.Count(c => c == ',') switch { 0 => set, 1 => "both", _ => "all-three" };

    private static Reproduction RelaxedPc()
    {
        string[] models = ["mlp", "cnn"];
        const string Source = "Millidge, Tschantz, Seth & Buckley (2020), Relaxing the constraints on predictive coding models";
        return new Reproduction("relaxed-pc", "Relaxed PC (learned backward weights, no nonlinear derivatives, learned error connections, all three) against backprop",
            "Thesis part 'Perception', relaxed PC; " + Source, "the training-curve figures (MNIST/Fashion-MNIST accuracies)",
            FashionData + ". Our error-connection rule differs from the paper's (docs/predictive-coding/relaxed.md); on the CNN, no-derivative is not run (its max-pool has no weight matrix to relax), so \"both\" there is backward weights + error connections",
            new ReproductionSize("quick", Epochs: 1, MaxBatches: 30), new ReproductionSize("full", Epochs: 5, UseFullData: true),
            (size, seeds) => seeds.SelectMany(seed => Limit(models, size).SelectMany(model =>
                new[] { TrainUnit(Pick.Unit($"{model}-bp", seed), BaseConfig(size, model, seed)) }.Concat(RelaxationSets(model).Select(set =>
                    TrainUnit(Pick.Unit($"{model}-{RelaxationName(set)}", seed), BaseConfig(size, model, seed) with { Algorithm = "relaxed", Relaxations = set.Split(',') }))))).ToList(),
            models.SelectMany(m => RelaxationSets(m).Select(set => GapRow($"{RelaxationName(set)} − BP final test accuracy, {m.ToUpperInvariant()} (pp)",
                $"{m}-{RelaxationName(set)}", $"{m}-bp", "0: \"without noticeable harm to learning performance\"", Source))).ToList(),
            new FigureSpec("test_accuracy", "relaxed PC and backprop: test accuracy per epoch", "epoch", "test accuracy"),
            new RunTime(30.5, 4669, true));
    }

    private static Reproduction ActivationRelaxation()
    {
        string[][] variants = [[], ["no-derivative"], ["backward-weights"], ["backward-weights", "no-derivative"]];
        static string Name(string[] v) => v.Length == 0 ? "ar" : "ar-" + string.Join("-", v);
        const string Source = "Millidge, Tschantz, Seth & Buckley (2020), Activation relaxation: a local dynamical approximation to backpropagation in the brain";
        return new Reproduction("activation-relaxation", "Activation relaxation and its simplifications (no derivatives, learned backward weights) against backprop",
            "Thesis part 'Learning'; " + Source, "the training-curve figures (MNIST and Fashion-MNIST)",
            FashionData,
            new ReproductionSize("quick", Epochs: 1, MaxBatches: 40), new ReproductionSize("full", Epochs: 10, UseFullData: true),
            (size, seeds) => seeds.SelectMany(seed => new[] { TrainUnit(Pick.Unit("bp", seed), BaseConfig(size, "mlp", seed)) }
                .Concat(variants.Select(v => TrainUnit(Pick.Unit(Name(v), seed),
                    BaseConfig(size, "mlp", seed) with { Algorithm = "activation-relaxation", InferenceRate = 0.5f, Relaxations = v })))).ToList(),
            variants.Select(v => GapRow($"{Name(v)} − BP final test accuracy, MLP (pp)", Name(v), "bp",
                "0: AR \"converges to the exact backprop gradients\" and its simplifications train \"while preserving performance\"", Source)).ToList(),
            new FigureSpec("test_accuracy", "activation relaxation and backprop: test accuracy per epoch", "epoch", "test accuracy"),
            new RunTime(2.0, 55, true));
    }

    private static Reproduction PcDepth()
    {
        (string Name, string Algo, int T)[] variants = [("bp", "bp", 0), ("pc-fixed", "pc-fixed", 20), ("pc-standard", "pc-standard", 20), ("pc-standard-T5", "pc-standard", 5)];
        int[] AllDepths(ReproductionSize size) => size.Name == "full" ? [2, 4, 8] : size.Variants > 0 ? [2] : [2, 4];
        const string Source = "Thesis part 'Learning' (fixed prediction: PC = BP at any depth); Pinchetti et al. (2024, PCX) for the gap of standard PC at depth";
        return new Reproduction("pc-depth", "The PC − BP test-accuracy gap against depth (2, 4, 8 hidden layers) and inference steps",
            Source, "no thesis figure; PCX's VGG-7 table (Tiny ImageNet 22 % PC vs 47 % BP)",
            FashionData + ". Tiny ImageNet (PCX) is not available here",
            new ReproductionSize("quick", Epochs: 1, MaxBatches: 40), new ReproductionSize("full", Epochs: 2, UseFullData: true),
            (size, seeds) => seeds.SelectMany(seed => AllDepths(size).SelectMany(depth => variants.Select(v =>
                TrainUnit(Pick.Unit($"d{depth}-{v.Name}", seed), BaseConfig(size, "mlp", seed) with
                {
                    Hidden = Enumerable.Repeat(128, depth).ToArray(), Algorithm = v.Algo, InferenceSteps = Math.Max(1, v.T),
                })))).ToList(),
            [
                new PublishedResult("pc-fixed − BP at the deepest net (pp)", "0: fixed-prediction PC computes backprop's gradients exactly", 0,
                    "thesis, 'PC approximates backprop'", new Criterion(0.5, Direction.HigherIsBetter), DeepestGap("pc-fixed"), "+0.00;-0.00;0.00"),
                new PublishedResult("pc-standard (T = 20) − BP at the deepest net (pp)", "−25 (PCX: VGG-7, Tiny ImageNet, 22 % vs 47 %)", -25,
                    "Pinchetti et al. 2024 (not the thesis)", new Criterion(5, Direction.HigherIsBetter), DeepestGap("pc-standard"), "+0.00;-0.00;0.00"),
            ],
            new FigureSpec("final_test_accuracy", "final test accuracy by depth and algorithm", "unit", "test accuracy"),
            new RunTime(2.7, 46, true));
    }

    private static Reproduction ResidualDepth()
    {
        int[] depths = [128, 256];
        const string Source = "Innocenti, Achour & Buckley (2025), μPC: scaling predictive coding to 100+ layer networks (NeurIPS), Figure 1; not the thesis";
        TrainingConfig Config(ReproductionSize size, int depth, ulong seed) => BaseConfig(size, "mlp", seed) with
        {
            Model = "residual-mlp", Hidden = [128], Depth = depth, Parametrisation = Graphs.Builders.Parametrisation.MuPC, Activation = Activation.Relu,
            Loss = LossKind.Mse,
        };
        return new Reproduction("residual-depth", "Standard PC on μPC residual MLPs of 128 and 256 layers against backprop on the same networks",
            Source, "μPC's Figure 1 (MNIST, one epoch, residual depths up to 128: μPC's test accuracy close to backprop's); no Fashion-MNIST number",
            FashionData + ". Width 128, ReLU, MSE, Adam, batch 64; PC: T = 32, η_v = 0.1, lr 0.3 (the rate that transfers from width 64 / depth 8); "
            + "backprop: lr 0.01 (retuned for depth); docs/predictive-coding/residual-depth.md",
            new ReproductionSize("quick", Epochs: 1, MaxBatches: 10), new ReproductionSize("full", Seeds: 3, Epochs: 1, UseFullData: true),
            (size, seeds) => seeds.SelectMany(seed => depths.SelectMany(depth => new[]
            {
                TrainUnit(Pick.Unit($"h{depth}-bp", seed), Config(size, depth, seed) with { LearningRate = 0.01f }),
                TrainUnit(Pick.Unit($"h{depth}-pc", seed), Config(size, depth, seed) with
                {
                    Algorithm = "pc-standard", InferenceSteps = 32, InferenceRate = 0.1f, LearningRate = 0.3f,
                }),
            })).ToList(),
            depths.Select(d => GapRow($"PC-μPC − BP-μPC final test accuracy, {d} layers (pp)", $"h{d}-pc", $"h{d}-bp",
                "≈ 0: μPC trains 128-layer residual networks to accuracies close to backprop's (MNIST, one epoch)", Source)).ToList(),
            new FigureSpec("final_test_accuracy", "final test accuracy by depth and method", "unit", "test accuracy"),
            new RunTime(6.7, 395, true));
    }

    private static Func<IReadOnlyList<Measurement>, double> DeepestGap(string variant) => all =>
    {
        int depth = all.Where(m => m.Unit.StartsWith('d')).Select(m => int.Parse(m.Unit[1..m.Unit.IndexOf('-', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture)).DefaultIfEmpty(0).Max();
        return Pick.Gap(all, $"d{depth}-{variant}", $"d{depth}-bp", "final_test_accuracy", 100);
    };

    private static Reproduction GenerativePc()
    {
        const string Source = "Thesis part 'Perception' (generative PC, Rao & Ballard 1999; Bogacz 2017); reference fills from docs/predictive-coding/generative.md";
        return new Reproduction("generative-pc", "Completion of the hidden bottom half of held-out digits by generative PC, against the mean fill and the best linear fill",
            Source, "no thesis number; Helmholtz's earlier measurement (8 epochs, T = 200: PC 0.0534, mean fill 0.0721, Gaussian conditional mean 0.0483)",
            "the embedded digits (8,000 train / 2,000 test MNIST digits)",
            new ReproductionSize("quick", Epochs: 1, Steps: 50), new ReproductionSize("full", Epochs: 8, Steps: 200),
            (size, seeds) => seeds.Select(seed => new ReproductionUnit(Pick.Unit("completion", seed), ct => Completion(size, seed, ct))).ToList(),
            [
                new PublishedResult("PC completion MSE / mean-fill MSE (bottom half hidden)", "0.74 (0.0534 / 0.0721; Helmholtz docs, 8 epochs, T = 200)", 0.0534 / 0.0721,
                    "docs/predictive-coding/generative.md (no number in the thesis)", new Criterion(0.05, Direction.LowerIsBetter),
                    all => Pick.Mean(all, "completion", "pc_mse") / Pick.Mean(all, "completion", "mean_fill_mse"), "F3"),
                new PublishedResult("PC completion MSE / best linear fill MSE", "1.11 (0.0534 / 0.0483)", 0.0534 / 0.0483,
                    "docs/predictive-coding/generative.md", new Criterion(0.05, Direction.LowerIsBetter),
                    all => Pick.Mean(all, "completion", "pc_mse") / Pick.Mean(all, "completion", "linear_fill_mse"), "F3"),
            ],
            new FigureSpec("completion_mse", "completion MSE of the hidden pixels: PC, mean fill, best linear fill (x = 0, 1, 2)", "fill (0 PC, 1 mean, 2 linear)", "pixel MSE"),
            new RunTime(5.2, 27, true));
    }

    private static IReadOnlyList<Measurement> Completion(ReproductionSize size, ulong seed, CancellationToken ct)
    {
        const int Batch = 100;
        var data = DatasetCatalog.LoadEmbeddedDigits();
        int h = data.Test.Height, w = data.Test.Width, p = data.Test.Features;
        var options = new PcOptions { Algorithm = PcAlgorithm.Standard, Iterations = 50, EtaV = 0.1f };
        var trainModel = new PcGenerative(32, [256], p, 64, options, seed);
        GenerativeTraining.Train(trainModel, new Adam(new AdamOptions(1e-3)), data.Train, size.Epochs, 64, seed, cancellationToken: ct);
        var model = new PcGenerative(32, [256], p, Batch, options with { Iterations = size.Steps }, seed);
        model.Model.Graph.LoadParameters(trainModel.Model.Graph.Parameters.ToDictionary(q => q.Name, q => q.Value));
        var hidden = new bool[p];
        for (int i = 0; i < p; i++)
        {
            hidden[i] = i / w >= h / 2;
        }

        var mask = new FloatTensor(Batch, p);
        for (int b = 0; b < Batch; b++)
        {
            for (int i = 0; i < p; i++)
            {
                mask.Span[(b * p) + i] = hidden[i] ? 0f : 1f;
            }
        }

        var linear = LinearFill.Fit(data.Train, hidden);
        double pc = 0, mean = 0, lin = 0;
        long n = 0;
        var images = new FloatTensor(Batch, p);
        var fill = new double[p];
        for (int start = 0; start + Batch <= data.Test.Count; start += Batch)
        {
            ct.ThrowIfCancellationRequested();
            data.Test.Images.ReadOnlySpan.Slice(start * p, Batch * p).CopyTo(images.Span);
            var completed = model.Complete(images, mask);
            for (int b = 0; b < Batch; b++)
            {
                var img = images.ReadOnlySpan.Slice(b * p, p);
                linear.Fill(img, fill);
                for (int i = 0; i < p; i++)
                {
                    if (hidden[i])
                    {
                        double d = completed.Span[(b * p) + i] - img[i], e = linear.Mean[i] - img[i], l = fill[i] - img[i];
                        pc += d * d;
                        mean += e * e;
                        lin += l * l;
                        n++;
                    }
                }
            }
        }

        string unit = Pick.Unit("completion", seed);
        return
        [
            new(unit, "pc_mse", double.NaN, pc / n), new(unit, "mean_fill_mse", double.NaN, mean / n), new(unit, "linear_fill_mse", double.NaN, lin / n),
            new(unit, "completion_mse", 0, pc / n), new(unit, "completion_mse", 1, mean / n), new(unit, "completion_mse", 2, lin / n),
        ];
    }
}
