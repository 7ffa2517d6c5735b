namespace Mlsh.Ros2.Messages;

/// <summary>The primitive element types of ROS 2 interface definitions that Mlsh's messages use.</summary>
public enum RosPrimitive
{
    Bool,
    Octet,
    UInt8,
    Int8,
    Int16,
    UInt16,
    Int32,
    UInt32,
    Int64,
    UInt64,
    Float32,
    Float64,
    String,
}

/// <summary>How a field repeats: once, as a fixed array T[N], or as an unbounded sequence T[].</summary>
public enum RosFieldShape
{
    Single,
    Array,
    Sequence,
}

/// <summary>
/// One field of a message definition, in declaration order. Exactly one of <see cref="Primitive"/> and
/// <see cref="Message"/> describes the element type.
/// </summary>
public sealed record RosField(string Name, RosPrimitive? Primitive, RosMessageType? Message, RosFieldShape Shape, int ArrayLength, int StringBound)
{
    public static RosField Of(string name, RosPrimitive primitive) => new(name, primitive, null, RosFieldShape.Single, 0, 0);
    public static RosField BoundedString(string name, int bound) => new(name, RosPrimitive.String, null, RosFieldShape.Single, 0, bound);
    public static RosField Of(string name, RosMessageType message) => new(name, null, message, RosFieldShape.Single, 0, 0);
    public static RosField SequenceOf(string name, RosPrimitive primitive) => new(name, primitive, null, RosFieldShape.Sequence, 0, 0);
    public static RosField SequenceOf(string name, RosMessageType message) => new(name, null, message, RosFieldShape.Sequence, 0, 0);
    public static RosField ArrayOf(string name, RosPrimitive primitive, int length) => new(name, primitive, null, RosFieldShape.Array, length, 0);
}

/// <summary>
/// Static description of a ROS 2 message type: its ROS name (<c>sensor_msgs/msg/JointState</c>), the DDS type
/// name rmw uses on the wire (<c>sensor_msgs::msg::dds_::JointState_</c>) and its fields in order. Topic type
/// descriptors for Cyclone are generated from it (<see cref="Interop.TopicDescriptorBuilder"/>).
/// Immutable; one instance per message class.
/// </summary>
public sealed class RosMessageType
{
    public RosMessageType(string rosName, params RosField[] fields)
    {
        var parts = rosName.Split('/');
        if (parts.Length != 3 || parts[1] != "msg" || parts[0].Length == 0 || parts[2].Length == 0)
            throw new ArgumentException($"ROS message type name '{rosName}': expected '<package>/msg/<Type>'", nameof(rosName));
        RosName = rosName;
        Package = parts[0];
        Name = parts[2];
        DdsTypeName = $"{parts[0]}::msg::dds_::{parts[2]}_";
        Fields = fields;
    }

    public string RosName { get; }
    public string Package { get; }
    public string Name { get; }
    public string DdsTypeName { get; }
    public IReadOnlyList<RosField> Fields { get; }

    public override string ToString() => RosName;

    /// <summary>Converts a DDS type name (<c>pkg::msg::dds_::Type_</c>) to the ROS spelling, or returns it unchanged.</summary>
    public static string RosNameFromDds(string ddsTypeName)
    {
        var parts = ddsTypeName.Split("::");
        if (parts.Length == 4 && parts[2] == "dds_" && parts[3].EndsWith('_'))
            return $"{parts[0]}/{parts[1]}/{parts[3][..^1]}";
        return ddsTypeName;
    }
}
