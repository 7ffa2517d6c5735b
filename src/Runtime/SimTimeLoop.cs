using Mlsh.Ros2;
using Mlsh.Ros2.Messages.RosgraphMsgs;
using Mlsh.Ros2.Qos;
using Mlsh.Runtime.Timing;

namespace Mlsh.Runtime;

/// <summary>
/// Drives control cycles from simulated time (use_sim_time): the first /clock tick at or past the next control
/// deadline (first tick + k·period on the simulated time line) runs one cycle, so against a lockstep simulator that
/// advances one control period per command the runtime runs exactly one cycle per control period of simulated time.
/// Owns one thread and the /clock subscription; <see cref="Stop"/> joins it.
/// </summary>
/// <remarks>
/// <para>DESIGN: what "late" means on simulated time. A deadline miss is a wall-clock notion (the control thread woke
/// or finished after its deadline on the real clock); under /clock the simulated world waits for a lockstep
/// controller, so this loop never counts deadline misses. What can go wrong instead is that the clock advances over
/// control deadlines without a cycle (a simulator stepping further per command than one control period, or a
/// real-time simulator running ahead of a slow runtime): those deadlines are counted as
/// <see cref="ClockSkippedCycles"/>, which must stay 0 in lockstep. <see cref="WakeLateness"/> records the simulated
/// time between a deadline and the tick that served it (0 in exact lockstep); <see cref="ComputeTime"/> is the wall
/// time of the controller's cycle itself (not of waiting for the state).</para>
/// <para>A clock that goes backwards means the simulator was restarted: a new clock epoch starts at that tick, and
/// <c>clockReset</c> runs before its first cycle (the node puts the controller into safe mode: its state and action
/// history belong to the old world).</para>
/// </remarks>
public sealed class SimTimeLoop : IDisposable
{
    private readonly Subscription<Clock> _clock;
    private readonly long _periodNs;
    private readonly Action<long, long> _beforeCycle;
    private readonly Action<long> _cycle;
    private readonly Action _clockReset;
    private readonly Clock _msg = new();
    private Thread? _thread;
    private volatile bool _stop;
    private long _cycles, _skipped, _resets, _simTimeNs;

    /// <param name="beforeCycle">Runs first on each cycle with (clock time, clock time of the previous cycle or
    /// long.MinValue), e.g. to drain the sensor topics so the cycle sees this tick's state.</param>
    /// <param name="cycle">One control cycle, given the simulated time (ns) it runs at.</param>
    /// <param name="clockReset">Runs on the loop thread when the clock went backwards, before the new epoch's first cycle.</param>
    public SimTimeLoop(RosNode node, string clockTopic, TimeSpan period, Action<long, long> beforeCycle, Action<long> cycle, Action? clockReset = null)
    {
        _periodNs = (long)(period.TotalMicroseconds * 1000);
        if (_periodNs <= 0) throw new ArgumentOutOfRangeException(nameof(period), period, "the control period must be positive");
        _clock = node.CreateSubscription<Clock>(clockTopic, QosProfile.Clock);
        _beforeCycle = beforeCycle;
        _cycle = cycle;
        _clockReset = clockReset ?? (() => { });
    }

    public LatencyHistogram ComputeTime { get; } = new();

    /// <summary>Simulated time (ns) between each cycle's deadline and the clock tick that ran it.</summary>
    public LatencyHistogram WakeLateness { get; } = new();

    public long CyclesRun => Volatile.Read(ref _cycles);

    /// <summary>Always 0: deadline misses are a wall-clock notion (see the remarks); skipped deadlines are <see cref="ClockSkippedCycles"/>.</summary>
    public long DeadlineMisses => 0;

    /// <summary>Control deadlines the clock advanced over without a cycle (0 in exact lockstep).</summary>
    public long ClockSkippedCycles => Volatile.Read(ref _skipped);

    /// <summary>Times the clock went backwards (simulator restarts).</summary>
    public long ClockResets => Volatile.Read(ref _resets);

    /// <summary>The newest /clock time (ns).</summary>
    public long SimTimeNs => Volatile.Read(ref _simTimeNs);

    public TimeSpan Period => TimeSpan.FromTicks(_periodNs / 100);
    public Exception? Fault { get; private set; }
    public bool IsRunning => _thread is { IsAlive: true };

    public void Start()
    {
        if (_thread is not null) throw new InvalidOperationException("the sim-time loop was already started");
        _thread = new Thread(Loop) { IsBackground = true, Name = "mlsh-control-simtime" };
        _thread.Start();
    }

    private void Loop()
    {
        try
        {
            long next = long.MinValue, last = long.MinValue, previousCycle = long.MinValue;
            while (!_stop)
            {
                if (!_clock.WaitForData(TimeSpan.FromMilliseconds(50)) || !_clock.TryTake(_msg)) continue;
                var now = _msg.Time.ToNanoseconds();
                Volatile.Write(ref _simTimeNs, now);
                if (last != long.MinValue && now < last)
                {
                    // The simulator restarted (its clock counts from 0 again): a new epoch starts at this tick.
                    Volatile.Write(ref _resets, _resets + 1);
                    _clockReset();
                    next = long.MinValue;
                    previousCycle = long.MinValue;
                }
                last = now;
                if (next == long.MinValue) next = now;
                if (now < next) continue; // a tick between deadlines, or the same tick published again
                // Deadlines strictly before the one this tick serves got no cycle.
                var skipped = (now - next) / _periodNs;
                var deadline = next + skipped * _periodNs;
                _beforeCycle(now, previousCycle);
                var start = MonotonicClock.NowNanoseconds();
                _cycle(now);
                ComputeTime.Record(MonotonicClock.NowNanoseconds() - start);
                WakeLateness.Record(now - deadline);
                Volatile.Write(ref _cycles, _cycles + 1);
                if (skipped > 0) Volatile.Write(ref _skipped, _skipped + skipped);
                previousCycle = now;
                next = deadline + _periodNs;
            }
        }
        catch (Exception e)
        {
            Fault = e;
        }
    }

    public void Stop()
    {
        _stop = true;
        _thread?.Join();
    }

    public void Dispose()
    {
        Stop();
        _clock.Dispose();
    }
}
