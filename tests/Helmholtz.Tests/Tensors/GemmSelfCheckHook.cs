using Helmholtz.Tensors;
using Helmholtz.Tests.Tensors;

/// <summary>
/// A .NET startup hook (runs before Main when the assembly is named in DOTNET_STARTUP_HOOKS). GemmTests starts
/// <c>dotnet exec Helmholtz.Tests.dll</c> with this hook and HELMHOLTZ_GEMM_SELFCHECK=1 so that a fresh runtime, with
/// SIMD switched off by environment variables, runs <see cref="GemmSelfCheck.Run"/> and the nonlinearity kernels
/// <see cref="ActivationKernelMatrix.Run"/>, and exits before the test
/// assembly's (empty, generated) Main. Without that variable the hook does nothing.
/// </summary>
internal static class StartupHook
{
    public static void Initialize()
    {
        if (Environment.GetEnvironmentVariable("HELMHOLTZ_GEMM_SELFCHECK") != "1")
        {
            return;
        }

        Console.Out.WriteLine($"kernel: {Gemm.KernelName}");
        var failures = GemmSelfCheck.Run();
        var activationFailures = ActivationKernelMatrix.Run();
        Console.Out.WriteLine(activationFailures.Count == 0 ? "activation kernels: ok" : "activation kernels: FAILED");
        failures.AddRange(activationFailures);
        foreach (string failure in failures)
        {
            Console.Out.WriteLine($"FAIL {failure}");
        }

        Console.Out.Flush();
        Environment.Exit(failures.Count == 0 ? 0 : 1);
    }
}
