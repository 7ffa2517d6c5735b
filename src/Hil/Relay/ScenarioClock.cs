namespace Mlsh.Hil.Relay;

/// <summary>
/// Scenario time (s) derived from the robot's own message stamps: simulated time in lockstep, the robot's clock
/// otherwise. The first stamp seen is t = 0; when the stamps jump backwards (a restarted simulator starts its clock
/// at 0 again) the clock keeps counting from where it was instead of going back. Thread-safe: any reader thread may
/// <see cref="Observe"/>, any thread may read <see cref="NowS"/> (a short lock); allocates only when a new epoch begins.
/// </summary>
/// <remarks>DESIGN: the harness does not use its own wall clock for fault times, so a lockstep run that is slower
/// than real time still injects each fault at the same simulated instant (deterministic scenarios).</remarks>
public sealed class ScenarioClock
{
    /// <summary>A stamp this far (s) behind the newest starts a new epoch; smaller reorderings between topics are normal.</summary>
    public const double EpochJumpS = 0.5;

    private readonly object _gate = new();
    private readonly List<double> _epochOffsets = []; // offset of each clock epoch, in order
    private double _offset = double.NaN;   // scenario time = stamp + offset
    private double _lastStamp = double.NaN;
    private double _now;

    /// <summary>The latest scenario time (s); 0 before the first stamp.</summary>
    public double NowS => Volatile.Read(ref _now);

    /// <summary>True once a stamp arrived.</summary>
    public bool Started => !double.IsNaN(Volatile.Read(ref _offset));

    /// <summary>Clock epochs begun after the first (robot clock restarts seen so far).</summary>
    public int Epoch
    {
        get { lock (_gate) return Math.Max(0, _epochOffsets.Count - 1); }
    }

    /// <summary>
    /// Maps a robot time (s) of clock epoch <paramref name="epoch"/> (0 = the first; a restarted simulator's clock
    /// starts the next) to scenario time. False when that epoch has not been seen yet (the robot reported a time of
    /// its new clock before this clock saw a stamp of it): map it later.
    /// </summary>
    public bool TryToScenarioTime(double stampS, int epoch, out double scenarioS)
    {
        lock (_gate)
        {
            scenarioS = double.NaN;
            if (epoch < 0 || epoch >= _epochOffsets.Count) return false;
            scenarioS = stampS + _epochOffsets[epoch];
            return true;
        }
    }

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
                _epochOffsets.Add(_offset);
            }
            else if (stampS < _lastStamp - EpochJumpS)
            {
                // A new clock epoch (simulator restarted): continue from the current time.
                _offset = _now - stampS;
                _lastStamp = stampS;
                _epochOffsets.Add(_offset);
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
