using System.Security.Cryptography;
using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Environments;
using Mlsh.Environments.Observations;
using Mlsh.Environments.Tasks;
using Mlsh.Onnx.Manifest;
using Mlsh.Trainer.Configuration;
using Mlsh.Trainer.Export;
using Mlsh.Trainer.Runs;

namespace Mlsh.Trainer.Mlsh;

/// <summary>What `mlsh retune` was asked to do. Budgets default to values that work unattended.</summary>
public sealed class RetuneOptions
{
    /// <summary>A models directory or a run directory (its models/ and, if present, its config.yaml are used).</summary>
    public required string Subpolicies { get; init; }
    /// <summary>Maze families: the layout to learn a master for (any file in the layout schema).</summary>
    public string? Layout { get; init; }
    /// <summary>Discrete families: the task index.</summary>
    public int? Task { get; init; }
    public required string OutDirectory { get; init; }
    /// <summary>Master-only iterations; default 100.</summary>
    public int Iterations { get; init; } = 100;
    public ulong Seed { get; init; } = 1;
    /// <summary>Episodes of the final deterministic evaluation.</summary>
    public int EvalEpisodes { get; init; } = 20;
    /// <summary>Whether the frozen sub-policies take their most probable actions while the master learns (as <c>eval</c>
    /// and the Runtime run them) instead of sampling them as in training; default false (sample).</summary>
    /// <remarks>Sampling is the default because it measured better: on the quadruped (8 skills, a pose-only master
    /// every 25 steps, 40 iterations) deterministic masters scored 79 % on <c>loading-bay</c> and 75 % on
    /// <c>turn-left</c> after sampling against 50 % and 69 % after mean actions, and on the point mass the mean-action
    /// master on <c>loop</c> scored 0 %: with deterministic skills and a master that sees only the pose the rollouts
    /// fall into limit cycles that the skills' noise otherwise breaks, so the master learns choices that are robust
    /// to how a skill actually plays out.</remarks>
    public bool MeanSubpolicyActions { get; init; }
    /// <summary>Environment instances per iteration (each runs one episode length); default (null) the base config's (8
    /// for a bare models directory). More instances give the master a steadier gradient per iteration.</summary>
    public int? Envs { get; init; }
    /// <summary>Low-level steps per master decision; default (null) the period the sub-policies were trained with.</summary>
    public int? MacroSteps { get; init; }
    /// <summary>What the new master observes (maze families); default <see cref="MasterObservation.Pose"/> for mazes,
    /// <see cref="MasterObservation.All"/> for the discrete families.</summary>
    public MasterObservation? MasterObserves { get; init; }
    /// <summary>The new master's discount per decision; default (null) <see cref="Retuner.MazeMasterGamma"/> on mazes,
    /// the base config's master gamma otherwise.</summary>
    public float? MasterGamma { get; init; }
    /// <summary>The new master's GAE λ; default (null) <see cref="Retuner.MazeMasterLambda"/> on mazes, the base
    /// config's otherwise.</summary>
    public float? MasterLambda { get; init; }
}

/// <summary>The part of the observation a retuned master's choices may depend on.</summary>
public enum MasterObservation
{
    /// <summary>Everything the robot observes (as the master in training).</summary>
    All,
    /// <summary>Maze families: the base position and heading only. Choosing where to go is the master's job and how
    /// to move the legs the skills'; a master that also sees joint states and velocities has 37 inputs to fit
    /// a few hundred decisions per iteration with, and fits the gait's phase instead of the maze.</summary>
    Pose,
}

/// <summary>The one-line summary of a retune.</summary>
/// <param name="Curve">(environment steps, training success rate) per iteration: the first episode of each instance
/// (<see cref="IterationMetrics.FirstEpisodeSuccessRate"/>), so successes that end early are not over-counted.</param>
public sealed record RetuneSummary(string OutDirectory, string Task, int Iterations, long EnvSteps,
    double SuccessRate, double MeanReturn, double MeanSteps, IReadOnlyList<(long EnvSteps, double SuccessRate)> Curve);

