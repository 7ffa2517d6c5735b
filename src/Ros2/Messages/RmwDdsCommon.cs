using Mlsh.Ros2.Cdr;

namespace Mlsh.Ros2.Messages.RmwDdsCommon;

// DESIGN: rmw_dds_common's discovery messages changed in one place between releases: Gid.msg's `char[N] data`
// (rosidl maps char to uint8) is N = 24 on Humble and N = 16 from Iron on (ros2/rmw_dds_common#68). The ROS and DDS
// type names and every other field are the same, so one generic definition per message serves both, the GID size
// being a static member of the layout type argument (a closed generic type has its own static MessageType, as
// IRosMessage<TSelf> requires). MessageRegistry lists only the Jazzy layout, as its ROS names must stay unique.

/// <summary>The GID layout of one ROS 2 release's rmw_dds_common (see <see cref="Mlsh.Ros2.Graph.RosDistro"/>).</summary>
public interface IGidLayout
{
    /// <summary>Bytes of rmw_dds_common/msg/Gid.data.</summary>
    static abstract int Size { get; }
}

/// <summary>Iron and later (Jazzy, Kilted, Rolling): uint8[16], the DDS GUID of an entity.</summary>
public readonly struct JazzyLayout : IGidLayout
{
    public static int Size => 16;
}

/// <summary>Humble: uint8[24], the 16-byte DDS GUID followed by 8 zero bytes (rmw's RMW_GID_STORAGE_SIZE).</summary>
public readonly struct HumbleLayout : IGidLayout
{
    public static int Size => 24;
}

/// <summary>rmw_dds_common/msg/Gid in the layout of <typeparamref name="TLayout"/>.</summary>
public sealed class Gid<TLayout> : IRosMessage<Gid<TLayout>> where TLayout : IGidLayout
{
    public static int Size => TLayout.Size;

    public static RosMessageType MessageType { get; } = new("rmw_dds_common/msg/Gid",
        RosField.ArrayOf("data", RosPrimitive.UInt8, TLayout.Size));

    public byte[] Data { get; } = new byte[TLayout.Size];

    public void Serialize(CdrWriter writer) => writer.WriteByteArray(Data, TLayout.Size, "rmw_dds_common/Gid.data");

    public void Deserialize(CdrReader reader) => reader.ReadByteArray(Data);

    public override string ToString() => Convert.ToHexString(Data);
}

/// <summary>rmw_dds_common/msg/NodeEntitiesInfo: one node and the GIDs of its readers and writers.</summary>
public sealed class NodeEntitiesInfo<TLayout> : IRosMessage<NodeEntitiesInfo<TLayout>> where TLayout : IGidLayout
{
    public const int NameBound = 256;

    public static RosMessageType MessageType { get; } = new("rmw_dds_common/msg/NodeEntitiesInfo",
        RosField.BoundedString("node_namespace", NameBound),
        RosField.BoundedString("node_name", NameBound),
        RosField.SequenceOf("reader_gid_seq", Gid<TLayout>.MessageType),
        RosField.SequenceOf("writer_gid_seq", Gid<TLayout>.MessageType));

    public string NodeNamespace { get; set; } = "/";
    public string NodeName { get; set; } = string.Empty;
    public Gid<TLayout>[] ReaderGidSeq { get; set; } = [];
    public Gid<TLayout>[] WriterGidSeq { get; set; } = [];

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
        ReaderGidSeq = reader.ReadMessageSequence(ReaderGidSeq, TLayout.Size, "rmw_dds_common/NodeEntitiesInfo.reader_gid_seq");
        WriterGidSeq = reader.ReadMessageSequence(WriterGidSeq, TLayout.Size, "rmw_dds_common/NodeEntitiesInfo.writer_gid_seq");
    }
}

/// <summary>
/// rmw_dds_common/msg/ParticipantEntitiesInfo, published on `ros_discovery_info`: which nodes live in a DDS
/// participant and which readers/writers belong to each. `ros2 node list` is built from these.
/// </summary>
public sealed class ParticipantEntitiesInfo<TLayout> : IRosMessage<ParticipantEntitiesInfo<TLayout>> where TLayout : IGidLayout
{
    public static RosMessageType MessageType { get; } = new("rmw_dds_common/msg/ParticipantEntitiesInfo",
        RosField.Of("gid", Gid<TLayout>.MessageType),
        RosField.SequenceOf("node_entities_info_seq", NodeEntitiesInfo<TLayout>.MessageType));

    public Gid<TLayout> Gid { get; set; } = new();
    public NodeEntitiesInfo<TLayout>[] NodeEntitiesInfoSeq { get; set; } = [];

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
