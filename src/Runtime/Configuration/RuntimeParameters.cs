using System.Globalization;
using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Core.Launch;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Handover;

namespace Mlsh.Runtime.Configuration;

/// <summary>MQTT telemetry and command settings; <see cref="Enabled"/> is false when mqtt_host is empty.</summary>
public sealed record MqttSettings(string Host, int Port, string User, string PasswordFile, string TopicPrefix, double TelemetryRateHz, string? CaFile)
{
    public bool Enabled => Host.Length > 0;
    public string TelemetryTopic => TopicPrefix + "/telemetry";
    public string StatusTopic => TopicPrefix + "/status";
    public string CommandTopic => TopicPrefix + "/cmd";
    public string EventTopic => TopicPrefix + "/events";
}

/// <summary>
/// Everything the runtime node reads from its ROS 2 parameter files (`mlsh_runtime: ros__parameters:`).
/// Built once at start-up by <see cref="FromRos"/>, which rejects unknown names and out-of-range values
/// with a one-line <see cref="ConfigException"/> naming the parameter; immutable afterwards.
/// </summary>
public sealed record RuntimeParameters
{
    public const string NodeName = "mlsh_runtime";

    /// <summary>Absolute path of the exported bundle (manifest.yaml + ONNX files).</summary>
    public required string ModelsDir { get; init; }
    public required string Robot { get; init; }
    public required double ControlRateHz { get; init; }
    public required bool UseSimTime { get; init; }

    public required string JointStatesTopic { get; init; }
    public required string ImuTopic { get; init; }
    public required string OdomTopic { get; init; }
    public required string ClockTopic { get; init; }
    public required string CommandTopic { get; init; }
    public required string ActiveSkillTopic { get; init; }
    public required string DiagnosticsTopic { get; init; }
    /// <summary>std_msgs/String JSON commands (estop, resume, load_master, force_skill), same format as MQTT.</summary>
    public required string OperatorCommandTopic { get; init; }

    /// <summary>Joint names in command order (must equal the manifest's robot.joint_names).</summary>
    public required IReadOnlyList<string> JointNames { get; init; }
    public required IReadOnlyList<double> JointPositionLower { get; init; }
    public required IReadOnlyList<double> JointPositionUpper { get; init; }

    /// <summary>Watchdogs: a source whose newest message is older than this many control cycles trips safe mode.</summary>
    public required int JointStatesTimeoutCycles { get; init; }
    public required int ImuTimeoutCycles { get; init; }
    public required int OdomTimeoutCycles { get; init; }
    /// <summary>Cycles every fault must stay clear before the policy takes over again.</summary>
    public required int RecoveryCycles { get; init; }

    public required double MaxEffortNm { get; init; }
    public required double MaxJointVelocityRadS { get; init; }
    public required double MaxRollRad { get; init; }
    public required double MaxPitchRad { get; init; }
    public required double SafeModeKp { get; init; }
    public required double SafeModeKd { get; init; }

    /// <summary>SCHED_FIFO priority for the control thread (0 = do not ask).</summary>
    public required int RealtimePriority { get; init; }
    /// <summary>CPU to pin the control thread to (-1 = any).</summary>
    public required int CpuAffinity { get; init; }
    /// <summary>JSONL file for operator skill overrides (DAgger labels); empty disables it.</summary>
    public required string SkillOverrideLog { get; init; }

    public required MqttSettings Mqtt { get; init; }

    /// <summary>When a shadowed master may take over (handover_threshold, handover_confidence, handover_bound_method,
    /// handover_min_shadow_ticks, handover_shadow_timeout_s).</summary>
    public required HandoverSettings Handover { get; init; }
    /// <summary>require_certified_handover: load_master (direct hot swap) is refused; masters come in through
    /// shadow_master + certify_master only.</summary>
    public required bool RequireCertifiedHandover { get; init; }

    /// <summary>policy_inference: where the master and sub-policy run on the wall clock, inline in the decimation cycle or
    /// on their own thread (default). Under use_sim_time inference always runs inline (lockstep stays deterministic).</summary>
    public PolicyInferenceMode PolicyInference { get; init; } = PolicyInferenceMode.Thread;
    /// <summary>inference_overrun_limit: decimation boundaries in a row that may find the previous step still running on
    /// the inference thread (targets held) before safe mode.</summary>
    public int InferenceOverrunLimit { get; init; } = 3;

    public TimeSpan Period => TimeSpan.FromSeconds(1.0 / ControlRateHz);

