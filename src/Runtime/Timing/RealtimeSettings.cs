using System.Runtime.InteropServices;
using Mlsh.Core.Interop;

namespace Mlsh.Runtime.Timing;

/// <summary>The real-time settings a Runtime thread asks the OS for (the control thread, the command publisher).</summary>
internal static class RealtimeSettings
{
    /// <summary>Applies timer slack, scheduler and affinity to the calling thread and reports each result.</summary>
    internal static unsafe RealtimeReport Apply(ControlThreadOptions options)
    {
        // Timer slack (default 50 µs) lets the kernel coalesce wake-ups; 1 ns asks for exact expiry.
        var slack = LibcNative.prctl(LibcNative.PR_SET_TIMERSLACK, 1, 0, 0, 0) == 0
            ? new RealtimeSetting(true, true, "timer slack 1 ns")
            : new RealtimeSetting(true, false, $"prctl(PR_SET_TIMERSLACK) refused: {LibcNative.ErrnoText(Marshal.GetLastPInvokeError())}");

        RealtimeSetting scheduler;
        if (options.RealtimePriority is { } priority)
        {
            var param = new LibcNative.SchedParam { sched_priority = priority };
            scheduler = LibcNative.sched_setscheduler(0, LibcNative.SCHED_FIFO, &param) == 0
                ? new RealtimeSetting(true, true, $"SCHED_FIFO priority {priority}")
                : new RealtimeSetting(true, false,
                    $"SCHED_FIFO priority {priority} refused: {LibcNative.ErrnoText(Marshal.GetLastPInvokeError())}; " +
                    "running SCHED_OTHER (needs CAP_SYS_NICE or an rtprio limit)");
        }
        else
        {
            scheduler = new RealtimeSetting(false, false, "SCHED_OTHER (no real-time priority requested)");
        }

        RealtimeSetting affinity;
        if (options.CpuAffinity is { } cpu)
        {
            var mask = 1UL << cpu;
            affinity = LibcNative.sched_setaffinity(0, sizeof(ulong), &mask) == 0
                ? new RealtimeSetting(true, true, $"pinned to CPU {cpu}")
                : new RealtimeSetting(true, false, $"pinning to CPU {cpu} refused: {LibcNative.ErrnoText(Marshal.GetLastPInvokeError())}");
        }
        else
        {
            affinity = new RealtimeSetting(false, false, "any CPU");
        }
        return new RealtimeReport(slack, scheduler, affinity);
    }
}
