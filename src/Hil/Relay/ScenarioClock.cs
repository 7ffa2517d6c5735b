namespace Mlsh.Hil.Relay;

/// <summary>
/// Scenario time (s) derived from the robot's own message stamps: simulated time in lockstep, the robot's clock
/// otherwise. The first stamp seen is t = 0; when the stamps jump backwards (a restarted simulator starts its clock
/// at 0 again) the clock keeps counting from where it was instead of going back. Thread-safe: any reader thread may
/// <see cref="Observe"/>, any thread may read <see cref="NowS"/>; lock-free and allocation-free.
/// </summary>
/// <remarks>DESIGN: the harness does not use its own wall clock for fault times, so a lockstep run that is slower
/// than real time still injects each fault at the same simulated instant (deterministic scenarios).</remarks>
public sealed class ScenarioClock
{
    /// <summary>A stamp this far (s) behind the newest starts a new epoch; smaller reorderings between topics are normal.</summary>
    public const double EpochJumpS = 0.5;

    private readonly object _gate = new();
    private double _offset = double.NaN;   // scenario time = stamp + offset
    private double _lastStamp = double.NaN;
    private double _now;

    /// <summary>The latest scenario time (s); 0 before the first stamp.</summary>
    public double NowS => Volatile.Read(ref _now);

    /// <summary>True once a stamp arrived.</summary>
    public bool Started => !double.IsNaN(Volatile.Read(ref _offset));

    /// <summary>Maps a robot time (s) of the current clock epoch to scenario time without feeding the clock.</summary>
    public double ToScenarioTime(double stampS)
    {
        lock (_gate) return double.IsNaN(_offset) ? 0 : stampS + _offset;
    }

    /// <summary>Feeds one robot stamp (s) and returns the scenario time it maps to.</summary>
    public double Observe(double stampS)
    {
        lock (_gate)
        {
            if (double.IsNaN(_offset))
            {
                _offset = -stampS;
                _lastStamp = stampS;
            }
            else if (stampS < _lastStamp - EpochJumpS)
            {
                // A new clock epoch (simulator restarted): continue from the current time.
                _offset = _now - stampS;
                _lastStamp = stampS;
            }
            else
            {
                _lastStamp = Math.Max(_lastStamp, stampS);
            }
            var t = stampS + _offset;
            if (t > _now) Volatile.Write(ref _now, t);
            return t;
        }
    }
}
