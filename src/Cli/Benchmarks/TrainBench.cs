using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Mlsh.Core;
using Mlsh.Trainer.Configuration;
using Mlsh.Trainer.Mlsh;

namespace Mlsh.Cli.Benchmarks;

/// <summary>
/// `mlsh bench train [--robot quadruped|pointmass] [--iterations N] [--json]`: environment steps per
/// second of the whole MLSH loop against the environment alone (same env, same step count, same run),
/// and training throughput with 1 vs 2 MPI ranks (each rank steps its own instances, so 2 ranks should
/// take about twice the steps per second on two free cores).
/// </summary>
public sealed class TrainBench : IBench
{
    private readonly Option<string> _robot = new("--robot") { Description = "quadruped or pointmass.", DefaultValueFactory = _ => "quadruped" };
    private readonly Option<int> _iterations = new("--iterations") { Description = "Timed iterations per measurement (after one untimed).", DefaultValueFactory = _ => 10 };
    private readonly Option<bool> _noMpi = new("--no-mpi") { Description = "Skip the 1 vs 2 rank measurement." };

    public string Name => "train";
    public string Description => "MLSH loop env steps/s vs the environment alone, and 1 vs 2 MPI ranks.";
    public IEnumerable<Option> Options => [_robot, _iterations, _noMpi];

    public int Run(ParseResult parse, bool json)
    {
        var robot = parse.GetValue(_robot)!;
        if (robot is not ("quadruped" or "pointmass"))
        {
            Console.Error.WriteLine($"error: --robot must be quadruped or pointmass, got '{robot}'");
            return 2;
        }
        var iterations = Math.Max(1, parse.GetValue(_iterations));
        var dir = Directory.CreateTempSubdirectory("mlsh-bench-train-").FullName;
        try
        {
            var configPath = WriteConfig(dir, robot, iterations);
            var config = TrainConfig.Load(configPath);
            using var family = TaskFamilies.CreateMaze(robot, [TaskFamilies.ResolvePath(config.TaskFamily.Layouts[0])], config.TaskFamily);
            var sim = TrainThroughput.SimulationOnly(config, family, iterations);
            var train = TrainThroughput.Training(config, family, iterations);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{robot}: environment alone {sim:F0} steps/s, MLSH loop {train:F0} steps/s (ratio {train / sim:F3})"));
            double? mpi1 = null, mpi2 = null, pair = null;
            if (!parse.GetValue(_noMpi))
            {
                mpi1 = MpiRun(configPath, dir, 1);
                mpi2 = MpiRun(configPath, dir, 2);
                // The machine's own parallel capacity, the reference for mpi2_speedup: two independent single-rank
                // trainings at once (no MPI, nothing shared). On virtual cores that share a physical core, caches or
                // memory bandwidth this stays well below 2, and no MPI implementation can beat it.
                pair = IndependentPair(configPath, dir);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"training processes: 1 rank {mpi1:F0} steps/s, 2 ranks {mpi2:F0} steps/s (x{mpi2 / mpi1:F2}); two independent 1-rank runs at once {pair:F0} steps/s together (x{pair / mpi1:F2})"));
            }
            if (json)
            {
                JsonOut.WriteLastLine(new Dictionary<string, object?>
                {
                    ["robot"] = robot,
                    ["envs"] = config.Envs,
                    ["rollout_steps"] = config.RolloutSteps,
                    ["iterations"] = iterations,
                    ["sim_steps_per_s"] = Math.Round(sim, 1),
                    ["train_steps_per_s"] = Math.Round(train, 1),
                    ["train_over_sim"] = Math.Round(train / sim, 4),
                    ["mpi1_steps_per_s"] = mpi1 is null ? null : Math.Round(mpi1.Value, 1),
                    ["mpi2_steps_per_s"] = mpi2 is null ? null : Math.Round(mpi2.Value, 1),
                    ["mpi2_speedup"] = mpi1 is null || mpi2 is null ? null : Math.Round(mpi2.Value / mpi1.Value, 4),
                    ["independent2_steps_per_s"] = pair is null ? null : Math.Round(pair.Value, 1),
                    ["independent2_speedup"] = mpi1 is null || pair is null ? null : Math.Round(pair.Value / mpi1.Value, 4),
                    ["mpi2_vs_independent2"] = mpi2 is null || pair is null ? null : Math.Round(mpi2.Value / pair.Value, 4),
                    ["cores"] = Environment.ProcessorCount,
                });
            }
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A joint-phase-only config (every iteration updates master and sub-policies: the worst case).</summary>
    private static string WriteConfig(string dir, string robot, int iterations)
    {
        var yaml = File.ReadAllText(Path.Combine(MlshPaths.Configs, "quadruped-mlsh.yaml"));
        var config = TrainConfig.Parse(yaml, "quadruped-mlsh.yaml");
        config.TaskFamily.Kind = robot + "_maze";
        config.TaskFamily.Layouts = ["layouts/train/corridor-east.yaml"];
        config.TaskFamily.TimeLimit = 10;
        config.Envs = 4;
        config.RolloutSteps = 500;
        config.Hierarchy.MacroSteps = 50;
        config.Hierarchy.WarmupIterations = 0;
        config.Hierarchy.JointIterations = 1;
        config.Iterations = iterations + 1;
        config.CheckpointEvery = 1000;
        config.PlotEvery = 1000;
        var path = Path.Combine(dir, "bench-train.yaml");
        File.WriteAllText(path, new YamlDotNet.Serialization.SerializerBuilder()
            .WithNamingConvention(YamlDotNet.Serialization.NamingConventions.UnderscoredNamingConvention.Instance).Build().Serialize(config));
        return path;
    }

