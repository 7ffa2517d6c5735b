using Mlsh.Core.Configuration;
using YamlDotNet.Serialization;

namespace Mlsh.Trainer.Configuration;

/// <summary>
/// Every hyperparameter of one training run, as written in configs/&lt;name&gt;.yaml (snake_case keys).
/// Loaded with <see cref="Load"/>, which rejects unknown keys, wrong types and out-of-range or
/// unknown enum values before any training starts. Plain mutable data: build, validate, then treat as
/// read-only; not thread-safe while being edited.
/// </summary>
public sealed class TrainConfig
{
    /// <summary>mlsh (shared sub-policies + per-task master) or flat (one shared PPO policy, the baseline).</summary>
    public string Algorithm { get; set; } = "mlsh";
    public TaskFamilyConfig TaskFamily { get; set; } = new();
    public ulong Seed { get; set; } = 1;
    /// <summary>Total iterations; one iteration = one rollout of <see cref="RolloutSteps"/> steps per
    /// environment instance followed by one update.</summary>
    public int Iterations { get; set; } = 200;
    /// <summary>Environment instances stepped together per rank.</summary>
    public int Envs { get; set; } = 16;
    /// <summary>Agent steps per instance per iteration.</summary>
    public int RolloutSteps { get; set; } = 50;
    public HierarchyConfig Hierarchy { get; set; } = new();
    /// <summary>The master's network and PPO settings. Keys left out take <see cref="NetworkConfig"/>'s
    /// defaults (the sub-policy ones): write the master's learning_rate (paper: 0.01) explicitly.</summary>
    public NetworkConfig Master { get; set; } = new();
    /// <summary>Each sub-policy's network and PPO settings (the flat baseline's policy with algorithm: flat).</summary>
    public NetworkConfig Subpolicy { get; set; } = new();
    public PpoConfig Ppo { get; set; } = new();
    /// <summary>Running mean/std normalization of observations (statistics updated only while the
    /// sub-policies learn, saved in checkpoints).</summary>
    public bool NormalizeObservations { get; set; } = true;
    public float ObservationClip { get; set; } = 10f;
    /// <summary>Write a checkpoint every this many iterations (and at the end).</summary>
    public int CheckpointEvery { get; set; } = 10;
    /// <summary>Regenerate the learning-curve SVGs every this many iterations (and at the end).</summary>
    public int PlotEvery { get; set; } = 10;
    /// <summary>With MPI: ranks sharing one task and one master (sub-policies are shared by all ranks).</summary>
    public int RanksPerTask { get; set; } = 1;
    /// <summary>A models directory (train/retune/export output) whose sub-policies, with their observation
    /// statistics, this run starts from instead of fresh ones: a curriculum stage that extends learned skills to
    /// more tasks. Masters and optimizer moments start fresh. Used when a run starts; a resume takes everything
    /// from the checkpoint. Relative paths are taken from the repository root, like the layouts.</summary>
    [YamlMember(DefaultValuesHandling = DefaultValuesHandling.OmitNull)]
    public string? InitSubpolicies { get; set; }

    [YamlIgnore]
    public bool IsFlat => Algorithm == "flat";

    /// <summary>Reads and validates a config file; every problem is a <see cref="ConfigException"/>
    /// naming the file, the key, the value found and what is allowed.</summary>
    public static TrainConfig Load(string path)
    {
        var config = StrictYaml.LoadFile<TrainConfig>(path);
        config.Validate(path);
        return config;
    }

    public static TrainConfig Parse(string yaml, string sourceName = "<yaml>")
    {
        var config = StrictYaml.Parse<TrainConfig>(yaml, sourceName);
        config.Validate(sourceName);
        return config;
    }

