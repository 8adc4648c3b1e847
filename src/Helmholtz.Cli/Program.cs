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
            config.AddBranch("env", env => env.AddCommand<Commands.Env.EnvRolloutCommand>("rollout")
                .WithDescription("Step a control environment from an explicit state through a list of actions."));
        });
        return app.Run(args);
    }
}