/// <summary>
/// The field teams' workflow: freeze trained sub-policies, learn a new master for one layout or task
/// (including ones never seen in training), report success rate against environment steps, evaluate
/// the result, and write a models directory that eval and the runtime load. Writes metrics.jsonl and
/// plots in the output directory as training does. For maze families the output is a complete ONNX bundle
/// (<see cref="HierarchyExport.FromNetworks(IReadOnlyList{NeuralNets.Policies.ActorCritic}, NeuralNets.Policies.CategoricalActorCritic, MazeTaskFamily, int, Provenance, string)"/>:
/// master.onnx, sub_policy_k.onnx, manifest.yaml with SHA-256s, plus the trainer's networks), written as a whole
/// at the end; discrete families get the trainer's networks only. Single-threaded.
/// </summary>
public static class Retuner
{
    /// <summary>Default discount of a master retuned on a maze, per decision.</summary>
    // DESIGN: the paper's 0.99 / 0.98 (the training default) credits each decision with about a hundred later ones.
    // A maze master decides every 0.5 s and is paid for progress along the path at every decision, so a corner taken
    // well shows up within a few decisions; the long tail only adds the noise of everything the sampled skills do
    // afterwards. On the quadruped (stage 6's skills, loading-bay, 16 instances × 20 iterations, seeds 1-3) 0.95 / 0.9
    // gave 100 / 96 / 98 % against 81 / 96 / 29 % (docs/evidence/quadruped.md). Training keeps its config's values:
    // there the master is reset every few iterations and the sub-policies learn from the same rollouts.
    public const float MazeMasterGamma = 0.95f;
    /// <summary>Default GAE λ of a master retuned on a maze (see <see cref="MazeMasterGamma"/>).</summary>
    public const float MazeMasterLambda = 0.9f;

    public static RetuneSummary Run(RetuneOptions options, Action<IterationMetrics, int>? onIteration = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Iterations < 1) throw new ConfigException($"--iterations must be ≥ 1, got {options.Iterations}");
        if (File.Exists(Path.Combine(options.Subpolicies, ManifestYaml.FileName)) && !File.Exists(Path.Combine(options.Subpolicies, ModelsDirectory.FileName)))
            throw new ConfigException(
                $"an ONNX bundle without the trainer's networks ({ModelsDirectory.FileName} + *.bin; exported before bundles carried them): re-export it with `mlsh export --run <its run> --out {options.Subpolicies}`, or pass the run directory",
                options.Subpolicies);
        var (description, subpolicies, _) = ModelsDirectory.Load(options.Subpolicies);
        if (description.Algorithm != "mlsh")
            throw new ConfigException($"retune needs MLSH sub-policies; {options.Subpolicies} holds a {description.Algorithm} policy", options.Subpolicies);
        var (family, task, taskName) = FamilyFor(description, options.Layout, options.Task, options.Subpolicies);
        using var ownedFamily = family as IDisposable;

        var config = BaseConfig(options.Subpolicies);
        var macroSteps = ApplyRetuneSettings(config, options, description, subpolicies.Length, family,
            options.MasterObserves ?? (family is MazeTaskFamily ? MasterObservation.Pose : MasterObservation.All));

