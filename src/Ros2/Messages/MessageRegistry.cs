using Mlsh.Ros2.Messages.BuiltinInterfaces;
using Mlsh.Ros2.Messages.DiagnosticMsgs;
using Mlsh.Ros2.Messages.GeometryMsgs;
using Mlsh.Ros2.Messages.NavMsgs;
using Mlsh.Ros2.Messages.RmwDdsCommon;
using Mlsh.Ros2.Messages.RosgraphMsgs;
using Mlsh.Ros2.Messages.SensorMsgs;
using Mlsh.Ros2.Messages.StdMsgs;
using Mlsh.Ros2.Qos;

namespace Mlsh.Ros2.Messages;

/// <summary>A publisher whose message type is chosen at run time (tools, not control loops).</summary>
public interface IUntypedPublisher : IDisposable
{
    void Publish(IRosMessage message);
    int MatchedSubscriptionCount { get; }
    bool WaitForSubscriptions(int count, TimeSpan timeout);
}

/// <summary>A subscription whose message type is chosen at run time (tools, not control loops).</summary>
public interface IUntypedSubscription : IDisposable
{
    bool TryTakeNext(IRosMessage into);
    bool WaitForData(TimeSpan timeout);
    int MatchedPublicationCount { get; }
}

/// <summary>Run-time handle on one message class: its type, a factory and typed endpoint creation.</summary>
public sealed class RosMessageInfo
{
    private readonly Func<RosNode, string, QosProfile, IUntypedPublisher> _publisher;
    private readonly Func<RosNode, string, QosProfile, IUntypedSubscription> _subscription;

    private RosMessageInfo(RosMessageType type, Type clrType, Func<IRosMessage> create,
        Func<RosNode, string, QosProfile, IUntypedPublisher> publisher, Func<RosNode, string, QosProfile, IUntypedSubscription> subscription)
    {
        Type = type;
        ClrType = clrType;
        Create = create;
        _publisher = publisher;
        _subscription = subscription;
    }

    public RosMessageType Type { get; }
    public Type ClrType { get; }
    public Func<IRosMessage> Create { get; }

    public IUntypedPublisher CreatePublisher(RosNode node, string topic, QosProfile qos) => _publisher(node, topic, qos);

    public IUntypedSubscription CreateSubscription(RosNode node, string topic, QosProfile qos) => _subscription(node, topic, qos);

    internal static RosMessageInfo For<T>() where T : class, IRosMessage<T>, new() =>
        new(T.MessageType, typeof(T), static () => new T(),
            static (n, t, q) => new UntypedPublisher<T>(n.CreatePublisher<T>(t, q)),
            static (n, t, q) => new UntypedSubscription<T>(n.CreateSubscription<T>(t, q)));

    private sealed class UntypedPublisher<T>(Publisher<T> inner) : IUntypedPublisher where T : class, IRosMessage<T>, new()
    {
        public void Publish(IRosMessage message) => inner.Publish(message as T ??
            throw new ArgumentException($"expected a {T.MessageType.RosName} message, got {message.GetType().Name}", nameof(message)));

        public int MatchedSubscriptionCount => inner.MatchedSubscriptionCount;
        public bool WaitForSubscriptions(int count, TimeSpan timeout) => inner.WaitForSubscriptions(count, timeout);
        public void Dispose() => inner.Dispose();
    }

    private sealed class UntypedSubscription<T>(Subscription<T> inner) : IUntypedSubscription where T : class, IRosMessage<T>, new()
    {
        public bool TryTakeNext(IRosMessage into) => inner.TryTakeNext(into as T ??
            throw new ArgumentException($"expected a {T.MessageType.RosName} message, got {into.GetType().Name}", nameof(into)));

        public bool WaitForData(TimeSpan timeout) => inner.WaitForData(timeout);
        public int MatchedPublicationCount => inner.MatchedPublicationCount;
        public void Dispose() => inner.Dispose();
    }
}

/// <summary>Every message type Mlsh speaks, by ROS name ("sensor_msgs/msg/JointState" or "sensor_msgs/JointState").</summary>
public static class MessageRegistry
{
    public static IReadOnlyList<RosMessageInfo> All { get; } =
    [
        RosMessageInfo.For<Time>(), RosMessageInfo.For<Header>(), RosMessageInfo.For<StringMsg>(),
        RosMessageInfo.For<MultiArrayDimension>(), RosMessageInfo.For<MultiArrayLayout>(), RosMessageInfo.For<Float64MultiArray>(),
        RosMessageInfo.For<Vector3>(), RosMessageInfo.For<Point>(), RosMessageInfo.For<Quaternion>(), RosMessageInfo.For<Pose>(),
        RosMessageInfo.For<PoseWithCovariance>(), RosMessageInfo.For<Twist>(), RosMessageInfo.For<TwistWithCovariance>(),
        RosMessageInfo.For<PoseStamped>(), RosMessageInfo.For<JointState>(), RosMessageInfo.For<Imu>(), RosMessageInfo.For<Odometry>(),
        RosMessageInfo.For<Clock>(), RosMessageInfo.For<KeyValue>(), RosMessageInfo.For<DiagnosticStatus>(),
        RosMessageInfo.For<DiagnosticArray>(), RosMessageInfo.For<Gid<JazzyLayout>>(),
        RosMessageInfo.For<NodeEntitiesInfo<JazzyLayout>>(), RosMessageInfo.For<ParticipantEntitiesInfo<JazzyLayout>>(),
    ];

    /// <summary>Finds a type by ROS name (with or without "/msg/") or DDS name; throws listing the known types.</summary>
    public static RosMessageInfo Find(string name)
    {
        var normalized = RosMessageType.RosNameFromDds(name);
        var parts = normalized.Split('/');
        if (parts.Length == 2) normalized = $"{parts[0]}/msg/{parts[1]}";
        return All.FirstOrDefault(i => i.Type.RosName == normalized)
               ?? throw new ArgumentException($"unknown message type '{name}'; Mlsh knows: {string.Join(", ", All.Select(i => i.Type.RosName))}");
    }
}