    public void Validate(string file)
    {
        var v = new ConfigValidator(file);
        v.OneOf("algorithm", Algorithm, "mlsh", "flat");
        TaskFamily.Validate(v, "task_family");
        v.AtLeast("iterations", Iterations, 1);
        v.AtLeast("envs", Envs, 1);
        v.AtLeast("rollout_steps", RolloutSteps, 1);
        Hierarchy.Validate(v, "hierarchy");
        if (TaskFamily.MixTasks && !IsFlat)
            v.Fail("task_family.mix_tasks", "true", "false with algorithm: mlsh (a master learns one task per round); mix_tasks is for the flat baseline");
        if (TaskFamily.MixTasks && (TaskFamily.Kind != "movement_bandits" || TaskFamily.Tasks.Count > 0))
            v.Fail("task_family.mix_tasks", "true", "false unless kind is movement_bandits with no tasks subset");
        if (IsFlat && Hierarchy.CollapseGuard is not null)
            v.Fail("hierarchy.collapse_guard", "a guard", "no collapse_guard with algorithm: flat (it guards MLSH sub-policies)");
        if (!IsFlat && RolloutSteps % Hierarchy.MacroSteps != 0)
            v.Fail("rollout_steps", RolloutSteps.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"a multiple of hierarchy.macro_steps ({Hierarchy.MacroSteps}) so that every rollout holds whole macro steps");
        Master.Validate(v, "master");
        Subpolicy.Validate(v, "subpolicy");
        Ppo.Validate(v, "ppo");
        v.InRange("observation_clip", ObservationClip, 0.1f, 1e6f);
        v.AtLeast("checkpoint_every", CheckpointEvery, 1);
        v.AtLeast("plot_every", PlotEvery, 1);
        v.AtLeast("ranks_per_task", RanksPerTask, 1);
        foreach (var (key, segments) in new[] { ("subpolicy_ignores", Hierarchy.SubpolicyIgnores), ("master_ignores", Hierarchy.MasterIgnores) })
            if (segments is { Count: > 0 } && (IsFlat || !TaskFamily.IsMaze))
                v.Fail($"hierarchy.{key}", string.Join(", ", segments),
                    $"no {key} unless algorithm is mlsh on pointmass_maze or quadruped_maze (only maze observations have named segments)");
        if (InitSubpolicies is not null && IsFlat)
            v.Fail("init_subpolicies", InitSubpolicies, "no init_subpolicies with algorithm: flat (the baseline learns from scratch)");
        if (InitSubpolicies is { } init && Mlsh.TaskFamilies.ResolvePath(init) is var dir
            && !File.Exists(Path.Combine(dir, "models.yaml")) && !File.Exists(Path.Combine(dir, "models", "models.yaml")))
            v.Fail("init_subpolicies", init, "a models directory holding models.yaml (the output of mlsh train, retune or export), or a finished run directory");
    }
}

/// <summary>Which environments to train on.</summary>
public sealed class TaskFamilyConfig
{
    public static readonly string[] Kinds = ["movement_bandits", "four_rooms", "pointmass_maze", "quadruped_maze"];

    public string Kind { get; set; } = "movement_bandits";
    /// <summary>Episode time limit in agent steps for the discrete families (0 = the family's default).</summary>
    public int EpisodeSteps { get; set; }
    /// <summary>Maze families: layout files, relative to the repository root (or absolute).</summary>
    public List<string> Layouts { get; set; } = [];
    /// <summary>Optional subset of task indices to train on (empty = every task of the family).</summary>
    public List<int> Tasks { get; set; } = [];
    /// <summary>
    /// Flat baseline on movement_bandits: every episode draws its task at random, instead of one task per iteration.
    /// </summary>
    // DESIGN: a single shared policy is judged on the task distribution. With one task per iteration its
    // mean return over the last 10 iterations mostly measured which tasks those 10 draws happened to be (a
    // policy that always picks one goal scored 14-25 of 40 across seeds). Omitted when false so that older
    // configs keep their fingerprint.
    [YamlMember(DefaultValuesHandling = DefaultValuesHandling.OmitDefaults)]
    public bool MixTasks { get; set; }
    /// <summary>Maze families: episode time limit in seconds overriding each layout's (0 = the layouts' own).</summary>
    public double TimeLimit { get; set; }
    /// <summary>Maze families: reward per metre of progress along the shortest path.</summary>
    public double ProgressReward { get; set; } = 1.0;
    /// <summary>Maze families: bonus on reaching the goal.</summary>
    public double SuccessBonus { get; set; } = 10.0;
    /// <summary>Maze families: penalty on a fall.</summary>
    public double FallPenalty { get; set; }
    /// <summary>Maze families: reward added every step (negative favours speed).</summary>
    public double StepReward { get; set; }
    /// <summary>Maze families: degrees of start-heading spread around east (0 = none, 180 = any heading).</summary>
    // Omitted when 0 so that configs without it keep their fingerprint (and resumable checkpoints).
    [YamlMember(DefaultValuesHandling = DefaultValuesHandling.OmitDefaults)]
    public double StartHeadingSpread { get; set; }

