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
        _wire = node.Distro == RosDistro.Humble ? new Wire<HumbleLayout>(node) : new Wire<JazzyLayout>(node);
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

    /// <summary>What the node announces, whatever the distro's layout.</summary>
    private abstract class Wire : IDisposable
    {
        public abstract void Publish(List<byte[]> readers, List<byte[]> writers);

        public abstract void PublishGone();

        public abstract void Dispose();
    }

    /// <summary>The message in one distro's GID layout, and its writer.</summary>
    private sealed class Wire<TLayout> : Wire where TLayout : IGidLayout
    {
        private readonly Publisher<ParticipantEntitiesInfo<TLayout>> _publisher;
        private readonly ParticipantEntitiesInfo<TLayout> _message;
        private readonly NodeEntitiesInfo<TLayout> _entities;

        public Wire(RosNode node)
        {
            var topic = node.TopicFor(Topic, ParticipantEntitiesInfo<TLayout>.MessageType, isRosTopic: false);
            _publisher = new Publisher<ParticipantEntitiesInfo<TLayout>>(node, Topic, topic, QosProfile.Discovery);
            _message = new ParticipantEntitiesInfo<TLayout>();
            CopyGuid(node.Gid, _message.Gid.Data);
            _entities = new NodeEntitiesInfo<TLayout> { NodeNamespace = node.Namespace, NodeName = node.Name };
            _message.NodeEntitiesInfoSeq = [_entities];
        }

        public override void Publish(List<byte[]> readers, List<byte[]> writers)
        {
            _entities.ReaderGidSeq = readers.Select(GidOf).ToArray();
            _entities.WriterGidSeq = writers.Select(GidOf).ToArray();
            _publisher.Publish(_message);
        }

        public override void PublishGone()
        {
            _message.NodeEntitiesInfoSeq = [];
            _publisher.Publish(_message);
        }

        public override void Dispose() => _publisher.Dispose();

        private static Gid<TLayout> GidOf(byte[] guid)
        {
            var gid = new Gid<TLayout>();
            CopyGuid(guid, gid.Data);
            return gid;
        }
    }
}
