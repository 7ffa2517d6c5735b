using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Core.Launch;

namespace Mlsh.SimBridge.Configuration;

/// <summary>How the simulator advances time.</summary>
public enum TimingMode
{
    /// <summary>Physics paced to the wall clock with absolute deadlines; commands applied as they arrive (latest wins).</summary>
    RealTime,
    /// <summary>Publish state for step k, wait for the command of step k, then advance <see cref="SimBridgeOptions.Decimation"/> physics steps.</summary>
    Lockstep,
}

/// <summary>
/// The validated parameters of the SimBridge node (ROS name /mlsh_sim), read from ROS 2 parameter files
/// (`mlsh_sim: ros__parameters: ...`, see launch/params/sim.yaml) with `--ros-args` remaps applied to topics.
/// Immutable; share freely.
/// </summary>
public sealed record SimBridgeOptions
{
    public const string DefaultNodeName = "mlsh_sim";

    /// <summary>Robot config name under models/robots/.</summary>
    public string Robot { get; init; } = "quadruped";
    /// <summary>Layout file path (relative paths resolve against the repository root) or a shipped layout name.</summary>
    public string Layout { get; init; } = "layouts/train/maze-01.yaml";
    /// <summary>Must equal 1 / the robot config's physics_dt (the robot config owns the physics period).</summary>
    public double PhysicsRateHz { get; init; } = 500.0;
    public TimingMode TimingMode { get; init; } = TimingMode.RealTime;
    /// <summary>Physics steps per lockstep step (one command per lockstep step).</summary>
    public int Decimation { get; init; } = 10;
    /// <summary>Lockstep: after this long without a command the state is published again and a wait is counted.</summary>
    public double LockstepWaitTimeoutS { get; init; } = 1.0;
    /// <summary>Real time: no valid command for this long (simulated time) → safe hold.</summary>
    public double CommandTimeoutS { get; init; } = 0.1;

    public double JointStatesRateHz { get; init; } = 500.0;
    public double ImuRateHz { get; init; } = 500.0;
    public double OdomRateHz { get; init; } = 100.0;
    public double ClockRateHz { get; init; } = 500.0;
    public double DiagnosticsRateHz { get; init; } = 1.0;

    public string JointStatesTopic { get; init; } = "/joint_states";
    public string ImuTopic { get; init; } = "/imu/data";
    public string OdomTopic { get; init; } = "/odom";
    public string ClockTopic { get; init; } = "/clock";
    public string EffortCommandTopic { get; init; } = "/effort_controller/commands";
    public string PositionCommandTopic { get; init; } = "/position_controller/commands";
    public string ResetTopic { get; init; } = "/mlsh_sim/reset";
    public string DiagnosticsTopic { get; init; } = "/diagnostics";

    /// <summary>Declared IMU noise (1 sigma) written into the covariance diagonals; the simulated data are noise-free.</summary>
    public double ImuOrientationStddev { get; init; } = 0.01;
    public double ImuAngularVelocityStddev { get; init; } = 0.005;
    public double ImuLinearAccelerationStddev { get; init; } = 0.05;

    /// <summary>Physics steps between two publications of a topic at <paramref name="rateHz"/>.</summary>
    public int StepsPer(double rateHz) => (int)Math.Round(PhysicsRateHz / rateHz);

