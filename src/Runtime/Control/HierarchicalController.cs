using Mlsh.Environments.Observations;
using Mlsh.Environments.Robots;
using Mlsh.OnnxRuntime.Policies;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Hardware;
using Mlsh.Runtime.Policies;
using Mlsh.Runtime.Timing;

namespace Mlsh.Runtime.Control;

/// <summary>
/// The MLSH controller of one robot, in the shape of a ros2_control controller: <see cref="Update"/> runs once
/// per control cycle on the control thread, reads the state through <see cref="IRobotHardware"/>, builds the
/// observation with the training environment's <see cref="ObservationBuilder"/>, ticks the master every
/// timing.master_period cycles, runs the active sub-policy every timing.policy_decimation cycles, applies the
/// training PD law (<see cref="JointPdLaw"/>) every cycle, clamps and writes the efforts.
/// </summary>
/// <remarks>
/// Policy inference runs inline (in the decimation cycle, on the control thread; the default, and always under
/// use_sim_time) or, after <see cref="StartInferenceThread"/>, on a dedicated inference thread: the decimation cycle
/// then only copies the checked observation into a preallocated mailbox (<see cref="PolicyInferenceThread"/>), and
/// the first later cycle that finds the step finished picks the action up (normally the next cycle: one control
/// period of action latency), checks it and retargets the PD law; the previous targets hold until then. A step still
/// running at the next decimation boundary is an inference overrun (<see cref="ControllerStatus.InferenceOverruns"/>):
/// the targets hold and that boundary posts nothing (a master tick due there moves to the next boundary that posts);
/// inference_overrun_limit overruns in a row enter safe mode (<see cref="SafetyFaults.InferenceOverrun"/>) until the
/// inference thread is free again. Safe mode never waits for the inference thread: a step outstanding when it starts
/// is discarded, and the held targets become those of the zero action (the policy restarts from an episode start).
/// <para/>
/// Safety (checked every cycle, before the policy runs, so a fault changes the command in the same cycle):
/// joint-state / IMU / odometry watchdogs counted in cycles, NaN/Inf in observation or action, roll/pitch and
/// joint-velocity limits, operator e-stop. Any fault selects safe mode: τ = kp_s (q_default − q) − kd_s q̇, no
/// policy feed-forward (zero effort while the joint state itself is stale: damping on a stale velocity would be
/// a guess). The policy resumes after every fault has stayed clear for recovery_cycles cycles, starting with a
/// fresh master tick and a zero previous action, as at an episode start in training.
/// Ownership: the bundle, hardware and commands are borrowed (the node owns them). Not thread-safe: one control
/// thread calls <see cref="Update"/>; other threads read <see cref="Status"/> and write <see cref="Commands"/>.
/// <see cref="Update"/> allocates nothing.
/// </remarks>
public sealed class HierarchicalController
{
    private readonly IRobotHardware _hardware;
    private readonly IReadOnlyList<SubPolicy> _subPolicies;
    private readonly ObservationBuilder _builder;
    private readonly RobotStateFrame _frame;
    private readonly int _joints, _decimation, _masterPeriod, _jointTimeout, _imuTimeout, _odomTimeout, _recoveryCycles;
    private readonly double _maxJointVelocity, _maxRoll, _maxPitch, _safeKp, _safeKd;
    private readonly double[] _defaultPose, _actionScale, _kp, _kd, _torqueLimit, _lower, _upper;
    // The manifest's action.kind: position targets (legged robots) or velocity targets (the point mass).
    private readonly ControlMode _controlMode;
    private readonly double[] _targetOffset;
    private readonly float[] _observationScale;
    private readonly float[] _observation, _previousAction;
    private readonly double[] _qTarget, _qdTarget, _effort;
    private readonly double[] _masterObservationScratch;
    private MasterModel _master;
    // DESIGN: the shadow (candidate) master runs wherever the master runs (control thread inline, else the inference
    // thread), on the same tick's observation: one extra batch-1 inference per master tick (1 Hz on the quadruped)
    // into a preallocated buffer, never per control cycle.
    private MasterModel? _shadow;
    private readonly InferenceSlot _slot;
    private readonly int _overrunLimit;
    private PolicyInferenceThread? _worker;
    // A step handed to the inference thread whose result this controller still wants (false once safe mode discards it).
    private bool _resultWanted;
    // A step filled in this cycle, handed over at the end of it.
    private bool _postPending;
    // A master tick that fell on an overrun boundary: the next step that is posted ticks the master.
    private bool _masterTickPending;
    private int _consecutiveOverruns;
    // inference_overrun_limit reached: safe mode until the inference thread has finished its step.
    private bool _inferenceStalled;
    private long _overrideGeneration;
    private int _overrideSkill = -1;
    private long _overrideDuration;
    private long _overrideUntil;
    private long _cycle;
    private long _policyCycle;
    private long _jointSeq, _imuSeq, _odomSeq;
    private int _jointAge, _imuAge, _odomAge;
    private int _clearCycles;
    private int _clockReset;
    private ControllerStatus _status;

