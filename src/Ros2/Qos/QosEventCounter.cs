namespace Mlsh.Ros2.Qos;

/// <summary>Which side of an endpoint pair saw the event.</summary>
public enum QosEventKind
{
    /// <summary>Our reader found a writer whose offered QoS cannot satisfy what it requests.</summary>
    RequestedIncompatible,

    /// <summary>Our writer found a reader requesting more than it offers.</summary>
    OfferedIncompatible,

    /// <summary>Our reader did not receive a sample within its deadline.</summary>
    RequestedDeadlineMissed,
}

/// <summary>One QoS event on one endpoint, as delivered to <see cref="RosNodeOptions.QosEventSink"/>.</summary>
public readonly record struct QosEvent(string Topic, QosEventKind Kind, string Policy, long TotalCount)
{
    public override string ToString() => Kind switch
    {
        QosEventKind.RequestedIncompatible =>
            $"QoS mismatch on {Topic}: a writer offers an incompatible {Policy} policy, so this reader will not receive its data (total {TotalCount})",
        QosEventKind.OfferedIncompatible =>
            $"QoS mismatch on {Topic}: a reader requests an incompatible {Policy} policy, so it will not receive this writer's data (total {TotalCount})",
        _ => $"deadline missed on {Topic} (total {TotalCount})",
    };
}

/// <summary>
/// Counts QoS events of one endpoint. Incremented from a Cyclone listener thread; read from any thread.
/// </summary>
public sealed class QosEventCounter
{
    private long _incompatible;
    private long _deadlineMissed;
    private int _lastPolicyId;

    /// <summary>Incompatible QoS matches seen (requested for readers, offered for writers).</summary>
    public long IncompatibleCount => Interlocked.Read(ref _incompatible);

    /// <summary>The policy that made the last match fail, e.g. "RELIABILITY"; empty if none yet.</summary>
    public string LastIncompatiblePolicy => PolicyName(Volatile.Read(ref _lastPolicyId), emptyIfNone: true);

    public long DeadlineMissedCount => Interlocked.Read(ref _deadlineMissed);

    internal void SetIncompatible(long total, int policyId)
    {
        Volatile.Write(ref _lastPolicyId, policyId);
        Interlocked.Exchange(ref _incompatible, total);
    }

    internal void SetDeadlineMissed(long total) => Interlocked.Exchange(ref _deadlineMissed, total);

    /// <summary>DDS_*_QOS_POLICY_ID (dds_public_qosdefs.h) to the spec's policy name.</summary>
    public static string PolicyName(int id, bool emptyIfNone = false) => id switch
    {
        0 => emptyIfNone ? string.Empty : "INVALID",
        1 => "USER_DATA", 2 => "DURABILITY", 3 => "PRESENTATION", 4 => "DEADLINE", 5 => "LATENCY_BUDGET",
        6 => "OWNERSHIP", 7 => "OWNERSHIP_STRENGTH", 8 => "LIVELINESS", 9 => "TIME_BASED_FILTER", 10 => "PARTITION",
        11 => "RELIABILITY", 12 => "DESTINATION_ORDER", 13 => "HISTORY", 14 => "RESOURCE_LIMITS", 15 => "ENTITY_FACTORY",
        16 => "WRITER_DATA_LIFECYCLE", 17 => "READER_DATA_LIFECYCLE", 18 => "TOPIC_DATA", 19 => "GROUP_DATA",
        20 => "TRANSPORT_PRIORITY", 21 => "LIFESPAN", 22 => "DURABILITY_SERVICE", 23 => "PROPERTY",
        24 => "TYPE_CONSISTENCY_ENFORCEMENT", 25 => "DATA_REPRESENTATION",
        _ => $"policy {id}",
    };
}
