using Mlsh.Ros2.Cdr;
using Mlsh.Ros2.Messages.BuiltinInterfaces;

namespace Mlsh.Ros2.Messages.RosgraphMsgs;

/// <summary>rosgraph_msgs/msg/Clock, published on /clock by a simulator when use_sim_time is true.</summary>
public sealed class Clock : IRosMessage<Clock>
{
    public static RosMessageType MessageType { get; } = new("rosgraph_msgs/msg/Clock",
        RosField.Of("clock", Time.MessageType));

    /// <summary>The .msg field `clock` (a C# member cannot share its class's name).</summary>
    public Time Time { get; set; } = new();

    public void Serialize(CdrWriter writer) => Time.Serialize(writer);

    public void Deserialize(CdrReader reader) => Time.Deserialize(reader);
}
