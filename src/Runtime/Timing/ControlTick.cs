namespace Mlsh.Runtime.Timing;

/// <summary>What the control thread tells a cycle about its timing. Passed by reference; no allocation.</summary>
public readonly struct ControlTick
{
    internal ControlTick(long index, long deadlineNs, long wakeNs, long periodNs, long missedDeadlines)
    {
        Index = index;
        DeadlineNs = deadlineNs;
        WakeNs = wakeNs;
        PeriodNs = periodNs;
        MissedDeadlines = missedDeadlines;
    }

    /// <summary>0 for the first cycle run, then +1 per cycle run (skipped deadlines do not count).</summary>
    public long Index { get; }

    /// <summary>The absolute CLOCK_MONOTONIC deadline (ns, <see cref="MonotonicClock"/>) this cycle was scheduled for.</summary>
    public long DeadlineNs { get; }

    /// <summary>When the thread actually resumed (ns, same clock).</summary>
    public long WakeNs { get; }

    /// <summary>The loop period (ns).</summary>
    public long PeriodNs { get; }

    /// <summary>Deadlines skipped so far because a cycle (or a wake-up) overran.</summary>
    public long MissedDeadlines { get; }

    /// <summary>How late the cycle started: <see cref="WakeNs"/> - <see cref="DeadlineNs"/> (ns, ≥ 0).</summary>
    public long LatenessNs => WakeNs - DeadlineNs;
}

/// <summary>
/// The work of one control cycle. Implemented by the Runtime node (read sensors, infer, publish commands).
/// Called on the control thread only; must not block on I/O and should not allocate.
/// </summary>
public interface IControlCycle
{
    void Run(in ControlTick tick);
}
