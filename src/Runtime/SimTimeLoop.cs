using Mlsh.Ros2;
using Mlsh.Ros2.Messages.RosgraphMsgs;
using Mlsh.Ros2.Qos;
using Mlsh.Runtime.Timing;

namespace Mlsh.Runtime;

/// <summary>
/// Drives control cycles from simulated time (use_sim_time): each /clock message at or past the next deadline
/// (first clock + k·period on the simulated time line) runs one cycle, so the runtime answers every simulator step
/// in lockstep. Deadlines the clock jumped over count as misses, as on the wall clock. Owns one thread and the
/// /clock subscription; <see cref="Stop"/> joins it.
/// </summary>
public sealed class SimTimeLoop : IDisposable
{
    private readonly Subscription<Clock> _clock;
    private readonly long _periodNs;
    private readonly Action _beforeCycle;
    private readonly Action _cycle;
    private readonly Clock _msg = new();
    private Thread? _thread;
    private volatile bool _stop;
    private long _cycles, _misses, _simTimeNs;

    /// <param name="beforeCycle">Runs first on each tick (e.g. drain the sensor topics so the cycle sees this step's state).</param>
    public SimTimeLoop(RosNode node, string clockTopic, TimeSpan period, Action beforeCycle, Action cycle)
    {
        _clock = node.CreateSubscription<Clock>(clockTopic, QosProfile.Clock);
        _periodNs = (long)(period.TotalMicroseconds * 1000);
        _beforeCycle = beforeCycle;
        _cycle = cycle;
    }

    public LatencyHistogram ComputeTime { get; } = new();

    /// <summary>Simulated-time lateness of each cycle's clock tick behind its deadline.</summary>
    public LatencyHistogram WakeLateness { get; } = new();

    public long CyclesRun => Volatile.Read(ref _cycles);
    public long DeadlineMisses => Volatile.Read(ref _misses);
    public long SimTimeNs => Volatile.Read(ref _simTimeNs);
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
            long next = -1;
            while (!_stop)
            {
                if (!_clock.WaitForData(TimeSpan.FromMilliseconds(50)) || !_clock.TryTake(_msg)) continue;
                var now = _msg.Time.ToNanoseconds();
                Volatile.Write(ref _simTimeNs, now);
                if (next < 0 || now < next - 100 * _periodNs) next = now; // first tick, or the simulator restarted
                if (now < next) continue;
                var start = MonotonicClock.NowNanoseconds();
                _beforeCycle();
                _cycle();
                ComputeTime.Record(MonotonicClock.NowNanoseconds() - start);
                WakeLateness.Record(now - next);
                Volatile.Write(ref _cycles, _cycles + 1);
                next += _periodNs;
                if (now >= next)
                {
                    var skipped = (now - next) / _periodNs + 1;
                    next += skipped * _periodNs;
                    Volatile.Write(ref _misses, _misses + skipped);
                }
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
