using System.Globalization;
using Mlsh.Core.Configuration;
using Mlsh.Environments.Robots;
using Mlsh.Environments.Tasks;
using Mlsh.MuJoCo;
using Mlsh.Onnx.Export;
using Mlsh.Onnx.Manifest;

namespace Mlsh.Trainer.Export;

/// <summary>
/// Derives a bundle's deployment contract (manifest robot, observation, action and timing sections) from
/// the robot config and observation layout the policies were trained with, and proves that the graph's
/// action mapping is the environment's. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// <para><b>Control cycle.</b> The Runtime runs the joint PD law once per control cycle, so a control cycle
/// is one physics step of training: <c>control_rate_hz = 1 / physics_dt</c> (quadruped: 500 Hz). A sub-policy
/// acts every <c>policy_decimation</c> cycles (the environment's physics steps per agent step: 10, i.e.
/// 50 Hz) and the master picks a sub-policy every <c>master_period = macro_steps × policy_decimation</c>
/// cycles (quadruped: 50 × 10 = 500 cycles = 1 s), exactly the schedule of training.</para>
/// <para><b>Action mapping.</b> The environment (<see cref="JointPdLaw.ActionsToTargets"/>) computes
/// <c>q* = clamp(default + scale · clip(a, ±1), joint range)</c>; the exported graph computes
/// <c>default + scale · clip(mean, ±1)</c>. Manifest format 1 has no joint-range field, so the export is
/// only allowed when the range clamp can never bind, i.e. <c>[default − scale, default + scale]</c> lies
/// inside every joint's MJCF range (<see cref="CheckActionMapping"/>); the two mappings are then equal.
/// Velocity-mode robots (the point mass) get <c>action.kind: joint_velocity_targets</c>: the environment computes
/// <c>qd* = scale · clip(a, ±1)</c> with no range clamp, and the graph computes the same with a zero offset.</para>
/// </remarks>
public static class RobotExportContract
{
    // A target may touch the range limit; 1e-9 rad absorbs the rounding of default + scale in double.
    private const double RangeTolerance = 1e-9;

    /// <summary>The contract of a hierarchy trained on <paramref name="family"/> with masters deciding every
    /// <paramref name="macroSteps"/> agent steps.</summary>
    /// <exception cref="ConfigException">The robot's action mapping cannot be expressed by the manifest
    /// (<see cref="CheckActionMapping"/>).</exception>
    public static ExportContract For(MazeTaskFamily family, int macroSteps, string bundleName, Provenance provenance)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(provenance);
        ArgumentOutOfRangeException.ThrowIfLessThan(macroSteps, 1);
        CheckActionMapping(family);
        var robot = family.Robot;
        static List<float> PerJoint(RobotConfig r, Func<JointConfig, double> f) => r.Joints.Select(j => (float)f(j)).ToList();
        return new ExportContract
        {
            Name = bundleName,
            Robot = new RobotContract { Name = robot.Name, JointNames = robot.Joints.Select(j => j.Name).ToList() },
            Observation = new ObservationContract
            {
                Size = family.ObservationLayout.Size,
                // The ObservationBuilder writes SI quantities unscaled (normalization is inside the graph): scale 1.
                Fields = family.ObservationLayout.Segments.Where(s => s.Size > 0)
                    .Select(s => new ObservationField { Name = s.Name, Size = s.Size, Units = s.Unit, Scale = 1f }).ToList(),
            },
            Action = new ActionContract
            {
                Kind = robot.ControlMode == ControlMode.Velocity ? ActionContract.JointVelocityTargets : ActionContract.JointPositionTargets,
                Size = robot.ActionSize,
                Scale = PerJoint(robot, j => j.ActionScale),
                DefaultPose = PerJoint(robot, j => j.DefaultPosition),
                Kp = PerJoint(robot, j => j.Kp),
                Kd = PerJoint(robot, j => j.Kd),
                TorqueLimit = PerJoint(robot, j => j.TorqueLimit),
            },
            Timing = Timing(robot, macroSteps),
            Provenance = provenance,
        };
    }

    /// <summary>Control cycle = physics step (see the type's remarks).</summary>
    public static TimingContract Timing(RobotConfig robot, int macroSteps)
    {
        ArgumentNullException.ThrowIfNull(robot);
        ArgumentOutOfRangeException.ThrowIfLessThan(macroSteps, 1);
        return new TimingContract
        {
            // Rounded so that 1 / 0.002 reads 500 and compares equal to a runtime's control_rate_hz: 500.
            ControlRateHz = Math.Round(1.0 / robot.PhysicsDt, 6),
            PolicyDecimation = robot.PolicyDecimation,
            MasterPeriod = checked(macroSteps * robot.PolicyDecimation),
        };
    }

    /// <summary>
    /// Throws unless the environment's action mapping equals the graph's. Position control: kp &gt; 0 and
    /// <c>default ± action_scale</c> inside every joint's range in every task model of the family. Velocity control
    /// (<c>qd* = action_scale · a</c>, never clamped to a range, tracked through kd): kd &gt; 0.
    /// </summary>
    /// <exception cref="ConfigException">Naming the robot config, the joint and expected vs actual.</exception>
    public static void CheckActionMapping(MazeTaskFamily family)
    {
        ArgumentNullException.ThrowIfNull(family);
        var robot = family.Robot;
        var source = $"models/robots/{robot.Name}.yaml";
        if (robot.ControlMode == ControlMode.Velocity)
        {
            for (var i = 0; i < robot.Joints.Count; i++)
            {
                var j = robot.Joints[i];
                if (!(j.Kd > 0))
                    throw new ConfigException($"joints[{i}] ({j.Name}): kd {F(j.Kd)} must be > 0 for velocity targets to be tracked", source);
            }
            return;
        }
        for (var i = 0; i < robot.Joints.Count; i++)
        {
            var j = robot.Joints[i];
            if (!(j.Kp > 0))
                throw new ConfigException($"joints[{i}] ({j.Name}): kp {F(j.Kp)} must be > 0 for position targets to be tracked", source);
        }
        foreach (var task in family.Tasks) CheckRanges(robot, task.Model, source);
    }

    private static void CheckRanges(RobotConfig robot, MjModel model, string source)
    {
        var limited = model.JntLimited;
        var range = model.JntRange;
        for (var i = 0; i < robot.Joints.Count; i++)
        {
            var j = robot.Joints[i];
            if (!model.TryNameToId(MjObjectType.Joint, j.Name, out var id))
                throw new ConfigException($"joints[{i}] ({j.Name}) is not a joint of the MJCF", source);
            if (limited[id] == 0) continue;
            double lo = range[2 * id], hi = range[2 * id + 1];
            double min = j.DefaultPosition - j.ActionScale, max = j.DefaultPosition + j.ActionScale;
            if (min < lo - RangeTolerance || max > hi + RangeTolerance)
                throw new ConfigException(
                    $"joints[{i}] ({j.Name}): targets default_position ± action_scale = [{F(min)}, {F(max)}] rad leave the MJCF joint range [{F(lo)}, {F(hi)}]; " +
                    "the environment clamps targets to the range but the manifest cannot say so, so the exported graph would disagree with training. Reduce action_scale or move default_position",
                    source);
        }
    }

    private static string F(double v) => v.ToString("0.######", CultureInfo.InvariantCulture);
}
