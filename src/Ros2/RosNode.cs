using System.Runtime.InteropServices;
using System.Text;
using Mlsh.Ros2.Graph;
using Mlsh.Ros2.Interop;
using Mlsh.Ros2.Messages;
using Mlsh.Ros2.Qos;

namespace Mlsh.Ros2;

/// <summary>
/// A ROS 2 node on Cyclone DDS, following rmw_cyclonedds_cpp's conventions so real ROS 2 nodes (on Cyclone or
/// Fast DDS) see its topics and it sees theirs: one DDS participant (USER_DATA "enclave=/;"), topics named
/// "rt/&lt;name&gt;" with types "pkg::msg::dds_::Type_", XCDR1 data, and the node's readers and writers announced
/// on `ros_discovery_info` so `ros2 node list` shows it.
/// </summary>
/// <remarks>
/// Owns its participant and every publisher/subscription it created; <see cref="Dispose"/> deletes them all.
/// Creating and disposing endpoints is thread-safe (serialized by a lock); see <see cref="Publisher{T}"/> and
/// <see cref="Subscription{T}"/> for the real-time rules of their hot paths.
/// </remarks>
public sealed class RosNode : IDisposable
{
    private readonly object _gate = new();
    private readonly DomainLease _domain;
    private readonly Dictionary<string, (DdsEntityHandle Handle, RosMessageType Type)> _topics = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _endpoints = [];
    private readonly DiscoveryInfoPublisher _discovery;
    private bool _disposed;

    public RosNode(string name, RosNodeOptions? options = null)
    {
        options ??= new RosNodeOptions();
        RosNames.ValidateNodeName(name);
        Name = name;
        Namespace = RosNames.NormalizeNamespace(options.Namespace);
        Options = options;
        DomainId = options.DomainId ?? CycloneConfig.DomainIdFromEnvironment();
        Distro = options.Distro ?? RosDistros.FromEnvironment();
        _domain = DomainLease.Acquire(DomainId, options.CycloneConfigXml);
        try
        {
            Participant = CreateParticipant(DomainId, options.Enclave, _domain.Handle);
            Gid = GuidOf(Participant);
            _discovery = new DiscoveryInfoPublisher(this);
        }
        catch
        {
            Participant?.Dispose();
            _domain.Dispose();
            throw;
        }
    }

    public string Name { get; }

    /// <summary>"/" or "/a/b".</summary>
    public string Namespace { get; }

    /// <summary>"/mlsh_runtime", or "/ns/mlsh_runtime" in a namespace.</summary>
    public string FullyQualifiedName => Namespace == "/" ? "/" + Name : Namespace + "/" + Name;

    public uint DomainId { get; }

    public RosNodeOptions Options { get; }

    /// <summary>The GID layout of this node's `ros_discovery_info` announcements and of its <see cref="RosGraph"/>.</summary>
    public RosDistro Distro { get; }

    /// <summary>The participant's DDS GUID (16 bytes): the participant GID in ros_discovery_info.</summary>
    public byte[] Gid { get; }

    internal DdsEntityHandle Participant { get; }

