using Mlsh.Ros2.Cdr;

namespace Mlsh.Ros2.Messages;

/// <summary>
/// A ROS 2 message that serializes itself as XCDR1 in the field order of its .msg definition.
/// Message objects are mutable and meant to be reused: create one at start-up, fill it every control cycle.
/// </summary>
public interface IRosMessage
{
    void Serialize(CdrWriter writer);

    /// <summary>Overwrites this message from <paramref name="reader"/>, reusing strings and arrays where possible.</summary>
    void Deserialize(CdrReader reader);
}

/// <summary>A message type with its static ROS/DDS type information (used to create topics).</summary>
public interface IRosMessage<TSelf> : IRosMessage where TSelf : class, IRosMessage<TSelf>, new()
{
    static abstract RosMessageType MessageType { get; }
}
