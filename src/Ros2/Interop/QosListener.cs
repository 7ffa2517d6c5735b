using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Mlsh.Ros2.Qos;

namespace Mlsh.Ros2.Interop;

/// <summary>
/// A Cyclone listener that turns requested/offered-incompatible-QoS and deadline-missed statuses of one
/// endpoint into <see cref="QosEventCounter"/> updates and <see cref="QosEvent"/> reports, and optionally
/// passes a reader's data-available status to <see cref="DataAvailable"/>.
/// </summary>
/// <remarks>
/// Callbacks run on Cyclone's internal threads; they only update counters and call the sink inside a
/// try/catch (an exception must never unwind into C). The GCHandle passed to Cyclone as the listener argument
/// is freed only after the endpoint is deleted (<see cref="Dispose"/>), so no callback can see a freed handle.
/// </remarks>
internal sealed unsafe class QosListener : IDisposable
{
    private readonly string _topic;
    private readonly Action<QosEvent>? _sink;
    private GCHandle _self;

    public QosListener(string topic, QosEventCounter counter, Action<QosEvent>? sink)
    {
        _topic = topic;
        Counter = counter;
        _sink = sink;
        _self = GCHandle.Alloc(this);
    }

    public QosEventCounter Counter { get; }

    /// <summary>Called on Cyclone's receive thread when the reader has data (only if set before <see cref="CreateNative"/>).</summary>
    public Action? DataAvailable { get; set; }

    /// <summary>A dds_listener_t for dds_create_reader/writer; Cyclone copies it, so delete it right after.</summary>
    public IntPtr CreateNative(bool reader)
    {
        var listener = DdsNative.dds_create_listener(GCHandle.ToIntPtr(_self));
        if (reader)
        {
            DdsNative.dds_lset_requested_incompatible_qos(listener, &OnRequestedIncompatible);
            DdsNative.dds_lset_requested_deadline_missed(listener, &OnRequestedDeadlineMissed);
            if (DataAvailable != null) DdsNative.dds_lset_data_available(listener, &OnDataAvailable);
        }
        else
        {
            DdsNative.dds_lset_offered_incompatible_qos(listener, &OnOfferedIncompatible);
        }
        return listener;
    }

    /// <summary>Call only after the endpoint entity has been deleted.</summary>
    public void Dispose()
    {
        if (_self.IsAllocated) _self.Free();
    }

    private void Report(QosEventKind kind, uint total, uint policyId)
    {
        if (kind == QosEventKind.RequestedDeadlineMissed) Counter.SetDeadlineMissed(total);
        else Counter.SetIncompatible(total, (int)policyId);
        try
        {
            _sink?.Invoke(new QosEvent(_topic, kind, QosEventCounter.PolicyName((int)policyId), total));
        }
        catch (Exception)
        {
            // A faulty sink must not take down Cyclone's listener thread; the counter has been updated.
        }
    }

    private static QosListener? From(IntPtr arg) => GCHandle.FromIntPtr(arg).Target as QosListener;

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnRequestedIncompatible(int reader, DdsStructs.dds_incompatible_qos_status_t status, IntPtr arg) =>
        From(arg)?.Report(QosEventKind.RequestedIncompatible, status.total_count, status.last_policy_id);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnOfferedIncompatible(int writer, DdsStructs.dds_incompatible_qos_status_t status, IntPtr arg) =>
        From(arg)?.Report(QosEventKind.OfferedIncompatible, status.total_count, status.last_policy_id);

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnDataAvailable(int reader, IntPtr arg)
    {
        try
        {
            From(arg)?.DataAvailable?.Invoke();
        }
        catch (Exception e)
        {
            // Never unwind into C: report the failure on stderr and keep Cyclone's thread alive.
            Console.Error.WriteLine($"data-available handler failed: {e.GetType().Name}: {e.Message}");
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static void OnRequestedDeadlineMissed(int reader, DdsStructs.dds_deadline_missed_status_t status, IntPtr arg) =>
        From(arg)?.Report(QosEventKind.RequestedDeadlineMissed, status.total_count, 4);
}
