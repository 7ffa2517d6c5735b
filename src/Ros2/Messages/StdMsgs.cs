using Mlsh.Ros2.Cdr;
using Mlsh.Ros2.Messages.BuiltinInterfaces;

namespace Mlsh.Ros2.Messages.StdMsgs;

/// <summary>std_msgs/msg/Header: acquisition time and coordinate frame of the data.</summary>
public sealed class Header : IRosMessage<Header>
{
    public static RosMessageType MessageType { get; } = new("std_msgs/msg/Header",
        RosField.Of("stamp", Time.MessageType),
        RosField.Of("frame_id", RosPrimitive.String));

    public Time Stamp { get; set; } = new();
    public string FrameId { get; set; } = string.Empty;

    public void Serialize(CdrWriter writer)
    {
        Stamp.Serialize(writer);
        writer.WriteString(FrameId);
    }

    public void Deserialize(CdrReader reader)
    {
        Stamp.Deserialize(reader);
        FrameId = reader.ReadString(FrameId, "std_msgs/Header.frame_id");
    }
}

/// <summary>std_msgs/msg/String. Named StringMsg so it never shadows System.String.</summary>
public sealed class StringMsg : IRosMessage<StringMsg>
{
    public static RosMessageType MessageType { get; } = new("std_msgs/msg/String",
        RosField.Of("data", RosPrimitive.String));

    public string Data { get; set; } = string.Empty;

    public void Serialize(CdrWriter writer) => writer.WriteString(Data);

    public void Deserialize(CdrReader reader) => Data = reader.ReadString(Data, "std_msgs/String.data");
}

/// <summary>std_msgs/msg/MultiArrayDimension.</summary>
public sealed class MultiArrayDimension : IRosMessage<MultiArrayDimension>
{
    public static RosMessageType MessageType { get; } = new("std_msgs/msg/MultiArrayDimension",
        RosField.Of("label", RosPrimitive.String),
        RosField.Of("size", RosPrimitive.UInt32),
        RosField.Of("stride", RosPrimitive.UInt32));

    public string Label { get; set; } = string.Empty;
    public uint Size { get; set; }
    public uint Stride { get; set; }

    public void Serialize(CdrWriter writer)
    {
        writer.WriteString(Label);
        writer.WriteUInt32(Size);
        writer.WriteUInt32(Stride);
    }

    public void Deserialize(CdrReader reader)
    {
        Label = reader.ReadString(Label, "std_msgs/MultiArrayDimension.label");
        Size = reader.ReadUInt32();
        Stride = reader.ReadUInt32();
    }
}

/// <summary>std_msgs/msg/MultiArrayLayout.</summary>
public sealed class MultiArrayLayout : IRosMessage<MultiArrayLayout>
{
    public static RosMessageType MessageType { get; } = new("std_msgs/msg/MultiArrayLayout",
        RosField.SequenceOf("dim", MultiArrayDimension.MessageType),
        RosField.Of("data_offset", RosPrimitive.UInt32));

    public MultiArrayDimension[] Dim { get; set; } = [];
    public uint DataOffset { get; set; }

    public void Serialize(CdrWriter writer)
    {
        writer.WriteMessageSequence(Dim, "std_msgs/MultiArrayLayout.dim");
        writer.WriteUInt32(DataOffset);
    }

    public void Deserialize(CdrReader reader)
    {
        Dim = reader.ReadMessageSequence(Dim, 12, "std_msgs/MultiArrayLayout.dim");
        DataOffset = reader.ReadUInt32();
    }
}

/// <summary>
/// std_msgs/msg/Float64MultiArray: the command type of ros2_control's forward command controllers
/// (/effort_controller/commands, /position_controller/commands).
/// </summary>
public sealed class Float64MultiArray : IRosMessage<Float64MultiArray>
{
    public static RosMessageType MessageType { get; } = new("std_msgs/msg/Float64MultiArray",
        RosField.Of("layout", MultiArrayLayout.MessageType),
        RosField.SequenceOf("data", RosPrimitive.Float64));

    public MultiArrayLayout Layout { get; set; } = new();

    /// <summary>Reused on receive while the length is unchanged.</summary>
    public double[] Data { get; set; } = [];

    public void Serialize(CdrWriter writer)
    {
        Layout.Serialize(writer);
        writer.WriteFloat64Sequence(Data);
    }

    public void Deserialize(CdrReader reader)
    {
        Layout.Deserialize(reader);
        Data = reader.ReadFloat64Sequence(Data, "std_msgs/Float64MultiArray.data");
    }
}
