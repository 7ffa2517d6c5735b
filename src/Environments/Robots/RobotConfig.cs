using Mlsh.Core;
using Mlsh.Core.Configuration;

namespace Mlsh.Environments.Robots;

/// <summary>How a policy action drives a joint (see <see cref="JointPdLaw"/>).</summary>
public enum ControlMode
{
    /// <summary>a ∈ [-1,1] → position target q* = default + action_scale·a clamped to the joint range; qd* = 0.</summary>
    Position,
    /// <summary>a ∈ [-1,1] → velocity target qd* = action_scale·a; the position term is unused (kp should be 0).</summary>
    Velocity,
}

/// <summary>One actuated joint as the robot's joint controller sees it.</summary>
/// <param name="Name">MJCF joint name; the MJCF motor driving it has the same index in the actuator list.</param>
/// <param name="DefaultPosition">Standing pose (rad or m); observations report positions relative to it.</param>
/// <param name="Kp">PD stiffness (N m/rad or N/m).</param>
/// <param name="Kd">PD damping (N m s/rad or N s/m).</param>
/// <param name="TorqueLimit">Symmetric torque (force) limit, equal to the MJCF motor ctrlrange.</param>
/// <param name="ActionScale">Target offset (position mode) or target velocity (velocity mode) for |a| = 1.</param>
public sealed record JointConfig(string Name, double DefaultPosition, double Kp, double Kd, double TorqueLimit, double ActionScale)
{
    /// <summary>The joint that is this one's image in the robot's left/right (sagittal-plane) mirror, or null when the
    /// robot declares no symmetry. May be the joint itself (a joint on the plane, or the point mass's slides).</summary>
    public string? Mirror { get; init; }
    /// <summary>+1 or −1: the mirror image of this joint at angle q is <see cref="Mirror"/> at <c>MirrorSign·q</c>
    /// (a hinge about an axis in the plane, such as a hip yaw, flips; a hinge about the lateral axis does not).</summary>
    public int MirrorSign { get; init; } = 1;
}

/// <summary>Names of the MJCF sensors that play each role of the real robot's state estimate.</summary>
public sealed record RobotSensorNames(string Orientation, string AngularVelocity, string LinearAcceleration, string Position, string LinearVelocity);

/// <summary>
/// A validated robot description: the MJCF file, the joint controller gains and limits, the timing
/// (physics rate, policy decimation), fall criteria and reset noise. Immutable; share freely.
/// </summary>
/// <remarks>Loaded from models/robots/&lt;name&gt;.yaml with <see cref="StrictYaml"/>: an unknown key, a
/// missing key or an out-of-range value is a <see cref="ConfigException"/> naming the file and field.</remarks>
public sealed class RobotConfig
{
    public required string Name { get; init; }
    /// <summary>Absolute path of the robot's MJCF.</summary>
    public required string MjcfPath { get; init; }
    public required string BaseBody { get; init; }
    /// <summary>Physics (and PD law) period, seconds.</summary>
    public required double PhysicsDt { get; init; }
    /// <summary>Physics steps per policy step.</summary>
    public required int PolicyDecimation { get; init; }
    public required ControlMode ControlMode { get; init; }
    /// <summary>Whether joint positions/velocities are part of the observation.</summary>
    public required bool ObserveJoints { get; init; }
    /// <summary>Base height at reset (m) when the base has a free joint.</summary>
    public required double SpawnHeight { get; init; }
    public required RobotSensorNames Sensors { get; init; }
    /// <summary>Torso centre below this height is a fall (m); negative infinity disables it.</summary>
    public required double FallMinBaseHeight { get; init; }
    /// <summary>Torso tilt beyond this angle from vertical is a fall (rad); +∞ disables it.</summary>
    public required double FallMaxTilt { get; init; }
    public required double ResetJointNoise { get; init; }
    public required double ResetBasePositionNoise { get; init; }
    public required double ResetBaseYawNoise { get; init; }
    public required IReadOnlyList<JointConfig> Joints { get; init; }

    /// <summary>True when every joint names its mirror image (see <see cref="JointConfig.Mirror"/>): the robot is
    /// left/right symmetric, so a skill can be mirrored (<see cref="Observations.SagittalMirror"/>).</summary>
    public bool HasSagittalSymmetry => Joints.All(j => j.Mirror is not null);

    public double PolicyDt => PhysicsDt * PolicyDecimation;
    public int ActionSize => Joints.Count;

