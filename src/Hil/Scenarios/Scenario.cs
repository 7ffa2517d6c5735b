using Mlsh.Core.Configuration;
using Mlsh.Environments.Mazes;

namespace Mlsh.Hil.Scenarios;

/// <summary>What a fault does to the system under test.</summary>
public enum FaultKind
{
    /// <summary>The relay drops every message of <see cref="Fault.Topic"/> for <see cref="Fault.DurationS"/>.</summary>
    Drop,
    /// <summary>The relay holds every message of <see cref="Fault.Topic"/> back by <see cref="Fault.DelayS"/> (wall clock)
    /// for <see cref="Fault.DurationS"/>.</summary>
    Delay,
    /// <summary>The relay writes NaN into the first value of <see cref="Fault.Topic"/> for <see cref="Fault.DurationS"/>.</summary>
    Nan,
    /// <summary>The harness kills the simulator process (SIGKILL) and starts a new one after <see cref="Fault.RestartAfterS"/>.</summary>
    KillSim,
    /// <summary>The harness kills the MQTT broker and restarts it after <see cref="Fault.DurationS"/>.</summary>
    BrokerDown,
    /// <summary>The harness pushes a corrupt master model to the runtime's load-master command.</summary>
    CorruptMaster,
    /// <summary>Not a fault but the field workflow's event: the harness pushes a valid master
    /// (<see cref="Fault.MasterPath"/>, e.g. one `mlsh retune` learned for this layout) to the load-master command.</summary>
    PushMaster,
}

/// <summary>The sensor streams the relay sits in front of.</summary>
public enum RelayTopic { JointStates, Imu, Odom }

/// <summary>Where the robot comes from.</summary>
public enum ScenarioTarget
{
    /// <summary>The harness starts the MuJoCo SimBridge (`mlsh sim`).</summary>
    Sim,
    /// <summary>A robot (real or another simulator) already publishes the same topics; the harness starts nothing for it.</summary>
    External,
}

/// <summary>How the simulator advances (ignored for <see cref="ScenarioTarget.External"/>).</summary>
public enum ScenarioTiming { Lockstep, Realtime }

/// <summary>
/// One validated fault: at <see cref="AtS"/> seconds of scenario time (simulated time in lockstep, robot time otherwise).
/// Immutable.
/// </summary>
public sealed record Fault(FaultKind Kind, double AtS, double DurationS, RelayTopic? Topic, double DelayS, double RestartAfterS)
{
    /// <summary><see cref="FaultKind.PushMaster"/>: absolute path of the master ONNX model to push; null otherwise.</summary>
    public string? MasterPath { get; init; }

    /// <summary>End of the fault window (s); equals <see cref="AtS"/> for instantaneous faults.</summary>
    public double EndS => AtS + DurationS;

    public override string ToString() => Kind switch
    {
        FaultKind.Drop or FaultKind.Nan => $"{Kind.ToString().ToLowerInvariant()} {Topic} at {AtS:0.###} s for {DurationS:0.###} s",
        FaultKind.Delay => $"delay {Topic} by {DelayS:0.###} s at {AtS:0.###} s for {DurationS:0.###} s",
        FaultKind.KillSim => $"kill the sim at {AtS:0.###} s, restart after {RestartAfterS:0.###} s",
        FaultKind.BrokerDown => $"broker down at {AtS:0.###} s for {DurationS:0.###} s",
        FaultKind.PushMaster => $"master {Path.GetFileName(Path.GetDirectoryName(MasterPath))}/{Path.GetFileName(MasterPath)} pushed at {AtS:0.###} s",
        _ => $"corrupt master pushed at {AtS:0.###} s",
    };
}

/// <summary>Pass criteria; a null member is not checked. Immutable.</summary>
public sealed record PassCriteria(
    bool? ReachedGoal,
    int? SafeModeWithinPeriods,
    bool? Recovered,
    bool? NoDeadlineMiss,
    bool? MasterRejected,
    bool? NodesSurvive)
{
    /// <summary>The pushed master (push_master) was swapped in and the policy kept running.</summary>
    public bool? MasterSwapped { get; init; }

    public int Count => new object?[] { ReachedGoal, SafeModeWithinPeriods, Recovered, NoDeadlineMiss, MasterRejected, NodesSurvive, MasterSwapped }.Count(x => x is not null);
}

/// <summary>
/// A validated hardware-in-the-loop scenario (see scenarios/README.md for the YAML schema). Immutable; load with
/// <see cref="ScenarioLoader.Load"/>.
/// </summary>
public sealed record Scenario(
    string Name,
    string Description,
    string SourceFile,
    string LayoutPath,
    MazeLayout Layout,
    Cell? Start,
    ScenarioTarget Target,
    ScenarioTiming Timing,
    double DurationS,
    double ControlPeriodS,
    string? ModelsDir,
    IReadOnlyList<Fault> Faults,
    PassCriteria Criteria)
{
    /// <summary>True when a fault needs the MQTT broker the harness starts.</summary>
    public bool NeedsBroker => Faults.Any(f => f.Kind is FaultKind.BrokerDown or FaultKind.CorruptMaster or FaultKind.PushMaster);
}

/// <summary>The YAML shape (snake_case keys, unknown keys rejected by StrictYaml). Public for YamlDotNet only.</summary>
public sealed class ScenarioYaml
{
    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? Layout { get; set; }
    public List<int>? Start { get; set; }
    public string? Target { get; set; }
    public string? Timing { get; set; }
    public double? DurationS { get; set; }
    public double? ControlPeriodS { get; set; }
    public string? Models { get; set; }
    public List<FaultYaml>? Faults { get; set; }
    public CriteriaYaml? Criteria { get; set; }
}

/// <summary>One fault entry in YAML. Public for YamlDotNet only.</summary>
public sealed class FaultYaml
{
    public string? Kind { get; set; }
    public double? AtS { get; set; }
    public double? DurationS { get; set; }
    public string? Topic { get; set; }
    public double? DelayS { get; set; }
    public double? RestartAfterS { get; set; }
    public string? Master { get; set; }
}

/// <summary>The criteria block in YAML. Public for YamlDotNet only.</summary>
public sealed class CriteriaYaml
{
    public bool? ReachedGoal { get; set; }
    public int? SafeModeWithinPeriods { get; set; }
    public bool? Recovered { get; set; }
    public bool? NoDeadlineMiss { get; set; }
    public bool? MasterRejected { get; set; }
    public bool? NodesSurvive { get; set; }
    public bool? MasterSwapped { get; set; }
}
