namespace Mlsh.Runtime.Timing;

/// <summary>How a <see cref="PeriodicControlThread{TCycle}"/> schedules itself.</summary>
public sealed record ControlThreadOptions
{
    /// <summary>The control period, e.g. 2 ms for a 500 Hz loop.</summary>
    public required TimeSpan Period { get; init; }

    /// <summary>
    /// How long before each deadline the thread stops sleeping and busy-waits. Kernel wake-ups land tens of
    /// microseconds late; spinning the last stretch trades that much CPU per cycle for an on-time start.
    /// </summary>
    public TimeSpan SpinWindow { get; init; } = TimeSpan.FromMicroseconds(80);

    /// <summary>SCHED_FIFO priority to request (1-99), or null to stay SCHED_OTHER. The result is reported, never fatal.</summary>
    public int? RealtimePriority { get; init; }

    /// <summary>Pin the control thread to this CPU, or null to let the scheduler place it.</summary>
    public int? CpuAffinity { get; init; }

    /// <summary>Thread name (seen in top -H, gdb).</summary>
    public string ThreadName { get; init; } = "mlsh-control";

    internal void Validate()
    {
        if (Period <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(Period), Period, "the control period must be positive");
        if (SpinWindow < TimeSpan.Zero || SpinWindow >= Period)
            throw new ArgumentOutOfRangeException(nameof(SpinWindow), SpinWindow, $"the spin window must be in [0, period {Period})");
        if (RealtimePriority is < 1 or > 99)
            throw new ArgumentOutOfRangeException(nameof(RealtimePriority), RealtimePriority, "SCHED_FIFO priorities are 1..99");
        if (CpuAffinity is < 0 or >= 64)
            throw new ArgumentOutOfRangeException(nameof(CpuAffinity), CpuAffinity, $"CPU index must be in 0..63 (this machine has {Environment.ProcessorCount})");
    }
}

/// <summary>One real-time setting the control thread tried to apply, and what happened.</summary>
/// <param name="Requested">False when the options did not ask for it.</param>
/// <param name="Applied">True when the kernel accepted it.</param>
/// <param name="Detail">What was applied, or the C library's error text when it was refused.</param>
public sealed record RealtimeSetting(bool Requested, bool Applied, string Detail);

/// <summary>What the control thread could and could not get from the OS (reported, e.g. in telemetry and logs).</summary>
public sealed record RealtimeReport(RealtimeSetting TimerSlack, RealtimeSetting Scheduler, RealtimeSetting Affinity);