    /// <summary>
    /// Reads every parameter (defaults for absent ones), rejects unknown ones and checks ranges.
    /// </summary>
    /// <exception cref="ConfigException">One line naming the parameter, its value and what is allowed.</exception>
    public static SimBridgeOptions FromParameters(RosNodeParameters p, RosArguments? ros = null, string? layoutOverride = null)
    {
        ros ??= RosArguments.Empty;
        var d = new SimBridgeOptions();
        var node = p.NodeName;
        ConfigException Bad(string key, string why) => new($"node {node}: parameter '{key}' {why}");

        double Positive(string key, double fallback)
        {
            var v = p.GetDouble(key, fallback);
            return v > 0 ? v : throw Bad(key, $"must be > 0, got {v}");
        }
        string Topic(string key, string fallback)
        {
            var t = p.GetString(key, fallback);
            if (t.Length == 0 || t.Contains(' ')) throw Bad(key, $"must be a ROS topic name such as {fallback}, got '{t}'");
            return ros.Remap(t);
        }

        var mode = p.GetString("timing_mode", "realtime") switch
        {
            "realtime" => TimingMode.RealTime,
            "lockstep" => TimingMode.Lockstep,
            var other => throw Bad("timing_mode", $"must be realtime or lockstep, got '{other}'"),
        };
        if (p.GetBool("use_sim_time", false))
            throw Bad("use_sim_time", "must be false: the simulator publishes /clock itself and never follows it");
        var decimation = p.GetInt("decimation", d.Decimation);
        // Read even when --layout overrides it, so the parameter counts as known to RejectUnread.
        var layoutParameter = p.GetString("layout", d.Layout);
        if (decimation < 1) throw Bad("decimation", $"must be >= 1, got {decimation}");

        var o = new SimBridgeOptions
        {
            Robot = p.GetString("robot", d.Robot),
            Layout = layoutOverride ?? layoutParameter,
            PhysicsRateHz = Positive("physics_rate_hz", d.PhysicsRateHz),
            TimingMode = mode,
            Decimation = decimation,
            LockstepWaitTimeoutS = Positive("lockstep_wait_timeout_s", d.LockstepWaitTimeoutS),
            CommandTimeoutS = Positive("command_timeout_s", d.CommandTimeoutS),
            JointStatesRateHz = Positive("joint_states_rate_hz", d.JointStatesRateHz),
            ImuRateHz = Positive("imu_rate_hz", d.ImuRateHz),
            OdomRateHz = Positive("odom_rate_hz", d.OdomRateHz),
            ClockRateHz = Positive("clock_rate_hz", d.ClockRateHz),
            DiagnosticsRateHz = Positive("diagnostics_rate_hz", d.DiagnosticsRateHz),
            JointStatesTopic = Topic("joint_states_topic", d.JointStatesTopic),
            ImuTopic = Topic("imu_topic", d.ImuTopic),
            OdomTopic = Topic("odom_topic", d.OdomTopic),
            ClockTopic = ros.Remap(d.ClockTopic),
            EffortCommandTopic = Topic("command_topic", d.EffortCommandTopic),
            PositionCommandTopic = Topic("position_command_topic", d.PositionCommandTopic),
            ResetTopic = Topic("reset_topic", d.ResetTopic),
            DiagnosticsTopic = Topic("diagnostics_topic", d.DiagnosticsTopic),
            ImuOrientationStddev = NonNegative(p, "imu_orientation_stddev", d.ImuOrientationStddev, Bad),
            ImuAngularVelocityStddev = NonNegative(p, "imu_angular_velocity_stddev", d.ImuAngularVelocityStddev, Bad),
            ImuLinearAccelerationStddev = NonNegative(p, "imu_linear_acceleration_stddev", d.ImuLinearAccelerationStddev, Bad),
        };
        p.RejectUnread();
        foreach (var (key, rate) in new[]
                 {
                     ("joint_states_rate_hz", o.JointStatesRateHz), ("imu_rate_hz", o.ImuRateHz),
                     ("odom_rate_hz", o.OdomRateHz), ("clock_rate_hz", o.ClockRateHz),
                 })
        {
            var ratio = o.PhysicsRateHz / rate;
            // DESIGN: rates must divide the physics rate so each topic is published on a fixed physics step
            // (constant period, no beat pattern); a fractional ratio is a configuration mistake, not rounded.
            if (rate > o.PhysicsRateHz || Math.Abs(ratio - Math.Round(ratio)) > 1e-9)
                throw Bad(key, $"must divide physics_rate_hz {o.PhysicsRateHz} (e.g. {o.PhysicsRateHz}, {o.PhysicsRateHz / 5}), got {rate}");
        }
        return o;
    }

    private static double NonNegative(RosNodeParameters p, string key, double fallback, Func<string, string, ConfigException> bad)
    {
        var v = p.GetDouble(key, fallback);
        return v >= 0 ? v : throw bad(key, $"must be >= 0, got {v}");
    }

    /// <summary>
    /// A layout argument as a file: an existing path (relative to the working directory or the repository root),
    /// or a shipped layout name (layouts/train/&lt;name&gt;.yaml, then layouts/heldout/&lt;name&gt;.yaml).
    /// </summary>
    /// <exception cref="ConfigException">Nothing matches; the message lists the shipped layout names.</exception>
    public static string ResolveLayoutPath(string layout)
    {
        if (string.IsNullOrWhiteSpace(layout)) throw new ConfigException("layout: expected a layout file or a shipped layout name, got an empty string");
        if (File.Exists(layout)) return Path.GetFullPath(layout);
        var fromRoot = Path.Combine(MlshPaths.Root, layout);
        if (File.Exists(fromRoot)) return fromRoot;
        if (layout.IndexOfAny(['/', '\\']) < 0)
        {
            var name = layout.EndsWith(".yaml", StringComparison.Ordinal) ? layout[..^5] : layout;
            foreach (var split in new[] { "train", "heldout" })
            {
                var candidate = Path.Combine(MlshPaths.Layouts, split, name + ".yaml");
                if (File.Exists(candidate)) return candidate;
            }
        }
        var shipped = new[] { "train", "heldout" }
            .Select(s => Path.Combine(MlshPaths.Layouts, s))
            .Where(Directory.Exists)
            .SelectMany(dir => Directory.GetFiles(dir, "*.yaml"))
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal);
        throw new ConfigException($"layout '{layout}' is neither a file nor a shipped layout; shipped layouts: {string.Join(", ", shipped)}");
    }
}
