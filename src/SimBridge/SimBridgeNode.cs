using System.Diagnostics;
using Mlsh.Core.Configuration;
using Mlsh.Environments.Mazes;
using Mlsh.Environments.Robots;
using Mlsh.MuJoCo;
using Mlsh.Ros2;
using Mlsh.Ros2.Messages.DiagnosticMsgs;
using Mlsh.Ros2.Messages.NavMsgs;
using Mlsh.Ros2.Messages.RosgraphMsgs;
using Mlsh.Ros2.Messages.SensorMsgs;
using Mlsh.Ros2.Messages.StdMsgs;
using Mlsh.Ros2.Qos;
using Mlsh.SimBridge.Configuration;
using Mlsh.SimBridge.Control;
using Mlsh.SimBridge.Diagnostics;
using Mlsh.SimBridge.Publishing;
using Mlsh.SimBridge.Simulation;

namespace Mlsh.SimBridge;

/// <summary>
/// The MuJoCo quadruped as a ROS 2 node (default name /mlsh_sim). Publishes /joint_states, /imu/data, /odom,
/// /clock (simulated time) and /diagnostics; subscribes /effort_controller/commands and
/// /position_controller/commands (std_msgs/Float64MultiArray, one value per joint in robot order) and
/// /mlsh_sim/reset (std_msgs/String: empty = reset the episode, a layout name or path = load it and reset).
/// </summary>
/// <remarks>
/// <para>Ownership: owns its ROS node, endpoints and simulation; <see cref="Dispose"/> after <see cref="Run"/>
/// returned. Threading: <see cref="Run"/> is the sim thread; it blocks only on its own pacing (real time) or on the
/// bounded lockstep wait for a command, never on subscribers. Counters may be read from other threads.</para>
/// <para>Simulated time (/clock and every stamp) is physics steps × physics_dt since start; it keeps running across
/// resets so use_sim_time nodes never see time go backwards.</para>
/// <para>Allocation: after warm-up a control cycle (take commands, physics step, publish) allocates nothing; the
/// ~1 Hz diagnostics report formats its value strings; resets by message and layout changes allocate.</para>
/// </remarks>
public sealed class SimBridgeNode : IDisposable
{
    private static readonly TimeSpan LockstepPollSlice = TimeSpan.FromMilliseconds(20);

    private readonly SimBridgeOptions _options;
    private readonly SimulatedRobot _robot;
    private readonly JointCommandGate _gate;
    private readonly RosNode _node;
    private readonly Publisher<JointState> _jointStates;
    private readonly Publisher<Imu> _imu;
    private readonly Publisher<Odometry> _odom;
    private readonly Publisher<Clock> _clock;
    private readonly Publisher<DiagnosticArray> _diagnostics;
    private readonly Subscription<Float64MultiArray> _effortCommands, _positionCommands;
    private readonly Subscription<StringMsg> _reset;
    private readonly Float64MultiArray _effortMsg = new(), _positionMsg = new();
    private readonly StringMsg _resetMsg = new();
    private readonly StateMessages _state;
    private readonly BridgeDiagnostics _report;
    private readonly long _dtNs;
    private readonly int _jointStatesEvery, _imuEvery, _odomEvery, _clockEvery;
    private readonly long _diagnosticsPeriodTicks;
    private long _nextDiagnosticsTicks, _lastReportTicks, _lastReportSimNs;
    private Subscription<Float64MultiArray> _lockstepWaitOn;

