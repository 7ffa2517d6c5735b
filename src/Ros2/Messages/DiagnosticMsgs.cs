using Mlsh.Ros2.Cdr;
using Mlsh.Ros2.Messages.StdMsgs;

namespace Mlsh.Ros2.Messages.DiagnosticMsgs;

/// <summary>diagnostic_msgs/msg/KeyValue.</summary>
public sealed class KeyValue : IRosMessage<KeyValue>
{
    public static RosMessageType MessageType { get; } = new("diagnostic_msgs/msg/KeyValue",
        RosField.Of("key", RosPrimitive.String), RosField.Of("value", RosPrimitive.String));

    public string Key { get; set; } = string.Empty;
    public string Value { get; set; } = string.Empty;

    public void Serialize(CdrWriter writer) { writer.WriteString(Key); writer.WriteString(Value); }

    public void Deserialize(CdrReader reader)
    {
        Key = reader.ReadString(Key, "diagnostic_msgs/KeyValue.key");
        Value = reader.ReadString(Value, "diagnostic_msgs/KeyValue.value");
    }
}

/// <summary>diagnostic_msgs/msg/DiagnosticStatus.</summary>
public sealed class DiagnosticStatus : IRosMessage<DiagnosticStatus>
{
    public const byte Ok = 0;
    public const byte Warn = 1;
    public const byte Error = 2;
    public const byte Stale = 3;

    public static RosMessageType MessageType { get; } = new("diagnostic_msgs/msg/DiagnosticStatus",
        RosField.Of("level", RosPrimitive.Octet),
        RosField.Of("name", RosPrimitive.String),
        RosField.Of("message", RosPrimitive.String),
        RosField.Of("hardware_id", RosPrimitive.String),
        RosField.SequenceOf("values", KeyValue.MessageType));

    public byte Level { get; set; }
    public string Name { get; set; } = string.Empty;
    public string Message { get; set; } = string.Empty;
    public string HardwareId { get; set; } = string.Empty;
    public KeyValue[] Values { get; set; } = [];

    public void Serialize(CdrWriter writer)
    {
        writer.WriteByte(Level);
        writer.WriteString(Name);
        writer.WriteString(Message);
        writer.WriteString(HardwareId);
        writer.WriteMessageSequence(Values, "diagnostic_msgs/DiagnosticStatus.values");
    }

    public void Deserialize(CdrReader reader)
    {
        Level = reader.ReadByte();
        Name = reader.ReadString(Name, "diagnostic_msgs/DiagnosticStatus.name");
        Message = reader.ReadString(Message, "diagnostic_msgs/DiagnosticStatus.message");
        HardwareId = reader.ReadString(HardwareId, "diagnostic_msgs/DiagnosticStatus.hardware_id");
        Values = reader.ReadMessageSequence(Values, 8, "diagnostic_msgs/DiagnosticStatus.values");
    }
}

/// <summary>diagnostic_msgs/msg/DiagnosticArray, published on /diagnostics.</summary>
public sealed class DiagnosticArray : IRosMessage<DiagnosticArray>
{
    public static RosMessageType MessageType { get; } = new("diagnostic_msgs/msg/DiagnosticArray",
        RosField.Of("header", Header.MessageType),
        RosField.SequenceOf("status", DiagnosticStatus.MessageType));

    public Header Header { get; set; } = new();
    public DiagnosticStatus[] Status { get; set; } = [];

    public void Serialize(CdrWriter writer)
    {
        Header.Serialize(writer);
        writer.WriteMessageSequence(Status, "diagnostic_msgs/DiagnosticArray.status");
    }

    public void Deserialize(CdrReader reader)
    {
        Header.Deserialize(reader);
        Status = reader.ReadMessageSequence(Status, 17, "diagnostic_msgs/DiagnosticArray.status");
    }
}