    /// <param name="bundle">Validated models; <see cref="DeploymentContract.Check"/> must have passed for <paramref name="parameters"/>.</param>
    public HierarchicalController(RuntimeParameters parameters, PolicyBundle bundle, IRobotHardware hardware, OperatorCommands? commands = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(bundle);
        ArgumentNullException.ThrowIfNull(hardware);
        DeploymentContract.Check(parameters, bundle.Manifest, Path.Combine(bundle.Directory, Onnx.Manifest.ManifestYaml.FileName));
        var m = bundle.Manifest;
        _joints = parameters.JointNames.Count;
        if (hardware.JointCount != _joints)
            throw new ArgumentException($"hardware drives {hardware.JointCount} joints, joint_names lists {_joints}", nameof(hardware));
        _hardware = hardware;
        _subPolicies = bundle.SubPolicies;
        _master = MasterModel.FromBundle(bundle);
        Commands = commands ?? new OperatorCommands();
        _decimation = m.Timing.PolicyDecimation;
        _masterPeriod = m.Timing.MasterPeriod;
        _jointTimeout = parameters.JointStatesTimeoutCycles;
        _imuTimeout = parameters.ImuTimeoutCycles;
        _odomTimeout = parameters.OdomTimeoutCycles;
        _recoveryCycles = parameters.RecoveryCycles;
        _maxJointVelocity = parameters.MaxJointVelocityRadS;
        _maxRoll = parameters.MaxRollRad;
        _maxPitch = parameters.MaxPitchRad;
        _safeKp = parameters.SafeModeKp;
        _safeKd = parameters.SafeModeKd;

        _defaultPose = m.Action.DefaultPose.Select(v => (double)v).ToArray();
        _actionScale = m.Action.Scale.Select(v => (double)v).ToArray();
        _kp = m.Action.Kp.Select(v => (double)v).ToArray();
        _kd = m.Action.Kd.Select(v => (double)v).ToArray();
        // The tighter of the trained torque limit and the deployment's max_effort_nm.
        _torqueLimit = m.Action.TorqueLimit.Select(v => Math.Min(v, parameters.MaxEffortNm)).ToArray();
        _lower = parameters.JointPositionLower.ToArray();
        _upper = parameters.JointPositionUpper.ToArray();

        _controlMode = m.Action.IsVelocity ? ControlMode.Velocity : ControlMode.Position;
        // Velocity-target graphs add no offset (HierarchyExporter.SubPolicyOutputOffset).
        _targetOffset = m.Action.IsVelocity ? new double[_joints] : _defaultPose;
        var layout = DeploymentContract.LayoutFor(m, _joints);
        _builder = new ObservationBuilder(layout, layout.JointCount == 0 ? [] : _defaultPose);
        _observationScale = new float[layout.Size];
        var offset = 0;
        foreach (var field in m.Observation.Fields)
        {
            _observationScale.AsSpan(offset, field.Size).Fill(field.Scale);
            offset += field.Size;
        }
        _frame = new RobotStateFrame(_joints);
        _observation = new float[layout.Size];
        _previousAction = new float[_joints];
        _slot = new InferenceSlot(layout.Size, bundle.SubPolicies.Count, _joints);
        _overrunLimit = parameters.InferenceOverrunLimit;
        _qTarget = new double[_joints];
        _qdTarget = new double[_joints];
        _effort = new double[_joints];
        _defaultPose.CopyTo(_qTarget, 0);
        _masterObservationScratch = new double[layout.Size];
        MasterTickObservation = new SeqLockBuffer(layout.Size);
        _status.ActiveSkill = -1;
        _status.MasterChoice = -1;
        _status.ShadowChoice = -1;
        _status.Mode = ControllerMode.Safe;
        // Published before the first cycle: a reader that came first used to get default(ControllerStatus), whose active
        // skill 0 the node's supervisor published on /mlsh/active_skill before any master tick.
        Status.Write(_status);
    }

