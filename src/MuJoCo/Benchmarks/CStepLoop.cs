using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Mlsh.MuJoCo.Benchmarks;

/// <summary>
/// The native reference of the stepping benchmark: compiles cstep_loop.c (embedded in this assembly)
/// with <c>gcc -O2 … -lmujoco</c> on first use and runs it on an MJCF file. It performs exactly the
/// work of <see cref="ManagedStepLoop"/> (same control pattern, same divergence checks), so the ratio of
/// the two throughputs is the cost of the C# binding.
/// </summary>
/// <remarks>
/// The binary is cached under the temp directory, keyed by a hash of the C source, and written
/// atomically, so concurrent callers and later runs reuse it. Thread-safe.
/// </remarks>
public static class CStepLoop
{
    private const string ResourceName = "Mlsh.MuJoCo.Benchmarks.cstep_loop.c";
    private static readonly object CompileGate = new();

    /// <summary>The C source of the reference loop.</summary>
    public static string Source
    {
        get
        {
            using var stream = typeof(CStepLoop).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing from {typeof(CStepLoop).Assembly.GetName().Name}");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
    }

    /// <summary>Runs the native loop: <paramref name="warmupSteps"/> on a scratch data, then <paramref name="steps"/> measured.</summary>
    /// <exception cref="MjLoadException">MuJoCo could not load the file (its message is carried).</exception>
    /// <exception cref="InvalidOperationException">gcc is missing or failed, or the loop crashed.</exception>
    public static StepLoopResult Run(string mjcfPath, long steps, long warmupSteps = 1000)
    {
        ArgumentException.ThrowIfNullOrEmpty(mjcfPath);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        var full = Path.GetFullPath(mjcfPath);
        if (!File.Exists(full)) throw new MjLoadException(full, "mj_loadXML", "file not found");

        var exe = EnsureCompiled();
        var (exit, stdout, stderr) = RunProcess(exe, full, steps.ToString(CultureInfo.InvariantCulture), warmupSteps.ToString(CultureInfo.InvariantCulture));
        if (exit == 2) throw new MjLoadException(full, "mj_loadXML", stderr.Trim());
        if (exit != 0) throw new InvalidOperationException($"the C step loop exited with code {exit} on '{full}': {stderr.Trim()}");
        return Parse(stdout, steps, full);
    }

    /// <summary>Compiles the reference loop if no cached binary exists; returns the executable's path.</summary>
    public static string EnsureCompiled()
    {
        var source = Source;
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(source)))[..16].ToLowerInvariant();
        var dir = Path.Combine(Path.GetTempPath(), "mlsh-cstep-loop");
        var exe = Path.Combine(dir, $"cstep_loop-{hash}");
        lock (CompileGate)
        {
            if (File.Exists(exe)) return exe;
            Directory.CreateDirectory(dir);
            var unique = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
            var src = Path.Combine(dir, $"cstep_loop-{unique}.c");
            var tmpExe = Path.Combine(dir, $".cstep_loop-{unique}.tmp");
            File.WriteAllText(src, source);
            try
            {
                var (exit, _, stderr) = RunProcess("gcc", "-std=c11", "-O2", "-Wall", "-o", tmpExe, src, "-lmujoco", "-lm");
                if (exit != 0)
                    throw new InvalidOperationException($"gcc failed to compile the C step loop (needs gcc and libmujoco-dev): {stderr.Trim()}");
                // Rename is atomic: a concurrent process sees either no binary or a complete one.
                File.Move(tmpExe, exe, overwrite: true);
            }
            finally
            {
                File.Delete(src);
                if (File.Exists(tmpExe)) File.Delete(tmpExe);
            }
            return exe;
        }
    }

    private static StepLoopResult Parse(string stdout, long steps, string path)
    {
        double? seconds = null;
        long? divergences = null;
        double[]? qpos = null;
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (parts[0])
            {
                case "seconds": seconds = double.Parse(parts[1], CultureInfo.InvariantCulture); break;
                case "divergences": divergences = long.Parse(parts[1], CultureInfo.InvariantCulture); break;
                case "qpos": qpos = parts.Skip(1).Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray(); break;
            }
        }
        if (seconds is null || divergences is null || qpos is null)
            throw new InvalidOperationException($"the C step loop printed an incomplete report for '{path}': {stdout}");
        return new StepLoopResult(steps, seconds.Value, divergences.Value, qpos);
    }

    private static (int Exit, string Stdout, string Stderr) RunProcess(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"could not start '{file}' ({e.Message}); the C step loop needs gcc (scripts/setup.sh installs it)", e);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout, stderr.GetAwaiter().GetResult());
        }
    }
}
