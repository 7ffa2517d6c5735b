using Mlsh.Ros2.Cdr;
using Mlsh.Ros2.Interop;
using Mlsh.Ros2.Messages;
using Mlsh.Ros2.Qos;

namespace Mlsh.Ros2;

/// <summary>
/// Publishes <typeparamref name="T"/> on one ROS topic. Created by <see cref="RosNode.CreatePublisher{T}"/>.
/// </summary>
/// <remarks>
/// <para><see cref="Publish"/> is safe on a real-time control thread: after the first publish of the largest
/// message (warm-up) it allocates no managed memory and takes no managed lock; it serializes into a reused
/// buffer and hands the bytes to Cyclone, which copies them (best-effort writers never block; reliable writers
/// block at most 100 ms when a reader's history is full).</para>
/// <para>One thread publishes on a given publisher at a time. Dispose from any thread once publishing stopped.</para>
/// </remarks>
public sealed unsafe class Publisher<T> : IDisposable where T : class, IRosMessage<T>, new()
{
    private readonly RosNode _node;
    private readonly DdsEntityHandle _writer;
    private readonly QosListener _listener;
    private readonly CdrWriter _cdr = new();
    private readonly OutboundSerdata _serdata = new();
    private int _disposed;

    internal Publisher(RosNode node, string topic, DdsEntityHandle ddsTopic, QosProfile qos)
    {
        _node = node;
        Topic = topic;
        Qos = qos;
        _listener = new QosListener(topic, new QosEventCounter(), node.Options.QosEventSink);
        var nativeQos = qos.ToNative(reader: false);
        var listener = _listener.CreateNative(reader: false);
        try
        {
            _writer = DdsEntityHandle.Create(
                DdsNative.dds_create_writer(node.Participant.Entity, ddsTopic.Entity, nativeQos, listener),
                nameof(DdsNative.dds_create_writer), node.Participant);
        }
        catch
        {
            _listener.Dispose();
            _serdata.Dispose();
            throw;
        }
        finally
        {
            DdsNative.dds_delete_listener(listener);
            DdsNative.dds_delete_qos(nativeQos);
        }
        Gid = RosNode.GuidOf(_writer);
    }

    /// <summary>Fully qualified ROS topic name, e.g. "/joint_states".</summary>
    public string Topic { get; }

    public QosProfile Qos { get; }

    /// <summary>The writer's DDS GUID, announced in ros_discovery_info.</summary>
    public byte[] Gid { get; }

    /// <summary>Incompatible-QoS readers seen by this writer (also reported to the node's QoS event sink).</summary>
    public QosEventCounter QosEvents => _listener.Counter;

    /// <summary>Number of publishes Cyclone accepted.</summary>
    public long PublishedCount { get; private set; }

    /// <summary>Bytes of the last serialized message, encapsulation header included.</summary>
    public int LastMessageSize => _cdr.Length;

    internal OutboundSerdata Serdata => _serdata;

    /// <summary>Serializes <paramref name="message"/> and publishes it. Allocation-free after warm-up.</summary>
    /// <exception cref="CdrException">The message violates its definition (e.g. a covariance of the wrong length).</exception>
    /// <exception cref="DdsException">Cyclone rejected the sample (e.g. a reliable write timed out).</exception>
    public void Publish(T message)
    {
        ArgumentNullException.ThrowIfNull(message);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _cdr.Reset();
        message.Serialize(_cdr);
        var added = false;
        _writer.DangerousAddRef(ref added);
        try
        {
            fixed (byte* p = _cdr.Buffer)
            {
                var serdata = _serdata.Prepare(p, _cdr.Length);
                DdsCheck.Check(DdsNative.dds_writecdr(_writer.Entity, serdata), nameof(DdsNative.dds_writecdr));
            }
            PublishedCount++;
        }
        finally
        {
            if (added) _writer.DangerousRelease();
        }
    }

    /// <summary>Subscriptions currently matched (compatible QoS, same topic and type).</summary>
    public int MatchedSubscriptionCount
    {
        get
        {
            DdsStructs.dds_publication_matched_status_t status;
            DdsCheck.Check(DdsNative.dds_get_publication_matched_status(_writer.Entity, &status), nameof(DdsNative.dds_get_publication_matched_status));
            return (int)status.current_count;
        }
    }

    /// <summary>Polls until at least <paramref name="count"/> subscriptions matched; false on timeout. Not for the control loop.</summary>
    public bool WaitForSubscriptions(int count, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (MatchedSubscriptionCount < count)
        {
            if (Environment.TickCount64 > deadline) return false;
            Thread.Sleep(10);
        }
        return true;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        _node.OnEndpointDisposed(this, Gid);
        _writer.Dispose();
        _listener.Dispose();
        _serdata.Dispose();
    }

    public override string ToString() => $"publisher {Topic} [{T.MessageType.RosName}] {Qos}";
}