    /// <summary>Runs `mlsh train --workers N` as a child and returns its env steps / training seconds.</summary>
    /// <summary>Steady-state env steps/s of `mlsh train --workers N` (all ranks' steps over rank 0's wall time).</summary>
    /// <remarks>
    /// DESIGN: timed from the run's per-iteration metrics, skipping iteration 0. The first iteration of every rank
    /// pays for JIT compilation, and with 2 ranks on 2 cores the ranks' background compiler threads compete with the
    /// ranks themselves, while a single rank compiles on the idle second core: counting it made short runs measure
    /// start-up rather than scaling (1.01 with 3 iterations, 1.32 with 10, on an idle 2-core machine).
    /// </remarks>
    private static double MpiRun(string configPath, string dir, int workers)
    {
        var runDir = Path.Combine(dir, $"run{workers}");
        using var p = StartTrain(configPath, runDir, workers);
        return Finish(p, runDir, workers);
    }

    /// <summary>Two independent single-process trainings started together: their summed steady-state steps/s.</summary>
    private static double IndependentPair(string configPath, string dir)
    {
        string a = Path.Combine(dir, "pair-a"), b = Path.Combine(dir, "pair-b");
        using var pa = StartTrain(configPath, a, 1);
        using var pb = StartTrain(configPath, b, 1);
        return Finish(pa, a, 1) + Finish(pb, b, 1);
    }

    private static Process StartTrain(string configPath, string runDir, int workers)
    {
        var psi = new ProcessStartInfo(Environment.ProcessPath ?? "dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { typeof(TrainBench).Assembly.Location, "train", "--config", configPath, "--out", runDir, "--workers", workers.ToString(CultureInfo.InvariantCulture), "--json" })
            psi.ArgumentList.Add(a);
        var p = Process.Start(psi)!;
        // Drain the output as it comes so that a full pipe never stalls the training.
        p.OutputDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        return p;
    }

    private static double Finish(Process p, string runDir, int workers)
    {
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"train --workers {workers} exited with {p.ExitCode}");
        var metrics = new Mlsh.Trainer.Runs.RunDirectory(runDir).ReadMetrics();
        if (metrics.Count < 2) throw new InvalidOperationException($"train --workers {workers} wrote {metrics.Count} iterations of metrics; at least 2 are needed");
        var seconds = metrics.Skip(1).Sum(m => m.Seconds);
        return (metrics[^1].EnvSteps - metrics[0].EnvSteps) / seconds;
    }
}
