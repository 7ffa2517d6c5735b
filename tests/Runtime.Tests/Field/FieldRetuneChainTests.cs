using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Mlsh.Core;
using Mlsh.Environments.Mazes;
using Mlsh.Mqtt;
using Mlsh.Onnx.Manifest;
using Mlsh.Ros2;
using Mlsh.Ros2.Messages.NavMsgs;
using Mlsh.Ros2.Qos;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Tests.TestSupport;
using Mlsh.SimBridge;
using Mlsh.SimBridge.Configuration;
using Mlsh.Trainer.Mlsh;
using Xunit.Abstractions;
using Mlsh.TestSupport;

namespace Mlsh.Runtime.Tests.Field;

/// <summary>
/// Issue #7 §4, the field retune workflow end to end on the point mass: a layout the shipped master was not learned
/// for → `mlsh retune` (shipped sub-policies frozen, small budget) writes an ONNX bundle → the SimBridge and the Runtime
/// (the shipped models/pointmass bundle) run over Cyclone DDS in lockstep on simulated time → the retuned master's path
/// and SHA-256 are pushed over MQTT through a real mosquitto with ACL → the Runtime swaps it in at a master tick without
/// a restart → the robot reaches the new layout's goal.
/// </summary>
public sealed class FieldRetuneChainTests(ITestOutputHelper output) : IDisposable
{
    // loop: held-out, the goal is behind a wall from the start (the path goes north, east, then south); the shipped
    // master (learned on corridor-north) reaches it in 0 of 8 evaluation episodes (models/pointmass provenance).
    private static readonly string Layout = Path.Combine(MlshPaths.Layouts, "heldout", "loop.yaml");
    private static readonly string Shipped = Path.Combine(MlshPaths.Models, "pointmass");
    private const int MasterPeriodCycles = 100;
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-field-chain-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RetunedMaster_PushedOverMqtt_IsSwappedInAtAMasterTick_AndThePointMassReachesTheNewLayoutsGoal()
    {
        var clock = Stopwatch.StartNew();

        // 1. Retune: the shipped sub-policies frozen, a new master for the new layout, written as an ONNX bundle.
        var retuned = Path.Combine(_dir, "loop");
        var summary = Retuner.Run(new RetuneOptions { Subpolicies = Shipped, Layout = Layout, OutDirectory = retuned, Iterations = 10, EvalEpisodes = 4, Seed = 1 });
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"retune: {summary.EnvSteps} env steps, deterministic success {summary.SuccessRate:P0}, {clock.Elapsed.TotalSeconds:F1} s"));
        summary.SuccessRate.Should().BeGreaterThan(0.5, "a small retune budget must solve the layout in simulation before it is pushed");
        var manifest = ManifestYaml.Load(Path.Combine(retuned, ManifestYaml.FileName));
        var masterFile = Path.Combine(retuned, manifest.Models.Master.File);
        var masterSha = manifest.Models.Master.Sha256;

        // 2. The robot and its runtime: the SimBridge (MuJoCo point mass in the new layout) and the Runtime with the
        //    shipped bundle, on a private DDS domain, the runtime following the simulator's /clock in lockstep.
        using var broker = new Broker();
        // Domains 1-9: no other test uses them (Hil 10-29, SimBridge lockstep 30-59, Runtime 60-229, Ros2 100-199,
        // SimBridge harness 201-232; 0 is the user's default): a concurrently running test project's simulator
        // publishing /odom on the same domain would steer this one.
        var domain = (uint)Random.Shared.Next(1, 10);
        var ros = new RosNodeOptions { DomainId = domain, CycloneConfigXml = CycloneConfig.LoopbackOnly(), QosEventSink = _ => { } };
        var p = TestParameters.Load(_dir, v =>
        {
            v["robot"] = "pointmass";
            v["control_rate_hz"] = "100.0";
            v["use_sim_time"] = "true";
            v["joint_names"] = "[base_x, base_y]";
            v["joint_position_lower"] = "[-20.0, -20.0]";
            v["joint_position_upper"] = "[20.0, 20.0]";
            v["joint_states_timeout_cycles"] = "25";
            v["imu_timeout_cycles"] = "25";
            v["odom_timeout_cycles"] = "25";
            v["max_effort_nm"] = "10.0";
            // Velocity-controlled robot: safe mode brakes (kd on the slide velocity), it does not pull back to the origin.
            v["safe_mode_kp"] = "0.0";
            v["safe_mode_kd"] = "20.0";
            v["mqtt_host"] = "127.0.0.1";
            v["mqtt_port"] = broker.Port.ToString(CultureInfo.InvariantCulture);
            v["mqtt_user"] = "runtime";
            v["mqtt_password_file"] = broker.PasswordFile;
            v["mqtt_topic_prefix"] = "mlsh";
        }, Shipped);
        using var runtime = new RuntimeNode(p, ros, "mlsh_runtime", new StringWriter());
        using var sim = new SimBridgeNode(new SimBridgeOptions
        {
            Robot = "pointmass",
            Layout = Layout,
            PhysicsRateHz = 100,
            TimingMode = TimingMode.Lockstep,
            Decimation = 1, // one physics step (= one control cycle of the manifest) per runtime command
            LockstepWaitTimeoutS = 0.2,
            JointStatesRateHz = 100,
            ImuRateHz = 100,
            OdomRateHz = 100,
            ClockRateHz = 100,
        }, ros);
        using var observer = new RosNode("field_observer", ros);
        using var odom = observer.CreateSubscription<Odometry>(p.OdomTopic, QosProfile.SensorData);

        var maze = MazeLayout.Load(Layout);
        var (goalX, goalY) = maze.Frame.CellCenter(maze.Goal);
        using var stop = new CancellationTokenSource();
        var runtimeExit = -1;
        var runtimeThread = new Thread(() => runtimeExit = runtime.Run(stop.Token)) { IsBackground = true, Name = "runtime" };
        var simThread = new Thread(() => sim.Run(stop.Token)) { IsBackground = true, Name = "sim" };
        runtimeThread.Start();
        simThread.Start();
        try
        {
            // 3. The shipped master drives for two master ticks (it was not learned for this layout).
            Wait.For(() => runtime.Controller.Status.Read() is { Mode: ControllerMode.Policy, MasterTicks: >= 2 }, TimeSpan.FromSeconds(30),
                "the runtime driving the point mass with the shipped master");
            runtime.Controller.Master.Sha256.Should().NotBe(masterSha);
            Wait.For(() => runtime.Mqtt!.State == MqttConnectionState.Connected, TimeSpan.FromSeconds(10), "the runtime's MQTT connection");

            // 4. The field operator pushes the retuned master: path + SHA-256 from the retune's manifest, over MQTT.
            using var operatorClient = new MqttClient($"field-operator-{Guid.NewGuid():N}");
            operatorClient.Connect(new MqttConnectOptions { Host = "127.0.0.1", Port = broker.Port, Username = "operator", Password = "operator-secret" });
            Wait.For(() => operatorClient.State == MqttConnectionState.Connected, TimeSpan.FromSeconds(10), "the operator's MQTT connection");
            var push = Encoding.UTF8.GetBytes($$"""{"command":"load_master","path":"{{masterFile}}","sha256":"{{masterSha}}"}""");

            // 5. Swap at a master tick: the swap is bracketed between two status snapshots; when they are less than a
            //    master period apart, exactly one master tick must lie inside (a swap between ticks would show none).
            //    On a loaded machine the poller can be descheduled for longer than a period (lockstep runs several times
            //    faster than real time), which locates nothing: then the same master is pushed again, up to 5 times.
            var located = 0;
            var swaps = 0;
            for (var attempt = 0; attempt < 5 && located == 0; attempt++)
            {
                var before = runtime.Controller.Status.Read();
                operatorClient.Publish("mlsh/cmd", push, MqttQos.AtLeastOnce);
                ControllerStatus after;
                var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
                while (true)
                {
                    var s = runtime.Controller.Status.Read();
                    if (s.MasterSwaps > swaps) { after = s; break; }
                    before = s;
                    if (DateTime.UtcNow > until) throw new TimeoutException($"no master swap within 20 s ({runtime.LastMasterReport?.Message ?? "no loader report"})");
                    Thread.SpinWait(100);
                }
                swaps++;
                output.WriteLine($"push {attempt + 1}: swap bracket cycles {before.Cycle}..{after.Cycle}, master ticks {before.MasterTicks}..{after.MasterTicks}");
                after.MasterSwaps.Should().Be(swaps, "one swap per push");
                runtime.Controller.Master.Sha256.Should().Be(masterSha, "the running master is the pushed file");
                runtime.LastMasterReport!.Value.Ok.Should().BeTrue();
                if (after.Cycle - before.Cycle >= MasterPeriodCycles) continue;
                after.MasterTicks.Should().Be(before.MasterTicks + 1, "the swap happens at a master tick, never between two");
                located++;
            }
            located.Should().Be(1, "at least one swap must be bracketed closely enough to locate it");

            // 6. The robot reaches the goal of the new layout under the retuned master, without a restart.
            var msg = new Odometry();
            double x = double.NaN, y = double.NaN;
            var reached = false;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (!reached && DateTime.UtcNow < deadline && sim.SimTimeNs < (long)(maze.TimeLimit * 2e9))
            {
                if (!odom.WaitForData(TimeSpan.FromMilliseconds(50))) continue;
                while (odom.TryTake(msg))
                {
                    (x, y) = (msg.Pose.Pose.Position.X, msg.Pose.Pose.Position.Y);
                    reached |= Math.Pow(x - goalX, 2) + Math.Pow(y - goalY, 2) <= maze.GoalRadius * maze.GoalRadius;
                }
            }
            var final = runtime.Controller.Status.Read();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"robot at ({x:F2}, {y:F2}), goal ({goalX:F2}, {goalY:F2}) r {maze.GoalRadius:F2}; sim {sim.SimTimeNs / 1e9:F1} s; ticks {final.MasterTicks}, safe-mode entries {final.SafeModeEntries}; total {clock.Elapsed.TotalSeconds:F1} s"));
            reached.Should().BeTrue("the retuned master must take the point mass to the new layout's goal");
            final.MasterSwaps.Should().Be(swaps);
            final.SafeModeEntries.Should().Be(0, "the swap must not interrupt control");
        }
        finally
        {
            stop.Cancel();
            runtimeThread.Join(TimeSpan.FromSeconds(10));
            simThread.Join(TimeSpan.FromSeconds(10));
        }
        runtimeExit.Should().Be(0);
    }
}
