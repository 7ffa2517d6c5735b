using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlsh.Core.Configuration;
using Mlsh.Onnx.Manifest;
using Mlsh.OnnxRuntime.Policies;
using Mlsh.Ros2;
using Mlsh.Ros2.Messages.DiagnosticMsgs;
using Mlsh.Ros2.Messages.StdMsgs;
using Mlsh.Ros2.Qos;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Handover;
using Mlsh.Runtime.Hardware;
using Mlsh.Runtime.Operator;
using Mlsh.Runtime.Policies;
using Mlsh.Runtime.Telemetry;
using Mlsh.Runtime.Timing;

namespace Mlsh.Runtime;

/// <summary>
/// The ROS 2 node /mlsh_runtime: loads and validates the bundle against the parameters, wires the DDS hardware
/// interface to the <see cref="HierarchicalController"/>, and runs it on the real-time control thread (wall clock;
/// the policy itself on an inference thread unless policy_inference is inline) or on /clock (use_sim_time; inference
/// inline, so lockstep runs stay deterministic). A supervisor loop on the caller's thread handles everything that may block or
/// allocate: operator commands (/mlsh/command and MQTT), /mlsh/active_skill, /diagnostics, the skill-override log
/// and master hot-swap reports.
/// </summary>
/// <remarks>Owns every resource it creates; Dispose (after <see cref="Run"/> returns) releases them in reverse order.</remarks>
public sealed class RuntimeNode : IDisposable
{
    private readonly RuntimeParameters _p;
    private readonly TextWriter _log;
    private readonly PolicyBundle _bundle;
    private readonly RosNode _node;
    private readonly DdsRobotHardware _hardware;
    private readonly Publisher<StringMsg> _skillPub;
    private readonly Publisher<DiagnosticArray> _diagPub;
    private readonly Subscription<StringMsg> _commandSub;
    private readonly MasterLoader _loader;
    private readonly MqttTelemetry? _mqtt;
    private readonly OverrideLog? _overrideLog;
    private readonly ShadowHandover _handover;
    private readonly CancellationTokenSource _handoverCancel = new();
    private readonly object _handoverGate = new();
    private Task _handoverWork = Task.CompletedTask;
    private MasterModel? _shadowCandidate;
    private readonly StringMsg _commandMsg = new();
    private LoopTiming? _timing;
    private SimTimeLoop? _simLoop;
    private long _masterRejects;

    /// <param name="handover">When a shadowed master may take over (default: the handover_* runtime parameters).</param>
    /// <exception cref="ConfigException">The bundle is missing, malformed or disagrees with the parameters (names both sides).</exception>
    public RuntimeNode(RuntimeParameters parameters, RosNodeOptions rosOptions, string nodeName, TextWriter log, HandoverSettings? handover = null)
    {
        _p = parameters;
        _log = log;
        var manifestPath = Path.Combine(parameters.ModelsDir, ManifestYaml.FileName);
        if (!File.Exists(manifestPath))
            throw new ConfigException($"parameter 'models_dir' (or --models): no {ManifestYaml.FileName} in {parameters.ModelsDir}; export a trained run with `./mlsh export` first");
        // Check the deployment contract before opening any session, so a mismatch names parameter and manifest key.
        var manifest = ManifestYaml.Load(manifestPath);
        DeploymentContract.Check(parameters, manifest, manifestPath);
        _bundle = PolicyBundle.Load(parameters.ModelsDir, DeploymentContract.ExpectationsFor(parameters, manifest));
        try
        {
            _node = new RosNode(nodeName, rosOptions);
            _hardware = new DdsRobotHardware(_node, parameters);
            Controller = new HierarchicalController(parameters, _bundle, _hardware);
            _skillPub = _node.CreatePublisher<StringMsg>(parameters.ActiveSkillTopic, QosProfile.Commands);
            _diagPub = _node.CreatePublisher<DiagnosticArray>(parameters.DiagnosticsTopic, QosProfile.Commands);
            _commandSub = _node.CreateSubscription<StringMsg>(parameters.OperatorCommandTopic, QosProfile.Commands);
            _loader = new MasterLoader(_bundle.Manifest, Controller.Commands);
            if (parameters.SkillOverrideLog.Length > 0) _overrideLog = new OverrideLog(parameters.SkillOverrideLog);
            _handover = new ShadowHandover(Controller, handover ?? parameters.Handover, HandoverEvidenceDirectory(parameters));
            _loader.Reports += (ok, message) =>
            {
                _log.WriteLine($"[{_node.FullyQualifiedName}] {message}");
                LastMasterReport = (ok, message);
                if (!ok) Interlocked.Increment(ref _masterRejects);
                // The command's own event only says it was parsed; the load runs later on the loader thread, so its
                // outcome (a refused file above all: the old master keeps driving) gets an event of its own.
                _mqtt?.PublishEvent(ok, "load_master", message);
            };
            if (parameters.Mqtt.Enabled)
                _mqtt = new MqttTelemetry(parameters.Mqtt, _node.FullyQualifiedName, Controller.Status, () => _timing, p => Handle(p.Span, "mqtt"));
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public HierarchicalController Controller { get; }
    public RosNode Node => _node;
    public DdsRobotHardware Hardware => _hardware;
    public PolicyBundle Bundle => _bundle;
    public MqttTelemetry? Mqtt => _mqtt;

    /// <summary>The operators' corrections log (null when skill_override_log is empty).</summary>
    public OverrideLog? OverrideLog => _overrideLog;

    /// <summary>The certified-handover gate (shadow_master / certify_master commands).</summary>
    public ShadowHandover Handover => _handover;

    /// <summary>The latest handover decision (null before the first).</summary>
    public HandoverEvidence? LastHandover { get; private set; }

    /// <summary>
    /// Where handover evidence goes: a handover/ folder beside the skill-override log when one is configured, else
    /// out/handover under the repository.
    /// </summary>
    // DESIGN: no parameter of its own yet; the evidence belongs with the other field records (the corrections log).
    private static string HandoverEvidenceDirectory(RuntimeParameters p) => p.SkillOverrideLog.Length > 0
        ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(p.SkillOverrideLog))!, "handover")
        : Path.Combine(Core.MlshPaths.Root, "out", "handover");

