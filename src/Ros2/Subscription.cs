using Mlsh.Ros2.Cdr;
using Mlsh.Ros2.Interop;
using Mlsh.Ros2.Messages;
using Mlsh.Ros2.Qos;

namespace Mlsh.Ros2;

/// <summary>
/// Receives <typeparamref name="T"/> from one ROS topic. Created by <see cref="RosNode.CreateSubscription{T}"/>.
/// </summary>
/// <remarks>
/// <para><see cref="TryTake"/> and <see cref="TryTakeNext"/> never block and, once strings and arrays have their
/// steady-state sizes, allocate nothing: they are safe on a real-time control thread.
/// <see cref="WaitForData"/> blocks on a DDS waitset and belongs on a reader thread.</para>
/// <para>One thread consumes a given subscription at a time. Dispose wakes a blocked <see cref="WaitForData"/>.</para>
/// </remarks>
public sealed unsafe class Subscription<T> : IDisposable where T : class, IRosMessage<T>, new()
{
    private const int Batch = 16;
    private readonly RosNode _node;
    private readonly DdsEntityHandle _reader;
    private readonly DdsEntityHandle _readCondition;
    private readonly DdsEntityHandle _guard;
    private readonly DdsEntityHandle _waitset;
    private readonly QosListener _listener;
    private readonly CdrReader _cdr = new();
    private int _disposed;

    internal Subscription(RosNode node, string topic, DdsEntityHandle ddsTopic, QosProfile qos)
    {
        _node = node;
        Topic = topic;
        Qos = qos;
        _listener = new QosListener(topic, new QosEventCounter(), node.Options.QosEventSink);
        var nativeQos = qos.ToNative(reader: true);
        var listener = _listener.CreateNative(reader: true);
        try
        {
            var participant = node.Participant;
            _reader = DdsEntityHandle.Create(
                DdsNative.dds_create_reader(participant.Entity, ddsTopic.Entity, nativeQos, listener),
                nameof(DdsNative.dds_create_reader), participant);
            _readCondition = DdsEntityHandle.Create(DdsNative.dds_create_readcondition(_reader.Entity, DdsNative.DDS_ANY_STATE),
                nameof(DdsNative.dds_create_readcondition), _reader);
            _guard = DdsEntityHandle.Create(DdsNative.dds_create_guardcondition(participant.Entity),
                nameof(DdsNative.dds_create_guardcondition), participant);
            _waitset = DdsEntityHandle.Create(DdsNative.dds_create_waitset(participant.Entity),
                nameof(DdsNative.dds_create_waitset), participant);
            DdsCheck.Check(DdsNative.dds_waitset_attach(_waitset.Entity, _readCondition.Entity, IntPtr.Zero), nameof(DdsNative.dds_waitset_attach));
            DdsCheck.Check(DdsNative.dds_waitset_attach(_waitset.Entity, _guard.Entity, IntPtr.Zero), nameof(DdsNative.dds_waitset_attach));
        }
        catch
        {
            _waitset?.Dispose();
            _guard?.Dispose();
            _readCondition?.Dispose();
            _reader?.Dispose();
            _listener.Dispose();
            throw;
        }
        finally
        {
            DdsNative.dds_delete_listener(listener);
            DdsNative.dds_delete_qos(nativeQos);
        }
        Gid = RosNode.GuidOf(_reader);
    }

    /// <summary>Fully qualified ROS topic name, e.g. "/effort_controller/commands".</summary>
    public string Topic { get; }

    public QosProfile Qos { get; }

    /// <summary>The reader's DDS GUID, announced in ros_discovery_info.</summary>
    public byte[] Gid { get; }

    /// <summary>Incompatible-QoS writers and missed deadlines seen by this reader.</summary>
    public QosEventCounter QosEvents => _listener.Counter;

    /// <summary>Valid samples taken from the reader so far (including ones skipped by <see cref="TryTake"/>).</summary>
    public long ReceivedCount { get; private set; }

    /// <summary>Samples <see cref="TryTake"/> discarded because a newer one was pending.</summary>
    public long SkippedCount { get; private set; }

    /// <summary>Source timestamp (ns since the Unix epoch, writer's clock) of the last message delivered.</summary>
    public long LastSourceTimestampNs { get; private set; }

    /// <summary>
    /// Takes every pending sample and deserializes only the newest into <paramref name="into"/>: the
    /// "latest command wins" read of a control loop. Returns false (leaving <paramref name="into"/> untouched)
    /// when nothing arrived since the last take. Non-blocking, allocation-free in steady state.
    /// </summary>
    public bool TryTake(T into) => Take(into, latestOnly: true);

    /// <summary>Takes the oldest pending sample into <paramref name="into"/> (every sample in order, e.g. for logging).</summary>
    public bool TryTakeNext(T into) => Take(into, latestOnly: false);

