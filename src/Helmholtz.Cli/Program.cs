using Spectre.Console.Cli;

namespace Helmholtz.Cli;

internal static class Program
{
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
            config.AddBranch("aif", aif =>
            {
                aif.SetDescription("Discrete active inference (pymdp-compatible agents, T-maze, grid world, bandit)");
                aif.AddCommand<Helmholtz.Cli.Commands.Aif.AifRunCommand>("run").WithDescription("Run an agent in the T-maze, grid world or bandit");
                aif.AddCommand<Helmholtz.Cli.Commands.Aif.AifEvaluateCommand>("evaluate").WithDescription("Replay a trajectory through an agent and print beliefs, q(π) and −G per step");
            });
            config.AddBranch("bench", bench =>
            {
                bench.AddCommand<Helmholtz.Cli.Commands.Aif.AifBenchCommand>("aif").WithDescription("Median time of one discrete active inference agent step");
            });
        });
        return app.Run(args);
    }
}
