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
            config.AddBranch("bench", bench => bench.AddCommand<Commands.Bench.BenchGemmCommand>("gemm").WithDescription("GFLOP/s of the GEMM kernel on n×n products."));
        });
        return app.Run(Commands.Bench.BenchGemmSettings.NormalizeArguments(args));
    }
}
