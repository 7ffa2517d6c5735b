using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Mlsh.Core.IO;
using Mlsh.Core.Interop;
using Mlsh.Environments.Gaits;
using Mlsh.Environments.Mazes;
using Mlsh.Environments.Robots;
using Mlsh.Environments.Tasks;

namespace Mlsh.Environments.Benchmarks;

/// <summary>One side of the simulation benchmark.</summary>
/// <param name="PhysicsSteps">mj_step calls in the measured run.</param>
/// <param name="Seconds">Wall time of the measured run.</param>
/// <param name="CpuSeconds">CPU time of the stepping thread during the measured run.</param>
/// <param name="FinalQpos">State after the measured run, to check both sides simulated the same thing.</param>
public sealed record SimLoopResult(long PhysicsSteps, double Seconds, double CpuSeconds, long Divergences, double[] FinalQpos)
{
    /// <summary>Physics steps per second of the stepping thread's CPU time (the headline figure).</summary>
    public double StepsPerSecond => PhysicsSteps / CpuSeconds;
    /// <summary>Physics steps per second of wall time (includes time the thread was descheduled).</summary>
    public double WallStepsPerSecond => PhysicsSteps / Seconds;
}

/// <summary>Both sides and their ratio (C# steps per second / C steps per second).</summary>
public sealed record SimBenchmarkResult(SimLoopResult CSharp, SimLoopResult C, int Rounds, bool TrajectoriesMatch)
{
    public double Ratio => CSharp.StepsPerSecond / C.StepsPerSecond;
    public double WallRatio => CSharp.WallStepsPerSecond / C.WallStepsPerSecond;
}

/// <summary>
/// `mlsh bench sim`: steps the quadruped maze environment from C# (actions from the scripted trot, PD law
/// every physics step, observations, rewards, episode checks) and, in the same run, a C loop compiled on
/// the spot with gcc that calls mj_step the same number of times on the same MJCF with the same action
/// pattern and the same PD law. Rounds alternate C# and C; each side's best round counts, so a burst of
/// load from another process penalises neither side systematically.
/// </summary>
/// <remarks>
/// DESIGN: the headline throughput divides by the stepping thread's CPU time (CLOCK_THREAD_CPUTIME_ID on
/// both sides) rather than wall time: on a shared 2-core machine wall time mostly measured how often the
/// neighbours' builds preempted us (ratios swung 0.96–1.08 between identical runs); CPU time measures the
/// work. Wall-clock figures are reported alongside.
/// </remarks>
/// <remarks>
/// DESIGN: the MuJoCo binding's own C step loop (Mlsh.MuJoCo.Benchmarks.CStepLoop) writes raw torques;
/// this benchmark measures the environment, whose per-step work includes the joint PD law, so it carries
/// its own C loop that runs that law too. The benchmark maze is a long corridor with the goal behind the
/// robot, so the trot never ends an episode and both sides simulate one uninterrupted trajectory.
/// </remarks>
public static class SimBenchmark
{
    private const string ResourceName = "Mlsh.Environments.Benchmarks.sim_reference_loop.c";
    private static readonly object CompileGate = new();

    private const string BenchLayout =
        "name: bench-corridor\ncell_size: 1.5\ngrid: |\n" +
        "  ##########################\n" +
        "  #G.S.....................#\n" +
        "  ##########################\n";

