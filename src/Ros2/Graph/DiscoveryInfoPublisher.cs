using Mlsh.Ros2.Messages.RmwDdsCommon;
using Mlsh.Ros2.Qos;

namespace Mlsh.Ros2.Graph;

/// <summary>
/// Announces a node's readers and writers on `ros_discovery_info` (rmw_dds_common/ParticipantEntitiesInfo,
/// reliable + transient local, keep last 1) whenever they change, as rmw_cyclonedds does. The participant GID and
/// entity GIDs are the DDS GUIDs. Called under the owning node's lock.
/// </summary>
internal sealed class DiscoveryInfoPublisher : IDisposable
{
    public const string Topic = "ros_discovery_info";

    private readonly Publisher<ParticipantEntitiesInfo> _publisher;
    private readonly ParticipantEntitiesInfo _message = new();
    private readonly NodeEntitiesInfo _node;
    private readonly List<byte[]> _readers = [];
    private readonly List<byte[]> _writers = [];

    public DiscoveryInfoPublisher(RosNode node)
    {
        var topic = node.TopicFor(Topic, ParticipantEntitiesInfo.MessageType, isRosTopic: false);
        _publisher = new Publisher<ParticipantEntitiesInfo>(node, Topic, topic, QosProfile.Discovery);
        node.Gid.CopyTo(_message.Gid.Data, 0);
        _node = new NodeEntitiesInfo { NodeNamespace = node.Namespace, NodeName = node.Name };
        _message.NodeEntitiesInfoSeq = [_node];
        Announce();
    }

    public void AddReader(byte[] gid) { _readers.Add(gid); Announce(); }

    public void AddWriter(byte[] gid) { _writers.Add(gid); Announce(); }

    public void Remove(byte[] gid)
    {
        _readers.RemoveAll(g => g.AsSpan().SequenceEqual(gid));
        _writers.RemoveAll(g => g.AsSpan().SequenceEqual(gid));
        Announce();
    }

    private void Announce()
    {
        _node.ReaderGidSeq = _readers.Select(ToGid).ToArray();
        _node.WriterGidSeq = _writers.Select(ToGid).ToArray();
        _publisher.Publish(_message);
    }

    private static Gid ToGid(byte[] guid)
    {
        var gid = new Gid();
        guid.AsSpan(0, Math.Min(guid.Length, Gid.Size)).CopyTo(gid.Data);
        return gid;
    }

    public void Dispose()
    {
        // An empty node list tells peers the node is gone before the participant disappears.
        _message.NodeEntitiesInfoSeq = [];
        try { _publisher.Publish(_message); } catch (Interop.DdsException) { }
        _publisher.Dispose();
    }
}
