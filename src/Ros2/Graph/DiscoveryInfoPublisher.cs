using Mlsh.Ros2.Messages.RmwDdsCommon;
using Mlsh.Ros2.Qos;

namespace Mlsh.Ros2.Graph;

/// <summary>
/// Announces a node's readers and writers on `ros_discovery_info` (rmw_dds_common/ParticipantEntitiesInfo,
/// reliable + transient local, keep last 1) whenever they change, as rmw_cyclonedds does. The participant GID and
/// entity GIDs are the DDS GUIDs, in the layout of the node's <see cref="RosDistro"/>: 16 bytes (Iron and later) or
/// zero-padded to 24 (Humble, as rmw_cyclonedds_cpp's convert_guid_to_gid fills rmw_gid_t). Called under the
/// owning node's lock.
/// </summary>
internal sealed class DiscoveryInfoPublisher : IDisposable
{
    public const string Topic = "ros_discovery_info";

    private readonly List<byte[]> _readers = [];
    private readonly List<byte[]> _writers = [];
    private readonly Wire _wire;

    public DiscoveryInfoPublisher(RosNode node)
    {
        _wire = node.Distro == RosDistro.Humble ? new HumbleWire(node) : new JazzyWire(node);
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

    private void Announce() => _wire.Publish(_readers, _writers);

    /// <summary>Copies a 16-byte DDS GUID into a GID of either size; the bytes past the GUID stay zero.</summary>
    internal static void CopyGuid(byte[] guid, byte[] gid) => guid.AsSpan(0, Math.Min(guid.Length, gid.Length)).CopyTo(gid);

    public void Dispose()
    {
        // An empty node list tells peers the node is gone before the participant disappears.
        try { _wire.PublishGone(); } catch (Interop.DdsException) { }
        _wire.Dispose();
    }

    /// <summary>One distro's message layout and the publisher of it.</summary>
    private abstract class Wire : IDisposable
    {
        public abstract void Publish(List<byte[]> readers, List<byte[]> writers);

        public abstract void PublishGone();

        public abstract void Dispose();
    }

    private sealed class JazzyWire : Wire
    {
        private readonly Publisher<ParticipantEntitiesInfo> _publisher;
        private readonly ParticipantEntitiesInfo _message = new();
        private readonly NodeEntitiesInfo _node;

        public JazzyWire(RosNode node)
        {
            var topic = node.TopicFor(Topic, ParticipantEntitiesInfo.MessageType, isRosTopic: false);
            _publisher = new Publisher<ParticipantEntitiesInfo>(node, Topic, topic, QosProfile.Discovery);
            CopyGuid(node.Gid, _message.Gid.Data);
            _node = new NodeEntitiesInfo { NodeNamespace = node.Namespace, NodeName = node.Name };
            _message.NodeEntitiesInfoSeq = [_node];
        }

        public override void Publish(List<byte[]> readers, List<byte[]> writers)
        {
            _node.ReaderGidSeq = readers.Select(ToGid).ToArray();
            _node.WriterGidSeq = writers.Select(ToGid).ToArray();
            _publisher.Publish(_message);
        }

        public override void PublishGone()
        {
            _message.NodeEntitiesInfoSeq = [];
            _publisher.Publish(_message);
        }

        public override void Dispose() => _publisher.Dispose();

        private static Gid ToGid(byte[] guid)
        {
            var gid = new Gid();
            CopyGuid(guid, gid.Data);
            return gid;
        }
    }

    private sealed class HumbleWire : Wire
    {
        private readonly Publisher<HumbleParticipantEntitiesInfo> _publisher;
        private readonly HumbleParticipantEntitiesInfo _message = new();
        private readonly HumbleNodeEntitiesInfo _node;

        public HumbleWire(RosNode node)
        {
            var topic = node.TopicFor(Topic, HumbleParticipantEntitiesInfo.MessageType, isRosTopic: false);
            _publisher = new Publisher<HumbleParticipantEntitiesInfo>(node, Topic, topic, QosProfile.Discovery);
            CopyGuid(node.Gid, _message.Gid.Data);
            _node = new HumbleNodeEntitiesInfo { NodeNamespace = node.Namespace, NodeName = node.Name };
            _message.NodeEntitiesInfoSeq = [_node];
        }

        public override void Publish(List<byte[]> readers, List<byte[]> writers)
        {
            _node.ReaderGidSeq = readers.Select(ToGid).ToArray();
            _node.WriterGidSeq = writers.Select(ToGid).ToArray();
            _publisher.Publish(_message);
        }

        public override void PublishGone()
        {
            _message.NodeEntitiesInfoSeq = [];
            _publisher.Publish(_message);
        }

        public override void Dispose() => _publisher.Dispose();

        private static HumbleGid ToGid(byte[] guid)
        {
            var gid = new HumbleGid();
            CopyGuid(guid, gid.Data);
            return gid;
        }
    }
}
