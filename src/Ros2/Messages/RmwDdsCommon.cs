using Mlsh.Ros2.Cdr;

namespace Mlsh.Ros2.Messages.RmwDdsCommon;

/// <summary>
/// rmw_dds_common/msg/Gid as of Iron and Jazzy: uint8[16], the DDS GUID of an entity (Humble used 24 bytes).
/// </summary>
public sealed class Gid : IRosMessage<Gid>
{
    public const int Size = 16;

    public static RosMessageType MessageType { get; } = new("rmw_dds_common/msg/Gid",
        RosField.ArrayOf("data", RosPrimitive.UInt8, Size));

    public byte[] Data { get; } = new byte[Size];

    public void Serialize(CdrWriter writer) => writer.WriteByteArray(Data, Size, "rmw_dds_common/Gid.data");

    public void Deserialize(CdrReader reader) => reader.ReadByteArray(Data);

    public override string ToString() => Convert.ToHexString(Data);
}

/// <summary>rmw_dds_common/msg/NodeEntitiesInfo: one node and the GIDs of its readers and writers.</summary>
public sealed class NodeEntitiesInfo : IRosMessage<NodeEntitiesInfo>
{
    public const int NameBound = 256;

    public static RosMessageType MessageType { get; } = new("rmw_dds_common/msg/NodeEntitiesInfo",
        RosField.BoundedString("node_namespace", NameBound),
        RosField.BoundedString("node_name", NameBound),
        RosField.SequenceOf("reader_gid_seq", Gid.MessageType),
        RosField.SequenceOf("writer_gid_seq", Gid.MessageType));

    public string NodeNamespace { get; set; } = "/";
    public string NodeName { get; set; } = string.Empty;
    public Gid[] ReaderGidSeq { get; set; } = [];
    public Gid[] WriterGidSeq { get; set; } = [];

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
        ReaderGidSeq = reader.ReadMessageSequence(ReaderGidSeq, Gid.Size, "rmw_dds_common/NodeEntitiesInfo.reader_gid_seq");
        WriterGidSeq = reader.ReadMessageSequence(WriterGidSeq, Gid.Size, "rmw_dds_common/NodeEntitiesInfo.writer_gid_seq");
    }
}

/// <summary>
/// rmw_dds_common/msg/ParticipantEntitiesInfo, published on `ros_discovery_info`: which nodes live in a DDS
/// participant and which readers/writers belong to each. `ros2 node list` is built from these.
/// </summary>
public sealed class ParticipantEntitiesInfo : IRosMessage<ParticipantEntitiesInfo>
{
    public static RosMessageType MessageType { get; } = new("rmw_dds_common/msg/ParticipantEntitiesInfo",
        RosField.Of("gid", Gid.MessageType),
        RosField.SequenceOf("node_entities_info_seq", NodeEntitiesInfo.MessageType));

    public Gid Gid { get; set; } = new();
    public NodeEntitiesInfo[] NodeEntitiesInfoSeq { get; set; } = [];

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