    [YamlIgnore]
    public bool IsMaze => Kind is "pointmass_maze" or "quadruped_maze";

    internal void Validate(ConfigValidator v, string prefix)
    {
        v.OneOf($"{prefix}.kind", Kind, Kinds);
        v.AtLeast($"{prefix}.episode_steps", EpisodeSteps, 0);
        if (IsMaze && Layouts.Count == 0)
            v.Fail($"{prefix}.layouts", "[]", $"at least one layout file for {Kind}");
        if (!IsMaze && Layouts.Count > 0)
            v.Fail($"{prefix}.layouts", $"{Layouts.Count} files", $"no layouts for {Kind} (layouts apply to pointmass_maze and quadruped_maze)");
        for (var i = 0; i < Tasks.Count; i++) v.AtLeast($"{prefix}.tasks[{i}]", Tasks[i], 0);
        v.InRange($"{prefix}.time_limit", (float)TimeLimit, 0f, 3600f);
        v.InRange($"{prefix}.progress_reward", (float)ProgressReward, -1000f, 1000f);
        v.InRange($"{prefix}.success_bonus", (float)SuccessBonus, -1000f, 1000f);
        v.InRange($"{prefix}.fall_penalty", (float)FallPenalty, 0f, 1000f);
        v.InRange($"{prefix}.step_reward", (float)StepReward, -100f, 100f);
        v.InRange($"{prefix}.start_heading_spread", (float)StartHeadingSpread, 0f, 180f);
        if (!IsMaze && StartHeadingSpread != 0)
            v.Fail($"{prefix}.start_heading_spread", StartHeadingSpread.ToString(System.Globalization.CultureInfo.InvariantCulture), $"0 for {Kind} (a start heading applies to the maze families)");
    }
}

/// <summary>The MLSH schedule: K sub-policies, a master decision every N steps, and per sampled task
/// a warm-up (master only) then a joint period (master and sub-policies).</summary>
public sealed class HierarchyConfig
{
    public int Subpolicies { get; set; } = 2;
    /// <summary>N: low-level steps per master decision (one macro step).</summary>
    public int MacroSteps { get; set; } = 10;
    public int WarmupIterations { get; set; } = 9;
    public int JointIterations { get; set; } = 1;
    /// <summary>Probability that the master's choice is replaced by a uniformly random sub-policy
    /// (exploration over skills); the stored log-probability is the master's own.</summary>
    public float MasterEpsilon { get; set; }
    /// <summary>Opt-in guard against sub-policy collapse (openai/mlsh issue #9); null (key absent) = off.</summary>
    // DESIGN: omitted from the serialized config when absent, so that configs without the guard keep the
    // fingerprint (and resumable checkpoints) they had before the guard existed.
    [YamlMember(DefaultValuesHandling = DefaultValuesHandling.OmitNull)]
    public CollapseGuardConfig? CollapseGuard { get; set; }
    /// <summary>Maze families: observation segments (by name, e.g. base_position_xy) that the sub-policies' actions
    /// may not depend on; the master and every value network still see them. Null (key absent) = none.</summary>
    // DESIGN: a sub-policy that sees the absolute position can tie its gait to where the training layouts' corridors
    // were instead of becoming one reusable skill; hiding position from the skills and leaving it to the master is the
    // usual split of hierarchical locomotion (low level proprioceptive, high level task-aware). Omitted when absent so
    // that older configs keep their fingerprint.
    [YamlMember(DefaultValuesHandling = DefaultValuesHandling.OmitNull)]
    public List<string>? SubpolicyIgnores { get; set; }
    /// <summary>Maze families: observation segments the masters' choices may not depend on (their value networks still
    /// see them). Null (key absent) = none.</summary>
    // DESIGN: the mirror of subpolicy_ignores. A master learns from a few hundred decisions per iteration; the joint
    // encoders and the previous action (24 of the quadruped's 37 inputs) say nothing about which way the maze goes, and
    // a master fitting them overfits noise. Omitted when absent so that older configs keep their fingerprint.
    [YamlMember(DefaultValuesHandling = DefaultValuesHandling.OmitNull)]
    public List<string>? MasterIgnores { get; set; }

