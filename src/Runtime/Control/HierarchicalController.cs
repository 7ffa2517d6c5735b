using Mlsh.Environments.Observations;
using Mlsh.Environments.Robots;
using Mlsh.OnnxRuntime.Policies;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Hardware;
using Mlsh.Runtime.Policies;

namespace Mlsh.Runtime.Control;

/// <summary>
/// The MLSH controller of one robot, in the shape of a ros2_control controller: <see cref="Update"/> runs once
/// per control cycle on the control thread, reads the state through <see cref="IRobotHardware"/>, builds the
/// observation with the training environment's <see cref="ObservationBuilder"/>, ticks the master every
/// timing.master_period cycles, runs the active sub-policy every timing.policy_decimation cycles, applies the
/// training PD law (<see cref="JointPdLaw"/>) every cycle, clamps and writes the efforts.
/// </summary>
/// <remarks>
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
    private readonly float[] _observation, _previousAction, _jointTargets, _logits;
    private readonly double[] _qTarget, _qdTarget, _effort;
    private readonly double[] _masterObservationScratch;
    private MasterModel _master;
    // DESIGN: the shadow (candidate) master runs on the control thread, bounded: one extra batch-1 inference per
    // master tick (1 Hz on the quadruped) into a preallocated buffer, never per control cycle. Running it on another
    // thread would need a copy of the observation handed across and would measure agreement on a different tick.
    private MasterModel? _shadow;
    private readonly float[] _shadowLogits;
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
        _jointTargets = new float[_joints];
        _logits = new float[bundle.SubPolicies.Count];
        _shadowLogits = new float[bundle.SubPolicies.Count];
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

    /// <summary>One control cycle. Control thread only; allocation-free.</summary>
    public void Update()
    {
        _hardware.ReadState(_frame);
        UpdateOverride();
        var faults = CheckState();
        if (Commands.EmergencyStopActive) faults |= SafetyFaults.EmergencyStop;
        if (Interlocked.Exchange(ref _clockReset, 0) != 0) faults |= SafetyFaults.ClockReset;

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
            // Restart the hierarchy from an episode start when the policy takes over again.
            _policyCycle = 0;
            Array.Clear(_previousAction);
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

    private SafetyFaults PolicyStep()
    {
        var obs = (ReadOnlySpan<float>)_observation;
        if (_policyCycle % _masterPeriod == 0)
        {
            if (Commands.TakePendingMaster() is { } next)
            {
                Commands.Retire(_master);
                Volatile.Write(ref _master, next);
                _status.MasterSwaps++;
            }
            UpdateShadowSlot();
            _master.Logits(obs, _logits);
            var best = 0;
            for (var k = 0; k < _logits.Length; k++)
            {
                if (!float.IsFinite(_logits[k])) return SafetyFaults.NonFiniteAction;
                if (_logits[k] > _logits[best]) best = k;
            }
            _status.MasterChoice = best;
            if (_shadow is not null) EvaluateShadow(obs, best);
            for (var i = 0; i < obs.Length; i++) _masterObservationScratch[i] = obs[i];
            MasterTickObservation.Write(_masterObservationScratch);
            if (_overrideSkill >= 0 && _overrideUntil == 0)
                _overrideUntil = _overrideDuration == 0 ? long.MaxValue : _cycle + _overrideDuration;
            _status.ActiveSkill = _overrideSkill >= 0 ? _overrideSkill : best;
            _status.MasterTicks++;
        }
        if (_policyCycle % _decimation == 0)
        {
            _subPolicies[_status.ActiveSkill].Act(obs, _jointTargets);
            for (var i = 0; i < _joints; i++)
                if (!float.IsFinite(_jointTargets[i])) return SafetyFaults.NonFiniteAction;
            // The model outputs default + scale·mean; training clipped the action to [-1, 1] before the same map,
            // so recover that action (it is also the next observation's previous_action) and map it back.
            for (var i = 0; i < _joints; i++)
                _previousAction[i] = JointPdLaw.TargetToAction(_jointTargets[i], _targetOffset[i], _actionScale[i]);
            JointPdLaw.ActionsToTargets(_controlMode, _previousAction, _defaultPose, _actionScale, _lower, _upper, _qTarget, _qdTarget);
            _status.SubPolicySteps++;
        }
        _policyCycle++;
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

    /// <summary>The shadow's choice for this tick's observation: recorded and compared, never acted on. A non-finite
    /// shadow output is a disagreement, not a fault: the robot is driven by the active master only.</summary>
    private void EvaluateShadow(ReadOnlySpan<float> obs, int masterChoice)
    {
        _shadow!.Logits(obs, _shadowLogits);
        var choice = 0;
        for (var k = 0; k < _shadowLogits.Length; k++)
        {
            if (!float.IsFinite(_shadowLogits[k]))
            {
                choice = -1;
                break;
            }
            if (_shadowLogits[k] > _shadowLogits[choice]) choice = k;
        }
        _status.ShadowChoice = choice;
        _status.ShadowTicks++;
        if (choice == masterChoice) _status.ShadowAgreements++;
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
