using System.Globalization;
using Mlsh.Runtime.Control;

namespace Mlsh.Runtime;

/// <summary>
/// The node's own record of when the controller last entered and left safe mode, on the node's clock: simulated time
/// (/clock) under use_sim_time, system time (ns since the Unix epoch, as ROS time without sim time) otherwise. Written
/// on the control thread right after the cycle that changed the mode (so an entry is stamped with the cycle that
/// acted on the fault), read from any thread. Allocation-free.
/// </summary>
public sealed class SafeModeTimes
{
    /// <summary>The value of <see cref="LastEntryNs"/>/<see cref="LastExitNs"/> before the first transition.</summary>
    public const long Never = long.MinValue;

    private ControllerMode _mode = ControllerMode.Safe; // the controller starts in safe mode
    private long _entryNs = Never, _exitNs = Never;
    private int _epoch, _entryEpoch, _exitEpoch, _entryFaults;

    public long LastEntryNs => Volatile.Read(ref _entryNs);
    public long LastExitNs => Volatile.Read(ref _exitNs);

    /// <summary>The clock epoch (0, then +1 per <see cref="NewClockEpoch"/>) <see cref="LastEntryNs"/> belongs to.</summary>
    public int LastEntryEpoch => Volatile.Read(ref _entryEpoch);
    public int LastExitEpoch => Volatile.Read(ref _exitEpoch);

    /// <summary>The faults that put the controller into safe mode at <see cref="LastEntryNs"/>: a report that a robot
    /// entered safe mode is only actionable with the reason.</summary>
    public SafetyFaults LastEntryFaults => (SafetyFaults)Volatile.Read(ref _entryFaults);

    /// <summary>Control thread: the node's clock went backwards (a restarted simulator); later times belong to the next epoch.</summary>
    public void NewClockEpoch() => _epoch++;

    /// <summary>Control thread, after each cycle: records a mode change at <paramref name="timeNs"/>.</summary>
    public void AfterCycle(HierarchicalController controller, long timeNs)
    {
        var status = controller.Status.Read();
        var mode = status.Mode;
        if (mode == _mode) return;
        _mode = mode;
        // The epoch is written first: a reader that sees the new time also sees its epoch (or reads again later).
        if (mode == ControllerMode.Safe)
        {
            Volatile.Write(ref _entryEpoch, _epoch);
            Volatile.Write(ref _entryFaults, (int)status.Faults);
            Volatile.Write(ref _entryNs, timeNs);
        }
        else
        {
            Volatile.Write(ref _exitEpoch, _epoch);
            Volatile.Write(ref _exitNs, timeNs);
        }
    }

    /// <summary>System time in ns since the Unix epoch (allocation-free).</summary>
    public static long SystemTimeNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    /// <summary>Seconds with ns precision for diagnostics, or "never".</summary>
    public static string Seconds(long ns) =>
        ns == Never ? "never" : (ns / 1_000_000_000).ToString(CultureInfo.InvariantCulture) + "." + (ns % 1_000_000_000).ToString("D9", CultureInfo.InvariantCulture);
}