    /// <summary>Creates a publisher on <paramref name="topic"/> (relative names resolve against the namespace).</summary>
    public Publisher<T> CreatePublisher<T>(string topic, QosProfile qos) where T : class, IRosMessage<T>, new()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var fqn = RosNames.ResolveTopic(topic, Namespace, Name);
            var publisher = new Publisher<T>(this, fqn, TopicFor(fqn, T.MessageType), qos);
            _endpoints.Add(publisher);
            _discovery.AddWriter(publisher.Gid);
            return publisher;
        }
    }

    /// <summary>Creates a subscription on <paramref name="topic"/> (relative names resolve against the namespace).</summary>
    public Subscription<T> CreateSubscription<T>(string topic, QosProfile qos) where T : class, IRosMessage<T>, new()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var fqn = RosNames.ResolveTopic(topic, Namespace, Name);
            var subscription = new Subscription<T>(this, fqn, TopicFor(fqn, T.MessageType), qos);
            _endpoints.Add(subscription);
            _discovery.AddReader(subscription.Gid);
            return subscription;
        }
    }

    /// <summary>
    /// A subscription on a raw DDS topic name (e.g. "ros_discovery_info"), owned by the node but, like rmw's
    /// own graph reader, not announced in the node's entities.
    /// </summary>
    internal Subscription<T> CreateDdsSubscription<T>(string ddsTopic, QosProfile qos) where T : class, IRosMessage<T>, new()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var subscription = new Subscription<T>(this, ddsTopic, TopicFor(ddsTopic, T.MessageType, isRosTopic: false), qos);
            _endpoints.Add(subscription);
            return subscription;
        }
    }

    /// <summary>Called by an endpoint's Dispose: forgets it and re-announces the node's entities.</summary>
    internal void OnEndpointDisposed(IDisposable endpoint, byte[] gid)
    {
        lock (_gate)
        {
            if (_disposed) return;
            _endpoints.Remove(endpoint);
            _discovery.Remove(gid);
        }
    }

    /// <summary>The DDS topic for a ROS topic (created once per node, "ros_discovery_info" is passed verbatim).</summary>
    internal unsafe DdsEntityHandle TopicFor(string rosOrDdsName, RosMessageType type, bool isRosTopic = true)
    {
        lock (_gate)
        {
            var ddsName = isRosTopic ? RosNames.ToDdsTopic(rosOrDdsName) : rosOrDdsName;
            if (_topics.TryGetValue(ddsName, out var existing))
            {
                if (!ReferenceEquals(existing.Type, type))
                    throw new ArgumentException($"topic {rosOrDdsName} is already used with type {existing.Type.RosName} in node {FullyQualifiedName}; cannot also use {type.RosName}");
                return existing.Handle;
            }
            var desc = TopicDescriptorBuilder.Native(type);
            var handle = DdsEntityHandle.Create(
                DdsNative.dds_create_topic(Participant.Entity, desc, ddsName, IntPtr.Zero, IntPtr.Zero),
                nameof(DdsNative.dds_create_topic), Participant);
            _topics[ddsName] = (handle, type);
            return handle;
        }
    }

    internal static unsafe byte[] GuidOf(DdsEntityHandle entity)
    {
        DdsStructs.dds_guid_t guid;
        DdsCheck.Check(DdsNative.dds_get_guid(entity.Entity, &guid), nameof(DdsNative.dds_get_guid));
        return new ReadOnlySpan<byte>(guid.v, 16).ToArray();
    }

    private static unsafe DdsEntityHandle CreateParticipant(uint domainId, string enclave, DdsEntityHandle? domain)
    {
        var qos = DdsNative.dds_create_qos();
        try
        {
            var userData = Encoding.UTF8.GetBytes($"enclave={enclave};");
            fixed (byte* p = userData) DdsNative.dds_qset_userdata(qos, p, (nuint)userData.Length);
            return DdsEntityHandle.Create(DdsNative.dds_create_participant(domainId, qos, IntPtr.Zero),
                nameof(DdsNative.dds_create_participant), domain);
        }
        finally
        {
            DdsNative.dds_delete_qos(qos);
        }
    }

    public void Dispose()
    {
        List<IDisposable> endpoints;
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            endpoints = [.. _endpoints];
            _endpoints.Clear();
        }
        foreach (var e in endpoints) e.Dispose();
        _discovery.Dispose();
        foreach (var (handle, _) in _topics.Values) handle.Dispose();
        _topics.Clear();
        Participant.Dispose();
        _domain.Dispose();
    }

    public override string ToString() => $"{FullyQualifiedName} (domain {DomainId})";

    /// <summary>
    /// A domain created with an explicit Cyclone configuration, shared by the nodes of this process that use the
    /// same domain id and deleted with the last of them (deleting a domain deletes its participants).
    /// </summary>
    private sealed class DomainLease : IDisposable
    {
        private static readonly Dictionary<uint, (DdsEntityHandle Handle, int Users)> Domains = [];
        private readonly uint _id;
        private bool _released;

        private DomainLease(uint id, DdsEntityHandle? handle)
        {
            _id = id;
            Handle = handle;
        }

        public DdsEntityHandle? Handle { get; }

        public static DomainLease Acquire(uint id, string? configXml)
        {
            if (configXml == null) return new DomainLease(id, null);
            lock (Domains)
            {
                if (Domains.TryGetValue(id, out var entry))
                {
                    Domains[id] = (entry.Handle, entry.Users + 1);
                    return new DomainLease(id, entry.Handle);
                }
                var handle = DdsEntityHandle.Create(DdsNative.dds_create_domain(id, configXml), nameof(DdsNative.dds_create_domain), null);
                Domains[id] = (handle, 1);
                return new DomainLease(id, handle);
            }
        }

        public void Dispose()
        {
            if (Handle == null || _released) return;
            _released = true;
            lock (Domains)
            {
                var entry = Domains[_id];
                if (entry.Users > 1)
                {
                    Domains[_id] = (entry.Handle, entry.Users - 1);
                    return;
                }
                Domains.Remove(_id);
                entry.Handle.Dispose();
            }
        }
    }
}
