using System.Security.Cryptography;
using System.Text;
using Mlsh.Core.Configuration;
using Mlsh.Trainer.Configuration;
using Mlsh.Trainer.Runs;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Mlsh.Trainer.Mlsh;

/// <summary>What `mlsh train` was asked to do.</summary>
public sealed class TrainRunOptions
{
    public required string ConfigPath { get; init; }
    /// <summary>Run directory; default runs/&lt;config name&gt; under the working directory.</summary>
    public string? OutDirectory { get; init; }
    /// <summary>Overrides the config's seed.</summary>
    public ulong? Seed { get; init; }
    /// <summary>Continue from the run directory's checkpoint.</summary>
    public bool Resume { get; init; }
    /// <summary>MPI collectives when launched by mpirun; null for one process.</summary>
    public IDistributedReducer? Reducer { get; init; }
}

/// <summary>The one-line summary `mlsh train --json` prints.</summary>
/// <param name="MeanReturnLast10">Mean episode return over the last 10 iterations in which the policy
/// being judged was in charge: joint iterations for MLSH (the master has had its warm-up on the task),
/// every iteration for flat.</param>
/// <param name="MeanReturnLast10All">Mean episode return over the last 10 iterations of any phase.</param>
public sealed record TrainSummary(
    string RunDirectory, string Algorithm, ulong Seed, int Iterations, long EnvSteps,
    double MeanReturnLast10, double MeanReturnLast10All, double SuccessRateLast10, double SkillSpreadLast10, double Seconds)
{
    /// <summary>SHA-256 (hex) of every sub-policy's parameters and normalizer statistics at the end: equal
    /// on every MPI rank when the sub-policies stayed synchronized.</summary>
    public string SubpolicyDigest { get; init; } = "";

    /// <summary>SHA-256 (hex) of this process's task and master (parameters, normalizer statistics, optimizer
    /// state) at the end: equal within an MPI task group; empty for the flat baseline.</summary>
    public string MasterDigest { get; init; } = "";
}

/// <summary>
/// Drives an <see cref="MlshTrainer"/> inside a <see cref="RunDirectory"/>: writes the resolved config,
/// resumes from the checkpoint when asked, appends metrics, checkpoints every k iterations and at the
/// end, regenerates the plots, and writes the models directory at the end. Only rank 0 touches the
/// disk. Single-threaded.
/// </summary>
public static class TrainingRun
{
    private static readonly ISerializer Yaml = new SerializerBuilder().WithNamingConvention(UnderscoredNamingConvention.Instance).Build();

    /// <param name="onIteration">Progress callback (rank 0), e.g. a console line or progress bar.</param>
    /// <exception cref="ConfigException">bad config, or --resume without a checkpoint.</exception>
    /// <exception cref="CheckpointException">the checkpoint is corrupted or from another config.</exception>
    public static TrainSummary Run(TrainRunOptions options, Action<IterationMetrics, int>? onIteration = null)
    {
        var config = TrainConfig.Load(options.ConfigPath);
        if (options.Seed is { } seed) config.Seed = seed;
        var name = Path.GetFileNameWithoutExtension(options.ConfigPath);
        var outDir = options.OutDirectory ?? Path.Combine("runs", name);
        var family = TaskFamilies.Create(config.TaskFamily, options.ConfigPath);
        using var ownedFamily = family as IDisposable;
        var tasks = TaskFamilies.TaskList(config.TaskFamily, family, options.ConfigPath);
        var isRoot = (options.Reducer?.Rank ?? 0) == 0;
        // A resume takes the sub-policies from the checkpoint; init_subpolicies only seeds a run that starts.
        var initial = options.Resume ? null : InitialSubpolicies(config, options.ConfigPath);
        var run = new RunDirectory(outDir);
        var fingerprint = Fingerprint(config);
        using var trainer = new MlshTrainer(config, family, tasks, new MlshTrainerOptions { Reducer = options.Reducer, InitialSubpolicies = initial });

        List<IterationMetrics> history;
        if (options.Resume)
        {
            // Under MPI rank 0's view of the run directory decides for every rank (they must all stop or all go on).
            var hasCheckpoint = run.HasCheckpoint;
            if (options.Reducer is { } reducer) hasCheckpoint = reducer.BroadcastFromRoot([hasCheckpoint ? (byte)1 : (byte)0])[0] == 1;
            if (!hasCheckpoint)
                throw new ConfigException($"--resume: no checkpoint in {run.Path} (expected {Path.GetFileName(run.CheckpointFile)}); run without --resume to start", run.CheckpointFile);
            trainer.LoadCheckpoint(run.CheckpointFile, fingerprint, requireSameRanks: true);
            history = isRoot ? run.TruncateMetricsTo(trainer.Iteration) : [];
        }
        else
        {
            if (isRoot)
            {
                if (File.Exists(run.MetricsFile)) File.Delete(run.MetricsFile);
                if (run.HasCheckpoint) File.Delete(run.CheckpointFile);
            }
            history = [];
        }
        if (isRoot) run.WriteConfig($"# resolved from {Path.GetFileName(options.ConfigPath)}\n" + Yaml.Serialize(config));

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (trainer.Iteration < config.Iterations)
        {
            var m = trainer.RunIteration();
            var last = trainer.Iteration == config.Iterations;
            if (isRoot)
            {
                history.Add(m);
                run.AppendMetrics(m);
                onIteration?.Invoke(m, config.Iterations);
            }
            // On every rank: under MPI saving is a collective (each rank's task and master travel to rank 0).
            if (trainer.Iteration % config.CheckpointEvery == 0 || last) trainer.SaveCheckpoint(run.CheckpointFile, fingerprint);
            if (isRoot && (trainer.Iteration % config.PlotEvery == 0 || last)) run.WritePlots(history, name);
        }
        if (isRoot)
        {
            WriteModels(trainer, run.ModelsDirectory, layout: "");
            if (history.Count > 0 && !File.Exists(Path.Combine(run.PlotsDirectory, "return.svg"))) run.WritePlots(history, name);
        }
        return Summarize(run.Path, config, history, trainer.EnvSteps * (options.Reducer?.Size ?? 1),
            System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds) with { SubpolicyDigest = SubpolicyDigest(trainer), MasterDigest = MasterDigest(trainer) };
    }