    /// <param name="policySteps">Policy steps per round (physics steps = policySteps × decimation).</param>
    /// <param name="rounds">Alternating C#/C rounds; the best of each side counts.</param>
    /// <param name="log">Progress lines for humans (may be null).</param>
    public static SimBenchmarkResult Run(int policySteps = 2000, int rounds = 5, Action<string>? log = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(policySteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        var robot = RobotConfig.LoadShipped("quadruped");
        var layout = MazeLayout.Parse(BenchLayout, "bench-corridor (built into SimBenchmark)");
        var options = new MazeTaskOptions { TimeLimit = 1e6, ResetNoiseScale = 0 };
        using var family = MazeTaskFamily.Create(robot, [layout], options);
        var gait = new TrotGait(robot);
        var task = family.Tasks[0];

        var dir = Directory.CreateTempSubdirectory("mlsh-bench-sim-");
        try
        {
            var mjcfPath = Path.Combine(dir.FullName, "quadruped-bench.xml");
            AtomicFile.WriteAllText(mjcfPath, task.Mjcf);
            var specPath = Path.Combine(dir.FullName, "spec.txt");
            AtomicFile.WriteAllText(specPath, Spec(robot, task, gait));
            var exe = EnsureCompiled();
            log?.Invoke($"C reference loop: {exe}");

            using var env = family.CreateVectorEnv(1);
            // Warm-up: JIT tiers and caches on both sides.
            RunCSharp(env, gait, Math.Min(policySteps, 500));
            RunC(exe, mjcfPath, specPath, 10, Math.Min(policySteps, 500));

            SimLoopResult? bestCs = null, bestC = null;
            for (var r = 0; r < rounds; r++)
            {
                var cs = RunCSharp(env, gait, policySteps);
                var c = RunC(exe, mjcfPath, specPath, policySteps, 0);
                log?.Invoke(string.Create(CultureInfo.InvariantCulture,
                    $"round {r + 1}: C# {cs.StepsPerSecond:F0} steps/CPU-s ({cs.WallStepsPerSecond:F0} wall), C {c.StepsPerSecond:F0} steps/CPU-s ({c.WallStepsPerSecond:F0} wall)"));
                if (bestCs is null || cs.CpuSeconds < bestCs.CpuSeconds) bestCs = cs;
                if (bestC is null || c.CpuSeconds < bestC.CpuSeconds) bestC = c;
            }
            var match = bestCs!.FinalQpos.AsSpan().SequenceEqual(bestC!.FinalQpos);
            return new SimBenchmarkResult(bestCs, bestC, rounds, match);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    internal static SimLoopResult RunCSharp(MazeVectorEnv env, TrotGait gait, int policySteps)
    {
        env.Reset(0);
        var dt = env.Family.Robot.PolicyDt;
        var physicsBefore = env.PhysicsSteps;
        var divergencesBefore = env.DivergenceCount;
        var episodesBefore = env.EpisodesFinished;
        var sw = Stopwatch.StartNew();
        var cpu0 = LibcNative.ThreadCpuSeconds();
        for (var t = 0; t < policySteps; t++)
        {
            gait.WriteActions(t * dt, 1.0, 0.0, env.Actions);
            env.Step();
        }
        var cpu1 = LibcNative.ThreadCpuSeconds();
        sw.Stop();
        if (env.EpisodesFinished - episodesBefore > env.DivergenceCount - divergencesBefore)
            throw new InvalidOperationException("an episode ended during the benchmark (fall, goal or time limit); the C loop would not have reset, so the comparison is invalid");
        return new SimLoopResult(env.PhysicsSteps - physicsBefore, sw.Elapsed.TotalSeconds, cpu1 - cpu0, env.DivergenceCount - divergencesBefore, env.DataOf(0).Qpos.ToArray());
    }

    private static string Spec(RobotConfig robot, MazeTask task, TrotGait gait)
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        int Index(string name)
        {
            for (var i = 0; i < robot.Joints.Count; i++) if (robot.Joints[i].Name == name) return i;
            throw new InvalidOperationException($"robot has no joint {name}");
        }
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"physics_dt {F(robot.PhysicsDt)} decimation {robot.PolicyDecimation} base_qposadr {task.Binding.BaseFreeQposAdr} spawn_height {F(robot.SpawnHeight)}\n");
        sb.Append(CultureInfo.InvariantCulture, $"gait {F(gait.FrequencyHz)} {F(gait.HipAmplitude)} {F(gait.KneeLift)} {F(gait.LiftPhase)}");
        foreach (var leg in new[] { "fl", "fr", "bl", "br" })
            sb.Append(CultureInfo.InvariantCulture, $" {Index(leg + "_hip")} {Index(leg + "_knee")}");
        sb.Append(CultureInfo.InvariantCulture, $"\njoints {robot.Joints.Count}\n");
        foreach (var j in robot.Joints)
            sb.Append(CultureInfo.InvariantCulture, $"{j.Name} {F(j.DefaultPosition)} {F(j.Kp)} {F(j.Kd)} {F(j.TorqueLimit)} {F(j.ActionScale)}\n");
        return sb.ToString();
    }

    private static SimLoopResult RunC(string exe, string mjcf, string spec, int policySteps, int warmup)
    {
        var (exit, stdout, stderr) = RunProcess(exe, mjcf, spec, policySteps.ToString(CultureInfo.InvariantCulture), warmup.ToString(CultureInfo.InvariantCulture));
        if (exit != 0) throw new InvalidOperationException($"the C reference loop exited with code {exit}: {stderr.Trim()}");
        double? seconds = null, cpu = null;
        long? physics = null, divergences = null;
        double[]? qpos = null;
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            switch (parts[0])
            {
                case "seconds": seconds = double.Parse(parts[1], CultureInfo.InvariantCulture); break;
                case "cpu_seconds": cpu = double.Parse(parts[1], CultureInfo.InvariantCulture); break;
                case "physics_steps": physics = long.Parse(parts[1], CultureInfo.InvariantCulture); break;
                case "divergences": divergences = long.Parse(parts[1], CultureInfo.InvariantCulture); break;
                case "qpos": qpos = parts.Skip(1).Select(p => double.Parse(p, CultureInfo.InvariantCulture)).ToArray(); break;
            }
        }
        if (seconds is null || cpu is null || physics is null || divergences is null || qpos is null)
            throw new InvalidOperationException($"the C reference loop printed an incomplete report: {stdout}");
        return new SimLoopResult(physics.Value, seconds.Value, cpu.Value, divergences.Value, qpos);
    }

