using Mlsh.Ros2.Messages.DiagnosticMsgs;
using Mlsh.Ros2.Messages.NavMsgs;
using Mlsh.Ros2.Messages.SensorMsgs;
using Mlsh.Ros2.Messages.StdMsgs;
using Mlsh.Ros2.Qos;
using Mlsh.SimBridge.Tests.TestSupport;

namespace Mlsh.SimBridge.Tests;

/// <summary>The bridge end to end over DDS: a peer node publishes commands and reads the bridge's topics.</summary>
public sealed class SimBridgeNodeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private const double Kd = 1.5; // quadruped.yaml, every joint

    private static Float64MultiArray Command(params double[] data) => new() { Data = data };

    [Fact]
    public void Bridge_MovesTheJointsWhenCommandsArrive_AndHoldsSafeWhenTheyStop()
    {
        using var h = new BridgeHarness(BridgeHarness.RealTime(commandTimeoutS: 0.2), start: false);
        var states = h.Subscribe<JointState>("/joint_states", QosProfile.SensorData);
        var diagnostics = h.Subscribe<DiagnosticArray>("/diagnostics", QosProfile.Commands);
        var positions = h.Publish<Float64MultiArray>("/position_controller/commands");
        h.Start();

        // Hips swing to +0.4 rad, knees stay at the standing 1.0 rad: the robot's PD law tracks the targets.
        var target = Command(0.4, 1.0, 0.4, 1.0, 0.4, 1.0, 0.4, 1.0);
        var js = new JointState();
        // Wait on simulated time, not wall time: a loaded machine slows the physics but not its behaviour.
        var giveUp = DateTime.UtcNow + Patience;
        while (h.Bridge.SimTimeNs < 600_000_000 && DateTime.UtcNow < giveUp)
        {
            positions.Publish(target);
            Thread.Sleep(20);
        }
        h.TakeUntil(states, js, m => true, Patience).Should().BeTrue();
        while (states.TryTake(js)) { }
        js.Name.Should().Equal("fl_hip", "fl_knee", "fr_hip", "fr_knee", "bl_hip", "bl_knee", "br_hip", "br_knee");
        for (var j = 0; j < 8; j += 2) js.Position[j].Should().BeApproximately(0.4, 0.1, $"hip {js.Name[j]} tracks its position command");
        h.Bridge.Commands.Accepted.Should().BeGreaterThan(10);

        // Commands stop: after command_timeout_s the motors only damp, τ = −kd·q̇, and diagnostics say so.
        var stoppedAt = h.Bridge.SimTimeNs;
        giveUp = DateTime.UtcNow + Patience;
        while (h.Bridge.SimTimeNs < stoppedAt + 600_000_000 && DateTime.UtcNow < giveUp) Thread.Sleep(20);
        var diag = new DiagnosticArray();
        h.TakeUntil(diagnostics, diag, d => BridgeHarness.Value(d, "command_timeouts") == "1", Patience).Should().BeTrue();
        h.TakeUntil(diagnostics, diag, d => BridgeHarness.Value(d, "command_mode") == "safe_hold", Patience).Should().BeTrue();
        h.TakeUntil(states, js, m => true, Patience).Should().BeTrue();
        while (states.TryTake(js)) { }
        var holdingEfforts = 0;
        for (var j = 0; j < 8; j++)
        {
            // Effort is computed from the velocity at the start of the published step: equal up to one step of change.
            js.Effort[j].Should().BeApproximately(-Kd * js.Velocity[j], 0.5, $"joint {js.Name[j]} is only damped");
            if (Math.Abs(js.Effort[j]) > 5) holdingEfforts++;
        }
        holdingEfforts.Should().Be(0, "no joint is still driven toward the old target");
    }

    [Fact]
    public void Lockstep_SameCommandSequenceTwice_GivesIdenticalJointStates()
    {
        var first = RunLockstepSequence(40);
        var second = RunLockstepSequence(40);
        first.Should().HaveCount(41);
        second.Should().HaveCount(41);
        for (var k = 0; k < first.Count; k++) second[k].Should().Equal(first[k], $"step {k} must be bit-identical");
        first[^1].Should().NotEqual(first[0], "the commands moved the robot");
    }

    private static List<double[]> RunLockstepSequence(int steps)
    {
        using var h = new BridgeHarness(BridgeHarness.Lockstep(), start: false);
        var states = h.Subscribe<JointState>("/joint_states", QosProfile.SensorData);
        var efforts = h.Publish<Float64MultiArray>("/effort_controller/commands");
        h.Start();
        var recorded = new List<double[]>();
        var js = new JointState();
        var stepNs = 10 * 2_000_000L; // decimation x physics_dt
        var command = Command(new double[8]);
        for (var k = 0; k <= steps; k++)
        {
            var stamp = k * stepNs;
            h.TakeUntil(states, js, m => m.Header.Stamp.ToNanoseconds() == stamp, Patience).Should().BeTrue($"state of step {k} arrives");
            recorded.Add([.. js.Position, .. js.Velocity, .. js.Effort]);
            if (k == steps) break;
            for (var j = 0; j < 8; j++) command.Data[j] = 8 * Math.Sin(0.3 * k + j);
            efforts.Publish(command);
        }
        h.Bridge.LockstepSteps.Should().Be(steps);
        return recorded;
    }

    [Fact]
    public void WrongSizeAndNaNCommands_AreDroppedAndCountedInDiagnostics()
    {
        using var h = new BridgeHarness(BridgeHarness.RealTime(), start: false);
        var diagnostics = h.Subscribe<DiagnosticArray>("/diagnostics", QosProfile.Commands);
        var efforts = h.Publish<Float64MultiArray>("/effort_controller/commands");
        h.Start();
        efforts.Publish(Command(1, 2, 3));
        efforts.Publish(Command(0, 0, 0, double.NaN, 0, 0, 0, 0));
        var diag = new DiagnosticArray();
        h.TakeUntil(diagnostics, diag, d => BridgeHarness.Value(d, "commands_dropped_wrong_size") == "1" &&
                                            BridgeHarness.Value(d, "commands_dropped_non_finite") == "1", Patience)
            .Should().BeTrue("both bad commands are counted");
        BridgeHarness.Value(diag, "commands_accepted").Should().Be("0");
        BridgeHarness.Value(diag, "command_mode").Should().Be("safe_hold");
        h.Bridge.Commands.DroppedWrongSize.Should().Be(1);
        h.Bridge.Commands.DroppedNonFinite.Should().Be(1);
    }

    [Fact]
    public void DiagnosticsWarning_NamesTheWrongSize()
    {
        using var h = new BridgeHarness(BridgeHarness.RealTime(), start: false);
        var diagnostics = h.Subscribe<DiagnosticArray>("/diagnostics", QosProfile.Commands);
        var efforts = h.Publish<Float64MultiArray>("/effort_controller/commands");
        h.Start();
        efforts.Publish(Command(1, 2, 3));
        var diag = new DiagnosticArray();
        h.TakeUntil(diagnostics, diag, d => d.Status[0].Level == DiagnosticStatus.Warn, Patience).Should().BeTrue();
        diag.Status[0].Message.Should().Contain("size 3, expected 8");
        diag.Status[0].HardwareId.Should().Be("/mlsh_sim");
    }

    [Fact]
    public void ResetMessage_ReturnsTheRobotToTheStart()
    {
        using var h = new BridgeHarness(BridgeHarness.Lockstep(), start: false);
        var states = h.Subscribe<JointState>("/joint_states", QosProfile.SensorData);
        var odom = h.Subscribe<Odometry>("/odom", QosProfile.SensorData);
        var efforts = h.Publish<Float64MultiArray>("/effort_controller/commands");
        var reset = h.Publish<StringMsg>("/mlsh_sim/reset");
        h.Start();
        var js = new JointState();
        // Push the hips one way for 20 lockstep steps.
        for (var k = 0; k < 20; k++)
        {
            var stamp = k * 20_000_000L;
            h.TakeUntil(states, js, m => m.Header.Stamp.ToNanoseconds() == stamp, Patience).Should().BeTrue();
            efforts.Publish(Command(15, 0, 15, 0, 15, 0, 15, 0));
        }
        h.TakeUntil(states, js, m => m.Header.Stamp.ToNanoseconds() == 20 * 20_000_000L, Patience).Should().BeTrue();
        js.Position[0].Should().BeGreaterThan(0.1, "the commands moved the hips away from the default pose");

        reset.Publish(new StringMsg { Data = "" });
        h.TakeUntil(states, js, m => m.Position[0] == 0.0 && m.Position[1] == 1.0, Patience).Should().BeTrue("the reset state is published at once");
        js.Position.Should().Equal(0, 1, 0, 1, 0, 1, 0, 1);
        js.Velocity.Should().OnlyContain(v => v == 0);
        js.Header.Stamp.ToNanoseconds().Should().Be(20 * 20_000_000L, "simulated time keeps running across a reset");
        var o = new Odometry();
        h.TakeUntil(odom, o, m => Math.Abs(m.Pose.Pose.Position.X) < 1e-12 && Math.Abs(m.Pose.Pose.Position.Z - 0.30) < 1e-12, Patience)
            .Should().BeTrue("the base is back on the start cell at the spawn height");
        h.Bridge.Counters.ResetsByMessage.Should().Be(1);
    }

    [Fact]
    public void LayoutMessage_LoadsTheLayoutAndResets_AndABadOneIsReportedWithoutStopping()
    {
        using var h = new BridgeHarness(BridgeHarness.Lockstep(), start: false);
        var diagnostics = h.Subscribe<DiagnosticArray>("/diagnostics", QosProfile.Commands);
        var reset = h.Publish<StringMsg>("/mlsh_sim/reset");
        h.Start();
        var diag = new DiagnosticArray();
        h.TakeUntil(diagnostics, diag, d => BridgeHarness.Value(d, "layout") == "maze-01", Patience).Should().BeTrue();

        reset.Publish(new StringMsg { Data = "dead-end" });
        h.TakeUntil(diagnostics, diag, d => BridgeHarness.Value(d, "layout") == "dead-end", Patience).Should().BeTrue();
        BridgeHarness.Value(diag, "layout_changes").Should().Be("1");

        reset.Publish(new StringMsg { Data = "no-such-maze" });
        h.TakeUntil(diagnostics, diag, d => BridgeHarness.Value(d, "layout_errors") == "1", Patience).Should().BeTrue();
        diag.Status[0].Level.Should().Be(DiagnosticStatus.Warn);
        diag.Status[0].Message.Should().Contain("no-such-maze").And.Contain("shipped layouts");
        BridgeHarness.Value(diag, "layout").Should().Be("dead-end", "a bad request keeps the current layout");
        h.Bridge.Robot.Layout.Name.Should().Be("dead-end");
    }

    [Fact]
    public void Lockstep_WithoutCommands_WaitsWithoutAdvancing_AndRepublishesTheSameStep()
    {
        using var h = new BridgeHarness(BridgeHarness.Lockstep(), start: false);
        var states = h.Subscribe<JointState>("/joint_states", QosProfile.SensorData);
        var diagnostics = h.Subscribe<DiagnosticArray>("/diagnostics", QosProfile.Commands);
        h.Start();
        var diag = new DiagnosticArray();
        h.TakeUntil(diagnostics, diag, d => long.Parse(BridgeHarness.Value(d, "lockstep_wait_timeouts")!) >= 2, Patience).Should().BeTrue();
        var js = new JointState();
        var seen = 0;
        while (states.TryTakeNext(js))
        {
            js.Header.Stamp.ToNanoseconds().Should().Be(0, "time stands still until a command arrives");
            seen++;
        }
        seen.Should().BeGreaterThanOrEqualTo(2, "the state of step 0 is offered again after each wait timeout");
        h.Bridge.Counters.PhysicsSteps.Should().Be(0);
        BridgeHarness.Value(diag, "mode").Should().Be("lockstep");
    }

    [Fact]
    public void RealTime_SimulatedTimeFollowsTheWallClock_WithoutRunningAhead()
    {
        using var h = new BridgeHarness(BridgeHarness.RealTime(), start: false);
        var clock = h.Subscribe<Mlsh.Ros2.Messages.RosgraphMsgs.Clock>("/clock", QosProfile.Clock);
        h.Start();
        Thread.Sleep(300); // past start-up (JIT, first publications)
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var sim0 = h.Bridge.SimTimeNs;
        Thread.Sleep(1000);
        var simS = (h.Bridge.SimTimeNs - sim0) / 1e9;
        var wallS = watch.Elapsed.TotalSeconds;
        simS.Should().BeLessThanOrEqualTo(wallS + 0.004, "absolute deadlines never let simulated time run ahead");
        simS.Should().BePositive("the physics runs (how fast depends on the machine's load, which a test must not judge)");
        var c = new Mlsh.Ros2.Messages.RosgraphMsgs.Clock();
        h.TakeUntil(clock, c, m => m.Time.ToNanoseconds() > 0, Patience).Should().BeTrue("/clock carries simulated time");
    }

    [Fact]
    public void ControlCycle_AllocatesNothingAfterWarmUp()
    {
        using var h = new BridgeHarness(BridgeHarness.RealTime(commandTimeoutS: 10), start: false);
        var states = h.Subscribe<JointState>("/joint_states", QosProfile.SensorData);
        var efforts = h.Publish<Float64MultiArray>("/effort_controller/commands");
        var command = Command(1, 1, 1, 1, 1, 1, 1, 1);
        for (var i = 0; i < 300; i++)
        {
            if (i % 10 == 0) efforts.Publish(command);
            h.Bridge.RealTimeCycle();
            Thread.Sleep(i % 50 == 0 ? 5 : 0);
        }
        h.Bridge.Commands.Accepted.Should().BeGreaterThan(0, "commands were taken during warm-up");
        // Commands sent before the measured window are taken inside it (receive path included).
        for (var i = 0; i < 5; i++) efforts.Publish(command);
        Thread.Sleep(50);
        var accepted = h.Bridge.Commands.Accepted;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 2000; i++) h.Bridge.RealTimeCycle();
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        allocated.Should().Be(0);
        h.Bridge.Commands.Accepted.Should().BeGreaterThan(accepted);
        states.TryTake(new JointState()).Should().BeTrue("the cycles published joint states");
    }
}
