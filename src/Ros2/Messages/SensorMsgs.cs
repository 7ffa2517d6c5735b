using Mlsh.Ros2.Cdr;
using Mlsh.Ros2.Messages.GeometryMsgs;
using Mlsh.Ros2.Messages.StdMsgs;

namespace Mlsh.Ros2.Messages.SensorMsgs;

/// <summary>
/// sensor_msgs/msg/JointState. For a fixed robot, size the arrays once (<see cref="WithJoints"/>) and overwrite
/// the values every control cycle: publishing and receiving then allocate nothing.
/// </summary>
public sealed class JointState : IRosMessage<JointState>
{
    public static RosMessageType MessageType { get; } = new("sensor_msgs/msg/JointState",
        RosField.Of("header", Header.MessageType),
        RosField.SequenceOf("name", RosPrimitive.String),
        RosField.SequenceOf("position", RosPrimitive.Float64),
        RosField.SequenceOf("velocity", RosPrimitive.Float64),
        RosField.SequenceOf("effort", RosPrimitive.Float64));

    public Header Header { get; set; } = new();
    public string[] Name { get; set; } = [];
    public double[] Position { get; set; } = [];
    public double[] Velocity { get; set; } = [];
    public double[] Effort { get; set; } = [];

    /// <summary>A message for these joints with position, velocity and effort arrays of the same length.</summary>
    public static JointState WithJoints(IReadOnlyList<string> jointNames, string frameId = "")
    {
        var n = jointNames.Count;
        return new JointState
        {
            Header = new Header { FrameId = frameId },
            Name = jointNames.ToArray(),
            Position = new double[n],
            Velocity = new double[n],
            Effort = new double[n],
        };
    }

    public void Serialize(CdrWriter writer)
    {
        Header.Serialize(writer);
        writer.WriteStringSequence(Name);
        writer.WriteFloat64Sequence(Position);
        writer.WriteFloat64Sequence(Velocity);
        writer.WriteFloat64Sequence(Effort);
    }

    public void Deserialize(CdrReader reader)
    {
        Header.Deserialize(reader);
        Name = reader.ReadStringSequence(Name, "sensor_msgs/JointState.name");
        Position = reader.ReadFloat64Sequence(Position, "sensor_msgs/JointState.position");
        Velocity = reader.ReadFloat64Sequence(Velocity, "sensor_msgs/JointState.velocity");
        Effort = reader.ReadFloat64Sequence(Effort, "sensor_msgs/JointState.effort");
    }
}

/// <summary>sensor_msgs/msg/Imu. Covariances are 3x3 row-major; element 0 = -1 means "not provided" (REP-145).</summary>
public sealed class Imu : IRosMessage<Imu>
{
    public static RosMessageType MessageType { get; } = new("sensor_msgs/msg/Imu",
        RosField.Of("header", Header.MessageType),
        RosField.Of("orientation", Quaternion.MessageType),
        RosField.ArrayOf("orientation_covariance", RosPrimitive.Float64, 9),
        RosField.Of("angular_velocity", Vector3.MessageType),
        RosField.ArrayOf("angular_velocity_covariance", RosPrimitive.Float64, 9),
        RosField.Of("linear_acceleration", Vector3.MessageType),
        RosField.ArrayOf("linear_acceleration_covariance", RosPrimitive.Float64, 9));

    public Header Header { get; set; } = new();
    public Quaternion Orientation { get; set; } = new();
    public double[] OrientationCovariance { get; } = new double[9];
    public Vector3 AngularVelocity { get; set; } = new();
    public double[] AngularVelocityCovariance { get; } = new double[9];
    public Vector3 LinearAcceleration { get; set; } = new();
    public double[] LinearAccelerationCovariance { get; } = new double[9];

    public void Serialize(CdrWriter writer)
    {
        Header.Serialize(writer);
        Orientation.Serialize(writer);
        writer.WriteFloat64Array(OrientationCovariance, 9, "sensor_msgs/Imu.orientation_covariance");
        AngularVelocity.Serialize(writer);
        writer.WriteFloat64Array(AngularVelocityCovariance, 9, "sensor_msgs/Imu.angular_velocity_covariance");
        LinearAcceleration.Serialize(writer);
        writer.WriteFloat64Array(LinearAccelerationCovariance, 9, "sensor_msgs/Imu.linear_acceleration_covariance");
    }

    public void Deserialize(CdrReader reader)
    {
        Header.Deserialize(reader);
        Orientation.Deserialize(reader);
        reader.ReadFloat64Array(OrientationCovariance);
        AngularVelocity.Deserialize(reader);
        reader.ReadFloat64Array(AngularVelocityCovariance);
        LinearAcceleration.Deserialize(reader);
        reader.ReadFloat64Array(LinearAccelerationCovariance);
    }
}
