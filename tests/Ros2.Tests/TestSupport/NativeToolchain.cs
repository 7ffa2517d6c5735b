using System.Diagnostics;

namespace Mlsh.Ros2.Tests.TestSupport;

/// <summary>
/// Builds and runs small C programs against the installed Cyclone DDS headers and libddsc (idlc + gcc, both
/// installed by scripts/setup.sh). Missing tools fail the test with an actionable message; they never skip it.
/// </summary>
public static class NativeToolchain
{
    /// <summary>Runs a tool to completion; throws with its stderr when it fails.</summary>
    public static string Run(string fileName, string arguments, string workingDirectory, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot start '{fileName}' ({e.Message}); run scripts/setup.sh (needs cyclonedds-tools, cyclonedds-dev and gcc)", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{fileName} {arguments} did not finish");
            }
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{fileName} {arguments} exited with {process.ExitCode}: {stderr.Result}{stdout.Result}");
            return stdout.Result;
        }
    }

    /// <summary>A fresh temporary directory holding copies of the given test resource files.</summary>
    public static string WorkDirectoryWith(params string[] resourcePaths)
    {
        var dir = Directory.CreateTempSubdirectory("mlsh-ros2-native-").FullName;
        foreach (var relative in resourcePaths)
        {
            var source = Path.Combine(AppContext.BaseDirectory, relative);
            File.Copy(source, Path.Combine(dir, Path.GetFileName(relative)));
        }
        return dir;
    }

    /// <summary>gcc -O1 the C sources into ./prog linked with libddsc and return the program's path.</summary>
    public static string CompileWithDdsc(string dir, params string[] sources)
    {
        Run("gcc", $"-O1 -Wall -o prog {string.Join(' ', sources)} -lddsc", dir);
        return Path.Combine(dir, "prog");
    }
}