    /// <summary>Operator inputs (e-stop, resume, forced skill, master swap); safe to use from any thread.</summary>
    public OperatorCommands Commands { get; }

    /// <summary>The status after the last completed cycle, readable from any thread.</summary>
    public SeqLock<ControllerStatus> Status { get; } = new();

    /// <summary>The observation of the latest master tick (readable from any thread; the skill-override log uses it).</summary>
    public SeqLockBuffer MasterTickObservation { get; }

    /// <summary>The master in use (changes only at a master tick).</summary>
    public MasterModel Master => Volatile.Read(ref _master);

    /// <summary>The candidate running in shadow (null when none; changes only at a master tick).</summary>
    public MasterModel? Shadow => Volatile.Read(ref _shadow);

    /// <summary>The last observation built (control thread only; for tests and the skill-override log).</summary>
    internal ReadOnlySpan<float> Observation => _observation;

    /// <summary>The joint position targets the PD law tracks (control thread only).</summary>
    internal ReadOnlySpan<double> JointPositionTargets => _qTarget;

    /// <summary>The efforts written in the last cycle (control thread only).</summary>
    internal ReadOnlySpan<double> Effort => _effort;

    /// <summary>The robot's clock went backwards (a restarted simulator under use_sim_time): the next cycle enters safe
    /// mode with <see cref="SafetyFaults.ClockReset"/> and the policy restarts from an episode start after
    /// recovery_cycles. Any thread.</summary>
    public void NotifyClockReset() => Volatile.Write(ref _clockReset, 1);

    /// <summary>Where the policy runs now.</summary>
    public PolicyInferenceMode InferenceMode => _worker is null ? PolicyInferenceMode.Inline : PolicyInferenceMode.Thread;

    /// <summary>Wall time of each step on the inference thread (master tick, shadow and sub-policy runs), ns; null inline.</summary>
    public LatencyHistogram? InferenceRunTime => _worker?.RunTime;

    /// <summary>Time from the hand-over of a step to the inference thread starting on it, ns; null inline.</summary>
    public LatencyHistogram? InferenceStartDelay => _worker?.StartDelay;

    /// <summary>What the OS granted the inference thread (null inline).</summary>
    public RealtimeReport? InferenceRealtime => _worker?.Realtime;

    /// <summary>Managed bytes the inference thread had allocated after its latest step (0 inline).</summary>
    public long InferenceThreadAllocatedBytes => _worker?.AllocatedBytes ?? 0;

    /// <summary>Steps the inference thread has finished (0 inline).</summary>
    public long InferenceStepsCompleted => _worker?.Completed ?? 0;

    /// <summary>Resets <see cref="InferenceRunTime"/> and <see cref="InferenceStartDelay"/> before the inference thread's next step.</summary>
    public void RequestInferenceStatsReset() => _worker?.RequestStatsReset();