    internal void Validate(ConfigValidator v, string prefix)
    {
        string[] segmentNames = [.. global::Mlsh.Environments.Observations.ObservationLayout.SegmentNames];
        foreach (var (key, segments) in new[] { ("subpolicy_ignores", SubpolicyIgnores), ("master_ignores", MasterIgnores) })
            foreach (var name in segments ?? [])
                v.OneOf($"{prefix}.{key}", name, segmentNames);
        v.InRange($"{prefix}.subpolicies", Subpolicies, 1, 64);
        v.AtLeast($"{prefix}.macro_steps", MacroSteps, 1);
        v.AtLeast($"{prefix}.warmup_iterations", WarmupIterations, 0);
        v.AtLeast($"{prefix}.joint_iterations", JointIterations, 1);
        v.InRange($"{prefix}.master_epsilon", MasterEpsilon, 0f, 1f);
        if (CollapseGuard is { } guard)
        {
            if (Subpolicies < 2) v.Fail($"{prefix}.collapse_guard", "a guard with 1 sub-policy", "hierarchy.subpolicies ≥ 2 (one sub-policy cannot collapse onto another), or remove collapse_guard");
            guard.Validate(v, $"{prefix}.collapse_guard");
        }
    }
}

/// <summary>
/// Re-initialises a sub-policy when, checked at the end of every task round outside the
/// <see cref="GraceRounds"/> after the start and after each re-initialisation, either two sub-policies act alike (mean Hellinger distance of their action
/// distributions on the round's last rollout below <see cref="MinDistance"/>) or one is hardly chosen by
/// the masters (share of the round's joint-phase decisions below <see cref="MinUsage"/>), for
/// <see cref="PatienceRounds"/> rounds in a row; optionally also when the masters end their rounds
/// indifferent between the sub-policies (<see cref="MaxMasterEntropy"/>), or when one task stays unserved: far
/// below the others without progress for <see cref="StalledTaskRounds"/> of its rounds (<see cref="StalledTaskGap"/>).
/// </summary>
public sealed class CollapseGuardConfig
{
    /// <summary>Hellinger distance in [0, 1] (0 = identical behaviour, 1 = disjoint) below which two sub-policies count as duplicates.</summary>
    public float MinDistance { get; set; } = 0.2f;
    /// <summary>Share of a round's joint-phase master decisions below which a sub-policy counts as unused (0 = never).</summary>
    public float MinUsage { get; set; }
    /// <summary>A round whose master ends with entropy ≥ this fraction of ln K counts as "the master cannot tell
    /// the sub-policies apart" (0 = never): after patience_rounds such rounds the least chosen one is re-initialised.</summary>
    public float MaxMasterEntropy { get; set; }
    /// <summary>Unserved-task test, 0 = off. A round counts its task as stalled when the task's joint-phase mean
    /// return is below the latest return of the best other task by more than this fraction of the range of round
    /// returns seen so far, and is no new best for the task since the last re-initialisation.</summary>
    // DESIGN: both stalled_task keys are omitted at their defaults, so that configs written before they existed
    // keep their fingerprint (and their checkpoints stay resumable).
    [YamlMember(DefaultValuesHandling = DefaultValuesHandling.OmitDefaults)]
    public float StalledTaskGap { get; set; }
    /// <summary>Consecutive rounds of one task (counting that task's rounds only) that must be stalled before the
    /// sub-policy the other tasks' masters use least is re-initialised.</summary>
    [YamlMember(DefaultValuesHandling = DefaultValuesHandling.OmitDefaults)]
    [System.ComponentModel.DefaultValue(DefaultStalledTaskRounds)]
    public int StalledTaskRounds { get; set; } = DefaultStalledTaskRounds;
    private const int DefaultStalledTaskRounds = 10;
    /// <summary>Consecutive rounds a condition must hold before a sub-policy is re-initialised.</summary>
    public int PatienceRounds { get; set; } = 5;
    /// <summary>Rounds without checks at the start of training and after each re-initialisation: freshly
    /// initialised sub-policies act near-uniformly, hence alike, until they have learned something.</summary>
    public int GraceRounds { get; set; } = 20;

