using System.Security.Cryptography;
using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Environments.Tasks;
using Mlsh.NeuralNets.Policies;
using Mlsh.Trainer.Configuration;
using Mlsh.Trainer.Mlsh;
using Mlsh.Trainer.Runs;

namespace Mlsh.Trainer.Export;

/// <summary>
/// The networks of one checkpoint of an MLSH training run, rebuilt exactly as the trainer holds them: the
/// run's resolved <c>config.yaml</c> builds an <see cref="MlshTrainer"/>, which restores the checkpoint
/// (parameters and running observation statistics of every sub-policy and of the current master) after
/// checking the config fingerprint. The master is the one of the task the trainer was on when the
/// checkpoint was taken (MLSH masters are per task; see <see cref="MasterTaskName"/>).
/// </summary>
/// <remarks>
/// Ownership: owns <see cref="Family"/> (the compiled maze models, also used for evaluation and for the
/// joint ranges); dispose when done. The networks are plain managed objects and stay valid afterwards.
/// Single-threaded.
/// </remarks>
public sealed class TrainedHierarchy : IDisposable
{
    private TrainedHierarchy(TrainConfig config, MazeTaskFamily family, GaussianActorCritic[] subPolicies, CategoricalActorCritic master,
        RunCheckpoint checkpoint, int masterTask, string configFile)
    {
        Config = config;
        Family = family;
        SubPolicies = subPolicies;
        Master = master;
        Checkpoint = checkpoint;
        MasterTask = masterTask;
        ConfigFile = configFile;
    }

    public TrainConfig Config { get; }
    /// <summary>The training task family (robot + training layouts), built from the run's config.</summary>
    public MazeTaskFamily Family { get; }
    /// <summary>Sub-policy k at index k.</summary>
    public IReadOnlyList<GaussianActorCritic> SubPolicies { get; }
    public CategoricalActorCritic Master { get; }
    public RunCheckpoint Checkpoint { get; }
    /// <summary>Index (in <see cref="Family"/>) of the training task the master was learning at the checkpoint.</summary>
    public int MasterTask { get; }
    public string MasterTaskName => Family.TaskName(MasterTask);
    /// <summary>Absolute path of the run's resolved config.yaml (the file the checkpoint's fingerprint was made from).</summary>
    public string ConfigFile { get; }
    public int MacroSteps => Config.Hierarchy.MacroSteps;

    /// <summary>Rebuilds the networks of checkpoint <paramref name="checkpointIteration"/> (latest when null) of a run.</summary>
    /// <exception cref="ConfigException">Missing run directory, config or checkpoint; a checkpoint absent, truncated,
    /// corrupted or written under another config; a run that is not MLSH on a maze robot. One line each.</exception>
    public static TrainedHierarchy Load(string runDirectory, int? checkpointIteration)
    {
        var checkpoint = RunCheckpoints.Select(runDirectory, checkpointIteration);
        var run = new RunDirectory(runDirectory);
        if (!File.Exists(run.ConfigFile))
            throw new ConfigException("the run directory has no config.yaml (the resolved config `mlsh train` writes at start); cannot rebuild the networks", run.Path);
        var config = TrainConfig.Load(run.ConfigFile);
        if (config.IsFlat)
            throw new ConfigException("key 'algorithm': got 'flat'; export writes an MLSH hierarchy (master + sub-policies), train with algorithm: mlsh", run.ConfigFile);
        if (config.TaskFamily.Kind is not ("quadruped_maze" or "pointmass_maze"))
            throw new ConfigException($"key 'task_family.kind': got '{config.TaskFamily.Kind}'; export needs a robot task family (quadruped_maze or pointmass_maze) whose actions drive joints", run.ConfigFile);

        var family = (MazeTaskFamily)TaskFamilies.Create(config.TaskFamily, run.ConfigFile);
        try
        {
            var tasks = TaskFamilies.TaskList(config.TaskFamily, family, run.ConfigFile);
            using var trainer = new MlshTrainer(config, family, tasks);
            try
            {
                trainer.LoadCheckpoint(checkpoint.File, TrainingRun.Fingerprint(config));
            }
            catch (CheckpointException e)
            {
                throw new ConfigException(e.Message, inner: e);
            }
            // checkpoint.bin of a live run is replaced atomically every checkpoint_every iterations: the file read
            // whole by LoadCheckpoint may be newer than the header listed a moment before. The trainer's state is
            // the truth; an explicitly requested iteration must still be the one loaded.
            if (trainer.Iteration != checkpoint.Iteration)
            {
                if (checkpointIteration is not null)
                    throw new ConfigException($"--checkpoint {checkpointIteration}: {Path.GetFileName(checkpoint.File)} was replaced by iteration {trainer.Iteration} while it was being read (the run is still training); keep a copy as checkpoint-<K>.bin and export that", checkpoint.File);
                checkpoint = checkpoint with { Iteration = trainer.Iteration, EnvSteps = trainer.EnvSteps };
            }
            var master = trainer.Master
                ?? throw new ConfigException("the checkpoint holds no master yet (written before the first task round started); export a later checkpoint", checkpoint.File);
            var subs = trainer.Subpolicies.Select((p, k) => p as GaussianActorCritic
                ?? throw new ConfigException($"sub-policy {k} is a {p.Kind} policy; export needs Gaussian (continuous joint action) sub-policies", checkpoint.File)).ToArray();
            return new TrainedHierarchy(config, family, subs, master, checkpoint, trainer.CurrentTask, run.ConfigFile);
        }
        catch
        {
            family.Dispose();
            throw;
        }
    }

    /// <summary>Lower-case hex SHA-256 of the run's config.yaml bytes.</summary>
    public string ConfigSha256() => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(ConfigFile)));

    /// <summary>The config's name for the manifest: repository-relative when the run lives in the repository,
    /// else "&lt;run directory name&gt;/config.yaml" (never an absolute machine path).</summary>
    public string ConfigDisplayName()
    {
        var relative = Path.GetRelativePath(MlshPaths.Root, ConfigFile);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? $"{Path.GetFileName(Path.GetDirectoryName(ConfigFile))}/{Path.GetFileName(ConfigFile)}"
            : relative.Replace('\\', '/');
    }

    public void Dispose() => Family.Dispose();
}
