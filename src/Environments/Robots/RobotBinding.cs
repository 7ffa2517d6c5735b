using Mlsh.Core.Configuration;
using Mlsh.MuJoCo;

namespace Mlsh.Environments.Robots;

/// <summary>
/// Where a <see cref="RobotConfig"/>'s joints, motors and sensors live inside one compiled MjModel
/// (qpos/qvel addresses, actuator ids, sensordata offsets, joint ranges), resolved and checked once at
/// load so the control cycle only indexes arrays. Immutable; valid for that model only.
/// </summary>
internal sealed class RobotBinding
{
    private const int JointFree = 0, JointSlide = 2, JointHinge = 3;

    public RobotConfig Robot { get; }
    public int[] JointQposAdr { get; }
    public int[] JointDofAdr { get; }
    public int[] ActuatorId { get; }
    public double[] RangeLow { get; }
    public double[] RangeHigh { get; }
    public double[] DefaultPosition { get; }
    public double[] ActionScale { get; }
    public double[] Kp { get; }
    public double[] Kd { get; }
    public double[] TorqueLimit { get; }
    /// <summary>qpos address of the base free joint (x y z qw qx qy qz), or −1 when the base is placed by its joints.</summary>
    public int BaseFreeQposAdr { get; }
    public int OrientationAdr { get; }
    public int AngularVelocityAdr { get; }
    public int LinearAccelerationAdr { get; }
    public int PositionAdr { get; }
    public int LinearVelocityAdr { get; }

    public RobotBinding(RobotConfig robot, MjModel model)
    {
        Robot = robot;
        var src = robot.MjcfPath;
        var n = robot.Joints.Count;
        JointQposAdr = new int[n];
        JointDofAdr = new int[n];
        ActuatorId = new int[n];
        RangeLow = new double[n];
        RangeHigh = new double[n];
        DefaultPosition = robot.Joints.Select(j => j.DefaultPosition).ToArray();
        ActionScale = robot.Joints.Select(j => j.ActionScale).ToArray();
        Kp = robot.Joints.Select(j => j.Kp).ToArray();
        Kd = robot.Joints.Select(j => j.Kd).ToArray();
        TorqueLimit = robot.Joints.Select(j => j.TorqueLimit).ToArray();

        if (model.Nu != n)
            throw new ConfigException($"the MJCF has {model.Nu} actuators but the robot config lists {n} joints; each joint needs exactly one motor, in the same order", src);
        for (var i = 0; i < n; i++)
        {
            var jc = robot.Joints[i];
            if (!model.TryNameToId(MjObjectType.Joint, jc.Name, out var jid))
                throw new ConfigException($"joint '{jc.Name}' of the robot config is not in the MJCF; MJCF joints: {string.Join(", ", model.Names(MjObjectType.Joint))}", src);
            var type = model.JntType[jid];
            if (type is not (JointHinge or JointSlide))
                throw new ConfigException($"joint '{jc.Name}' must be a hinge or slide joint to be PD-controlled", src);
            JointQposAdr[i] = model.JntQposAdr[jid];
            JointDofAdr[i] = model.JntDofAdr[jid];
            if (model.JntLimited[jid] != 0)
            {
                RangeLow[i] = model.JntRange[2 * jid];
                RangeHigh[i] = model.JntRange[2 * jid + 1];
                if (jc.DefaultPosition < RangeLow[i] || jc.DefaultPosition > RangeHigh[i])
                    throw new ConfigException($"joint '{jc.Name}': default_position {jc.DefaultPosition} is outside the MJCF range [{RangeLow[i]}, {RangeHigh[i]}]", robot.MjcfPath);
            }
            else
            {
                RangeLow[i] = double.NegativeInfinity;
                RangeHigh[i] = double.PositiveInfinity;
            }
            // DESIGN: actuator i must drive joint i with gear 1 and ctrlrange = ±torque_limit, so the
            // torque the PD law computes is the torque applied; a mismatch would silently rescale the gains.
            if (model.ActuatorTrnId[2 * i] != jid)
                throw new ConfigException($"actuator {i} ('{model.IdToName(MjObjectType.Actuator, i)}') must drive joint '{jc.Name}' (actuators follow the config's joint order)", src);
            if (Math.Abs(model.ActuatorGear[6 * i] - 1) > 1e-12)
                throw new ConfigException($"actuator for '{jc.Name}' must be a motor with gear 1, found gear {model.ActuatorGear[6 * i]}", src);
            var lo = model.ActuatorCtrlRange[2 * i];
            var hi = model.ActuatorCtrlRange[2 * i + 1];
            if (model.ActuatorCtrlLimited[i] == 0 || Math.Abs(lo + jc.TorqueLimit) > 1e-9 || Math.Abs(hi - jc.TorqueLimit) > 1e-9)
                throw new ConfigException($"actuator for '{jc.Name}': MJCF ctrlrange [{lo}, {hi}] must equal ±torque_limit {jc.TorqueLimit} from the robot config", src);
            ActuatorId[i] = i;
        }

        if (!model.TryNameToId(MjObjectType.Body, robot.BaseBody, out var baseId))
            throw new ConfigException($"base_body '{robot.BaseBody}' is not a body of the MJCF", src);
        BaseFreeQposAdr = -1;
        for (var j = 0; j < model.NJnt; j++)
            if (model.JntBodyId[j] == baseId && model.JntType[j] == JointFree) BaseFreeQposAdr = model.JntQposAdr[j];
        if (BaseFreeQposAdr < 0 && (robot.ResetBasePositionNoise > 0 || robot.ResetBaseYawNoise > 0))
            throw new ConfigException("reset_noise.base_position/base_yaw need a free joint on the base body; this robot is placed by its joints (use reset_noise.joint_position)", src);

        int Sensor(string name, int dim, string role)
        {
            if (!model.TryNameToId(MjObjectType.Sensor, name, out var sid))
                throw new ConfigException($"sensors.{role}: sensor '{name}' is not in the MJCF; MJCF sensors: {string.Join(", ", model.Names(MjObjectType.Sensor))}", src);
            if (model.SensorDim[sid] != dim)
                throw new ConfigException($"sensors.{role}: sensor '{name}' has {model.SensorDim[sid]} values, expected {dim}", src);
            return model.SensorAdr[sid];
        }
        OrientationAdr = Sensor(robot.Sensors.Orientation, 4, "orientation");
        AngularVelocityAdr = Sensor(robot.Sensors.AngularVelocity, 3, "angular_velocity");
        LinearAccelerationAdr = Sensor(robot.Sensors.LinearAcceleration, 3, "linear_acceleration");
        PositionAdr = Sensor(robot.Sensors.Position, 3, "position");
        LinearVelocityAdr = Sensor(robot.Sensors.LinearVelocity, 3, "linear_velocity");
    }
}
