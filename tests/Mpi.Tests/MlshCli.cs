using System.Diagnostics;
using Mlsh.Core;

namespace Mlsh.Mpi.Tests;

/// <summary>Runs the built `mlsh` CLI (optionally under mpirun) and captures its output.</summary>
internal static class MlshCli
{
    internal sealed record Run(int ExitCode, string Stdout, string Stderr);

    internal static string DllPath()
    {
        var dll = Path.Combine(MlshPaths.Root, "artifacts", "bin", "Cli", "release", "mlsh.dll");
        if (!File.Exists(dll))
            throw new FileNotFoundException(
                $"the MPI tests run the real CLI but {dll} does not exist; build it first: dotnet build src/Cli -c Release " +
                "(scripts/test.sh builds the whole solution before testing)");
        return dll;
    }

    internal static Run Start(string fileName, IEnumerable<string> args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        // The test host itself is never under mpirun; make sure nothing leaks into a plain child either.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("OMPI_", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', psi.ArgumentList)} did not finish within {timeout}");
        }
        p.WaitForExit();
        return new Run(p.ExitCode, stdout.Result, stderr.Result);
    }
}
