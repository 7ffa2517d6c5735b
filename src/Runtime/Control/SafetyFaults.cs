namespace Mlsh.Runtime.Control;

/// <summary>Why the controller is in safe mode; several may hold at once.</summary>
[Flags]
public enum SafetyFaults
{
    None = 0,
    /// <summary>No joint state yet, or none for more than joint_states_timeout_cycles.</summary>
    JointStateStale = 1 << 0,
    ImuStale = 1 << 1,
    OdomStale = 1 << 2,
    /// <summary>NaN or Inf in the observation built from the state.</summary>
    NonFiniteObservation = 1 << 3,
    /// <summary>NaN or Inf in a sub-policy's or the master's output.</summary>
    NonFiniteAction = 1 << 4,
    /// <summary>Roll or pitch beyond max_roll_rad / max_pitch_rad.</summary>
    TiltLimit = 1 << 5,
    /// <summary>A joint moves faster than max_joint_velocity_rad_s.</summary>
    JointVelocityLimit = 1 << 6,
    /// <summary>Operator e-stop (ROS topic or MQTT) until a resume.</summary>
    EmergencyStop = 1 << 7,
    /// <summary>The robot's clock started a new epoch (use_sim_time: the simulator was restarted); held for one cycle,
    /// then the usual recovery_cycles: the controller's state and action history belong to the old world.</summary>
    ClockReset = 1 << 8,
    /// <summary>Threaded inference: inference_overrun_limit decimation boundaries in a row found the previous policy step
    /// still running; held until the inference thread has finished it.</summary>
    InferenceOverrun = 1 << 9,
}

/// <summary>What drives the joints this cycle.</summary>
public enum ControllerMode
{
    /// <summary>The master and sub-policies.</summary>
    Policy = 0,
    /// <summary>Damped hold of the default pose, no policy feed-forward.</summary>
    Safe = 1,
}

/// <summary>
/// The controller's state after a cycle, published through a <see cref="SeqLock{T}"/> for telemetry, diagnostics and
/// /mlsh/active_skill. Plain data, copied by value.
/// </summary>
public struct ControllerStatus
{
    public long Cycle;
    public ControllerMode Mode;
    /// <summary>Sub-policy index chosen at the last master tick (-1 before the first).</summary>
    public int ActiveSkill;
    /// <summary>What the master itself chose at the last tick (differs from <see cref="ActiveSkill"/> under an override).</summary>
    public int MasterChoice;
    /// <summary>True when an operator override forced <see cref="ActiveSkill"/>.</summary>
    public bool SkillForced;
    public SafetyFaults Faults;
    /// <summary>Every fault seen since start (OR of all cycles).</summary>
    public SafetyFaults FaultHistory;
    public long SafeModeEntries;
    public long MasterTicks;
    public long MasterSwaps;
    public long SubPolicySteps;
    /// <summary>Cycles since the newest joint state arrived.</summary>
    public int JointStateAgeCycles;
    /// <summary>What the shadow (candidate) master chose at the last master tick; -1 without a shadow or on a non-finite output.</summary>
    public int ShadowChoice;
    /// <summary>Master ticks the current shadow has been evaluated at, and how many of them agreed with the active master.</summary>
    public long ShadowTicks, ShadowAgreements;
    /// <summary>Forced control cycles still to come after this one, of a timed operator override (0 when none, on its last cycle, or until released).</summary>
    public long OverrideCyclesLeft;
    /// <summary>Policy steps started (inline) or handed to the inference thread, and how many of them tick the master. Inline
    /// these move with <see cref="SubPolicySteps"/> and <see cref="MasterTicks"/>; threaded the latter two count the steps
    /// picked up, normally one cycle later.</summary>
    public long InferenceRequests, MasterTickRequests;
    /// <summary>Decimation boundaries that found the previous step still running on the inference thread (threaded inference).</summary>
    public long InferenceOverruns;
    /// <summary>Steps whose action was taken into the PD targets, and the control cycles from their observation to that
    /// cycle, summed (0 per step inline, normally 1 threaded): the mean action latency is their ratio.</summary>
    public long ActionPickups, ActionLatencyCycles;
}