        // Maze families end in an ONNX bundle that replaces --out as a whole: refuse a wrong --out before training.
        var maze = family as MazeTaskFamily;
        if (maze is not null) BundleDirectory.CheckReplaceable(options.OutDirectory);
        var run = new RunDirectory(options.OutDirectory);
        if (File.Exists(run.MetricsFile)) File.Delete(run.MetricsFile);
        using var trainer = new MlshTrainer(config, family, [task], new MlshTrainerOptions
        {
            InitialSubpolicies = subpolicies, FreezeSubpolicies = true, DeterministicSubpolicies = options.MeanSubpolicyActions,
        });
        var history = new List<IterationMetrics>();
        for (var i = 0; i < options.Iterations; i++)
        {
            var m = trainer.RunIteration();
            history.Add(m);
            run.AppendMetrics(m);
            onIteration?.Invoke(m, options.Iterations);
            if ((i + 1) % 10 == 0 || i + 1 == options.Iterations) run.WritePlots(history, $"retune {taskName}");
        }
        var eval = Evaluator.Run(family, task, trainer.Subpolicies, trainer.Master, macroSteps, options.EvalEpisodes, options.Seed);
        if (maze is null)
        {
            TrainingRun.WriteModels(trainer, options.OutDirectory, options.Layout ?? "");
        }
        else
        {
            // A complete models directory: ONNX master + sub-policies + manifest (what the Runtime loads and a
            // load_master push points at), the trainer's networks (eval, a later retune), metrics and plots.
            var (sourceConfig, sourceSha) = SourceConfig(options.Subpolicies);
            var provenance = new Provenance
            {
                Config = sourceConfig,
                ConfigSha256 = sourceSha,
                Iterations = options.Iterations,
                EvaluationSuccess = eval.SuccessRate,
                EvaluationEpisodes = eval.Episodes,
            };
            HierarchyExport.FromNetworks(trainer.Subpolicies, trainer.Master!, maze, macroSteps, provenance, options.OutDirectory,
                DisplayPath(Path.GetFullPath(options.Layout!)), staging => CopyRunFiles(run, staging));
        }
        return new RetuneSummary(run.Path, taskName, options.Iterations, trainer.EnvSteps, eval.SuccessRate, eval.MeanReturn, eval.MeanSteps,
            history.Select(h => (h.EnvSteps, h.FirstEpisodeSuccessRate)).ToArray());
    }

    /// <summary>The task family and task a models directory is evaluated or retuned on: a maze family over
    /// the one layout given, or a discrete family's task index.</summary>
    public static (ITaskFamily Family, int Task, string TaskName) FamilyFor(ModelsDescription d, string? layout, int? task, string source)
    {
        if (d.TaskFamily is "pointmass_maze" or "quadruped_maze")
        {
            if (layout is null) throw new ConfigException($"the models were trained on {d.TaskFamily}: pass --layout <layout.yaml>", source);
            if (task is not null) throw new ConfigException("--task applies to discrete task families; maze families take --layout", source);
            var family = MazeTaskFamily.Create(TaskFamilies.RobotOf(d.TaskFamily), [layout], MazeTaskOptions.Default);
            return (family, 0, family.TaskName(0));
        }
        if (layout is not null) throw new ConfigException($"--layout applies to maze families; the models were trained on {d.TaskFamily}: pass --task <index>", source);
        var discrete = TaskFamilies.Create(new TaskFamilyConfig { Kind = d.TaskFamily }, source);
        var t = task ?? 0;
        if (t < 0 || t >= discrete.TaskCount)
            throw new ConfigException($"--task {t}: {discrete.Name} has tasks 0..{discrete.TaskCount - 1}", source);
        return (discrete, t, discrete.TaskName(t));
    }

    /// <summary>The training config behind the frozen sub-policies, for the provenance: a run directory's
    /// config.yaml, else the config a bundle's manifest names, else the models.yaml itself.</summary>
    internal static (string Config, string Sha256) SourceConfig(string subpoliciesPath)
    {
        var runConfig = Path.Combine(subpoliciesPath, "config.yaml");
        if (File.Exists(runConfig)) return (DisplayPath(Path.GetFullPath(runConfig)), Sha256Of(runConfig));
        var manifest = Path.Combine(subpoliciesPath, ManifestYaml.FileName);
        if (File.Exists(manifest))
        {
            var m = ManifestYaml.Load(manifest);
            return (m.Provenance.Config, m.Provenance.ConfigSha256);
        }
        var models = File.Exists(Path.Combine(subpoliciesPath, ModelsDirectory.FileName))
            ? Path.Combine(subpoliciesPath, ModelsDirectory.FileName)
            : Path.Combine(subpoliciesPath, "models", ModelsDirectory.FileName);
        return (DisplayPath(Path.GetFullPath(models)), Sha256Of(models));
    }

    private static string Sha256Of(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    /// <summary>Repository-relative when inside the repository, else "&lt;directory&gt;/&lt;file&gt;": never an absolute machine path.</summary>
    internal static string DisplayPath(string full)
    {
        var relative = Path.GetRelativePath(MlshPaths.Root, full);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative)
            ? $"{Path.GetFileName(Path.GetDirectoryName(full))}/{Path.GetFileName(full)}"
            : relative.Replace('\\', '/');
    }

    internal static void CopyRunFiles(RunDirectory run, string staging)
    {
        if (File.Exists(run.MetricsFile)) File.Copy(run.MetricsFile, Path.Combine(staging, Path.GetFileName(run.MetricsFile)));
        if (!Directory.Exists(run.PlotsDirectory)) return;
        var plots = Directory.CreateDirectory(Path.Combine(staging, Path.GetFileName(run.PlotsDirectory))).FullName;
        foreach (var svg in Directory.EnumerateFiles(run.PlotsDirectory, "*.svg")) File.Copy(svg, Path.Combine(plots, Path.GetFileName(svg)));
    }

    private static TrainConfig BaseConfig(string subpoliciesPath)
    {
        var runConfig = Path.Combine(subpoliciesPath, "config.yaml");
        if (File.Exists(runConfig)) return TrainConfig.Load(runConfig);
        // Defaults for a bare models directory: the paper's master settings, 8 instances.
        return new TrainConfig
        {
            Envs = 8,
            Master = new NetworkConfig { LearningRate = 1e-2f, Epochs = 10, MinibatchSize = 64 },
        };
    }

    internal static int EpisodeSteps(ITaskFamily family)
    {
        switch (family)
        {
            case Environments.Discrete.MovementBanditsTaskFamily bandits: return bandits.Options.EpisodeSteps;
            case Environments.Discrete.FourRoomsTaskFamily rooms: return rooms.Options.EpisodeSteps;
        }
        using var env = family.CreateVectorEnv(1);
        env.Reset(0);
        return env is MazeVectorEnv maze ? maze.MaxEpisodeSteps : throw new ArgumentException($"unknown episode length for {family.Name}", nameof(family));
    }

    /// <summary>Turns the base config into the config of a retune (one task, the frozen set's size, the master's
    /// period and observation); returns the macro step length. Shared with the corrections retune.</summary>
    internal static int ApplyRetuneSettings(TrainConfig config, RetuneOptions options, ModelsDescription description, int subpolicyCount,
        ITaskFamily family, MasterObservation observes)
    {
        config.Algorithm = "mlsh";
        config.Seed = options.Seed;
        config.Iterations = options.Iterations;
        config.TaskFamily = new TaskFamilyConfig { Kind = description.TaskFamily, Layouts = options.Layout is null ? [] : [options.Layout] };
        config.Hierarchy.Subpolicies = subpolicyCount;
        if (options.Envs is { } envs)
            config.Envs = envs >= 1 ? envs : throw new ConfigException($"--envs must be ≥ 1, got {envs}");
        var macroSteps = options.MacroSteps ?? description.MacroSteps;
        if (macroSteps < 1) throw new ConfigException($"--macro-steps must be ≥ 1, got {macroSteps}");
        config.Hierarchy.MacroSteps = macroSteps;
        config.RolloutSteps = RoundUp(EpisodeSteps(family), macroSteps);
        var maze = family is MazeTaskFamily;
        if (observes == MasterObservation.Pose && !maze)
            throw new ConfigException($"--master-observes pose needs a maze family (a robot pose in the observation); {description.TaskFamily} has none: use all", options.Subpolicies);
        config.Hierarchy.MasterIgnores = observes == MasterObservation.Pose
            ? [.. ObservationLayout.SegmentNames.Where(n => n is not (ObservationLayout.BasePositionXy or ObservationLayout.BaseYawCosSin))]
            : config.Hierarchy.MasterIgnores;
        config.Master.Gamma = Unit(options.MasterGamma ?? (maze ? MazeMasterGamma : config.Master.Gamma), "--master-gamma");
        config.Master.Lambda = Unit(options.MasterLambda ?? (maze ? MazeMasterLambda : config.Master.Lambda), "--master-lambda");
        config.Validate(options.Subpolicies);
        return macroSteps;

        static float Unit(float value, string flag) =>
            value is >= 0f and <= 1f ? value : throw new ConfigException($"{flag} must be in [0, 1], got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
    }

    internal static int RoundUp(int steps, int multiple) => (steps + multiple - 1) / multiple * multiple;
}
