using System.Globalization;
using Mlsh.Ros2.Messages.DiagnosticMsgs;
using Mlsh.SimBridge.Control;

namespace Mlsh.SimBridge.Diagnostics;

/// <summary>Event counters of the bridge other than the command gate's. Written by the sim thread only.</summary>
public sealed class BridgeCounters
{
    public long PhysicsSteps { get; internal set; }
    public long DivergenceResets { get; internal set; }
    public long ResetsByMessage { get; internal set; }
    public long LayoutChanges { get; internal set; }
    public long LayoutErrors { get; internal set; }
    /// <summary>Lockstep: waits for a command that exceeded lockstep_wait_timeout_s (state was re-published).</summary>
    public long LockstepWaitTimeouts { get; internal set; }
    /// <summary>Real time: physics steps that started more than one period after their deadline.</summary>
    public long DeadlineMisses { get; internal set; }
    public string? LastDivergence { get; internal set; }
    public string? LastLayoutError { get; internal set; }
}

/// <summary>
/// Builds the bridge's diagnostic_msgs/DiagnosticArray (one status "mlsh_sim: simulation bridge", keys in a
/// fixed order). The message and its key/value objects are created once; the value strings are formatted on
/// each report (a handful per report at ~1 Hz, the only allocation of the running bridge, kept off the
/// per-step path). Not thread-safe: the sim thread builds and publishes it.
/// </summary>
public sealed class BridgeDiagnostics
{
    public const string StatusName = "mlsh_sim: simulation bridge";

    private static readonly string[] Keys =
    [
        "mode", "layout", "sim_time_s", "real_time_factor", "command_mode", "commands_accepted",
        "commands_dropped_wrong_size", "commands_dropped_non_finite", "command_timeouts",
        "divergence_resets", "resets_by_message", "layout_changes", "layout_errors",
        "lockstep_wait_timeouts", "deadline_misses",
    ];

    private readonly DiagnosticStatus _status;
    private long _lastDroppedSize, _lastDroppedNonFinite, _lastTimeouts, _lastDivergences, _lastLayoutErrors;

    public BridgeDiagnostics(string hardwareId)
    {
        _status = new DiagnosticStatus
        {
            Name = StatusName,
            HardwareId = hardwareId,
            Values = Keys.Select(k => new KeyValue { Key = k }).ToArray(),
        };
        Message.Status = [_status];
    }

    public DiagnosticArray Message { get; } = new();

    /// <summary>Fills <see cref="Message"/>. Level WARN when commands were dropped or timed out, a layout failed to
    /// load, or physics diverged since the previous report; the message names what happened.</summary>
    public void Fill(long stampNs, string mode, string layout, double simTimeS, double realTimeFactor,
        JointCommandGate gate, BridgeCounters c)
    {
        Message.Header.Stamp.SetNanoseconds(stampNs);
        var v = _status.Values;
        var i = 0;
        v[i++].Value = mode;
        v[i++].Value = layout;
        v[i++].Value = simTimeS.ToString("F3", CultureInfo.InvariantCulture);
        v[i++].Value = double.IsFinite(realTimeFactor) ? realTimeFactor.ToString("F3", CultureInfo.InvariantCulture) : "n/a";
        v[i++].Value = gate.Mode switch { JointCommandMode.Effort => "effort", JointCommandMode.Position => "position", _ => "safe_hold" };
        v[i++].Value = Num(gate.Accepted);
        v[i++].Value = Num(gate.DroppedWrongSize);
        v[i++].Value = Num(gate.DroppedNonFinite);
        v[i++].Value = Num(gate.Timeouts);
        v[i++].Value = Num(c.DivergenceResets);
        v[i++].Value = Num(c.ResetsByMessage);
        v[i++].Value = Num(c.LayoutChanges);
        v[i++].Value = Num(c.LayoutErrors);
        v[i++].Value = Num(c.LockstepWaitTimeouts);
        v[i++].Value = Num(c.DeadlineMisses);

        var problems = new List<string>(4);
        if (gate.DroppedWrongSize > _lastDroppedSize)
            problems.Add($"dropped {gate.DroppedWrongSize - _lastDroppedSize} command(s) of size {gate.LastWrongSize}, expected {gate.JointCount}");
        if (gate.DroppedNonFinite > _lastDroppedNonFinite) problems.Add($"dropped {gate.DroppedNonFinite - _lastDroppedNonFinite} command(s) with NaN/Inf");
        if (gate.Timeouts > _lastTimeouts) problems.Add("commands stopped: holding safe (damping)");
        if (c.DivergenceResets > _lastDivergences) problems.Add($"physics diverged ({c.LastDivergence}); episode reset");
        if (c.LayoutErrors > _lastLayoutErrors) problems.Add($"layout not loaded: {c.LastLayoutError}");
        (_lastDroppedSize, _lastDroppedNonFinite, _lastTimeouts, _lastDivergences, _lastLayoutErrors) =
            (gate.DroppedWrongSize, gate.DroppedNonFinite, gate.Timeouts, c.DivergenceResets, c.LayoutErrors);
        _status.Level = problems.Count > 0 ? DiagnosticStatus.Warn : DiagnosticStatus.Ok;
        _status.Message = problems.Count > 0 ? string.Join("; ", problems)
            : gate.Mode == JointCommandMode.SafeHold ? "no command in force: holding safe (damping)" : "running";
    }

    private static string Num(long n) => n.ToString(CultureInfo.InvariantCulture);
}