    /// <summary>
    /// Moves policy inference to a dedicated thread (named mlsh-inference) that runs the master tick, the shadow and
    /// the sub-policy of each step handed over by <see cref="Update"/>. Call while no thread runs <see cref="Update"/>
    /// (before the control loop starts or between loops); <see cref="StopInferenceThread"/> returns to inline.
    /// </summary>
    /// <param name="controlPeriod">The control period (the thread looks for requests on its phase).</param>
    /// <param name="realtimePriority">SCHED_FIFO priority for the thread (give it one below the control thread's), or null.</param>
    public void StartInferenceThread(TimeSpan controlPeriod, int? realtimePriority = null) => StartInferenceThread(controlPeriod, realtimePriority, null);

    /// <param name="beforeStep">Test hook: runs on the inference thread before each step (to make steps slow).</param>
    internal void StartInferenceThread(TimeSpan controlPeriod, int? realtimePriority, Action? beforeStep)
    {
        if (_worker is not null) throw new InvalidOperationException("the inference thread was already started");
        _worker = new PolicyInferenceThread(_slot, _subPolicies, controlPeriod, _decimation, realtimePriority, beforeStep);
    }

    /// <summary>
    /// Stops and joins the inference thread (after its current step); later steps run inline. Call while no thread runs
    /// <see cref="Update"/>. A step not yet picked up is discarded (the targets hold until the next decimation cycle).
    /// Idempotent.
    /// </summary>
    public void StopInferenceThread()
    {
        var worker = _worker;
        if (worker is null) return;
        worker.Dispose();
        _worker = null;
        _resultWanted = false;
        _inferenceStalled = false;
        _consecutiveOverruns = 0;
    }

    /// <summary>Waits until the inference thread has finished the step handed over last (tests).</summary>
    internal bool WaitForInference(TimeSpan timeout) => _worker is null || _worker.WaitIdle(timeout);

    /// <summary>The inference thread while it runs (tests).</summary>
    internal PolicyInferenceThread? InferenceWorker => _worker;

    /// <summary>One control cycle. Control thread only; allocation-free.</summary>
    public void Update()
    {
        var worker = _worker;
        if (worker?.Fault is { } failure) throw new InvalidOperationException($"the inference thread failed: {failure.GetType().Name}: {failure.Message}", failure);
        _hardware.ReadState(_frame);
        UpdateOverride();
        var faults = CheckState();
        if (Commands.EmergencyStopActive) faults |= SafetyFaults.EmergencyStop;
        if (Interlocked.Exchange(ref _clockReset, 0) != 0) faults |= SafetyFaults.ClockReset;
        if (_inferenceStalled)
        {
            if (worker is null || !worker.Busy)
            {
                _inferenceStalled = false;
                _consecutiveOverruns = 0;
            }
            else
            {
                faults |= SafetyFaults.InferenceOverrun;
            }
        }
        // Before the observation is built, so its previous_action is the action the PD law tracks from this cycle on.
        if (_resultWanted && !worker!.Busy)
        {
            _resultWanted = false;
            // A step finished into a faulted cycle is discarded with the episode it belonged to.
            if (faults == SafetyFaults.None) faults |= ApplyStep(_cycle - _slot.Cycle);
        }

        _builder.Build(new RobotState
        {
            BasePosition = _frame.Position,
            BaseOrientation = _frame.Orientation,
            BaseLinearVelocity = _frame.LinearVelocity,
            BaseAngularVelocity = _frame.AngularVelocity,
            LinearAcceleration = _frame.LinearAcceleration,
            JointPositions = _frame.JointPositions,
            JointVelocities = _frame.JointVelocities,
            PreviousAction = _previousAction,
        }, _observation);
        var obs = _observation.AsSpan();
        var scale = _observationScale;
        var finite = true;
        for (var i = 0; i < obs.Length; i++)
        {
            obs[i] *= scale[i];
            finite &= float.IsFinite(obs[i]);
        }
        if (!finite) faults |= SafetyFaults.NonFiniteObservation;

        if (faults != SafetyFaults.None) _clearCycles = 0;
        else if (_clearCycles < _recoveryCycles) _clearCycles++;
        var recovered = _clearCycles >= _recoveryCycles;
        if (faults == SafetyFaults.None && recovered) faults |= PolicyStep();

        var mode = faults == SafetyFaults.None && recovered ? ControllerMode.Policy : ControllerMode.Safe;
        if (mode == ControllerMode.Safe)
        {
            if (_status.Mode == ControllerMode.Policy) _status.SafeModeEntries++;
            if (faults != SafetyFaults.None) _clearCycles = 0;
            SafeEfforts((faults & SafetyFaults.JointStateStale) != 0);
            // Restart the hierarchy from an episode start when the policy takes over again; a step still on the
            // inference thread is not waited for, its result is discarded. Until the first step of the new episode
            // is picked up (threaded inference), the PD law holds the zero action's targets, not the old episode's.
            _policyCycle = 0;
            Array.Clear(_previousAction);
            JointPdLaw.ActionsToTargets(_controlMode, _previousAction, _defaultPose, _actionScale, _lower, _upper, _qTarget, _qdTarget);
            _resultWanted = false;
            _masterTickPending = false;
            if (!_inferenceStalled) _consecutiveOverruns = 0;
        }
        else
        {
            JointPdLaw.ComputeTorques(_frame.JointPositions, _frame.JointVelocities, _qTarget, _qdTarget, _kp, _kd, _torqueLimit, _effort);
        }
        _hardware.WriteCommand(_effort);

        _status.Cycle = ++_cycle;
        _status.Mode = mode;
        _status.Faults = faults;
        _status.FaultHistory |= faults;
        _status.JointStateAgeCycles = _jointAge;
        _status.SkillForced = _overrideSkill >= 0 && _overrideUntil > 0;
        _status.OverrideCyclesLeft = _status.SkillForced && _overrideUntil != long.MaxValue ? _overrideUntil - _cycle : 0;
        Status.Write(_status);
        if (_postPending) PostStep();
    }