    /// <summary>Loads the robot and layout, builds the simulation and joins the ROS graph.</summary>
    /// <exception cref="ConfigException">A bad robot, layout, or a physics rate that contradicts the robot config.</exception>
    public SimBridgeNode(SimBridgeOptions options, RosNodeOptions? nodeOptions = null, string nodeName = SimBridgeOptions.DefaultNodeName)
    {
        _options = options;
        var robot = RobotConfig.LoadShipped(options.Robot);
        var robotRate = 1.0 / robot.PhysicsDt;
        if (Math.Abs(robotRate - options.PhysicsRateHz) > 1e-6 * robotRate)
            throw new ConfigException($"node {nodeName}: parameter 'physics_rate_hz' is {options.PhysicsRateHz} but robot '{robot.Name}' has physics_dt {robot.PhysicsDt} s ({robotRate} Hz); set physics_rate_hz: {robotRate}");
        var layout = MazeLayout.Load(SimBridgeOptions.ResolveLayoutPath(options.Layout));
        _robot = new SimulatedRobot(robot, layout);
        try
        {
            _dtNs = (long)Math.Round(robot.PhysicsDt * 1e9);
            _gate = new JointCommandGate(_robot.TorqueLimits, _robot.RangeLow, _robot.RangeHigh, (long)Math.Round(options.CommandTimeoutS * 1e9));
            _state = new StateMessages(_robot.JointNames, options.ImuOrientationStddev, options.ImuAngularVelocityStddev, options.ImuLinearAccelerationStddev);
            _jointStatesEvery = options.StepsPer(options.JointStatesRateHz);
            _imuEvery = options.StepsPer(options.ImuRateHz);
            _odomEvery = options.StepsPer(options.OdomRateHz);
            _clockEvery = options.StepsPer(options.ClockRateHz);
            _diagnosticsPeriodTicks = (long)(Stopwatch.Frequency / options.DiagnosticsRateHz);

            _node = new RosNode(nodeName, nodeOptions);
            _report = new BridgeDiagnostics(_node.FullyQualifiedName);
            _jointStates = _node.CreatePublisher<JointState>(options.JointStatesTopic, QosProfile.SensorData);
            _imu = _node.CreatePublisher<Imu>(options.ImuTopic, QosProfile.SensorData);
            _odom = _node.CreatePublisher<Odometry>(options.OdomTopic, QosProfile.SensorData);
            _clock = _node.CreatePublisher<Clock>(options.ClockTopic, QosProfile.Clock);
            _diagnostics = _node.CreatePublisher<DiagnosticArray>(options.DiagnosticsTopic, QosProfile.Commands);
            _effortCommands = _node.CreateSubscription<Float64MultiArray>(options.EffortCommandTopic, QosProfile.Commands);
            _positionCommands = _node.CreateSubscription<Float64MultiArray>(options.PositionCommandTopic, QosProfile.Commands);
            _reset = _node.CreateSubscription<StringMsg>(options.ResetTopic, QosProfile.Commands);
            _lockstepWaitOn = _effortCommands;
        }
        catch
        {
            _node?.Dispose();
            _robot.Dispose();
            throw;
        }
    }

    public SimBridgeOptions Options => _options;
    public RosNode Node => _node;
    public SimulatedRobot Robot => _robot;
    /// <summary>The command gate (mode in force, accepted/dropped/timeout counts).</summary>
    public JointCommandGate Commands => _gate;
    public BridgeCounters Counters { get; } = new();
    /// <summary>Simulated time since start, ns (stamps and /clock).</summary>
    public long SimTimeNs => Counters.PhysicsSteps * _dtNs;
    /// <summary>Lockstep steps completed (each = <see cref="SimBridgeOptions.Decimation"/> physics steps).</summary>
    public long LockstepSteps { get; private set; }

    /// <summary>Runs the sim thread until <paramref name="cancel"/> fires.</summary>
    public void Run(CancellationToken cancel)
    {
        _lastReportTicks = Stopwatch.GetTimestamp();
        _nextDiagnosticsTicks = _lastReportTicks;
        if (_options.TimingMode == TimingMode.Lockstep) RunLockstep(cancel);
        else RunRealTime(cancel);
    }

    // ------------------------------------------------------------------ real time