    /// <summary>The shipped robots: models/robots/&lt;name&gt;.yaml.</summary>
    public static RobotConfig LoadShipped(string name)
    {
        if (name.IndexOfAny(['/', '\\', '.']) >= 0) throw new ConfigException($"robot name '{name}' must be a bare name such as quadruped or pointmass");
        var path = Path.Combine(MlshPaths.Models, "robots", name + ".yaml");
        if (!File.Exists(path))
        {
            var known = Directory.Exists(Path.GetDirectoryName(path))
                ? string.Join(", ", Directory.GetFiles(Path.GetDirectoryName(path)!, "*.yaml").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal))
                : "none";
            throw new ConfigException($"unknown robot '{name}'; shipped robots: {known}", path);
        }
        return Load(path);
    }

    public static RobotConfig Load(string path)
    {
        var file = StrictYaml.LoadFile<RobotConfigFile>(path);
        return FromFile(file, path);
    }

    public static RobotConfig Parse(string yaml, string sourcePath)
    {
        var file = StrictYaml.Parse<RobotConfigFile>(yaml, sourcePath);
        return FromFile(file, sourcePath);
    }

    private static RobotConfig FromFile(RobotConfigFile f, string path)
    {
        string Req(string? v, string key) => string.IsNullOrWhiteSpace(v) ? throw new ConfigException($"missing key '{key}'", path) : v;
        double Positive(double? v, string key) => v is null ? throw new ConfigException($"missing key '{key}'", path)
            : double.IsFinite(v.Value) && v.Value > 0 ? v.Value : throw new ConfigException($"'{key}' must be a positive number, got {v.Value}", path);
        double NonNeg(double? v, string key, double fallback) => v is null ? fallback
            : double.IsFinite(v.Value) && v.Value >= 0 ? v.Value : throw new ConfigException($"'{key}' must be a number >= 0, got {v.Value}", path);

        var name = Req(f.Name, "name");
        var mjcf = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, Req(f.Mjcf, "mjcf")));
        if (!File.Exists(mjcf)) throw new ConfigException($"'mjcf' names {f.Mjcf}, which does not exist next to the config", path);
        var dt = Positive(f.PhysicsDt, "physics_dt");
        var decimation = f.PolicyDecimation ?? throw new ConfigException("missing key 'policy_decimation'", path);
        if (decimation < 1) throw new ConfigException($"'policy_decimation' must be >= 1, got {decimation}", path);
        var mode = Req(f.ControlMode, "control_mode") switch
        {
            "position" => ControlMode.Position,
            "velocity" => ControlMode.Velocity,
            var other => throw new ConfigException($"'control_mode' must be position or velocity, got '{other}'", path),
        };
        var s = f.Sensors ?? throw new ConfigException("missing key 'sensors'", path);
        var sensors = new RobotSensorNames(
            Req(s.Orientation, "sensors.orientation"), Req(s.AngularVelocity, "sensors.angular_velocity"),
            Req(s.LinearAcceleration, "sensors.linear_acceleration"), Req(s.Position, "sensors.position"),
            Req(s.LinearVelocity, "sensors.linear_velocity"));
        if (f.Joints is null || f.Joints.Count == 0) throw new ConfigException("missing key 'joints' (a list of at least one joint)", path);
        var joints = new List<JointConfig>(f.Joints.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < f.Joints.Count; i++)
        {
            var j = f.Joints[i];
            var where = $"joints[{i}]";
            var jn = Req(j.Name, where + ".name");
            if (!seen.Add(jn)) throw new ConfigException($"{where}: joint '{jn}' is listed twice", path);
            where = $"joints[{i}] ({jn})";
            double Field(double? v, string key, bool positive)
            {
                if (v is null) throw new ConfigException($"{where}: missing key '{key}'", path);
                var ok = double.IsFinite(v.Value) && (positive ? v.Value > 0 : v.Value >= 0);
                return ok ? v.Value : throw new ConfigException($"{where}: '{key}' must be {(positive ? "> 0" : ">= 0")}, got {v.Value}", path);
            }
            var def = j.DefaultPosition ?? throw new ConfigException($"{where}: missing key 'default_position'", path);
            if (!double.IsFinite(def)) throw new ConfigException($"{where}: 'default_position' must be finite", path);
            if (j.MirrorSign is { } ms && ms is not (1 or -1))
                throw new ConfigException($"{where}: 'mirror_sign' must be 1 or -1, got {ms}", path);
            if (j.MirrorSign is not null && j.Mirror is null)
                throw new ConfigException($"{where}: 'mirror_sign' without 'mirror' (name the joint that is this one's left/right image)", path);
            joints.Add(new JointConfig(jn, def, Field(j.Kp, "kp", false), Field(j.Kd, "kd", false),
                Field(j.TorqueLimit, "torque_limit", true), Field(j.ActionScale, "action_scale", true))
            { Mirror = j.Mirror, MirrorSign = j.MirrorSign ?? 1 });
        }
        CheckMirror(joints, path);
        var minHeight = f.Fall?.MinBaseHeight ?? double.NegativeInfinity;
        var maxTilt = f.Fall?.MaxTilt ?? double.PositiveInfinity;
        if (f.Fall?.MaxTilt is { } t && !(t > 0 && t <= Math.PI)) throw new ConfigException($"'fall.max_tilt' must be in (0, pi] rad, got {t}", path);
        return new RobotConfig
        {
            Name = name,
            MjcfPath = mjcf,
            BaseBody = Req(f.BaseBody, "base_body"),
            PhysicsDt = dt,
            PolicyDecimation = decimation,
            ControlMode = mode,
            ObserveJoints = f.ObserveJoints ?? true,
            SpawnHeight = f.SpawnHeight ?? 0,
            Sensors = sensors,
            FallMinBaseHeight = minHeight,
            FallMaxTilt = maxTilt,
            ResetJointNoise = NonNeg(f.ResetNoise?.JointPosition, "reset_noise.joint_position", 0),
            ResetBasePositionNoise = NonNeg(f.ResetNoise?.BasePosition, "reset_noise.base_position", 0),
            ResetBaseYawNoise = NonNeg(f.ResetNoise?.BaseYaw, "reset_noise.base_yaw", 0),
            Joints = joints,
        };
    }

    // A mirror map is only usable when it is an involution that maps the controller onto itself: image of the
    // image is the joint, with the same sign, and the image has the same gains and (mirrored) standing pose, so
    // that a mirrored action is the same torque law on the other side.
    private static void CheckMirror(List<JointConfig> joints, string path)
    {
        var declared = joints.Count(j => j.Mirror is not null);
        if (declared == 0) return;
        if (declared != joints.Count)
            throw new ConfigException($"joints: 'mirror' is given for {declared} of {joints.Count} joints; give it for every joint (or none): {string.Join(", ", joints.Where(j => j.Mirror is null).Select(j => j.Name))} lack it", path);
        var byName = joints.ToDictionary(j => j.Name, StringComparer.Ordinal);
        foreach (var j in joints)
        {
            if (!byName.TryGetValue(j.Mirror!, out var image))
                throw new ConfigException($"joint '{j.Name}': 'mirror' names '{j.Mirror}', which is not a joint of this robot; joints: {string.Join(", ", byName.Keys)}", path);
            if (image.Mirror != j.Name || image.MirrorSign != j.MirrorSign)
                throw new ConfigException($"joint '{j.Name}' mirrors to '{image.Name}' with sign {j.MirrorSign}, but '{image.Name}' mirrors to '{image.Mirror}' with sign {image.MirrorSign}; a mirror pair must name each other with the same sign", path);
            if (Math.Abs(image.DefaultPosition - j.MirrorSign * j.DefaultPosition) > 1e-9)
                throw new ConfigException($"joints '{j.Name}' and '{image.Name}': default_position {j.DefaultPosition} and {image.DefaultPosition} are not mirror images under sign {j.MirrorSign}", path);
            if (image.Kp != j.Kp || image.Kd != j.Kd || image.TorqueLimit != j.TorqueLimit || image.ActionScale != j.ActionScale)
                throw new ConfigException($"joints '{j.Name}' and '{image.Name}' are mirror images but differ in kp, kd, torque_limit or action_scale", path);
        }
    }
}