    /// <summary>Hands the step filled in this cycle to the inference thread, as the cycle's last act.</summary>
    // DESIGN: last, after the command and the status, because from here the inference thread may start on it: on a CPU
    // shared with the control thread (SCHED_OTHER) a step starting mid-cycle would preempt the rest of the cycle for its
    // whole ~130 µs; once the cycle's work is done it can only delay the control thread's sleep.
    private void PostStep()
    {
        _postPending = false;
        if (!_resultWanted) return;
        _slot.StampNs = MonotonicClock.NowNanoseconds();
        _worker!.Post();
    }

    /// <summary>
    /// Picks up a new operator override and ends an expired one. An override starts at the next master tick (its
    /// label then pairs with that tick's observation) and lasts its duration in control cycles from there, safe mode
    /// included; at expiry or release the master's choice of its last tick takes over in the same cycle.
    /// </summary>
    private void UpdateOverride()
    {
        var word = Commands.OverrideWord;
        var generation = word >> 48;
        if (generation != _overrideGeneration)
        {
            _overrideGeneration = generation;
            _overrideSkill = (int)((word >> 32) & 0xFFFF) - 1;
            _overrideDuration = word & 0xFFFF_FFFF;
            _overrideUntil = 0; // not started: the next master tick starts it
            if (_overrideSkill < 0 || _overrideSkill >= _subPolicies.Count)
            {
                _overrideSkill = -1;
                if (_status.MasterChoice >= 0) _status.ActiveSkill = _status.MasterChoice;
            }
        }
        else if (_overrideSkill >= 0 && _overrideUntil > 0 && _cycle >= _overrideUntil)
        {
            _overrideSkill = -1;
            if (_status.MasterChoice >= 0) _status.ActiveSkill = _status.MasterChoice;
        }
    }