    /// <summary>
    /// Simulated time: the longest wall-clock wait, per cycle, for the sensor samples due at a /clock tick (see
    /// <see cref="DdsRobotHardware.DrainForClock"/>). A sample later than this is used by the next cycle instead.
    /// </summary>
    public static readonly TimeSpan SimStateWait = TimeSpan.FromMilliseconds(50);

    /// <summary>When the controller last entered and left safe mode, on the node's clock (/clock under use_sim_time,
    /// system time otherwise), recorded on the control thread at the cycle the mode changed.</summary>
    public SafeModeTimes SafeModeTimes { get; } = new();

    /// <summary>The /clock-driven loop while <see cref="Run"/> runs with use_sim_time (null otherwise).</summary>
    public SimTimeLoop? SimLoop => Volatile.Read(ref _simLoop);

    /// <summary>Timing of the running loop (null before <see cref="Run"/> starts it).</summary>
    public LoopTiming? Timing => Volatile.Read(ref _timing);

    /// <summary>Masters offered by load_master and refused (the running master stayed).</summary>
    public long MasterRejects => Interlocked.Read(ref _masterRejects);

    /// <summary>The last hot-swap outcome (null until a load_master was processed).</summary>
    public (bool Ok, string Message)? LastMasterReport { get; private set; }

    /// <summary>What the OS granted the control thread (wall-clock mode; null on simulated time).</summary>
    public RealtimeReport? Realtime { get; private set; }

