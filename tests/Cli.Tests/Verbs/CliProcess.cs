using System.Diagnostics;

namespace Mlsh.Cli.Tests.Verbs;

/// <summary>Runs the mlsh.dll built next to the test assembly (with its deps.json and runtimeconfig.json) as a
/// separate process, the way a user runs `./mlsh`.</summary>
internal static class CliProcess
{
    public static Task<(int Code, string Stdout, string Stderr)> Run(params string[] args) => RunWithin(TimeSpan.FromMinutes(1), args);

    public static async Task<(int Code, string Stdout, string Stderr)> RunWithin(TimeSpan limit, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(typeof(IVerb).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"mlsh {string.Join(' ', args)} did not finish within {limit.TotalSeconds:0} s");
        }
        return (process.ExitCode, await stdout, await stderr);
    }
}
