using Mlsh.Runtime.Timing;

namespace Mlsh.Runtime.Telemetry;

/// <summary>
/// Read-only view of whichever loop drives the controller (the wall-clock <see cref="PeriodicControlThread{TCycle}"/>
/// or the /clock-driven <see cref="SimTimeLoop"/>): histograms and counters that any thread may read.
/// </summary>
public sealed class LoopTiming(LatencyHistogram compute, LatencyHistogram lateness, Func<long> cycles, Func<long> misses)
{
    public LatencyHistogram ComputeTime { get; } = compute;
    public LatencyHistogram WakeLateness { get; } = lateness;
    public long Cycles => cycles();
    public long DeadlineMisses => misses();
}
