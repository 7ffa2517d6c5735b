using System.Collections.Concurrent;
using System.Text;
using Mlsh.Mqtt;
using Mlsh.Ros2;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Tests.TestSupport;
using Mlsh.TestSupport;

namespace Mlsh.Runtime.Tests.Telemetry;

/// <summary>The node's MQTT side against a real mosquitto with passwords and an ACL.</summary>
public sealed class MqttTelemetryTests : IDisposable
{
    private readonly QuadrupedBundle _models = new(seed: 13);
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-runtime-mqtt-").FullName;
    private readonly Broker _broker = new();

    public void Dispose()
    {
        _broker.Dispose();
        _models.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private MqttClient Client(string user, string password, ConcurrentQueue<(string, string)> inbox)
    {
        var c = new MqttClient($"test-{user}-{Guid.NewGuid():N}");
        c.MessageReceived += (in MqttMessage m) => inbox.Enqueue((m.Topic, Encoding.UTF8.GetString(m.Payload)));
        c.Connect(new MqttConnectOptions { Host = "127.0.0.1", Port = _broker.Port, Username = user, Password = password });
        return c;
    }

    [Fact]
    public void Mqtt_TelemetryAndStatusFlow_OnlyAuthorisedClientsCommand_MalformedIsRejected_AndAnOutageDoesNotStopTheLoop()
    {
        var p = TestParameters.Load(_dir, v =>
        {
            v["mqtt_host"] = "127.0.0.1";
            v["mqtt_port"] = _broker.Port.ToString();
            v["mqtt_user"] = "runtime";
            v["mqtt_password_file"] = _broker.PasswordFile;
            v["mqtt_topic_prefix"] = "mlsh";
            v["joint_states_timeout_cycles"] = "1000000";
            v["imu_timeout_cycles"] = "1000000";
            v["odom_timeout_cycles"] = "1000000";
        }, _models.Dir);
        var options = new RosNodeOptions { DomainId = (uint)Random.Shared.Next(60, 230), CycloneConfigXml = CycloneConfig.LoopbackOnly() };
        using var runtime = new RuntimeNode(p, options, "mlsh_runtime", TextWriter.Null);
        using var stop = new CancellationTokenSource();
        var run = new Thread(() => runtime.Run(stop.Token)) { IsBackground = true };
        run.Start();

        var viewerInbox = new ConcurrentQueue<(string, string)>();
        using var viewer = Client("viewer", "viewer-secret", viewerInbox);
        Wait.For(() => viewer.State == MqttConnectionState.Connected, TimeSpan.FromSeconds(10), "viewer connected");
        viewer.Subscribe("mlsh/#");
        try
        {
            Wait.For(() => viewerInbox.Any(m => m.Item1 == "mlsh/telemetry" && m.Item2.Contains("\"cycle_time_p99_us\"")), TimeSpan.FromSeconds(10), "telemetry JSON");
            Wait.For(() => viewerInbox.Any(m => m.Item1 == "mlsh/status" && m.Item2.Contains("online")), TimeSpan.FromSeconds(10), "retained online status");

            // A viewer (read-only by ACL) and a wrong password cannot command the robot.
            viewer.Publish("mlsh/cmd", Encoding.UTF8.GetBytes("{\"command\":\"estop\"}"), MqttQos.AtLeastOnce);
            var intruderInbox = new ConcurrentQueue<(string, string)>();
            using var intruder = Client("operator", "wrong", intruderInbox);
            Wait.For(() => intruder.State == MqttConnectionState.Refused, TimeSpan.FromSeconds(10), "refusal of a wrong password");
            Thread.Sleep(500);
            runtime.Controller.Commands.EmergencyStopActive.Should().BeFalse("neither the viewer nor a wrong password may command");

            // The operator's malformed command is rejected with an error event; its e-stop works.
            var opInbox = new ConcurrentQueue<(string, string)>();
            using var op = Client("operator", "operator-secret", opInbox);
            Wait.For(() => op.State == MqttConnectionState.Connected, TimeSpan.FromSeconds(10), "operator connected");
            var cyclesBefore = runtime.Timing!.Cycles;
            op.Publish("mlsh/cmd", Encoding.UTF8.GetBytes("{\"command\":\"launch_rockets\"}"), MqttQos.AtLeastOnce);
            Wait.For(() => viewerInbox.Any(m => m.Item1 == "mlsh/events" && m.Item2.Contains("\"error\"") && m.Item2.Contains("launch_rockets")),
                TimeSpan.FromSeconds(10), "error event for a malformed command");
            // The error event can come back within one control period: wait for cycles rather than sample once.
            Wait.For(() => runtime.Timing.Cycles > cyclesBefore + 10, TimeSpan.FromSeconds(5), "the loop to keep cycling after a malformed command");
            op.Publish("mlsh/cmd", Encoding.UTF8.GetBytes("{\"command\":\"estop\"}"), MqttQos.AtLeastOnce);
            Wait.For(() => runtime.Controller.Status.Read().Faults.HasFlag(SafetyFaults.EmergencyStop), TimeSpan.FromSeconds(10), "e-stop via MQTT");

            // Broker outage: the loop keeps cycling, the client reconnects when the broker is back.
            _broker.Stop();
            var before = runtime.Timing.Cycles;
            Thread.Sleep(1000);
            runtime.Timing.Cycles.Should().BeGreaterThan(before + 200, "the control loop does not wait for MQTT");
            _broker.Start();
            Wait.For(() => runtime.Mqtt!.State == MqttConnectionState.Connected, TimeSpan.FromSeconds(20), "reconnect after the outage");
        }
        finally
        {
            stop.Cancel();
            run.Join();
        }
    }
}