    // The sample and info arrays are written by dds_takecdr before they are read: no need to zero them per call.
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private bool Take(T into, bool latestOnly)
    {
        ArgumentNullException.ThrowIfNull(into);
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var added = false;
        _reader.DangerousAddRef(ref added);
        try
        {
            var samples = stackalloc DdsStructs.ddsi_serdata*[Batch];
            var infos = stackalloc DdsStructs.dds_sample_info_t[Batch];
            DdsStructs.ddsi_serdata* newest = null;
            long newestTimestamp = 0;
            var max = latestOnly ? (uint)Batch : 1u;
            while (true)
            {
                var n = DdsCheck.Check(DdsNative.dds_takecdr(_reader.Entity, samples, max, infos, DdsNative.DDS_ANY_STATE), nameof(DdsNative.dds_takecdr));
                for (var i = 0; i < n; i++)
                {
                    if (infos[i].valid_data == 0)
                    {
                        DdsNative.ddsi_serdata_unref(samples[i]);
                        continue;
                    }
                    ReceivedCount++;
                    if (newest != null)
                    {
                        DdsNative.ddsi_serdata_unref(newest);
                        SkippedCount++;
                    }
                    newest = samples[i];
                    newestTimestamp = infos[i].source_timestamp;
                }
                if (n < max || !latestOnly) break;
            }
            if (newest == null) return false;
            try
            {
                var size = (int)DdsNative.ddsi_serdata_size(newest);
                var buffer = _cdr.EnsureCapacity(size);
                fixed (byte* p = buffer) DdsNative.ddsi_serdata_to_ser(newest, 0, (nuint)size, p);
                _cdr.Begin(size);
            }
            finally
            {
                DdsNative.ddsi_serdata_unref(newest);
            }
            into.Deserialize(_cdr);
            LastSourceTimestampNs = newestTimestamp;
            return true;
        }
        finally
        {
            if (added) _reader.DangerousRelease();
        }
    }

    /// <summary>
    /// Blocks until data is available, the timeout elapses or the subscription is disposed. Returns true when
    /// data is (probably) available; follow with <see cref="TryTake"/>/<see cref="TryTakeNext"/>. Reader threads only.
    /// </summary>
    public bool WaitForData(TimeSpan timeout)
    {
        if (_disposed != 0) return false;
        var added = false;
        _waitset.DangerousAddRef(ref added);
        try
        {
            var ns = timeout == Timeout.InfiniteTimeSpan ? DdsNative.DDS_INFINITY : Math.Max(0, timeout.Ticks * 100);
            var n = DdsCheck.Check(DdsNative.dds_waitset_wait(_waitset.Entity, null, 0, ns), nameof(DdsNative.dds_waitset_wait));
            return n > 0 && _disposed == 0;
        }
        finally
        {
            if (added) _waitset.DangerousRelease();
        }
    }

    /// <summary>
    /// Calls <paramref name="handler"/> on the thread that delivers each arriving sample (null stops the calls):
    /// Cyclone's receive thread for writers in other processes, the writing thread inside its Publish for
    /// writers in this process. The handler then consumes the subscription (<see cref="TryTake"/>/
    /// <see cref="TryTakeNext"/>, and may publish); calls for one subscription never overlap. Samples that
    /// arrived before the handler was set are not signalled: take them once after setting it.
    /// </summary>
    /// <remarks>
    /// DESIGN: a reader thread blocked in <see cref="WaitForData"/> is woken by Cyclone's receive thread, one
    /// thread hand-off per message; the handler runs on the receive thread itself (DDS listener), so a
    /// request/response turn costs one wake-up less (ddsperf's default mode). The price: the handler must be short
    /// and must not block, or it delays every other sample of the participant, and it must not call
    /// <see cref="SetDataAvailableHandler"/> or <see cref="Dispose"/> (Cyclone waits for running handlers).
    /// Within one process a handler that publishes to a reader whose handler publishes back recurses on one stack.
    /// Exceptions are caught and reported on stderr. Control loops keep to <see cref="TryTake"/>.
    /// </remarks>
    public void SetDataAvailableHandler(Action? handler)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        _listener.DataAvailable = handler;
        var listener = _listener.CreateNative(reader: true);
        try
        {
            DdsCheck.Check(DdsNative.dds_set_listener(_reader.Entity, listener), nameof(DdsNative.dds_set_listener));
        }
        finally
        {
            DdsNative.dds_delete_listener(listener);
        }
    }

    /// <summary>Publishers currently matched (compatible QoS, same topic and type).</summary>
    public int MatchedPublicationCount
    {
        get
        {
            DdsStructs.dds_subscription_matched_status_t status;
            DdsCheck.Check(DdsNative.dds_get_subscription_matched_status(_reader.Entity, &status), nameof(DdsNative.dds_get_subscription_matched_status));
            return (int)status.current_count;
        }
    }

    /// <summary>Polls until at least <paramref name="count"/> publishers matched; false on timeout. Not for the control loop.</summary>
    public bool WaitForPublications(int count, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (MatchedPublicationCount < count)
        {
            if (Environment.TickCount64 > deadline) return false;
            Thread.Sleep(10);
        }
        return true;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        DdsNative.dds_set_guardcondition(_guard.Entity, true); // wake a blocked WaitForData
        _node.OnEndpointDisposed(this, Gid);
        _waitset.Dispose();
        _guard.Dispose();
        _readCondition.Dispose();
        _reader.Dispose();
        _listener.Dispose();
    }

    public override string ToString() => $"subscription {Topic} [{T.MessageType.RosName}] {Qos}";
}