    private void RunRealTime(CancellationToken cancel)
    {
        PublishState(all: true);
        var period = Stopwatch.Frequency * _robot.PhysicsDt;
        var start = Stopwatch.GetTimestamp();
        long k = 0;
        while (!cancel.IsCancellationRequested)
        {
            RealTimeCycle();
            MaybeReportDiagnostics();
            k++;
            // DESIGN: absolute deadlines start + k·period (no drift from sleep overshoot). A step more than one
            // period late is counted and the schedule skips ahead instead of bursting to catch up: a real robot
            // cannot replay missed time either.
            var deadline = start + (long)(k * period);
            var now = Stopwatch.GetTimestamp();
            if (now - deadline > period)
            {
                Counters.DeadlineMisses++;
                start = now - (long)(k * period);
                continue;
            }
            // Sleep on the effort subscription's waitset: it wakes at the deadline (DDS timed wait, sub-ms) or
            // when a command arrives, which is taken at once so "latest wins" holds at the next step.
            while ((now = Stopwatch.GetTimestamp()) < deadline && !cancel.IsCancellationRequested)
            {
                if (_effortCommands.WaitForData(Stopwatch.GetElapsedTime(now, deadline)))
                    TakeLatestCommand(_effortCommands, _effortMsg, JointCommandMode.Effort);
            }
        }
    }

    /// <summary>One real-time control cycle without pacing: take commands (latest wins), one physics step, publish what is due.</summary>
    internal void RealTimeCycle()
    {
        PollReset();
        TakeLatestCommand(_effortCommands, _effortMsg, JointCommandMode.Effort);
        TakeLatestCommand(_positionCommands, _positionMsg, JointCommandMode.Position);
        _gate.CheckTimeout(SimTimeNs);
        PhysicsStep();
        PublishState(all: false);
    }

    private void TakeLatestCommand(Subscription<Float64MultiArray> subscription, Float64MultiArray message, JointCommandMode mode)
    {
        // DESIGN: every pending command is validated in arrival order (not only the newest, as Subscription.TryTake
        // would), so each bad one is counted; the last valid one is in force: "latest wins" among valid commands.
        while (subscription.TryTakeNext(message)) _gate.TryAccept(mode, message.Data, SimTimeNs);
    }

    // ------------------------------------------------------------------ lockstep

    private void RunLockstep(CancellationToken cancel)
    {
        PublishState(all: true);
        while (!cancel.IsCancellationRequested)
        {
            if (!WaitForStepCommand(cancel)) return;
            LockstepStep();
            PublishState(all: true);
            MaybeReportDiagnostics();
        }
    }

    /// <summary>
    /// Waits (bounded slices on a DDS waitset) until a valid command for the current step has been taken.
    /// Commands are consumed in arrival order, one per step, so a controller's sequence maps to steps exactly.
    /// </summary>
    private bool WaitForStepCommand(CancellationToken cancel)
    {
        var waitStart = Stopwatch.GetTimestamp();
        while (!cancel.IsCancellationRequested)
        {
            if (PollReset())
            {
                PublishState(all: true);
                waitStart = Stopwatch.GetTimestamp();
            }
            if (TakeNextCommand()) return true;
            if (Stopwatch.GetElapsedTime(waitStart).TotalSeconds > _options.LockstepWaitTimeoutS)
            {
                // The controller may have missed state k (best-effort sensor QoS): offer it again.
                Counters.LockstepWaitTimeouts++;
                PublishState(all: true);
                waitStart = Stopwatch.GetTimestamp();
            }
            MaybeReportDiagnostics();
            // DESIGN: one waitset per subscription (Ros2's API), so the wait sits on the interface the controller
            // used last and the other one and the reset topic are polled every slice.
            _lockstepWaitOn.WaitForData(LockstepPollSlice);
        }
        return false;
    }

    private bool TakeNextCommand()
    {
        while (_effortCommands.TryTakeNext(_effortMsg))
        {
            if (!_gate.TryAccept(JointCommandMode.Effort, _effortMsg.Data, SimTimeNs)) continue;
            _lockstepWaitOn = _effortCommands;
            return true;
        }
        while (_positionCommands.TryTakeNext(_positionMsg))
        {
            if (!_gate.TryAccept(JointCommandMode.Position, _positionMsg.Data, SimTimeNs)) continue;
            _lockstepWaitOn = _positionCommands;
            return true;
        }
        return false;
    }