    /// <summary>Reads and validates every parameter, then rejects any name it did not read.</summary>
    /// <param name="modelsOverride">`--models` from the command line; wins over models_dir.</param>
    /// <exception cref="ConfigException">Missing, unknown or invalid parameter (one line naming it).</exception>
    public static RuntimeParameters FromRos(RosNodeParameters p, string? modelsOverride = null)
    {
        ConfigException Bad(string name, string problem) => new($"node {p.NodeName}: parameter '{name}' {problem}");
        double Positive(string name, double? fallback = null)
        {
            var v = p.GetDouble(name, fallback);
            return v > 0 ? v : throw Bad(name, $"must be > 0, got {v.ToString(CultureInfo.InvariantCulture)}");
        }
        double NonNegative(string name, double? fallback = null)
        {
            var v = p.GetDouble(name, fallback);
            return v >= 0 ? v : throw Bad(name, $"must be >= 0, got {v.ToString(CultureInfo.InvariantCulture)}");
        }
        int Cycles(string name, int? fallback = null)
        {
            var v = p.GetInt(name, fallback);
            return v >= 1 ? v : throw Bad(name, $"must be >= 1 control cycle, got {v}");
        }
        string Topic(string name, string fallback)
        {
            var t = p.GetString(name, fallback);
            return t.StartsWith('/') && !t.Contains(' ') ? t : throw Bad(name, $"must be an absolute ROS topic name such as {fallback}, got '{t}'");
        }
        IReadOnlyList<double> Doubles(string name, int count)
        {
            var raw = p.GetStringList(name);
            if (raw.Count != count) throw Bad(name, $"must list one value per joint in joint_names ({count}), got {raw.Count}");
            var v = new double[count];
            for (var i = 0; i < count; i++)
                if (!double.TryParse(raw[i], NumberStyles.Float, CultureInfo.InvariantCulture, out v[i]) || !double.IsFinite(v[i]))
                    throw Bad(name, $"entry {i} must be a finite number, got '{raw[i]}'");
            return v;
        }

        // Read models_dir even when --models overrides it, so the key counts as known (RejectUnread).
        var modelsFromFile = p.GetString("models_dir", "");
        var models = modelsOverride ?? modelsFromFile;
        if (models.Length == 0) throw Bad("models_dir", "must name the exported models directory, e.g. models/quadruped");
        var joints = p.GetStringList("joint_names");
        if (joints.Count == 0) throw Bad("joint_names", "must list at least one joint");
        var dup = joints.GroupBy(j => j, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw Bad("joint_names", $"lists '{dup.Key}' {dup.Count()} times");
        var lower = Doubles("joint_position_lower", joints.Count);
        var upper = Doubles("joint_position_upper", joints.Count);
        for (var i = 0; i < joints.Count; i++)
            if (!(lower[i] < upper[i])) throw Bad("joint_position_upper", $"entry {i} ({joints[i]}) must exceed joint_position_lower ({lower[i].ToString(CultureInfo.InvariantCulture)}), got {upper[i].ToString(CultureInfo.InvariantCulture)}");

        var mqttHost = p.GetString("mqtt_host", "");
        var mqtt = new MqttSettings(
            mqttHost,
            p.GetInt("mqtt_port", 1883),
            p.GetString("mqtt_user", ""),
            ResolvePath(p.GetString("mqtt_password_file", "")),
            p.GetString("mqtt_topic_prefix", "mlsh"),
            Positive("mqtt_telemetry_rate_hz", 10),
            p.GetString("mqtt_ca_file", "") is { Length: > 0 } ca ? ResolvePath(ca) : null);
        if (mqtt.Enabled)
        {
            if (mqtt.Port is < 1 or > 65535) throw Bad("mqtt_port", $"must be 1..65535, got {mqtt.Port}");
            if (mqtt.User.Length == 0) throw Bad("mqtt_user", "must be set when mqtt_host is set (the broker must require authentication)");
            if (mqtt.PasswordFile.Length == 0) throw Bad("mqtt_password_file", "must name a file holding the MQTT password when mqtt_host is set");
            if (mqtt.TopicPrefix.Length == 0 || mqtt.TopicPrefix.AsSpan().IndexOfAny("#+") >= 0 || mqtt.TopicPrefix.EndsWith('/'))
                throw Bad("mqtt_topic_prefix", $"must be a plain topic prefix without wildcards or trailing '/', got '{mqtt.TopicPrefix}'");
        }

        var threshold = p.GetDouble("handover_threshold", 0.8);
        if (!(threshold >= 0 && threshold < 1)) throw Bad("handover_threshold", $"must be in [0, 1) (the lower bound on simulated success must exceed it), got {threshold.ToString(CultureInfo.InvariantCulture)}");
        var confidence = p.GetDouble("handover_confidence", 0.95);
        if (!(confidence > 0.5 && confidence < 1)) throw Bad("handover_confidence", $"must be in (0.5, 1), e.g. 0.95, got {confidence.ToString(CultureInfo.InvariantCulture)}");
        var method = p.GetString("handover_bound_method", "clopper_pearson") switch
        {
            "clopper_pearson" => BoundMethod.ClopperPearson,
            "wilson" => BoundMethod.Wilson,
            var m => throw Bad("handover_bound_method", $"must be clopper_pearson or wilson, got '{m}'"),
        };
        var minTicks = p.GetInt("handover_min_shadow_ticks", 10);
        if (minTicks < 0) throw Bad("handover_min_shadow_ticks", $"must be >= 0 master ticks, got {minTicks}");
        var handover = new HandoverSettings
        {
            Threshold = threshold,
            Confidence = confidence,
            Method = method,
            MinShadowTicks = minTicks,
            ShadowTimeout = TimeSpan.FromSeconds(Positive("handover_shadow_timeout_s", 120)),
        }.Validate();

        var rate = Positive("control_rate_hz");
        var result = new RuntimeParameters
        {
            ModelsDir = ResolvePath(models),
            Robot = p.GetString("robot"),
            ControlRateHz = rate,
            UseSimTime = p.GetBool("use_sim_time", false),
            JointStatesTopic = Topic("joint_states_topic", "/joint_states"),
            ImuTopic = Topic("imu_topic", "/imu/data"),
            OdomTopic = Topic("odom_topic", "/odom"),
            ClockTopic = Topic("clock_topic", "/clock"),
            CommandTopic = Topic("command_topic", "/effort_controller/commands"),
            ActiveSkillTopic = Topic("active_skill_topic", "/mlsh/active_skill"),
            DiagnosticsTopic = Topic("diagnostics_topic", "/diagnostics"),
            OperatorCommandTopic = Topic("operator_command_topic", "/mlsh/command"),
            JointNames = joints,
            JointPositionLower = lower,
            JointPositionUpper = upper,
            JointStatesTimeoutCycles = Cycles("joint_states_timeout_cycles"),
            ImuTimeoutCycles = Cycles("imu_timeout_cycles"),
            OdomTimeoutCycles = Cycles("odom_timeout_cycles"),
            RecoveryCycles = Cycles("recovery_cycles", 1),
            MaxEffortNm = Positive("max_effort_nm"),
            MaxJointVelocityRadS = Positive("max_joint_velocity_rad_s"),
            MaxRollRad = Angle(p, "max_roll_rad", Bad),
            MaxPitchRad = Angle(p, "max_pitch_rad", Bad),
            SafeModeKp = NonNegative("safe_mode_kp"),
            SafeModeKd = NonNegative("safe_mode_kd"),
            RealtimePriority = p.GetInt("realtime_priority", 0) is var prio and (>= 0 and <= 99) ? prio : throw Bad("realtime_priority", "must be 0 (none) or a SCHED_FIFO priority 1..99"),
            CpuAffinity = p.GetInt("cpu_affinity", -1) is var cpu and >= -1 and < 64 ? cpu : throw Bad("cpu_affinity", "must be -1 (any CPU) or a CPU index 0..63"),
            SkillOverrideLog = p.GetString("skill_override_log", "") is { Length: > 0 } log ? ResolvePath(log) : "",
            Mqtt = mqtt,
            Handover = handover,
            RequireCertifiedHandover = p.GetBool("require_certified_handover", false),
            PolicyInference = p.GetString("policy_inference", "thread") switch
            {
                "thread" => PolicyInferenceMode.Thread,
                "inline" => PolicyInferenceMode.Inline,
                var m => throw Bad("policy_inference", $"must be thread (the policy on its own thread) or inline (in the control cycle), got '{m}'"),
            },
            InferenceOverrunLimit = p.GetInt("inference_overrun_limit", 3) is var limit && limit >= 1 ? limit : throw Bad("inference_overrun_limit", $"must be >= 1 policy step (overruns in a row before safe mode), got {limit}"),
        };
        p.RejectUnread();
        return result;
    }

    private static double Angle(RosNodeParameters p, string name, Func<string, string, ConfigException> bad)
    {
        var v = p.GetDouble(name);
        return v > 0 && v <= Math.PI ? v : throw bad(name, $"must be in (0, pi] rad, got {v.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Relative paths in parameter files are relative to the repository root (launch/README.md).</summary>
    private static string ResolvePath(string path) =>
        path.Length == 0 ? "" : Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(MlshPaths.Root, path));
}
