using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Mlsh.Runtime.Timing;

/// <summary>
/// A dedicated thread that runs <typeparamref name="TCycle"/> once per period on absolute CLOCK_MONOTONIC
/// deadlines: deadline k is start + k·period, so scheduling error never accumulates (no drift). Each wait
/// sleeps with clock_nanosleep(TIMER_ABSTIME) to <see cref="ControlThreadOptions.SpinWindow"/> before the
/// deadline, then spins. A cycle that ends after the next deadline skips every deadline already past and
/// resumes on the next future one of the same grid: skipped deadlines are counted in
/// <see cref="DeadlineMisses"/>, never run late in a catch-up burst (a burst of stale control outputs is
/// worse for a robot than a dropped cycle).
/// </summary>
/// <remarks>
/// Lifetime: <see cref="Start"/> once, <see cref="Stop"/> (or Dispose) joins the thread; a stopped instance
/// cannot restart. Threading: the cycle runs on the control thread only; <see cref="CyclesRun"/>,
/// <see cref="DeadlineMisses"/> and the histograms' <see cref="LatencyHistogram.CopyTo"/> may be read from any
/// thread without stalling the loop. The loop itself allocates nothing per cycle, so as long as the cycle
/// does not allocate either, the control thread never triggers a GC (pauses caused by other threads'
/// allocations still stop it: keep the process's steady state allocation-free).
/// An exception thrown by the cycle ends the loop and is kept in <see cref="Fault"/>.
/// </remarks>
public sealed class PeriodicControlThread<TCycle> : IDisposable where TCycle : IControlCycle
{
    private readonly ControlThreadOptions _options;
    private readonly long _periodNs;
    private readonly long _spinNs;
    private readonly ManualResetEventSlim _setupDone = new();
    // Not readonly: a struct cycle keeps its own state across calls.
    private TCycle _cycle;
    private Thread? _thread;
    private volatile bool _stopRequested;
    private volatile bool _resetRequested;
    private long _cyclesRun;
    private long _deadlineMisses;
    private RealtimeReport? _realtime;

    /// <param name="cycle">The per-cycle work; the thread calls it, it is not disposed here.</param>
    /// <param name="options">Period, spin window, optional SCHED_FIFO priority and CPU.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is outside its range (message names it).</exception>
    public PeriodicControlThread(TCycle cycle, ControlThreadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _cycle = cycle;
        _periodNs = (long)(options.Period.TotalMicroseconds * 1000);
        _spinNs = (long)(options.SpinWindow.TotalMicroseconds * 1000);
    }

    /// <summary>Time from wake-up to the end of the cycle's work (ns).</summary>
    public LatencyHistogram ComputeTime { get; } = new();

    /// <summary>Wake-up lateness: actual start minus the scheduled deadline (ns).</summary>
    public LatencyHistogram WakeLateness { get; } = new();

    /// <summary>Cycles run so far (readable from any thread).</summary>
    public long CyclesRun => Volatile.Read(ref _cyclesRun);

    /// <summary>Deadlines skipped because a cycle or a wake-up overran (readable from any thread).</summary>
    public long DeadlineMisses => Volatile.Read(ref _deadlineMisses);

    /// <summary>What the OS granted (timer slack, SCHED_FIFO, affinity); null before <see cref="Start"/>.</summary>
    public RealtimeReport? Realtime => Volatile.Read(ref _realtime);

    /// <summary>The exception that ended the loop, if the cycle threw.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>True between Start and the loop's end (Stop, or a fault).</summary>
    public bool IsRunning => _thread is { IsAlive: true };

    /// <summary>Starts the thread, waits until it has applied its real-time settings, and returns what it got.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public RealtimeReport Start()
    {
        if (_thread is not null) throw new InvalidOperationException("the control thread was already started; create a new one to run again");
        _thread = new Thread(Loop) { IsBackground = true, Name = _options.ThreadName };
        _thread.Start();
        _setupDone.Wait();
        return Realtime ?? throw new InvalidOperationException($"control thread '{_options.ThreadName}' failed while applying its real-time settings", Fault);
    }

    /// <summary>Asks the loop to reset both histograms at its next cycle (the histograms have a single writer).</summary>
    public void RequestStatsReset() => _resetRequested = true;

    /// <summary>Ends the loop after the current cycle and joins the thread (at most about one period). Idempotent.
    /// Called from the cycle itself, it only requests the stop.</summary>
    public void Stop()
    {
        _stopRequested = true;
        var thread = _thread;
        if (thread is null || thread == Thread.CurrentThread) return;
        thread.Join();
    }

    public void Dispose()
    {
        Stop();
        _setupDone.Dispose();
    }

    // DESIGN: fully optimised from the first call. This method never returns while the loop runs, so under
    // tiered compilation it would be replaced mid-run by on-stack replacement, which compiles (and allocates)
    // on this thread thousands of cycles into the run: exactly the jitter the loop exists to avoid.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Loop()
    {
        try
        {
            Volatile.Write(ref _realtime, RealtimeSettings.Apply(_options));
        }
        catch (Exception e)
        {
            Fault = e;
            return;
        }
        finally
        {
            _setupDone.Set();
        }
        try
        {
            long index = 0;
            var next = MonotonicClock.NowNanoseconds() + _periodNs;
            while (!_stopRequested)
            {
                var wake = WaitUntil(next);
                if (_resetRequested)
                {
                    _resetRequested = false;
                    ComputeTime.Reset();
                    WakeLateness.Reset();
                }
                var tick = new ControlTick(index, next, wake, _periodNs, _deadlineMisses);
                _cycle.Run(in tick);
                var end = MonotonicClock.NowNanoseconds();
                WakeLateness.Record(wake - next);
                ComputeTime.Record(end - wake);
                Volatile.Write(ref _cyclesRun, ++index);

                next += _periodNs;
                if (end > next)
                {
                    // Overran: skip every deadline already past, staying on the original grid.
                    var skipped = (end - next) / _periodNs + 1;
                    next += skipped * _periodNs;
                    Volatile.Write(ref _deadlineMisses, _deadlineMisses + skipped);
                }
            }
        }
        catch (Exception e)
        {
            // The loop has no one to throw to; keep the cause for the owner (the node's watchdog reads it).
            Fault = e;
        }
    }

    /// <returns>The clock reading that found the deadline reached (the wake time).</returns>
    private long WaitUntil(long deadlineNs)
    {
        var sleepUntil = deadlineNs - _spinNs;
        if (MonotonicClock.NowNanoseconds() < sleepUntil) MonotonicClock.SleepUntil(sleepUntil);
        // DESIGN: finishing with a spin rather than one more short sleep: a sleep of any length returns
        // only after the next timer interrupt plus wake-up latency (tens of µs), the spin within ~100 ns.
        // One pause instruction per poll, not Thread.SpinWait, whose normalised spin lasts far longer.
        long now;
        while ((now = MonotonicClock.NowNanoseconds()) < deadlineNs)
        {
            if (X86Base.IsSupported) X86Base.Pause();
            else if (ArmBase.IsSupported) ArmBase.Yield();
        }
        return now;
    }
}