    /// <summary>Advances one lockstep step under the command in force (no timeout: the command belongs to this step).</summary>
    internal void LockstepStep()
    {
        for (var i = 0; i < _options.Decimation; i++) PhysicsStep();
        LockstepSteps++;
    }

    // ------------------------------------------------------------------ shared

    private void PhysicsStep()
    {
        var status = _robot.Step(_gate.Mode, _gate.Values);
        Counters.PhysicsSteps++;
        if (status == MjStepStatus.Ok) return;
        // Never crash on a diverged simulation: start a new episode, keep the clock running, report it.
        Counters.DivergenceResets++;
        Counters.LastDivergence = _robot.LastDivergence.Describe();
        Console.Error.WriteLine($"[{_node.Name}] physics diverged at sim time {SimTimeNs / 1e9:F3} s: {Counters.LastDivergence}; episode reset");
        _robot.Reset();
        _gate.Clear();
    }

    /// <summary>Applies a pending reset / layout-change message. Returns true when the simulation was reset.</summary>
    private bool PollReset()
    {
        if (!_reset.TryTake(_resetMsg)) return false;
        var request = _resetMsg.Data.Trim();
        if (request.Length == 0)
        {
            _robot.Reset();
            Counters.ResetsByMessage++;
        }
        else
        {
            try
            {
                var layout = MazeLayout.Load(SimBridgeOptions.ResolveLayoutPath(request));
                _robot.LoadLayout(layout);
                Counters.LayoutChanges++;
                Console.Out.WriteLine($"[{_node.Name}] layout {layout.Name} loaded ({layout.Source}); episode reset");
            }
            catch (ConfigException e)
            {
                // A bad request must not stop the simulation: keep the current layout, report it.
                Counters.LayoutErrors++;
                Counters.LastLayoutError = e.Message;
                Console.Error.WriteLine($"[{_node.Name}] reset request '{request}' ignored: {e.Message}");
                return false;
            }
        }
        _gate.Clear();
        return true;
    }

    private void PublishState(bool all)
    {
        var steps = Counters.PhysicsSteps;
        var stamp = SimTimeNs;
        if (all || steps % _clockEvery == 0)
        {
            _state.FillClock(stamp);
            _clock.Publish(_state.Clock);
        }
        if (all || steps % _jointStatesEvery == 0)
        {
            _state.FillJointState(_robot, stamp);
            _jointStates.Publish(_state.JointState);
        }
        if (all || steps % _imuEvery == 0)
        {
            _state.FillImu(_robot, stamp);
            _imu.Publish(_state.Imu);
        }
        if (all || steps % _odomEvery == 0)
        {
            _state.FillOdometry(_robot, stamp);
            _odom.Publish(_state.Odometry);
        }
    }

    private void MaybeReportDiagnostics()
    {
        var now = Stopwatch.GetTimestamp();
        if (now < _nextDiagnosticsTicks) return;
        _nextDiagnosticsTicks = now + _diagnosticsPeriodTicks;
        var wallS = (now - _lastReportTicks) / (double)Stopwatch.Frequency;
        var simNs = SimTimeNs;
        var rtf = wallS > 0 ? (simNs - _lastReportSimNs) / 1e9 / wallS : double.NaN;
        _lastReportTicks = now;
        _lastReportSimNs = simNs;
        _report.Fill(simNs, _options.TimingMode == TimingMode.Lockstep ? "lockstep" : "realtime", _robot.Layout.Name,
            simNs / 1e9, rtf, _gate, Counters);
        _diagnostics.Publish(_report.Message);
    }

    public void Dispose()
    {
        _node.Dispose();
        _robot.Dispose();
    }
}
