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
        });
        return app.Run(args);
    }
}