    /// <summary>The embedded C source of the reference loop.</summary>
    public static string Source
    {
        get
        {
            using var stream = typeof(SimBenchmark).Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"embedded resource {ResourceName} is missing");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            return reader.ReadToEnd();
        }
    }

    /// <summary>Compiles the reference loop with gcc -O2 unless a binary of this exact source is cached
    /// under the temp directory; returns the executable's path. Thread-safe; the binary appears atomically.</summary>
    public static string EnsureCompiled()
    {
        var source = Source;
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(source)))[..16].ToLowerInvariant();
        var dir = Path.Combine(Path.GetTempPath(), "mlsh-sim-reference-loop");
        var exe = Path.Combine(dir, $"sim_reference_loop-{hash}");
        lock (CompileGate)
        {
            if (File.Exists(exe)) return exe;
            Directory.CreateDirectory(dir);
            var unique = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
            var src = Path.Combine(dir, $"sim_reference_loop-{unique}.c");
            var tmp = Path.Combine(dir, $".sim_reference_loop-{unique}.tmp");
            File.WriteAllText(src, source);
            try
            {
                // -ffp-contract=off: no fused multiply-add, like the JIT, so both sides round identically.
                var (exit, _, stderr) = RunProcess("gcc", "-std=c11", "-O2", "-ffp-contract=off", "-Wall", "-o", tmp, src, "-lmujoco", "-lm");
                if (exit != 0) throw new InvalidOperationException($"gcc failed to compile the sim reference loop (needs gcc and libmujoco-dev): {stderr.Trim()}");
                File.Move(tmp, exe, overwrite: true);
            }
            finally
            {
                File.Delete(src);
                if (File.Exists(tmp)) File.Delete(tmp);
            }
            return exe;
        }
    }

    private static (int Exit, string Stdout, string Stderr) RunProcess(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process process;
        try
        {
            process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"could not start '{file}' ({e.Message}); scripts/setup.sh installs gcc", e);
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
