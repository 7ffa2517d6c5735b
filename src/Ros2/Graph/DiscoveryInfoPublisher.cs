using Mlsh.Ros2.Messages;
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
        _wire = node.Distro == RosDistro.Humble ? ForHumble(node) : ForJazzy(node);
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

    /// <summary>Jazzy/Iron layout: <see cref="ParticipantEntitiesInfo"/> with 16-byte GIDs.</summary>
    private static Wire ForJazzy(RosNode node)
    {
        var message = new ParticipantEntitiesInfo();
        CopyGuid(node.Gid, message.Gid.Data);
        var entities = new NodeEntitiesInfo { NodeNamespace = node.Namespace, NodeName = node.Name };
        message.NodeEntitiesInfoSeq = [entities];
        return new Wire<ParticipantEntitiesInfo>(node, message,
            (readers, writers) =>
            {
                entities.ReaderGidSeq = readers.Select(g => Fill(new Gid(), g, static x => x.Data)).ToArray();
                entities.WriterGidSeq = writers.Select(g => Fill(new Gid(), g, static x => x.Data)).ToArray();
            },
            () => message.NodeEntitiesInfoSeq = []);
    }

    /// <summary>Humble layout: <see cref="HumbleParticipantEntitiesInfo"/> with 24-byte GIDs.</summary>
    private static Wire ForHumble(RosNode node)
    {
        var message = new HumbleParticipantEntitiesInfo();
        CopyGuid(node.Gid, message.Gid.Data);
        var entities = new HumbleNodeEntitiesInfo { NodeNamespace = node.Namespace, NodeName = node.Name };
        message.NodeEntitiesInfoSeq = [entities];
        return new Wire<HumbleParticipantEntitiesInfo>(node, message,
            (readers, writers) =>
            {
                entities.ReaderGidSeq = readers.Select(g => Fill(new HumbleGid(), g, static x => x.Data)).ToArray();
                entities.WriterGidSeq = writers.Select(g => Fill(new HumbleGid(), g, static x => x.Data)).ToArray();
            },
            () => message.NodeEntitiesInfoSeq = []);
    }

    private static TGid Fill<TGid>(TGid gid, byte[] guid, Func<TGid, byte[]> data)
    {
        CopyGuid(guid, data(gid));
        return gid;
    }

    /// <summary>What the node announces, whatever the distro's layout.</summary>
    private abstract class Wire : IDisposable
    {
        public abstract void Publish(List<byte[]> readers, List<byte[]> writers);

        public abstract void PublishGone();

        public abstract void Dispose();
    }

    /// <summary>
    /// One distro's message and its writer; the layout-specific parts (filling the entity GIDs, emptying the node
    /// list) are the two delegates its factory passes.
    /// </summary>
    private sealed class Wire<TInfo> : Wire where TInfo : class, IRosMessage<TInfo>, new()
    {
        private readonly Publisher<TInfo> _publisher;
        private readonly TInfo _message;
        private readonly Action<List<byte[]>, List<byte[]>> _setEntities;
        private readonly Action _setGone;

        public Wire(RosNode node, TInfo message, Action<List<byte[]>, List<byte[]>> setEntities, Action setGone)
        {
            var topic = node.TopicFor(Topic, TInfo.MessageType, isRosTopic: false);
            _publisher = new Publisher<TInfo>(node, Topic, topic, QosProfile.Discovery);
            _message = message;
            _setEntities = setEntities;
            _setGone = setGone;
        }

        public override void Publish(List<byte[]> readers, List<byte[]> writers)
        {
            _setEntities(readers, writers);
            _publisher.Publish(_message);
        }

        public override void PublishGone()
        {
            _setGone();
            _publisher.Publish(_message);
        }

        public override void Dispose() => _publisher.Dispose();
    }
}
