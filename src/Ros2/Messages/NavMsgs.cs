using Mlsh.Ros2.Cdr;
using Mlsh.Ros2.Messages.GeometryMsgs;
using Mlsh.Ros2.Messages.StdMsgs;

namespace Mlsh.Ros2.Messages.NavMsgs;

/// <summary>nav_msgs/msg/Odometry: pose in header.frame_id, twist in child_frame_id (REP-105).</summary>
public sealed class Odometry : IRosMessage<Odometry>
{
    public static RosMessageType MessageType { get; } = new("nav_msgs/msg/Odometry",
        RosField.Of("header", Header.MessageType),
        RosField.Of("child_frame_id", RosPrimitive.String),
        RosField.Of("pose", PoseWithCovariance.MessageType),
        RosField.Of("twist", TwistWithCovariance.MessageType));

    public Header Header { get; set; } = new();
    public string ChildFrameId { get; set; } = string.Empty;
    public PoseWithCovariance Pose { get; set; } = new();
    public TwistWithCovariance Twist { get; set; } = new();

    public void Serialize(CdrWriter writer)
    {
        Header.Serialize(writer);
        writer.WriteString(ChildFrameId);
        Pose.Serialize(writer);
        Twist.Serialize(writer);
    }

    public void Deserialize(CdrReader reader)
    {
        Header.Deserialize(reader);
        ChildFrameId = reader.ReadString(ChildFrameId, "nav_msgs/Odometry.child_frame_id");
        Pose.Deserialize(reader);
        Twist.Deserialize(reader);
    }
}
