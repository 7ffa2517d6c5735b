using YamlDotNet.Serialization;

namespace Mlsh.Onnx.Manifest;

/// <summary>
/// models/&lt;name&gt;/manifest.yaml: the deployment contract of one exported MLSH hierarchy (master +
/// K sub-policies). Every key is required and unknown keys are rejected (<see cref="ManifestYaml"/>),
/// so a manifest either describes the models completely or fails to load. The same contract is
/// embedded in every model's ONNX metadata_props (<see cref="PolicyMetadata"/>).
/// Plain mutable data: build it, validate, write; not thread-safe while being mutated.
/// </summary>
public sealed class PolicyManifest
{
    /// <summary>Bumped when a key's meaning changes; the loader accepts only <see cref="CurrentFormatVersion"/>.</summary>
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; set; } = CurrentFormatVersion;
    /// <summary>The bundle's name, also the directory name under models/.</summary>
    public string Name { get; set; } = "";
    public RobotContract Robot { get; set; } = new();
    public ObservationContract Observation { get; set; } = new();
    public ActionContract Action { get; set; } = new();
    public TimingContract Timing { get; set; } = new();
    public ModelSet Models { get; set; } = new();
    public Provenance Provenance { get; set; } = new();
}

/// <summary>Which robot the policies drive, and the order of its actuated joints.</summary>
public sealed class RobotContract
{
    public string Name { get; set; } = "";
    /// <summary>Actuated joints in action order: action[i] drives JointNames[i].</summary>
    public List<string> JointNames { get; set; } = [];
}

/// <summary>The observation vector: fields laid out back to back in this order.</summary>
public sealed class ObservationContract
{
    public int Size { get; set; }
    public List<ObservationField> Fields { get; set; } = [];
}

/// <summary>One slice of the observation: <c>obs[offset..offset+Size] = raw * Scale</c> in <see cref="Units"/>.</summary>
public sealed class ObservationField
{
    public string Name { get; set; } = "";
    public int Size { get; set; }
    /// <summary>Units of the raw quantity before scaling (rad, rad/s, m, m/s, 1).</summary>
    public string Units { get; set; } = "";
    /// <summary>Factor the observation builder applies to the raw quantity.</summary>
    public float Scale { get; set; } = 1f;
}

/// <summary>
/// What a sub-policy's output means. <see cref="JointPositionTargets"/>: the model already applies
/// <c>target = DefaultPose + Scale * mean</c> (the graph contains the scaling), so its output is joint position
/// targets (rad, or m for slide joints), tracked by the PD law <c>kp (q* − q) − kd q̇</c> saturated at TorqueLimit.
/// <see cref="JointVelocityTargets"/>: the model applies <c>target = Scale * mean</c> (no offset), so its output is
/// joint velocity targets (rad/s, or m/s), tracked by <c>kp (DefaultPose − q) + kd (q̇* − q̇)</c> (kp is usually 0).
/// </summary>
public sealed class ActionContract
{
    /// <summary><see cref="JointPositionTargets"/> or <see cref="JointVelocityTargets"/>.</summary>
    public string Kind { get; set; } = JointPositionTargets;
    public const string JointPositionTargets = "joint_position_targets";
    /// <summary>Velocity-controlled robots (the point mass). DESIGN: a new value of an existing key rather than a new
    /// key, so format 1 manifests written before it still load unchanged (every key is required).</summary>
    public const string JointVelocityTargets = "joint_velocity_targets";

    /// <summary>The kinds format 1 knows.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [JointPositionTargets, JointVelocityTargets];

    /// <summary>True for <see cref="JointVelocityTargets"/>.</summary>
    [YamlIgnore]
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsVelocity => Kind == JointVelocityTargets;

    public int Size { get; set; }
    public List<float> Scale { get; set; } = [];
    public List<float> DefaultPose { get; set; } = [];
    public List<float> Kp { get; set; } = [];
    public List<float> Kd { get; set; } = [];
    public List<float> TorqueLimit { get; set; } = [];
}

/// <summary>
/// Rates. The control cycle runs at <see cref="ControlRateHz"/>; a sub-policy acts every
/// <see cref="PolicyDecimation"/> control cycles; the master picks a sub-policy every
/// <see cref="MasterPeriod"/> control cycles (a multiple of the decimation).
/// </summary>
public sealed class TimingContract
{
    public double ControlRateHz { get; set; }
    public int PolicyDecimation { get; set; }
    public int MasterPeriod { get; set; }
}

/// <summary>The model files of the bundle.</summary>
public sealed class ModelSet
{
    public ModelEntry Master { get; set; } = new();
    /// <summary>Sub-policy k is <c>SubPolicies[k]</c>; the master's logit k selects it.</summary>
    public List<ModelEntry> SubPolicies { get; set; } = [];
}

/// <summary>One ONNX file: its graph's input/output names and widths and its SHA-256.</summary>
public sealed class ModelEntry
{
    /// <summary>File name relative to the manifest's directory (no directories).</summary>
    public string File { get; set; } = "";
    public string Input { get; set; } = "";
    public string Output { get; set; } = "";
    public int InputSize { get; set; }
    public int OutputSize { get; set; }
    /// <summary>Lower-case hex SHA-256 of the file's bytes.</summary>
    [YamlMember(Alias = "sha256")]
    public string Sha256 { get; set; } = "";
}

/// <summary>Where the weights came from.</summary>
public sealed class Provenance
{
    /// <summary>The training config, as given to `mlsh train` (repository-relative).</summary>
    public string Config { get; set; } = "";
    [YamlMember(Alias = "config_sha256")]
    public string ConfigSha256 { get; set; } = "";
    /// <summary>Training iterations (master/sub-policy update rounds) behind these weights.</summary>
    public long Iterations { get; set; }
    /// <summary>Fraction of evaluation episodes that reached the goal, in [0, 1].</summary>
    public double EvaluationSuccess { get; set; }
    /// <summary>How many evaluation episodes <see cref="EvaluationSuccess"/> was measured over.</summary>
    public int EvaluationEpisodes { get; set; }
    /// <summary>UTC export time, ISO 8601.</summary>
    public string ExportedUtc { get; set; } = "";
}