    /// <summary>Applies one operator command (JSON, see <see cref="OperatorCommand"/>); any thread. Returns the outcome for the events topic.</summary>
    public (bool Ok, string Message) Handle(ReadOnlySpan<byte> utf8, string source)
    {
        OperatorCommand cmd;
        try
        {
            cmd = OperatorCommand.Parse(utf8);
        }
        catch (FormatException e)
        {
            _log.WriteLine($"[{_node.FullyQualifiedName}] rejected {source} command: {e.Message}");
            return (false, e.Message);
        }
        var commands = Controller.Commands;
        switch (cmd.Kind)
        {
            case OperatorCommandKind.EmergencyStop: commands.EmergencyStop(); break;
            case OperatorCommandKind.Resume: commands.Resume(); break;
            case OperatorCommandKind.ReleaseSkill: commands.ForceSkill(-1); break;
            case OperatorCommandKind.ForceSkill:
                if (cmd.Skill >= _bundle.SubPolicies.Count)
                    return (false, $"force_skill {cmd.Skill}: the bundle has sub-policies 0..{_bundle.SubPolicies.Count - 1}");
                if (_overrideLog is not null) _overrideLog.Operator = cmd.Operator;
                // A timed override counts control cycles, so it lasts its duration in the robot's time (simulated or wall).
                commands.ForceSkill(cmd.Skill, cmd.DurationSeconds > 0 ? Math.Max(1, (long)Math.Round(cmd.DurationSeconds * _p.ControlRateHz)) : 0);
                break;
            case OperatorCommandKind.ShadowMaster:
                var shadowPath = Path.IsPathRooted(cmd.Path!) ? cmd.Path! : Path.Combine(Core.MlshPaths.Root, cmd.Path!);
                QueueHandoverWork(() =>
                {
                    try
                    {
                        var candidate = _handover.BeginShadow(shadowPath, cmd.Sha256!, _bundle.Manifest);
                        Volatile.Write(ref _shadowCandidate, candidate);
                        ReportHandover(true, $"master {candidate.Source} (sha256 {candidate.Sha256}) runs in shadow from the next master tick");
                    }
                    catch (Exception e) when (e is ConfigException or IOException or UnauthorizedAccessException or ArgumentException)
                    {
                        ReportHandover(false, $"shadow_master failed, nothing changed: {e.Message}");
                    }
                });
                break;
            case OperatorCommandKind.CertifyMaster:
                // Queued behind a shadow_master sent just before it, so the order of the two commands is kept.
                QueueHandoverWork(() =>
                {
                    if (Volatile.Read(ref _shadowCandidate) is not { } shadowed || shadowed.Sha256 != cmd.Sha256)
                    {
                        ReportHandover(false, $"certify_master {cmd.Sha256}: no master with that SHA-256 runs in shadow (send shadow_master first)");
                        return;
                    }
                    var evaluation = new SimulatedEvaluation(cmd.Episodes, cmd.Successes, cmd.Layout ?? "");
                    var incumbent = cmd.IncumbentEpisodes > 0 ? new SimulatedEvaluation(cmd.IncumbentEpisodes, cmd.IncumbentSuccesses, cmd.Layout ?? "") : null;
                    var evidence = _handover.Decide(shadowed, evaluation, incumbent, _handoverCancel.Token);
                    Interlocked.CompareExchange(ref _shadowCandidate, null, shadowed);
                    LastHandover = evidence;
                    ReportHandover(evidence.Promoted, $"handover {evidence.Decision}: {evidence.Reason}; evidence {_handover.LastEvidencePath}");
                    // The verdict applies at the next master tick; then the dropped model (or a retired candidate) can go.
                    var until = DateTime.UtcNow.AddSeconds(10);
                    while (ReferenceEquals(Controller.Shadow, shadowed) && DateTime.UtcNow < until && !_handoverCancel.IsCancellationRequested) Thread.Sleep(10);
                    _handover.CollectRetired();
                });
                break;
            case OperatorCommandKind.LoadMaster:
                // DESIGN: load_master stays a direct hot swap by default: it is the operator's explicit choice (and what
                // the HIL scenarios and the field retune chain push). The certified path is shadow_master +
                // certify_master (`./mlsh handover`). A site that wants every master certified sets
                // require_certified_handover: true, and a direct swap is then refused with the way to do it instead.
                if (_p.RequireCertifiedHandover)
                {
                    var refusal = "load_master refused: require_certified_handover is set; send shadow_master, then certify_master with simulated episode counts (./mlsh handover --models <bundle> --layout <layout.yaml> ...)";
                    _log.WriteLine($"[{_node.FullyQualifiedName}] {source}: {refusal}");
                    Interlocked.Increment(ref _masterRejects);
                    return (false, refusal);
                }
                _loader.Request(Path.IsPathRooted(cmd.Path!) ? cmd.Path! : Path.Combine(Core.MlshPaths.Root, cmd.Path!), cmd.Sha256!);
                break;
        }
        var text = $"{source}: {cmd.Kind}{(cmd.Kind == OperatorCommandKind.ForceSkill ? " " + cmd.Skill + (cmd.DurationSeconds > 0 ? string.Create(CultureInfo.InvariantCulture, $" for {cmd.DurationSeconds} s") : "") : "")} accepted";
        _log.WriteLine($"[{_node.FullyQualifiedName}] {text}");
        return (true, text);
    }