    private SafetyFaults CheckState()
    {
        var f = SafetyFaults.None;
        if (Age(_frame.JointStateSequence, ref _jointSeq, ref _jointAge) > _jointTimeout) f |= SafetyFaults.JointStateStale;
        if (Age(_frame.ImuSequence, ref _imuSeq, ref _imuAge) > _imuTimeout) f |= SafetyFaults.ImuStale;
        if (Age(_frame.OdomSequence, ref _odomSeq, ref _odomAge) > _odomTimeout) f |= SafetyFaults.OdomStale;

        var (roll, pitch) = RollPitch(_frame.Orientation);
        // Negated comparisons so a NaN angle counts as beyond the limit.
        if (!(Math.Abs(roll) <= _maxRoll) || !(Math.Abs(pitch) <= _maxPitch)) f |= SafetyFaults.TiltLimit;
        var qd = _frame.JointVelocities;
        for (var i = 0; i < qd.Length; i++)
            if (Math.Abs(qd[i]) > _maxJointVelocity) f |= SafetyFaults.JointVelocityLimit;
        return f;
    }

    /// <summary>Cycles since <paramref name="sequence"/> last changed; "never received" counts as infinitely old.</summary>
    private static int Age(long sequence, ref long lastSeen, ref int age)
    {
        if (sequence == 0) return age = int.MaxValue;
        if (sequence != lastSeen)
        {
            lastSeen = sequence;
            age = 0;
        }
        else if (age < int.MaxValue)
        {
            age++;
        }
        return age;
    }

    /// <summary>
    /// A decimation cycle hands the checked observation to the policy: inline it runs the step and applies it in this
    /// cycle; threaded it posts the step to the inference thread, or counts an overrun when the last one still runs.
    /// </summary>
    private SafetyFaults PolicyStep()
    {
        if (_policyCycle % _decimation != 0)
        {
            _policyCycle++;
            return SafetyFaults.None;
        }
        var masterTick = _policyCycle % _masterPeriod == 0 || _masterTickPending;
        _policyCycle++;
        var worker = _worker;
        if (worker is not null && worker.Busy)
        {
            // The previous step is not finished: the targets hold; a master tick due now waits for the next post.
            _status.InferenceOverruns++;
            _masterTickPending = masterTick;
            if (++_consecutiveOverruns < _overrunLimit) return SafetyFaults.None;
            _inferenceStalled = true;
            return SafetyFaults.InferenceOverrun;
        }
        _consecutiveOverruns = 0;
        _masterTickPending = false;
        if (masterTick)
        {
            // Swaps happen only here, while no step is outstanding: the inference thread never holds a retired master.
            if (Commands.TakePendingMaster() is { } next)
            {
                Commands.Retire(_master);
                Volatile.Write(ref _master, next);
                _status.MasterSwaps++;
            }
            UpdateShadowSlot();
        }
        var slot = _slot;
        _observation.CopyTo(slot.Observation, 0);
        slot.ResetResult();
        slot.MasterTick = masterTick;
        slot.OverrideSkill = _overrideSkill;
        slot.ActiveSkill = _status.ActiveSkill;
        slot.Master = _master;
        slot.Shadow = _shadow;
        slot.Cycle = _cycle;
        _status.InferenceRequests++;
        if (masterTick) _status.MasterTickRequests++;
        if (worker is null)
        {
            slot.Run(_subPolicies);
            return ApplyStep(0);
        }
        // Handed over at the end of the cycle (PostStep), not here.
        _resultWanted = true;
        _postPending = true;
        return SafetyFaults.None;
    }

