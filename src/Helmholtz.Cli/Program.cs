using System.Reflection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Helmholtz.Cli;

internal static class Program
{
    /// <summary>
    /// Long options with one-letter names that the parser cannot declare (long names need two characters), with the
    /// names they stand for: the thesis's <c>--T</c> (inference steps) and <c>--n</c> (matrix size).
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> OneLetterOptions = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["--T"] = "--inference-steps",
        ["--n"] = "--size",
    };

    internal static string[] NormalizeArguments(string[] args) => args.Select(a =>
    {
        int eq = a.IndexOf('=', StringComparison.Ordinal);
        string name = eq < 0 ? a : a[..eq];
        return OneLetterOptions.TryGetValue(name, out var full) ? full + (eq < 0 ? "" : a[eq..]) : a;
    }).ToArray();

    /// <summary>The version that <c>--version</c> prints: VersionPrefix (and VersionSuffix) of Directory.Build.props.</summary>
    internal static string Version { get; } =
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static int Main(string[] args)
    {
        // `--version` alone is answered before the command tree exists: building the tree and starting Spectre.Console
        // costs more than the rest of the process start (docs/install.md), and the answer is one line.
        if (IsVersionRequest(args))
        {
            Console.Out.WriteLine(Version);
            return Infrastructure.ExitCode.Ok;
        }

        return CreateApp(typed: args).Run(NormalizeArguments(args));
    }

    /// <summary>Whether the arguments ask for the version and nothing else (<c>--version</c> or <c>-v</c>).</summary>
    internal static bool IsVersionRequest(IReadOnlyList<string> args) => args is ["--version"] or ["-v"];

    /// <summary>The command tree; <paramref name="console"/> replaces the terminal (tests render help into a buffer).</summary>
    /// <param name="console">The console help and Spectre's own output go to; null: the terminal.</param>
    /// <param name="typed">The arguments as typed, so that error messages name options the way the user wrote them.</param>
    internal static CommandApp CreateApp(IAnsiConsole? console = null, IReadOnlyList<string>? typed = null)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("helmholtz");
            config.SetApplicationVersion(Version);
            if (console is not null)
            {
                config.ConfigureConsole(console);
            }

            config.UseStrictParsing();
            // Parse and validation errors (exit 2) and anything a command did not handle (exit 1) reach here.
            config.SetExceptionHandler((ex, _) => Infrastructure.ErrorReport.Handle(ex, typed ?? []));

            // Commands are registered here, one line each, grouped by area.
            config.AddCommand<Commands.Quickstart.QuickstartCommand>("quickstart")
                .WithDescription("Train a small network on the embedded digits with backprop and predictive coding; print the test accuracies (no download).");
            config.AddCommand<Commands.Train.TrainCommand>("train")
                .WithDescription("Train a network (backprop or predictive coding) and keep a run folder.")
                .WithExample("train", "--algo", "bp", "--model", "mlp", "--dataset", "fashion-mnist", "--epochs", "10");
            config.AddCommand<Commands.Predict.PredictCommand>("predict")
                .WithDescription("Run a trained network (a train checkpoint) on the first test examples; print its accuracy or write its outputs.");
            config.AddBranch("bench", bench =>
            {
                bench.SetDescription("End-to-end speed measurements; --json prints one JSON object.");
                bench.AddCommand<Commands.Bench.BenchTrainCommand>("train").WithDescription("Epoch time and test accuracy of a training run (no run folder).");
                bench.AddCommand<Helmholtz.Cli.Commands.Aif.AifBenchCommand>("aif").WithDescription("Median time of one discrete active inference agent step.");
                bench.AddCommand<Commands.Bench.BenchPlanCommand>("plan").WithDescription("Milliseconds per CEM plan of the ensemble planner (and optionally a model refit).");
                bench.AddCommand<Commands.Bench.BenchGemmCommand>("gemm").WithDescription("GFLOP/s of the GEMM kernel on n×n products.");
            });
            config.AddBranch("aif", aif =>
            {
                aif.SetDescription("Discrete active inference (pymdp-compatible agents, T-maze, grid world, bandit)");
                aif.AddCommand<Helmholtz.Cli.Commands.Aif.AifRunCommand>("run").WithDescription("Run an agent in the T-maze, grid world or bandit");
                aif.AddCommand<Helmholtz.Cli.Commands.Aif.AifEvaluateCommand>("evaluate").WithDescription("Replay a trajectory through an agent and print beliefs, q(π) and −G per step");
                aif.AddCommand<Helmholtz.Cli.Commands.Aif.AifFitCommand>("fit").WithDescription("Fit agent parameters to recorded behaviour (MAP with Laplace standard errors); estimates.csv and a figure");
                aif.AddCommand<Helmholtz.Cli.Commands.Aif.AifRecoverCommand>("recover").WithDescription("Parameter recovery: simulate subjects with parameters from the priors, fit them, report true-vs-fitted correlations and a scatter figure");
                aif.AddCommand<Commands.Control.ControlCommand>("control").WithDescription("Train a control agent (deep-aif, dqn, planner) on a control task; --seeds runs several in parallel processes");
                aif.AddCommand<Commands.Control.ExploreCommand>("explore").WithDescription("Run the planner's exploration experiment: every objective with and without information gain over seeds, then its table and figure");
                aif.AddCommand<Commands.Control.ExplorationCommand>("exploration").WithDescription("Figure and table of the planner's exploration experiment (coverage per objective, with and without information gain)");
            });
            config.AddBranch("pc", pc =>
            {
                pc.SetDescription("Predictive coding tools: agreement with backprop, generative image completion.");
                pc.AddCommand<Commands.Pc.PcGenerativeCommand>("generative").WithDescription("Train generative PC (latent → image) on the embedded digits.");
                pc.AddCommand<Commands.Pc.PcCompleteCommand>("complete").WithDescription("Complete the hidden half of held-out digits by PC inference.");
                pc.AddCommand<Commands.Pc.PcDepthCommand>("depth").WithDescription("PC − BP accuracy gap of MLPs with 2, 4, 8 hidden layers: CSV and figure.");
                pc.AddCommand<Commands.Pc.PcTransferCommand>("transfer").WithDescription("Learning-rate transfer of residual MLPs across width and depth: loss against lr per (width, depth), CSV and figures.");
                pc.AddCommand<Commands.Pc.PcAgreementCommand>("agreement").WithDescription("Compare PC's parameter updates with exact backprop gradients on one batch.");
                pc.AddCommand<Commands.Pc.PcPerceptionCommand>("perception").WithDescription("Bogacz's single-variable perception model: φ(t) and the prediction errors, CSV and figure.");
            });
            config.AddBranch("reproduce", reproduce =>
            {
                reproduce.SetDescription("Reproduce a result of the thesis: 'reproduce list', 'reproduce ID' (--quick, --seeds, --out, --resume), 'reproduce report'.");
                reproduce.AddCommand<Commands.Reproduce.ReproduceListCommand>("list").WithDescription("Every reproducible result: id, chapter/paper, figure/table, --quick and full run times.");
                reproduce.AddCommand<Commands.Reproduce.ReproduceReportCommand>("report").WithDescription("Write the results page (docs/results.md) from the runs' summary.json files.");
                reproduce.SetDefaultCommand<Commands.Reproduce.ReproduceRunCommand>();
            });
            config.AddBranch("sweep", sweep =>
            {
                sweep.SetDescription("Sweeps: many runs of one command over options and seeds, locally, on Slurm or on Kubernetes (see docs/sweeps.md).");
                sweep.AddCommand<Commands.Sweep.SweepPlanCommand>("plan").WithDescription("List a sweep file's runs: index, run folder, done, arguments.");
                sweep.AddCommand<Commands.Sweep.SweepRunCommand>("run").WithDescription("Run a sweep's runs (or one, --index) as child processes; finished runs are skipped.");
                sweep.AddBranch("emit", emit =>
                {
                    emit.SetDescription("Write a scheduler's job for a sweep: one array task or completion index per run.");
                    emit.AddCommand<Commands.Sweep.SweepEmitSlurmCommand>("slurm").WithDescription("An sbatch job-array script (--array=0-(N-1)%K).");
                    emit.AddCommand<Commands.Sweep.SweepEmitK8sCommand>("k8s").WithDescription("A Kubernetes Indexed Job manifest with the sweep file in a ConfigMap.");
                });
                sweep.AddCommand<Commands.Sweep.SweepCollectCommand>("collect").WithDescription("Merge the runs' config and metrics into one CSV, summarise over seeds and draw the figures.");
            });
            config.AddBranch("env", env =>
            {
                env.SetDescription("Control environments (Gymnasium's dynamics): step one from a given state.");
                env.AddCommand<Commands.Env.EnvRolloutCommand>("rollout")
                    .WithDescription("Step a control environment from an explicit state through a list of actions.");
            });
        });
        return app;
    }
}