    /// <summary>Runs handover steps one after another on the thread pool: loading and waiting for shadow ticks must
    /// block neither the command threads (MQTT network, supervisor) nor the control thread.</summary>
    private void QueueHandoverWork(Action work)
    {
        lock (_handoverGate)
        {
            _handoverWork = _handoverWork.ContinueWith(_ =>
            {
                try
                {
                    work();
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    ReportHandover(false, $"handover step failed: {e.GetType().Name}: {e.Message}");
                }
            }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
        }
    }

    private void ReportHandover(bool ok, string message)
    {
        _log.WriteLine($"[{_node.FullyQualifiedName}] {message}");
        _mqtt?.PublishEvent(ok, "handover", message);
    }

    /// <summary>Waits for queued handover steps (tests; Dispose cancels a step waiting for shadow ticks first).</summary>
    public bool WaitForHandoverWork(TimeSpan timeout)
    {
        Task work;
        lock (_handoverGate) work = _handoverWork;
        return work.Wait(timeout);
    }

    /// <summary>Runs until <paramref name="stop"/> is cancelled or the control loop faults.</summary>
    /// <returns>0 after a requested stop, 1 when the control loop failed (the fault is logged).</returns>
    public int Run(CancellationToken stop)
    {
        using var wall = _p.UseSimTime ? null : new PeriodicControlThread<ControllerCycle>(new ControllerCycle(Controller, SafeModeTimes), new ControlThreadOptions
        {
            Period = _p.Period,
            RealtimePriority = _p.RealtimePriority > 0 ? _p.RealtimePriority : null,
            CpuAffinity = _p.CpuAffinity >= 0 ? _p.CpuAffinity : null,
        });
        using var sim = _p.UseSimTime
            ? new SimTimeLoop(_node, _p.ClockTopic, _p.Period,
                (now, _) => _hardware.DrainForClock(now, SimStateWait),
                now =>
                {
                    Controller.Update();
                    SafeModeTimes.AfterCycle(Controller, now);
                },
                () =>
                {
                    _hardware.ResetStamps();
                    SafeModeTimes.NewClockEpoch();
                    Controller.NotifyClockReset();
                })
            : null;
        Volatile.Write(ref _simLoop, sim);
        if (wall is not null)
        {
            _hardware.StartReaderThread();
            // One priority below the control thread's: the commands must go out, but never ahead of the next cycle.
            _hardware.StartCommandPublisher(_p.Period, _p.RealtimePriority > 1 ? _p.RealtimePriority - 1 : null);
            // The policy on its own thread, also one priority below the control thread: the control thread only hands
            // it the observation and picks the action up a cycle later (docs/runtime-timing.md).
            if (_p.PolicyInference == PolicyInferenceMode.Thread)
                Controller.StartInferenceThread(_p.Period, _p.RealtimePriority > 1 ? _p.RealtimePriority - 1 : null);
            Realtime = wall.Start();
            Volatile.Write(ref _timing, new LoopTiming(wall.ComputeTime, wall.WakeLateness, () => wall.CyclesRun, () => wall.DeadlineMisses));
            _log.WriteLine($"[{_node.FullyQualifiedName}] control thread at {_p.ControlRateHz} Hz: {Realtime.Scheduler.Detail}; {Realtime.TimerSlack.Detail}; {Realtime.Affinity.Detail}");
            _log.WriteLine($"[{_node.FullyQualifiedName}] policy inference: " + (Controller.InferenceRealtime is { } inference
                ? $"on its own thread ({inference.Scheduler.Detail}), actions one control period after their observation"
                : "inline in the control cycle"));
        }
        else
        {
            sim!.Start();
            Volatile.Write(ref _timing, new LoopTiming(sim.ComputeTime, sim.WakeLateness, () => sim.CyclesRun, () => sim.DeadlineMisses));
            _log.WriteLine($"[{_node.FullyQualifiedName}] following {_p.ClockTopic} (use_sim_time) at {_p.ControlRateHz} Hz of simulated time");
        }

        var supervisor = new Supervisor(this);
        var exit = 0;
        while (!stop.IsCancellationRequested)
        {
            var fault = wall?.Fault ?? sim?.Fault;
            if (fault is not null || (wall is not null && !wall.IsRunning) || (sim is not null && !sim.IsRunning))
            {
                _log.WriteLine($"[{_node.FullyQualifiedName}] control loop stopped: {fault?.GetType().Name}: {fault?.Message}");
                exit = 1;
                break;
            }
            while (_commandSub.TryTakeNext(_commandMsg)) Handle(Encoding.UTF8.GetBytes(_commandMsg.Data), "ros");
            supervisor.Tick();
            stop.WaitHandle.WaitOne(10);
        }
        wall?.Stop();
        sim?.Stop();
        // After the control thread: it never waits for the inference thread, which finishes its step and exits.
        Controller.StopInferenceThread();
        // Send what the control thread queued before the final command, which then goes out in place.
        _hardware.StopCommandPublisher();
        // Leave the robot limp-safe: one last zero-torque command after the loop ended.
        _hardware.WriteCommand(new double[_hardware.JointCount]);
        return exit;
    }

    public void Dispose()
    {
        _mqtt?.Dispose();
        _loader?.Dispose();
        _overrideLog?.Dispose();
        _handoverCancel.Cancel();
        WaitForHandoverWork(TimeSpan.FromSeconds(10));
        _handover?.Dispose();
        _handoverCancel.Dispose();
        _commandSub?.Dispose();
        _diagPub?.Dispose();
        _skillPub?.Dispose();
        _hardware?.Dispose();
        _node?.Dispose();
        _bundle.Dispose();
    }

    /// <summary>Adapter: one <see cref="HierarchicalController.Update"/> per tick of the control thread.</summary>
    private sealed class ControllerCycle(HierarchicalController controller, SafeModeTimes times) : IControlCycle
    {
        public void Run(in ControlTick tick)
        {
            controller.Update();
            times.AfterCycle(controller, SafeModeTimes.SystemTimeNs());
        }
    }

    /// <summary>Publishes what the control thread recorded; runs on the node's supervisor thread (may allocate).</summary>
    private sealed class Supervisor(RuntimeNode owner)
    {
        private readonly StringMsg _skill = new();
        private readonly DiagnosticArray _diag = new() { Status = [new DiagnosticStatus()] };
        private readonly LatencyHistogramSnapshot _compute = new();
        private int _lastSkill = int.MinValue;
        private SafetyFaults _lastFaults = (SafetyFaults)(-1);
        private ControllerMode _lastMode = (ControllerMode)(-1);
        private bool _skipReported;
        private long _lastRejects;
        private long _lastEntryNs = SafeModeTimes.Never, _lastExitNs = SafeModeTimes.Never;
        private long _lastMasterTicks;
        private long _nextDiagnostics;

        public void Tick()
        {
            if (!_skipReported && owner.SimLoop is { ClockSkippedCycles: > 0 } loop)
            {
                // Not a runtime fault: the simulator steps further per command than one control period (its lockstep
                // decimation must be physics rate / control_rate_hz), so the PD law no longer runs every period.
                _skipReported = true;
                owner._log.WriteLine($"[{owner._node.FullyQualifiedName}] {owner._p.ClockTopic} advanced over {loop.ClockSkippedCycles} control deadline(s) without a cycle: the simulator steps further than one control period ({owner._p.Period.TotalMilliseconds} ms) per tick; run it in lockstep with one command per control period");
            }
            var s = owner.Controller.Status.Read();
            if (s.ActiveSkill != _lastSkill)
            {
                _lastSkill = s.ActiveSkill;
                _skill.Data = s.ActiveSkill < 0 ? "" : PolicyMetadata.SubPolicyName(s.ActiveSkill);
                owner._skillPub.Publish(_skill);
            }
            var now = MonotonicClock.NowNanoseconds();
            // Published at once on every fault, mode change or refused master (the HIL harness reads these reports).
            var rejects = owner.MasterRejects;
            // The recorded transition times too: a safe-mode spell shorter than this loop's 10 ms tick is still reported.
            var entry = owner.SafeModeTimes.LastEntryNs;
            var exit = owner.SafeModeTimes.LastExitNs;
            if (s.Faults != _lastFaults || s.Mode != _lastMode || rejects != _lastRejects || entry != _lastEntryNs || exit != _lastExitNs || now >= _nextDiagnostics)
            {
                _lastEntryNs = entry;
                _lastExitNs = exit;
                _lastFaults = s.Faults;
                _lastMode = s.Mode;
                _lastRejects = rejects;
                _nextDiagnostics = now + 1_000_000_000;
                PublishDiagnostics(s);
            }
            if (s.MasterTicks != _lastMasterTicks)
            {
                _lastMasterTicks = s.MasterTicks;
                if (s.SkillForced && owner._overrideLog is not null) LogOverride(s);
            }
        }

        private void PublishDiagnostics(in ControllerStatus s)
        {
            var d = _diag.Status[0];
            d.Name = $"{owner._node.Name}: controller";
            d.HardwareId = owner._p.Robot;
            d.Level = s.Faults == SafetyFaults.None ? DiagnosticStatus.Ok : DiagnosticStatus.Error;
            d.Message = s.Faults == SafetyFaults.None ? (s.Mode == ControllerMode.Policy ? "policy running" : "recovering") : $"safe mode: {s.Faults}";
            var t = owner.Timing;
            t?.ComputeTime.CopyTo(_compute);
            d.Values =
            [
                new KeyValue { Key = "mode", Value = s.Mode.ToString() },
                new KeyValue { Key = "active_skill", Value = s.ActiveSkill.ToString(CultureInfo.InvariantCulture) },
                new KeyValue { Key = "joint_state_age_cycles", Value = s.JointStateAgeCycles == int.MaxValue ? "never" : s.JointStateAgeCycles.ToString(CultureInfo.InvariantCulture) },
                new KeyValue { Key = "safe_mode_entries", Value = s.SafeModeEntries.ToString(CultureInfo.InvariantCulture) },
                new KeyValue { Key = "deadline_misses", Value = (t?.DeadlineMisses ?? 0).ToString(CultureInfo.InvariantCulture) },
                new KeyValue { Key = "cycles", Value = (t?.Cycles ?? 0).ToString(CultureInfo.InvariantCulture) },
                new KeyValue { Key = "master_ticks", Value = s.MasterTicks.ToString(CultureInfo.InvariantCulture) },
                new KeyValue { Key = "master_swaps", Value = s.MasterSwaps.ToString(CultureInfo.InvariantCulture) },
                new KeyValue { Key = "master_rejects", Value = owner.MasterRejects.ToString(CultureInfo.InvariantCulture) },
                new KeyValue { Key = "policy_inference", Value = owner.Controller.InferenceMode == PolicyInferenceMode.Thread ? "thread" : "inline" },
                new KeyValue { Key = "inference_overruns", Value = s.InferenceOverruns.ToString(CultureInfo.InvariantCulture) },
                new KeyValue { Key = "time_source", Value = owner._p.UseSimTime ? "sim" : "system" },
                new KeyValue { Key = "clock_skipped_cycles", Value = (owner.SimLoop?.ClockSkippedCycles ?? 0).ToString(CultureInfo.InvariantCulture) },
                new KeyValue { Key = "clock_resets", Value = (owner.SimLoop?.ClockResets ?? 0).ToString(CultureInfo.InvariantCulture) },
                new KeyValue { Key = "last_safe_mode_entry_s", Value = SafeModeTimes.Seconds(owner.SafeModeTimes.LastEntryNs) },
                new KeyValue { Key = "last_safe_mode_exit_s", Value = SafeModeTimes.Seconds(owner.SafeModeTimes.LastExitNs) },
                new KeyValue { Key = "last_safe_mode_entry_epoch", Value = owner.SafeModeTimes.LastEntryEpoch.ToString(CultureInfo.InvariantCulture) },
                new KeyValue { Key = "last_safe_mode_faults", Value = owner.SafeModeTimes.LastEntryFaults.ToString() },
                new KeyValue { Key = "last_safe_mode_exit_epoch", Value = owner.SafeModeTimes.LastExitEpoch.ToString(CultureInfo.InvariantCulture) },
                new KeyValue { Key = "cycle_time_p50_us", Value = (_compute.P50 / 1000.0).ToString("F1", CultureInfo.InvariantCulture) },
                new KeyValue { Key = "cycle_time_max_us", Value = (_compute.Max / 1000.0).ToString("F1", CultureInfo.InvariantCulture) },
                new KeyValue { Key = "cycle_time_p99_us", Value = (_compute.P99 / 1000.0).ToString("F1", CultureInfo.InvariantCulture) },
            ];
            _diag.Header.Stamp.SetNanoseconds(DateTime.UtcNow.Ticks * 100 - DateTime.UnixEpoch.Ticks * 100);
            owner._diagPub.Publish(_diag);
        }

        private void LogOverride(in ControllerStatus s)
        {
            var obs = new double[owner.Controller.MasterTickObservation.Length];
            owner.Controller.MasterTickObservation.Read(obs);
            owner._overrideLog!.Append(s.Cycle, s.MasterChoice, s.ActiveSkill, obs, DateTime.UtcNow);
        }
    }
}