    internal void Validate(ConfigValidator v, string prefix)
    {
        v.InRange($"{prefix}.min_distance", MinDistance, 0f, 1f);
        v.InRange($"{prefix}.min_usage", MinUsage, 0f, 1f);
        v.InRange($"{prefix}.max_master_entropy", MaxMasterEntropy, 0f, 1f);
        v.InRange($"{prefix}.stalled_task_gap", StalledTaskGap, 0f, 1f);
        v.InRange($"{prefix}.stalled_task_rounds", StalledTaskRounds, 1, 1_000_000);
        v.InRange($"{prefix}.patience_rounds", PatienceRounds, 1, 1_000_000);
        v.AtLeast($"{prefix}.grace_rounds", GraceRounds, 0);
    }
}

/// <summary>One network (the master, or each sub-policy / the flat policy) and its PPO update.</summary>
public sealed class NetworkConfig
{
    public List<int> Hidden { get; set; } = [64, 64];
    public float LearningRate { get; set; } = 3e-4f;
    public float Gamma { get; set; } = 0.99f;
    public float Lambda { get; set; } = 0.98f;
    public int Epochs { get; set; } = 10;
    /// <summary>Rows per PPO gradient step.</summary>
    public int MinibatchSize { get; set; } = 64;
    public float EntropyCoef { get; set; }
    /// <summary>Initial log σ of a Gaussian (continuous-action) head; unused by categorical heads.</summary>
    public float InitialLogStd { get; set; }

    internal void Validate(ConfigValidator v, string prefix)
    {
        if (Hidden.Count == 0) v.Fail($"{prefix}.hidden", "[]", "a list of at least one layer width, e.g. [64, 64]");
        for (var i = 0; i < Hidden.Count; i++) v.InRange($"{prefix}.hidden[{i}]", Hidden[i], 1, 4096);
        v.InRange($"{prefix}.learning_rate", LearningRate, 1e-7f, 1f);
        v.InRange($"{prefix}.gamma", Gamma, 0f, 1f);
        v.InRange($"{prefix}.lambda", Lambda, 0f, 1f);
        v.InRange($"{prefix}.epochs", Epochs, 1, 1000);
        v.InRange($"{prefix}.minibatch_size", MinibatchSize, 1, 1 << 20);
        v.InRange($"{prefix}.entropy_coef", EntropyCoef, 0f, 1f);
        v.InRange($"{prefix}.initial_log_std", InitialLogStd, -5f, 2f);
    }
}

/// <summary>PPO settings shared by every network.</summary>
public sealed class PpoConfig
{
    public float Clip { get; set; } = 0.2f;
    public float ValueCoef { get; set; } = 1f;
    public float MaxGradNorm { get; set; } = 0.5f;

    internal void Validate(ConfigValidator v, string prefix)
    {
        v.InRange($"{prefix}.clip", Clip, 0.01f, 1f);
        v.InRange($"{prefix}.value_coef", ValueCoef, 0f, 100f);
        v.InRange($"{prefix}.max_grad_norm", MaxGradNorm, 1e-3f, 1e6f);
    }
}
