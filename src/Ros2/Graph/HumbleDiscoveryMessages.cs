using Mlsh.Ros2.Cdr;
using Mlsh.Ros2.Messages;

namespace Mlsh.Ros2.Graph;

// Humble's rmw_dds_common messages (ros2/rmw_dds_common, branch humble, msg/*.msg): the same ROS and DDS type names
// and fields as Mlsh.Ros2.Messages.RmwDdsCommon, but Gid is char[24] (rosidl maps char to uint8). Used only for
// ros_discovery_info when RosNode.Distro is Humble; not in MessageRegistry, whose names must stay unique.

/// <summary>rmw_dds_common/msg/Gid as of Humble: uint8[24], the 16-byte DDS GUID followed by 8 zero bytes.</summary>
public sealed class HumbleGid : IRosMessage<HumbleGid>
{
    public const int Size = 24;

    public static RosMessageType MessageType { get; } = new("rmw_dds_common/msg/Gid",
        RosField.ArrayOf("data", RosPrimitive.UInt8, Size));

    public byte[] Data { get; } = new byte[Size];

    public void Serialize(CdrWriter writer) => writer.WriteByteArray(Data, Size, "rmw_dds_common/Gid.data");

    public void Deserialize(CdrReader reader) => reader.ReadByteArray(Data);

    public override string ToString() => Convert.ToHexString(Data);
}

/// <summary>rmw_dds_common/msg/NodeEntitiesInfo as of Humble (24-byte GIDs).</summary>
public sealed class HumbleNodeEntitiesInfo : IRosMessage<HumbleNodeEntitiesInfo>
{
    public const int NameBound = 256;

    public static RosMessageType MessageType { get; } = new("rmw_dds_common/msg/NodeEntitiesInfo",
        RosField.BoundedString("node_namespace", NameBound),
        RosField.BoundedString("node_name", NameBound),
        RosField.SequenceOf("reader_gid_seq", HumbleGid.MessageType),
        RosField.SequenceOf("writer_gid_seq", HumbleGid.MessageType));

    public string NodeNamespace { get; set; } = "/";
    public string NodeName { get; set; } = string.Empty;
    public HumbleGid[] ReaderGidSeq { get; set; } = [];
    public HumbleGid[] WriterGidSeq { get; set; } = [];

    public void Serialize(CdrWriter writer)
    {
        writer.WriteBoundedString(NodeNamespace, NameBound, "rmw_dds_common/NodeEntitiesInfo.node_namespace");
        writer.WriteBoundedString(NodeName, NameBound, "rmw_dds_common/NodeEntitiesInfo.node_name");
        writer.WriteMessageSequence(ReaderGidSeq, "rmw_dds_common/NodeEntitiesInfo.reader_gid_seq");
        writer.WriteMessageSequence(WriterGidSeq, "rmw_dds_common/NodeEntitiesInfo.writer_gid_seq");
    }

    public void Deserialize(CdrReader reader)
    {
        NodeNamespace = reader.ReadString(NodeNamespace, "rmw_dds_common/NodeEntitiesInfo.node_namespace");
        NodeName = reader.ReadString(NodeName, "rmw_dds_common/NodeEntitiesInfo.node_name");
        ReaderGidSeq = reader.ReadMessageSequence(ReaderGidSeq, HumbleGid.Size, "rmw_dds_common/NodeEntitiesInfo.reader_gid_seq");
        WriterGidSeq = reader.ReadMessageSequence(WriterGidSeq, HumbleGid.Size, "rmw_dds_common/NodeEntitiesInfo.writer_gid_seq");
    }
}

/// <summary>rmw_dds_common/msg/ParticipantEntitiesInfo as of Humble (24-byte GIDs), on `ros_discovery_info`.</summary>
public sealed class HumbleParticipantEntitiesInfo : IRosMessage<HumbleParticipantEntitiesInfo>
{
    public static RosMessageType MessageType { get; } = new("rmw_dds_common/msg/ParticipantEntitiesInfo",
        RosField.Of("gid", HumbleGid.MessageType),
        RosField.SequenceOf("node_entities_info_seq", HumbleNodeEntitiesInfo.MessageType));

    public HumbleGid Gid { get; set; } = new();
    public HumbleNodeEntitiesInfo[] NodeEntitiesInfoSeq { get; set; } = [];

    public void Serialize(CdrWriter writer)
    {
        Gid.Serialize(writer);
        writer.WriteMessageSequence(NodeEntitiesInfoSeq, "rmw_dds_common/ParticipantEntitiesInfo.node_entities_info_seq");
    }

    public void Deserialize(CdrReader reader)
    {
        Gid.Deserialize(reader);
        NodeEntitiesInfoSeq = reader.ReadMessageSequence(NodeEntitiesInfoSeq, 16, "rmw_dds_common/ParticipantEntitiesInfo.node_entities_info_seq");
    }
}
