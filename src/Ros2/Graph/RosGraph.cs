using System.Runtime.InteropServices;
using Mlsh.Ros2.Interop;
using Mlsh.Ros2.Messages;
using Mlsh.Ros2.Messages.RmwDdsCommon;
using Mlsh.Ros2.Qos;

namespace Mlsh.Ros2.Graph;

/// <summary>One topic seen on the DDS network, with its ROS name and type when it follows the rmw conventions.</summary>
public sealed record TopicInfo(string DdsName, string? RosName, string DdsTypeName, string RosTypeName, int Publishers, int Subscriptions);

/// <summary>A ROS node announced on ros_discovery_info.</summary>
public sealed record NodeInfo(string Namespace, string Name, int Readers, int Writers)
{
    public string FullyQualifiedName => Namespace == "/" ? "/" + Name : Namespace + "/" + Name;
}

/// <summary>
/// The ROS graph as seen from one node: topics from DDS's built-in DCPSPublication/DCPSSubscription topics
/// (what `ros2 topic list` uses) and nodes from `ros_discovery_info` (what `ros2 node list` uses).
/// Not for real-time threads: queries allocate. Thread-safe for one caller at a time.
/// </summary>
public sealed unsafe class RosGraph : IDisposable
{
    private const int MaxSamples = 512;
    private readonly DdsEntityHandle _publications;
    private readonly DdsEntityHandle _subscriptions;
    private readonly IDisposable _discovery;
    private readonly Func<bool> _takeDiscovery;
    private readonly Dictionary<string, NodeInfo[]> _nodesByParticipant = [];

    public RosGraph(RosNode node)
    {
        var participant = node.Participant;
        _publications = DdsEntityHandle.Create(
            DdsNative.dds_create_reader(participant.Entity, DdsNative.DDS_BUILTIN_TOPIC_DCPSPUBLICATION, IntPtr.Zero, IntPtr.Zero),
            nameof(DdsNative.dds_create_reader), participant);
        _subscriptions = DdsEntityHandle.Create(
            DdsNative.dds_create_reader(participant.Entity, DdsNative.DDS_BUILTIN_TOPIC_DCPSSUBSCRIPTION, IntPtr.Zero, IntPtr.Zero),
            nameof(DdsNative.dds_create_reader), participant);
        // The topic is keyless, so all participants' announcements share one instance: a keep-last-1 reader
        // would keep only the newest participant's. A deep history keeps every participant's latest sample.
        // Peers of the other GID layout do not match this reader (nor the node's announcements): see RosDistro.
        var qos = QosProfile.Discovery with { Depth = 256 };
        (_discovery, _takeDiscovery) = node.Distro == RosDistro.Humble
            ? DiscoveryReader<HumbleLayout>(node, qos)
            : DiscoveryReader<JazzyLayout>(node, qos);
    }

    /// <summary>A ros_discovery_info reader in <typeparamref name="TLayout"/>, and a take that records one sample.</summary>
    private (IDisposable Reader, Func<bool> Take) DiscoveryReader<TLayout>(RosNode node, QosProfile qos) where TLayout : IGidLayout
    {
        var reader = node.CreateDdsSubscription<ParticipantEntitiesInfo<TLayout>>(DiscoveryInfoPublisher.Topic, qos);
        var scratch = new ParticipantEntitiesInfo<TLayout>();
        return (reader, () => reader.TryTakeNext(scratch) && Record(scratch.Gid.ToString(), scratch.NodeEntitiesInfoSeq
            .Select(n => new NodeInfo(n.NodeNamespace, n.NodeName, n.ReaderGidSeq.Length, n.WriterGidSeq.Length))));
    }

    private bool Record(string participantGid, IEnumerable<NodeInfo> nodes)
    {
        _nodesByParticipant[participantGid] = nodes.ToArray();
        return true;
    }

    /// <summary>Every live topic with at least one reader or writer, sorted by DDS name.</summary>
    public IReadOnlyList<TopicInfo> Topics()
    {
        var counts = new Dictionary<(string Topic, string Type), (int Pubs, int Subs)>();
        foreach (var (topic, type) in Endpoints(_publications))
        {
            counts.TryGetValue((topic, type), out var c);
            counts[(topic, type)] = (c.Pubs + 1, c.Subs);
        }
        foreach (var (topic, type) in Endpoints(_subscriptions))
        {
            counts.TryGetValue((topic, type), out var c);
            counts[(topic, type)] = (c.Pubs, c.Subs + 1);
        }
        return counts
            .Select(kv => new TopicInfo(kv.Key.Topic, RosNames.FromDdsTopic(kv.Key.Topic), kv.Key.Type,
                RosMessageType.RosNameFromDds(kv.Key.Type), kv.Value.Pubs, kv.Value.Subs))
            .OrderBy(t => t.DdsName, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Every node announced on ros_discovery_info by a participant that is still announcing it, in the observing
    /// node's <see cref="RosNode.Distro"/> layout.
    /// </summary>
    public IReadOnlyList<NodeInfo> Nodes()
    {
        while (_takeDiscovery()) { }
        return _nodesByParticipant.Values.SelectMany(n => n).OrderBy(n => n.FullyQualifiedName, StringComparer.Ordinal).ToList();
    }

    private static List<(string Topic, string Type)> Endpoints(DdsEntityHandle reader)
    {
        var result = new List<(string, string)>();
        var buffers = stackalloc void*[MaxSamples];
        var infos = (DdsStructs.dds_sample_info_t*)NativeMemory.Alloc((nuint)(MaxSamples * sizeof(DdsStructs.dds_sample_info_t)));
        try
        {
            buffers[0] = null; // ask Cyclone to loan its samples
            var n = DdsCheck.Check(DdsNative.dds_read(reader.Entity, buffers, infos, MaxSamples, MaxSamples), nameof(DdsNative.dds_read));
            try
            {
                for (var i = 0; i < n; i++)
                {
                    if (infos[i].valid_data == 0 || infos[i].instance_state != DdsNative.DDS_IST_ALIVE) continue;
                    var ep = (DdsStructs.dds_builtintopic_endpoint_t*)buffers[i];
                    var topic = Marshal.PtrToStringUTF8((IntPtr)ep->topic_name) ?? "";
                    var type = Marshal.PtrToStringUTF8((IntPtr)ep->type_name) ?? "";
                    result.Add((topic, type));
                }
            }
            finally
            {
                if (n > 0) DdsNative.dds_return_loan(reader.Entity, buffers, n);
            }
        }
        finally
        {
            NativeMemory.Free(infos);
        }
        return result;
    }

    public void Dispose()
    {
        _discovery.Dispose();
        _subscriptions.Dispose();
        _publications.Dispose();
    }
}