// YAML shape of models/robots/*.yaml (snake_case keys via StrictYaml). Nullable so a missing key is
// reported by name instead of silently becoming 0.
internal sealed class RobotConfigFile
{
    public string? Name { get; set; }
    public string? Mjcf { get; set; }
    public string? BaseBody { get; set; }
    public double? PhysicsDt { get; set; }
    public int? PolicyDecimation { get; set; }
    public string? ControlMode { get; set; }
    public bool? ObserveJoints { get; set; }
    public double? SpawnHeight { get; set; }
    public SensorsFile? Sensors { get; set; }
    public FallFile? Fall { get; set; }
    public ResetNoiseFile? ResetNoise { get; set; }
    public List<JointFile>? Joints { get; set; }

    internal sealed class SensorsFile
    {
        public string? Orientation { get; set; }
        public string? AngularVelocity { get; set; }
        public string? LinearAcceleration { get; set; }
        public string? Position { get; set; }
        public string? LinearVelocity { get; set; }
    }

    internal sealed class FallFile
    {
        public double? MinBaseHeight { get; set; }
        public double? MaxTilt { get; set; }
    }

    internal sealed class ResetNoiseFile
    {
        public double? JointPosition { get; set; }
        public double? BasePosition { get; set; }
        public double? BaseYaw { get; set; }
    }

    internal sealed class JointFile
    {
        public string? Name { get; set; }
        public double? DefaultPosition { get; set; }
        public double? Kp { get; set; }
        public double? Kd { get; set; }
        public double? TorqueLimit { get; set; }
        public double? ActionScale { get; set; }
        public string? Mirror { get; set; }
        public int? MirrorSign { get; set; }
    }
}