    /// <summary>
    /// Takes a finished step into the controller: the master tick's choice, shadow agreement and override start, then
    /// the sub-policy's targets, mapped back to the action (next observation's previous_action) and forward to the
    /// PD targets. A non-finite output is a fault, applied nowhere.
    /// </summary>
    /// <param name="latencyCycles">Control cycles from the step's observation to this cycle (0 inline).</param>
    private SafetyFaults ApplyStep(long latencyCycles)
    {
        var slot = _slot;
        if (slot.MasterTick)
        {
            if (slot.MasterChoice < 0) return SafetyFaults.NonFiniteAction;
            _status.MasterChoice = slot.MasterChoice;
            if (slot.Shadow is not null)
            {
                _status.ShadowChoice = slot.ShadowChoice;
                _status.ShadowTicks++;
                if (slot.ShadowChoice == slot.MasterChoice) _status.ShadowAgreements++;
            }
            var obs = slot.Observation;
            for (var i = 0; i < obs.Length; i++) _masterObservationScratch[i] = obs[i];
            MasterTickObservation.Write(_masterObservationScratch);
            if (_overrideSkill >= 0 && _overrideSkill == slot.OverrideSkill && _overrideUntil == 0)
                _overrideUntil = _overrideDuration == 0 ? long.MaxValue : _cycle + _overrideDuration;
            _status.ActiveSkill = slot.Skill;
            _status.MasterTicks++;
        }
        if (slot.NonFinite) return SafetyFaults.NonFiniteAction;
        // The model outputs default + scale·mean; training clipped the action to [-1, 1] before the same map,
        // so recover that action (it is also the next observation's previous_action) and map it back.
        var targets = slot.JointTargets;
        for (var i = 0; i < _joints; i++)
            _previousAction[i] = JointPdLaw.TargetToAction(targets[i], _targetOffset[i], _actionScale[i]);
        JointPdLaw.ActionsToTargets(_controlMode, _previousAction, _defaultPose, _actionScale, _lower, _upper, _qTarget, _qdTarget);
        _status.SubPolicySteps++;
        _status.ActionPickups++;
        _status.ActionLatencyCycles += latencyCycles;
        return SafetyFaults.None;
    }

    /// <summary>Applies a promote/drop verdict and takes a newly offered shadow (master tick, control thread).</summary>
    private void UpdateShadowSlot()
    {
        var verdict = Commands.TakeShadowVerdict();
        if (_shadow is not null && verdict == OperatorCommands.ShadowPromote)
        {
            Commands.Retire(_master);
            Volatile.Write(ref _master, _shadow);
            Volatile.Write(ref _shadow, null);
            _status.MasterSwaps++;
        }
        else if (_shadow is not null && verdict == OperatorCommands.ShadowDrop)
        {
            Commands.RetireShadow(_shadow);
            Volatile.Write(ref _shadow, null);
        }
        if (Commands.TakePendingShadow() is { } candidate)
        {
            if (_shadow is not null) Commands.RetireShadow(_shadow);
            Volatile.Write(ref _shadow, candidate);
            _status.ShadowTicks = 0;
            _status.ShadowAgreements = 0;
        }
        if (_shadow is null)
        {
            // Cleared with the shadow, so a reader never credits a new candidate with its predecessor's ticks.
            _status.ShadowChoice = -1;
            _status.ShadowTicks = 0;
            _status.ShadowAgreements = 0;
        }
    }

    private void SafeEfforts(bool jointStateStale)
    {
        var q = _frame.JointPositions;
        var qd = _frame.JointVelocities;
        for (var i = 0; i < _joints; i++)
        {
            if (jointStateStale || !double.IsFinite(q[i]) || !double.IsFinite(qd[i]))
            {
                _effort[i] = 0;
                continue;
            }
            var tau = _safeKp * (_defaultPose[i] - q[i]) - _safeKd * qd[i];
            var lim = _torqueLimit[i];
            _effort[i] = tau > lim ? lim : tau < -lim ? -lim : tau;
        }
    }

    /// <summary>Roll and pitch (rad, ZYX Euler) of a (w, x, y, z) body → world quaternion.</summary>
    internal static (double Roll, double Pitch) RollPitch(ReadOnlySpan<double> q)
    {
        double w = q[0], x = q[1], y = q[2], z = q[3];
        var roll = Math.Atan2(2 * (w * x + y * z), 1 - 2 * (x * x + y * y));
        var pitch = Math.Asin(Math.Clamp(2 * (w * y - z * x), -1.0, 1.0));
        return (roll, pitch);
    }
}
