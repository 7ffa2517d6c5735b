using System.Text;
using Mlsh.Ros2;
using Mlsh.Ros2.Messages.DiagnosticMsgs;
using Mlsh.Ros2.Messages.NavMsgs;
using Mlsh.Ros2.Messages.SensorMsgs;
using Mlsh.Ros2.Messages.StdMsgs;
using Mlsh.Ros2.Qos;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Tests.TestSupport;

namespace Mlsh.Runtime.Tests.Node;

/// <summary>The whole node over real Cyclone DDS (loopback, private domain): a robot stand-in publishes sensor topics.</summary>
public sealed class RuntimeNodeDdsTests : IDisposable
{
    private readonly QuadrupedBundle _models = new(seed: 11);
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-runtime-node-").FullName;
    private readonly PrivateDomain _ros = new();

    public void Dispose()
    {
        _models.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Watchdog_OverDds_StaleJointStateEntersSafeModeWithDiagnosticsError_AndFreshStateRecovers()
    {
        var p = TestParameters.Load(_dir, v => { v["joint_states_timeout_cycles"] = "25"; v["imu_timeout_cycles"] = "50"; v["odom_timeout_cycles"] = "200"; }, _models.Dir);
        using var runtime = new RuntimeNode(p, _ros.Options(), "mlsh_runtime", TextWriter.Null);
        using var robot = new RosNode("robot_standin", _ros.Options());
        using var joints = robot.CreatePublisher<JointState>(p.JointStatesTopic, QosProfile.SensorData);
        using var imu = robot.CreatePublisher<Imu>(p.ImuTopic, QosProfile.SensorData);
        using var odom = robot.CreatePublisher<Odometry>(p.OdomTopic, QosProfile.SensorData);
        using var commands = robot.CreateSubscription<Float64MultiArray>(p.CommandTopic, QosProfile.Commands);
        using var diagnostics = robot.CreateSubscription<DiagnosticArray>(p.DiagnosticsTopic, QosProfile.Commands);
        using var operatorCmd = robot.CreatePublisher<StringMsg>(p.OperatorCommandTopic, QosProfile.Commands);

        using var stop = new CancellationTokenSource();
        var exit = -1;
        var run = new Thread(() => exit = runtime.Run(stop.Token)) { IsBackground = true };
        run.Start();

        var sendJoints = true;
        var stopRobot = false;
        var js = new JointState
        {
            // Deliberately not in command order: the node matches by name.
            Name = [.. QuadrupedBundle.Joints.Reverse()],
            Position = [.. QuadrupedBundle.DefaultPose.Reverse().Select(v => (double)v)],
            Velocity = new double[8],
        };
        var imuMsg = new Imu();
        var odomMsg = new Odometry();
        var robotThread = new Thread(() =>
        {
            while (!Volatile.Read(ref stopRobot))
            {
                if (Volatile.Read(ref sendJoints)) joints.Publish(js);
                imu.Publish(imuMsg);
                odom.Publish(odomMsg);
                Thread.Sleep(2);
            }
        }) { IsBackground = true };
        robotThread.Start();
        try
        {
            Wait.For(() => runtime.Controller.Status.Read().Mode == ControllerMode.Policy, TimeSpan.FromSeconds(20), "policy mode with live sensor topics");
            var cmd = new Float64MultiArray();
            Wait.For(() => commands.TryTake(cmd) && cmd.Data.Length == 8, TimeSpan.FromSeconds(10), "effort commands on " + p.CommandTopic);
            cmd.Data.Should().OnlyContain(t => double.IsFinite(t) && Math.Abs(t) <= 15.0);

            Volatile.Write(ref sendJoints, false);
            Wait.For(() => (runtime.Controller.Status.Read().Faults & SafetyFaults.JointStateStale) != 0, TimeSpan.FromSeconds(5), "JointStateStale after the joint states stopped");
            runtime.Controller.Status.Read().Mode.Should().Be(ControllerMode.Safe);
            var diag = new DiagnosticArray();
            // Reports queued before the joint states stopped are skipped: a start-up transient (the stand-in's odometry
            // arriving late on a loaded machine) once left an earlier "safe mode: OdomStale" error in the queue.
            Wait.For(() => diagnostics.TryTakeNext(diag) && diag.Status.Length == 1 && diag.Status[0].Level == DiagnosticStatus.Error
                           && diag.Status[0].Message.Contains("JointStateStale", StringComparison.Ordinal),
                TimeSpan.FromSeconds(5), "a /diagnostics error naming JointStateStale");

            Volatile.Write(ref sendJoints, true);
            Wait.For(() => runtime.Controller.Status.Read().Mode == ControllerMode.Policy, TimeSpan.FromSeconds(10), "recovery when fresh joint states return");

            // E-stop and resume from the ROS topic.
            operatorCmd.WaitForSubscriptions(1, TimeSpan.FromSeconds(5));
            operatorCmd.Publish(new StringMsg { Data = "{\"command\":\"estop\"}" });
            Wait.For(() => runtime.Controller.Status.Read().Faults.HasFlag(SafetyFaults.EmergencyStop), TimeSpan.FromSeconds(5), "e-stop from /mlsh/command");
            operatorCmd.Publish(new StringMsg { Data = "{\"command\":\"resume\"}" });
            Wait.For(() => runtime.Controller.Status.Read().Mode == ControllerMode.Policy, TimeSpan.FromSeconds(5), "resume from /mlsh/command");
        }
        finally
        {
            Volatile.Write(ref stopRobot, true);
            robotThread.Join();
            stop.Cancel();
            run.Join();
        }
        exit.Should().Be(0);
        runtime.Hardware.RejectedJointStates.Should().Be(0);
    }

    [Fact]
    public void Run_OnTheWallClock_RunsThePolicyOnItsInferenceThread_AndJoinsItOnShutdown()
    {
        var p = TestParameters.Load(_dir, v => { v["joint_states_timeout_cycles"] = "250"; v["imu_timeout_cycles"] = "250"; v["odom_timeout_cycles"] = "250"; }, _models.Dir);
        using var runtime = new RuntimeNode(p, _ros.Options(), "mlsh_runtime", TextWriter.Null);
        using var robot = new RobotStandIn(_ros.Options(), p);
        using var stop = new CancellationTokenSource();
        var exit = -1;
        var run = new Thread(() => exit = runtime.Run(stop.Token)) { IsBackground = true };
        run.Start();
        PolicyInferenceThread? worker;
        try
        {
            Wait.For(() => runtime.Controller.InferenceWorker is not null, TimeSpan.FromSeconds(10), "the inference thread");
            worker = runtime.Controller.InferenceWorker!;
            Wait.For(() => runtime.Controller.Status.Read().ActionPickups >= 20, TimeSpan.FromSeconds(30), "20 actions picked up from the inference thread");
            runtime.Controller.InferenceMode.Should().Be(PolicyInferenceMode.Thread);
            worker.Completed.Should().BeGreaterThanOrEqualTo(20);
            var s = runtime.Controller.Status.Read();
            s.ActionLatencyCycles.Should().BeGreaterThanOrEqualTo(s.ActionPickups, "a threaded action applies at least one cycle after its observation");
        }
        finally
        {
            stop.Cancel();
            run.Join();
        }
        exit.Should().Be(0);
        worker.IsAlive.Should().BeFalse("Run joins the inference thread before it returns");
        runtime.Controller.InferenceMode.Should().Be(PolicyInferenceMode.Inline);
    }
}