    /// <summary>The sub-policies named by init_subpolicies, checked against the config (null without the key).</summary>
    /// <exception cref="ConfigException">the directory's sub-policies do not fit this config.</exception>
    internal static NeuralNets.Policies.ActorCritic[]? InitialSubpolicies(TrainConfig config, string configPath)
    {
        if (config.InitSubpolicies is not { } dir) return null;
        var (d, subs, _) = ModelsDirectory.Load(TaskFamilies.ResolvePath(dir));
        string? problem = null;
        if (d.TaskFamily != config.TaskFamily.Kind) problem = $"they were trained on {d.TaskFamily}, this config trains {config.TaskFamily.Kind}";
        else if (subs.Length != config.Hierarchy.Subpolicies) problem = $"it holds {subs.Length} sub-policies, hierarchy.subpolicies is {config.Hierarchy.Subpolicies}";
        else if (!subs[0].Options.HiddenSizes.SequenceEqual(config.Subpolicy.Hidden))
            problem = $"its sub-policies have hidden layers [{string.Join(", ", subs[0].Options.HiddenSizes)}], subpolicy.hidden is [{string.Join(", ", config.Subpolicy.Hidden)}]";
        if (problem is not null) throw new ConfigException($"key 'init_subpolicies': {dir} does not fit this config: {problem}", configPath);
        return subs;
    }

    /// <summary>Writes the trainer's networks as a models directory.</summary>
    public static void WriteModels(MlshTrainer trainer, string directory, string layout)
    {
        var env = trainer.Environment;
        ModelsDirectory.Write(directory, new ModelsDescription
        {
            Algorithm = trainer.IsFlat ? "flat" : "mlsh",
            TaskFamily = trainer.Config.TaskFamily.Kind,
            ObservationSize = env.ObservationSize,
            ActionKind = env.ActionSpace.Kind == Environments.ActionKind.Discrete ? "discrete" : "continuous",
            ActionSize = env.ActionSpace.Size,
            MacroSteps = trainer.IsFlat ? 0 : trainer.Config.Hierarchy.MacroSteps,
            Layout = layout,
        }, trainer.Subpolicies, trainer.Master);
    }

    /// <summary>Hash of the sub-policies' parameters and normalizer statistics.</summary>
    public static string SubpolicyDigest(MlshTrainer trainer)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var p in trainer.Subpolicies)
        {
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.Parameters));
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.Normalizer.RunningMean));
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.Normalizer.RunningM2));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Hash of the current task and the master's parameters, normalizer statistics and optimizer
    /// state (everything a resume must restore for the master); empty without a master.</summary>
    public static string MasterDigest(MlshTrainer trainer)
    {
        if (trainer.Master is not { } master || trainer.MasterUpdater is not { } updater) return "";
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(BitConverter.GetBytes(trainer.CurrentTask));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(master.Parameters));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(master.Normalizer.RunningMean));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(master.Normalizer.RunningM2));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(updater.Optimizer.FirstMoment));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(updater.Optimizer.SecondMoment));
        hash.AppendData(BitConverter.GetBytes(updater.Optimizer.StepCount));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    internal static TrainSummary Summarize(string runDir, TrainConfig config, IReadOnlyList<IterationMetrics> history, long envSteps, double seconds)
    {
        static double Mean(IEnumerable<double> xs)
        {
            var finite = xs.Where(double.IsFinite).ToArray();
            return finite.Length == 0 ? double.NaN : finite.Average();
        }
        var judged = history.Where(m => m.Phase != "warmup").TakeLast(10).ToArray();
        var last = history.TakeLast(10).ToArray();
        return new TrainSummary(runDir, config.Algorithm, config.Seed, history.Count == 0 ? 0 : history[^1].Iteration + 1, envSteps,
            Mean(judged.Select(m => m.MeanReturn)), Mean(last.Select(m => m.MeanReturn)), Mean(judged.Select(m => m.SuccessRate)),
            Mean(last.Select(m => m.SkillSpread)), seconds);
    }

    /// <summary>Hash of everything in the config that shapes the learning (all keys except iterations,
    /// checkpoint_every and plot_every, which a resumed run may change).</summary>
    public static string Fingerprint(TrainConfig config)
    {
        var (iterations, every, plot) = (config.Iterations, config.CheckpointEvery, config.PlotEvery);
        try
        {
            config.Iterations = 1;
            config.CheckpointEvery = 1;
            config.PlotEvery = 1;
            return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Yaml.Serialize(config))));
        }
        finally
        {
            (config.Iterations, config.CheckpointEvery, config.PlotEvery) = (iterations, every, plot);
        }
    }
}
