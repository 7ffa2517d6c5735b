using Mlsh.Ros2.Cdr;
using Mlsh.Ros2.Messages.StdMsgs;

namespace Mlsh.Ros2.Messages.GeometryMsgs;

/// <summary>geometry_msgs/msg/Vector3.</summary>
public sealed class Vector3 : IRosMessage<Vector3>
{
    public static RosMessageType MessageType { get; } = new("geometry_msgs/msg/Vector3",
        RosField.Of("x", RosPrimitive.Float64), RosField.Of("y", RosPrimitive.Float64), RosField.Of("z", RosPrimitive.Float64));

    public double X { get; set; }
    public double Y { get; set; }
    public double Z { get; set; }

    public void Set(double x, double y, double z) { X = x; Y = y; Z = z; }

    public void Serialize(CdrWriter writer) { writer.WriteFloat64(X); writer.WriteFloat64(Y); writer.WriteFloat64(Z); }

    public void Deserialize(CdrReader reader) { X = reader.ReadFloat64(); Y = reader.ReadFloat64(); Z = reader.ReadFloat64(); }
}

/// <summary>geometry_msgs/msg/Point.</summary>
public sealed class Point : IRosMessage<Point>
{
    public static RosMessageType MessageType { get; } = new("geometry_msgs/msg/Point",
        RosField.Of("x", RosPrimitive.Float64), RosField.Of("y", RosPrimitive.Float64), RosField.Of("z", RosPrimitive.Float64));

    public double X { get; set; }
    public double Y { get; set; }
    public double Z { get; set; }

    public void Set(double x, double y, double z) { X = x; Y = y; Z = z; }

    public void Serialize(CdrWriter writer) { writer.WriteFloat64(X); writer.WriteFloat64(Y); writer.WriteFloat64(Z); }

    public void Deserialize(CdrReader reader) { X = reader.ReadFloat64(); Y = reader.ReadFloat64(); Z = reader.ReadFloat64(); }
}

/// <summary>geometry_msgs/msg/Quaternion in ROS order (x, y, z, w); defaults to the identity (w = 1) like the .msg.</summary>
public sealed class Quaternion : IRosMessage<Quaternion>
{
    public static RosMessageType MessageType { get; } = new("geometry_msgs/msg/Quaternion",
        RosField.Of("x", RosPrimitive.Float64), RosField.Of("y", RosPrimitive.Float64),
        RosField.Of("z", RosPrimitive.Float64), RosField.Of("w", RosPrimitive.Float64));

    public double X { get; set; }
    public double Y { get; set; }
    public double Z { get; set; }
    public double W { get; set; } = 1.0;

    public void Set(double x, double y, double z, double w) { X = x; Y = y; Z = z; W = w; }

    public void Serialize(CdrWriter writer)
    {
        writer.WriteFloat64(X); writer.WriteFloat64(Y); writer.WriteFloat64(Z); writer.WriteFloat64(W);
    }

    public void Deserialize(CdrReader reader)
    {
        X = reader.ReadFloat64(); Y = reader.ReadFloat64(); Z = reader.ReadFloat64(); W = reader.ReadFloat64();
    }
}

/// <summary>geometry_msgs/msg/Pose.</summary>
public sealed class Pose : IRosMessage<Pose>
{
    public static RosMessageType MessageType { get; } = new("geometry_msgs/msg/Pose",
        RosField.Of("position", Point.MessageType), RosField.Of("orientation", Quaternion.MessageType));

    public Point Position { get; set; } = new();
    public Quaternion Orientation { get; set; } = new();

    public void Serialize(CdrWriter writer) { Position.Serialize(writer); Orientation.Serialize(writer); }

    public void Deserialize(CdrReader reader) { Position.Deserialize(reader); Orientation.Deserialize(reader); }
}

/// <summary>geometry_msgs/msg/PoseWithCovariance: 6x6 row-major covariance over (x, y, z, rot x, rot y, rot z).</summary>
public sealed class PoseWithCovariance : IRosMessage<PoseWithCovariance>
{
    public static RosMessageType MessageType { get; } = new("geometry_msgs/msg/PoseWithCovariance",
        RosField.Of("pose", Pose.MessageType), RosField.ArrayOf("covariance", RosPrimitive.Float64, 36));

    public Pose Pose { get; set; } = new();
    public double[] Covariance { get; } = new double[36];

    public void Serialize(CdrWriter writer)
    {
        Pose.Serialize(writer);
        writer.WriteFloat64Array(Covariance, 36, "geometry_msgs/PoseWithCovariance.covariance");
    }

    public void Deserialize(CdrReader reader) { Pose.Deserialize(reader); reader.ReadFloat64Array(Covariance); }
}

/// <summary>geometry_msgs/msg/Twist.</summary>
public sealed class Twist : IRosMessage<Twist>
{
    public static RosMessageType MessageType { get; } = new("geometry_msgs/msg/Twist",
        RosField.Of("linear", Vector3.MessageType), RosField.Of("angular", Vector3.MessageType));

    public Vector3 Linear { get; set; } = new();
    public Vector3 Angular { get; set; } = new();

    public void Serialize(CdrWriter writer) { Linear.Serialize(writer); Angular.Serialize(writer); }

    public void Deserialize(CdrReader reader) { Linear.Deserialize(reader); Angular.Deserialize(reader); }
}

/// <summary>geometry_msgs/msg/TwistWithCovariance.</summary>
public sealed class TwistWithCovariance : IRosMessage<TwistWithCovariance>
{
    public static RosMessageType MessageType { get; } = new("geometry_msgs/msg/TwistWithCovariance",
        RosField.Of("twist", Twist.MessageType), RosField.ArrayOf("covariance", RosPrimitive.Float64, 36));

    public Twist Twist { get; set; } = new();
    public double[] Covariance { get; } = new double[36];

    public void Serialize(CdrWriter writer)
    {
        Twist.Serialize(writer);
        writer.WriteFloat64Array(Covariance, 36, "geometry_msgs/TwistWithCovariance.covariance");
    }

    public void Deserialize(CdrReader reader) { Twist.Deserialize(reader); reader.ReadFloat64Array(Covariance); }
}

/// <summary>geometry_msgs/msg/PoseStamped.</summary>
public sealed class PoseStamped : IRosMessage<PoseStamped>
{
    public static RosMessageType MessageType { get; } = new("geometry_msgs/msg/PoseStamped",
        RosField.Of("header", Header.MessageType), RosField.Of("pose", Pose.MessageType));

    public Header Header { get; set; } = new();
    public Pose Pose { get; set; } = new();

    public void Serialize(CdrWriter writer) { Header.Serialize(writer); Pose.Serialize(writer); }

    public void Deserialize(CdrReader reader) { Header.Deserialize(reader); Pose.Deserialize(reader); }
}
