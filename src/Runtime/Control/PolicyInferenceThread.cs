using System.Runtime.CompilerServices;
using Mlsh.OnnxRuntime.Policies;
using Mlsh.Runtime.Timing;

namespace Mlsh.Runtime.Control;

/// <summary>
/// The policy's own thread (policy_inference: thread): runs each step the control thread hands over in an
/// <see cref="InferenceSlot"/> and marks it complete; the control thread picks the result up at its next cycle.
/// Created, started and stopped through <see cref="HierarchicalController.StartInferenceThread"/>.
/// </summary>
/// <remarks>
/// <para>Hand-off: a single-slot single-producer/single-consumer mailbox with two sequence numbers. The control
/// thread fills the slot and, as the last act of its cycle, publishes request n by a release store of <c>_posted = n</c>, only when
/// <c>_completed == _posted</c> (no step outstanding), so it never writes a slot the inference thread reads; the
/// inference thread runs the step and publishes the result by a release store of <c>_completed = n</c>, after which it
/// does not touch the slot until request n+1. Each side reads the other's sequence number with an acquire load
/// before reading the slot. No lock, no compare-and-swap, no system call and no allocation on either side.</para>
/// <para>DESIGN: the inference thread is not woken; it sleeps until just after the next request is due and looks.
/// Waking a thread (eventfd, futex) is a system call on the control thread plus, in a VM, an inter-processor
/// interrupt: measured at 4 µs p50 and 43 µs p99 for the command publisher (docs/runtime-timing.md), and a woken
/// SCHED_OTHER thread can preempt the control thread mid-cycle. Requests come every policy_decimation control
/// periods, stamped when handed over, so after a request stamped t the next is due at t + decimation·period: the
/// thread sleeps (clock_nanosleep, absolute) to 50 µs after that (after the decimation cycle has usually ended, so
/// its wake-up does not preempt that cycle on a shared CPU), then checks every period/20 (10-100 µs) while it is late, and once a control period when no request has come for two periods beyond the due time (safe mode,
/// start-up). The wait adds one wake-up latency to the step, far inside the control period before the pickup.</para>
/// </remarks>
internal sealed class PolicyInferenceThread : IDisposable
{
    private const long FirstCheckNs = 50_000;
    private readonly InferenceSlot _slot;
    private readonly IReadOnlyList<SubPolicy> _subPolicies;
    private readonly long _periodNs, _requestGapNs, _stepNs;
    private readonly Thread _thread;
    private readonly Action? _beforeRun;
    private long _posted;    // requests handed over; control thread writes
    private long _completed; // requests finished; inference thread writes
    private volatile bool _stop;
    private volatile bool _resetRequested;
    private long _allocatedBytes;

    /// <param name="beforeRun">Test hook run on the inference thread before each step (e.g. to make it slow); null in production.</param>
    public PolicyInferenceThread(InferenceSlot slot, IReadOnlyList<SubPolicy> subPolicies, TimeSpan controlPeriod, int decimation, int? realtimePriority, Action? beforeRun = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(controlPeriod, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(decimation, 1);
        _slot = slot;
        _subPolicies = subPolicies;
        _periodNs = (long)(controlPeriod.TotalMicroseconds * 1000);
        _requestGapNs = decimation * _periodNs;
        _stepNs = Math.Clamp(_periodNs / 20, 10_000, 100_000);
        _beforeRun = beforeRun;
        using var started = new ManualResetEventSlim();
        _thread = new Thread(() =>
        {
            Realtime = RealtimeSettings.Apply(new ControlThreadOptions { Period = controlPeriod, RealtimePriority = realtimePriority, ThreadName = "mlsh-inference" });
            started.Set();
            try
            {
                Loop();
            }
            catch (Exception e)
            {
                // The control thread checks this every cycle and rethrows it, so the loop stops as an inline failure would.
                Volatile.Write(ref _fault, e);
            }
        }) { IsBackground = true, Name = "mlsh-inference" };
        _thread.Start();
        started.Wait();
    }

    private Exception? _fault;

    /// <summary>The exception that ended the inference thread (null while it runs).</summary>
    public Exception? Fault => Volatile.Read(ref _fault);

    /// <summary>What the OS granted the inference thread.</summary>
    public RealtimeReport? Realtime { get; private set; }

    /// <summary>Wall time of each step's inference (master tick, shadow and sub-policy `Run`s), ns.</summary>
    public LatencyHistogram RunTime { get; } = new();

    /// <summary>Time from handing a request over to the inference thread starting on it, ns (the cost of not waking it).</summary>
    public LatencyHistogram StartDelay { get; } = new();

    /// <summary>Managed bytes the inference thread had allocated after its latest step (any thread; for allocation checks).</summary>
    public long AllocatedBytes => Volatile.Read(ref _allocatedBytes);

    /// <summary>True until <see cref="Dispose"/> has joined the thread.</summary>
    public bool IsAlive => _thread.IsAlive;

    /// <summary>Steps finished so far (any thread).</summary>
    public long Completed => Volatile.Read(ref _completed);

    /// <summary>True while the latest request has not finished. Control thread.</summary>
    public bool Busy => Volatile.Read(ref _completed) != _posted;

    /// <summary>The number of the latest request. Control thread.</summary>
    public long Posted => _posted;

    /// <summary>Hands the filled slot over as the next request. Control thread, only when not <see cref="Busy"/>.</summary>
    public long Post()
    {
        var n = _posted + 1;
        Volatile.Write(ref _posted, n);
        return n;
    }

    /// <summary>Asks the inference thread to reset <see cref="RunTime"/> and <see cref="StartDelay"/> before its next step
    /// (they have a single writer). Any thread.</summary>
    public void RequestStatsReset() => _resetRequested = true;

    /// <summary>Waits until no request is outstanding (tests and shutdown; never the control loop).</summary>
    public bool WaitIdle(TimeSpan timeout)
    {
        var until = MonotonicClock.NowNanoseconds() + (long)(timeout.TotalMicroseconds * 1000);
        while (Busy && Fault is null)
        {
            if (MonotonicClock.NowNanoseconds() > until) return false;
            Thread.Sleep(0);
        }
        return !Busy;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Loop()
    {
        long done = 0;
        long lastStamp = long.MinValue;
        while (!_stop)
        {
            if (Volatile.Read(ref _posted) != done)
            {
                if (_resetRequested)
                {
                    _resetRequested = false;
                    RunTime.Reset();
                    StartDelay.Reset();
                }
                var start = MonotonicClock.NowNanoseconds();
                StartDelay.Record(start - _slot.StampNs);
                _beforeRun?.Invoke();
                _slot.Run(_subPolicies);
                RunTime.Record(MonotonicClock.NowNanoseconds() - start);
                lastStamp = _slot.StampNs;
                done++;
                Volatile.Write(ref _allocatedBytes, GC.GetAllocatedBytesForCurrentThread());
                Volatile.Write(ref _completed, done);
                continue;
            }
            var now = MonotonicClock.NowNanoseconds();
            var due = lastStamp == long.MinValue ? long.MinValue : lastStamp + _requestGapNs;
            long next;
            if (due == long.MinValue || now - due > 2 * _periodNs) next = now + _periodNs;
            else if (now < due + FirstCheckNs) next = due + FirstCheckNs;
            else next = now + _stepNs;
            MonotonicClock.SleepUntil(next);
        }
    }

    /// <summary>Stops the thread after its current step and joins it. Idempotent.</summary>
    public void Dispose()
    {
        _stop = true;
        if (_thread.IsAlive && _thread != Thread.CurrentThread) _thread.Join();
    }
}
