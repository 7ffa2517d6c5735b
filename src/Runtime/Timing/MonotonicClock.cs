using Mlsh.Core.Interop;

namespace Mlsh.Runtime.Timing;

/// <summary>CLOCK_MONOTONIC in nanoseconds: the clock the control thread's absolute deadlines live on.</summary>
public static class MonotonicClock
{
    // DESIGN: Stopwatch.GetTimestamp reads the same clock on Linux today, but clock_nanosleep(TIMER_ABSTIME)
    // takes CLOCK_MONOTONIC values, so reading that clock directly keeps deadlines and wake times on one
    // clock by construction rather than by an implementation detail of the runtime.
    /// <summary>Nanoseconds since an arbitrary fixed point (boot); never jumps with wall-clock changes. Allocation-free.</summary>
    public static unsafe long NowNanoseconds()
    {
        LibcNative.Timespec ts;
        LibcNative.clock_gettime(LibcNative.CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1_000_000_000L + ts.tv_nsec;
    }

    /// <summary>Sleeps until the absolute monotonic time <paramref name="deadlineNs"/> (resuming after signals).</summary>
    internal static unsafe void SleepUntil(long deadlineNs)
    {
        var ts = new LibcNative.Timespec { tv_sec = deadlineNs / 1_000_000_000L, tv_nsec = deadlineNs % 1_000_000_000L };
        while (LibcNative.clock_nanosleep(LibcNative.CLOCK_MONOTONIC, LibcNative.TIMER_ABSTIME, &ts, null) == LibcNative.EINTR)
        {
        }
    }
}
