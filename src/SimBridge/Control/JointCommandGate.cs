namespace Mlsh.SimBridge.Control;

/// <summary>Which joint controller the simulated motor drivers run this physics step.</summary>
public enum JointCommandMode
{
    /// <summary>No valid command within the timeout: zero torque plus joint damping, τ = −kd·q̇ (a motor driver's "damping mode").</summary>
    SafeHold,
    /// <summary>Torques from /effort_controller/commands, clamped to the torque limits.</summary>
    Effort,
    /// <summary>Position targets from /position_controller/commands, tracked by the robot's PD law at the physics rate.</summary>
    Position,
}

/// <summary>
/// The command input of the simulated joint controllers, with ros2_control's forward_command_controller rules:
/// a command whose size differs from the joint count, or holding a non-finite value, is dropped whole and
/// counted; an accepted command is clamped (efforts to ±torque limit, positions to the joint range) and stays in
/// force until the next one or until <c>timeout</c> of simulated time passes without one, when the controller
/// falls back to <see cref="JointCommandMode.SafeHold"/>.
/// </summary>
/// <remarks>
/// DESIGN: safe hold is damping only (no position target). Holding a pose with PD needs a pose the robot can
/// actually hold — after a fall or a collision the "current" pose is arbitrary and a stiff hold there can
/// fight the ground; damping brings the legs to rest and lets the body settle, which is what the motor
/// drivers of real quadrupeds do when their controller goes silent.
/// Threading: owned by the sim thread; counters may be read from others (torn reads are harmless).
/// Allocation: none after construction.
/// </remarks>
public sealed class JointCommandGate
{
    private readonly double[] _torqueLimit, _rangeLow, _rangeHigh, _values;
    private readonly long _timeoutNs;
    private long _lastAcceptedNs;
    private bool _timedOut = true;

    /// <param name="torqueLimit">Per-joint symmetric torque limit (N m), robot order.</param>
    /// <param name="rangeLow">Per-joint lower position limit (−∞ when unlimited).</param>
    /// <param name="rangeHigh">Per-joint upper position limit (+∞ when unlimited).</param>
    /// <param name="timeoutNs">Simulated time without a valid command after which the gate holds safe.</param>
    public JointCommandGate(ReadOnlySpan<double> torqueLimit, ReadOnlySpan<double> rangeLow, ReadOnlySpan<double> rangeHigh, long timeoutNs)
    {
        if (rangeLow.Length != torqueLimit.Length || rangeHigh.Length != torqueLimit.Length)
            throw new ArgumentException($"torque limits ({torqueLimit.Length}) and joint ranges ({rangeLow.Length}, {rangeHigh.Length}) must have one entry per joint");
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(timeoutNs);
        _torqueLimit = torqueLimit.ToArray();
        _rangeLow = rangeLow.ToArray();
        _rangeHigh = rangeHigh.ToArray();
        _values = new double[torqueLimit.Length];
        _timeoutNs = timeoutNs;
    }

    public int JointCount => _values.Length;

    /// <summary>The mode of the last accepted command (<see cref="JointCommandMode.SafeHold"/> before any, after a reset or a timeout).</summary>
    public JointCommandMode Mode { get; private set; } = JointCommandMode.SafeHold;

    /// <summary>The clamped efforts or position targets of the last accepted command, robot joint order.</summary>
    public ReadOnlySpan<double> Values => _values;

    public long Accepted { get; private set; }
    public long DroppedWrongSize { get; private set; }
    public long DroppedNonFinite { get; private set; }
    /// <summary>Times the gate fell back to safe hold because commands stopped.</summary>
    public long Timeouts { get; private set; }
    /// <summary>Size of the last wrong-size command, for the diagnostics message.</summary>
    public int LastWrongSize { get; private set; } = -1;

    /// <summary>Validates and, if valid, takes <paramref name="command"/> as the command in force from <paramref name="nowNs"/>.</summary>
    /// <returns>False when the command was dropped (and counted).</returns>
    public bool TryAccept(JointCommandMode mode, ReadOnlySpan<double> command, long nowNs)
    {
        if (mode == JointCommandMode.SafeHold) throw new ArgumentException("safe hold is not a command mode", nameof(mode));
        if (command.Length != _values.Length)
        {
            DroppedWrongSize++;
            LastWrongSize = command.Length;
            return false;
        }
        foreach (var v in command)
        {
            if (double.IsFinite(v)) continue;
            DroppedNonFinite++;
            return false;
        }
        for (var i = 0; i < _values.Length; i++)
        {
            var (lo, hi) = mode == JointCommandMode.Effort ? (-_torqueLimit[i], _torqueLimit[i]) : (_rangeLow[i], _rangeHigh[i]);
            _values[i] = Math.Clamp(command[i], lo, hi);
        }
        Mode = mode;
        _lastAcceptedNs = nowNs;
        _timedOut = false;
        Accepted++;
        return true;
    }

    /// <summary>Applies the timeout at simulated time <paramref name="nowNs"/>; call once per physics step before reading <see cref="Mode"/>.</summary>
    public void CheckTimeout(long nowNs)
    {
        if (_timedOut || nowNs - _lastAcceptedNs < _timeoutNs) return;
        _timedOut = true;
        Mode = JointCommandMode.SafeHold;
        Timeouts++;
    }

    /// <summary>Forgets the command in force (episode reset): safe hold until the next command, not counted as a timeout.</summary>
    public void Clear()
    {
        _timedOut = true;
        Mode = JointCommandMode.SafeHold;
        Array.Clear(_values);
    }
}
