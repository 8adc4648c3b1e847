using Spectre.Console.Cli;

namespace Helmholtz.Cli;

internal static class Program
{
    /// <summary>
    /// Accepts the thesis's name for the number of inference steps, <c>--T</c>, which the parser cannot declare
    /// (long option names need two characters): it becomes <c>--inference-steps</c>.
    /// </summary>
    internal static string[] NormalizeArguments(string[] args) => args
        .Select(a => a == "--T" ? "--inference-steps" : a.StartsWith("--T=", StringComparison.Ordinal) ? "--inference-steps=" + a[4..] : a)
        .ToArray();

    public static int Main(string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("helmholtz");
            config.SetExceptionHandler((ex, _) =>
            {
                // Parse errors (unknown option, bad value) reach here: one line, exit code 2.
                Console.Error.WriteLine($"error: {ex.Message}");
                return 2;
            });

            // Commands are registered here, one line each, grouped by area.
            config.AddCommand<Commands.Train.TrainCommand>("train")
                .WithDescription("Train a network (backprop or predictive coding) and keep a run folder.")
                .WithExample("train", "--algo", "bp", "--model", "mlp", "--dataset", "fashion-mnist", "--epochs", "10");
            config.AddBranch("bench", bench =>
            {
                bench.SetDescription("End-to-end speed measurements; --json prints one JSON object.");
                bench.AddCommand<Commands.Bench.BenchGemmCommand>("gemm").WithDescription("GFLOP/s of the GEMM kernel on n×n products.");
            });
            config.AddBranch("aif", aif =>
            {
                aif.SetDescription("Discrete active inference (pymdp-compatible agents, T-maze, grid world, bandit)");
                aif.AddCommand<Helmholtz.Cli.Commands.Aif.AifEvaluateCommand>("evaluate").WithDescription("Replay a trajectory through an agent and print beliefs, q(π) and −G per step");
            });
        });
        return app.Run(NormalizeArguments(args));
    }
}
