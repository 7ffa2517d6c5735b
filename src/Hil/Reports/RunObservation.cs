using Mlsh.Hil.Relay;

namespace Mlsh.Hil.Reports;

/// <summary>A fault the harness actually injected: its kind text and the scenario time (s) it took effect.</summary>
/// <param name="WatchdogS">How long the runtime's own watchdog lets this fault go unnoticed by design (its
/// &lt;topic&gt;_timeout_cycles × control period for stale data, 0 for a fault it sees at once); NaN when unknown
/// (the evaluator then assumes <see cref="CriteriaEvaluator.DefaultWatchdogTimeoutS"/> for stale data).</param>
public sealed record InjectedFault(string Description, double OnsetS, double EndS, string Kind, double WatchdogS = double.NaN);

/// <summary>
/// Everything the harness saw during one run, as plain data (the input of <see cref="CriteriaEvaluator"/>; tests
/// build it by hand). Times are scenario seconds (<see cref="ScenarioClock"/>). Immutable.
/// </summary>
public sealed record RunObservation
{
    public required double DurationS { get; init; }
    public required bool ReachedGoal { get; init; }
    public double? GoalTimeS { get; init; }
    public required double FinalX { get; init; }
    public required double FinalY { get; init; }
    public required double FinalPathDistanceM { get; init; }
    public required double StartPathDistanceM { get; init; }
    public long OdometryMessages { get; init; }
    /// <summary>Scenario time of the newest valid odometry (NaN if none).</summary>
    public double LastOdometryS { get; init; } = double.NaN;
    public IReadOnlyList<int> SkillSequence { get; init; } = [];
    public long MasterTicks { get; init; }
    public IReadOnlyList<InjectedFault> Faults { get; init; } = [];
    /// <summary>Safe-mode entries/exits reported by the runtime, in scenario time, ascending.</summary>
    public IReadOnlyList<double> SafeModeEntriesS { get; init; } = [];
    public IReadOnlyList<double> SafeModeExitsS { get; init; } = [];
    /// <summary>The runtime's newest status values (<see cref="Observation.RuntimeStatusKeys"/>); null if it never reported.</summary>
    public IReadOnlyDictionary<string, string>? RuntimeStatus { get; init; }
    public IReadOnlyDictionary<string, string>? SimStatus { get; init; }
    public IReadOnlyList<RelayChannelStats> Relay { get; init; } = [];
    /// <summary>Processes that ended on their own or failed, other than those the scenario killed on purpose.</summary>
    public IReadOnlyList<string> UnexpectedProcessEnds { get; init; } = [];
    /// <summary>Payloads the runtime published on &lt;prefix&gt;/events (command outcomes), in arrival order.</summary>
    public IReadOnlyList<string> OperatorEvents { get; init; } = [];
    /// <summary>Why the run stopped ("goal reached", "duration elapsed", "node mlsh_runtime exited with code 1", ...).</summary>
    public string StopReason { get; init; } = "";
}
