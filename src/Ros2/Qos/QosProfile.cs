using Mlsh.Ros2.Interop;

namespace Mlsh.Ros2.Qos;

public enum Reliability { BestEffort = 0, Reliable = 1 }

public enum Durability { Volatile = 0, TransientLocal = 1 }

public enum History { KeepLast = 0, KeepAll = 1 }

public enum Liveliness { Automatic = 0, ManualByParticipant = 1, ManualByTopic = 2 }

/// <summary>
/// The QoS Mlsh sets explicitly on every reader and writer (never Cyclone's defaults), mirroring rclcpp's
/// profiles. Incompatible pairs do not match and are reported on both sides (see
/// <see cref="QosEventCounter"/>): a Reliable reader never matches a BestEffort writer, a TransientLocal reader
/// never matches a Volatile writer, a reader's deadline must be at least the writer's, and a reader's
/// liveliness kind/lease must be no stricter than the writer's. Data between such a pair is never delivered.
/// </summary>
public readonly record struct QosProfile(
    Reliability Reliability,
    Durability Durability,
    History History,
    int Depth,
    TimeSpan? Deadline = null,
    Liveliness Liveliness = Liveliness.Automatic,
    TimeSpan? LivelinessLease = null)
{
    /// <summary>rclcpp SensorDataQoS: best effort, volatile, keep last 5. For /joint_states, /imu/data, /odom.</summary>
    public static QosProfile SensorData { get; } = new(Reliability.BestEffort, Durability.Volatile, History.KeepLast, 5);

    /// <summary>Reliable, volatile, keep last 10 (rclcpp's default QoS). For controller commands, /diagnostics.</summary>
    public static QosProfile Commands { get; } = new(Reliability.Reliable, Durability.Volatile, History.KeepLast, 10);

    /// <summary>
    /// For publishing /clock: reliable keep last 1 matches rclcpp's ClockQoS subscribers (best effort, depth 1)
    /// as well as reliable ones.
    /// </summary>
    public static QosProfile Clock { get; } = new(Reliability.Reliable, Durability.Volatile, History.KeepLast, 1);

    /// <summary>The rmw_dds_common profile of `ros_discovery_info`: reliable, transient local, keep last 1.</summary>
    public static QosProfile Discovery { get; } = new(Reliability.Reliable, Durability.TransientLocal, History.KeepLast, 1);

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad field.</summary>
    public void Validate()
    {
        if (History == History.KeepLast && Depth < 1)
            throw new ArgumentException($"QoS depth {Depth}: keep-last history needs a depth of at least 1");
        if (Deadline is { } d && d <= TimeSpan.Zero)
            throw new ArgumentException($"QoS deadline {d}: expected a positive period or none");
        if (LivelinessLease is { } l && l <= TimeSpan.Zero)
            throw new ArgumentException($"QoS liveliness lease {l}: expected a positive duration or none");
    }

    internal static long ToDdsDuration(TimeSpan? t) => t is { } v ? v.Ticks * 100 : DdsNative.DDS_INFINITY;

    /// <summary>
    /// Creates a dds_qos_t with every policy set; the caller deletes it with dds_delete_qos. Writers offer XCDR1
    /// only (what ROS 2 RMWs exchange); readers also accept plain XCDR2, which <see cref="Cdr.CdrReader"/> decodes.
    /// </summary>
    internal unsafe IntPtr ToNative(bool reader)
    {
        Validate();
        var qos = DdsNative.dds_create_qos();
        // rmw_cyclonedds blocks a reliable writer for at most 100 ms when readers' buffers are full.
        DdsNative.dds_qset_reliability(qos, (int)Reliability, 100_000_000);
        DdsNative.dds_qset_durability(qos, (int)Durability);
        DdsNative.dds_qset_history(qos, (int)History, History == History.KeepLast ? Depth : 1);
        DdsNative.dds_qset_deadline(qos, ToDdsDuration(Deadline));
        DdsNative.dds_qset_liveliness(qos, (int)Liveliness, ToDdsDuration(LivelinessLease));
        var representations = stackalloc short[] { DdsNative.DDS_DATA_REPRESENTATION_XCDR1, DdsNative.DDS_DATA_REPRESENTATION_XCDR2 };
        DdsNative.dds_qset_data_representation(qos, reader ? 2u : 1u, representations);
        return qos;
    }

    public override string ToString() =>
        $"{Reliability}/{Durability}/{History}({Depth})" +
        (Deadline is { } d ? $"/deadline {d.TotalMilliseconds} ms" : "") +
        (LivelinessLease is { } l ? $"/liveliness {Liveliness} {l.TotalMilliseconds} ms" : "");
}
