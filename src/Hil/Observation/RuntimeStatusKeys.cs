namespace Mlsh.Hil.Observation;

/// <summary>
/// The contract between the runtime node and the harness: the keys the harness reads from the runtime's
/// diagnostic_msgs/DiagnosticStatus (a status whose name starts with <see cref="StatusNamePrefix"/>) on /diagnostics.
/// Values are invariant-culture numbers or the words listed. Anything missing is reported as "not reported".
/// </summary>
public static class RuntimeStatusKeys
{
    public const string StatusNamePrefix = "mlsh_runtime";
    /// <summary>"policy" or "safe" (any letter case).</summary>
    public const string Mode = "mode";
    /// <summary>How many times the runtime entered safe mode since start.</summary>
    public const string SafeModeEntries = "safe_mode_entries";
    /// <summary>Optional, for exact timing: robot time (s, the runtime's clock: /clock under use_sim_time) of the latest
    /// safe-mode entry, stamped by the runtime with the cycle that entered it ("never" before the first). Without it
    /// the harness times mode changes by when the runtime's /diagnostics report them (the runtime publishes
    /// diagnostics at once when its faults or mode change).</summary>
    public const string LastSafeModeEntryS = "last_safe_mode_entry_s";
    /// <summary>Robot time (s) the runtime last left safe mode (back to the policy).</summary>
    public const string LastSafeModeExitS = "last_safe_mode_exit_s";
    /// <summary>The clock epoch (0, +1 per simulator restart) of <see cref="LastSafeModeEntryS"/>; without it
    /// <see cref="ClockResets"/> is assumed.</summary>
    public const string LastSafeModeEntryEpoch = "last_safe_mode_entry_epoch";
    public const string LastSafeModeExitEpoch = "last_safe_mode_exit_epoch";
    /// <summary>Control cycles that overran their deadline (wall clock; always 0 on simulated time).</summary>
    public const string DeadlineMisses = "deadline_misses";
    /// <summary>Simulated time: control deadlines /clock advanced over without a cycle (0 in exact lockstep).</summary>
    public const string ClockSkippedCycles = "clock_skipped_cycles";
    /// <summary>Simulated time: how often /clock went backwards (simulator restarts): the epoch of the safe-mode times.</summary>
    public const string ClockResets = "clock_resets";
    public const string Cycles = "cycles";
    public const string MasterTicks = "master_ticks";
    public const string MasterSwaps = "master_swaps";
    /// <summary>Masters offered by command and refused (bad file, wrong shapes, non-finite outputs).</summary>
    public const string MasterRejects = "master_rejects";
    /// <summary>Control-cycle compute time percentiles (µs).</summary>
    public const string CycleP50Us = "cycle_time_p50_us";
    public const string CycleP99Us = "cycle_time_p99_us";
    public const string CycleMaxUs = "cycle_time_max_us";
}
