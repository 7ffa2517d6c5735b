using Mlsh.Core.Launch;
using Mlsh.Runtime.Configuration;

namespace Mlsh.Runtime.Tests.TestSupport;

/// <summary>Writes a runtime parameter file (the shipped keys, with overrides) and loads it the way `mlsh run` does.</summary>
public static class TestParameters
{
    public static Dictionary<string, string> Defaults(string modelsDir) => new()
    {
        ["models_dir"] = modelsDir,
        ["robot"] = "quadruped",
        ["control_rate_hz"] = "500.0",
        ["use_sim_time"] = "false",
        ["joint_names"] = "[fl_hip, fl_knee, fr_hip, fr_knee, bl_hip, bl_knee, br_hip, br_knee]",
        ["joint_position_lower"] = "[-0.7, 0.2, -0.7, 0.2, -0.7, 0.2, -0.7, 0.2]",
        ["joint_position_upper"] = "[0.7, 1.6, 0.7, 1.6, 0.7, 1.6, 0.7, 1.6]",
        ["joint_states_timeout_cycles"] = "5",
        ["imu_timeout_cycles"] = "5",
        ["odom_timeout_cycles"] = "20",
        ["recovery_cycles"] = "1",
        ["max_effort_nm"] = "15.0",
        ["max_joint_velocity_rad_s"] = "15.0",
        ["max_roll_rad"] = "0.6",
        ["max_pitch_rad"] = "0.6",
        ["safe_mode_kp"] = "20.0",
        ["safe_mode_kd"] = "1.0",
        ["mqtt_host"] = "\"\"",
    };

    public static string Write(string dir, IDictionary<string, string> values, string node = RuntimeParameters.NodeName)
    {
        var path = Path.Combine(dir, $"params-{Guid.NewGuid():N}.yaml");
        var lines = new List<string> { $"{node}:", "  ros__parameters:" };
        lines.AddRange(values.Select(kv => $"    {kv.Key}: {kv.Value}"));
        File.WriteAllLines(path, lines);
        return path;
    }

    public static RuntimeParameters Load(string dir, Action<Dictionary<string, string>>? edit = null, string? modelsDir = null)
    {
        var values = Defaults(modelsDir ?? dir);
        edit?.Invoke(values);
        var file = Write(dir, values);
        return RuntimeParameters.FromRos(RosNodeParameters.Load(RuntimeParameters.NodeName, [file]));
    }
}
