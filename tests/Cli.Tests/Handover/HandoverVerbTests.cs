using System.Diagnostics;
using System.Globalization;
using Mlsh.Cli.Verbs;
using Mlsh.Core;
using Mlsh.Core.Launch;
using Mlsh.Mqtt;
using Mlsh.Onnx.Manifest;
using Mlsh.Ros2;
using Mlsh.Runtime;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Handover;
using Mlsh.SimBridge;
using Mlsh.SimBridge.Configuration;
using Xunit.Abstractions;
using Mlsh.TestSupport;

namespace Mlsh.Cli.Tests.Handover;

/// <summary>
/// `./mlsh handover` against a real Runtime node (models/pointmass) driving the MuJoCo point mass through the SimBridge
/// over Cyclone DDS in lockstep, with commands and events through a real mosquitto with ACL (issue #7 §5).
/// </summary>
public sealed class HandoverVerbTests(ITestOutputHelper output) : IDisposable
{
    private static readonly string Shipped = Path.Combine(MlshPaths.Models, "pointmass");
    // The shipped master's own layout (83 % of 24 deterministic episodes, 7 of the 8 this test runs; docs/models.md)
    // and a held-out one (0 of 8).
    private static readonly string OwnLayout = Path.Combine(MlshPaths.Layouts, "train", "corridor-north.yaml");
    private static readonly string HeldOut = Path.Combine(MlshPaths.Layouts, "heldout", "loop.yaml");
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-cli-handover-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private HandoverVerb.Request Request(int port, string layout, int episodes) => new()
    {
        Models = Shipped,
        Layout = layout,
        Episodes = episodes,
        MqttHost = "127.0.0.1",
        MqttPort = port,
        MqttUser = "operator",
        MqttPasswordFile = OperatorPasswordFile(),
        TopicPrefix = "mlsh",
        Timeout = TimeSpan.FromSeconds(60),
        Json = true,
    };

    private string OperatorPasswordFile()
    {
        var file = Path.Combine(_dir, "operator.password");
        File.WriteAllText(file, "operator-secret\n");
        return file;
    }

    [Fact]
    public void Handover_OnARunningRuntime_RejectsACandidateThatFailsTheLayoutInSimulation_AndPromotesOneThatSolvesIt_WithEvidence()
    {
        var clock = Stopwatch.StartNew();
        using var broker = new Broker();
        // A random domain plus a private discovery tag: no other test's simulator or runtime can pair with these nodes.
        var tag = $"mlsh-cli-handover-{Environment.ProcessId}-{Guid.NewGuid():N}";
        var ros = new RosNodeOptions
        {
            DomainId = (uint)Random.Shared.Next(1, 233),
            CycloneConfigXml = CycloneConfig.LoopbackOnly(discoveryTag: tag),
            QosEventSink = _ => { },
        };
        var p = Parameters(broker);
        using var runtime = new RuntimeNode(p, ros, "mlsh_runtime", TextWriter.Null);
        using var sim = new SimBridgeNode(new SimBridgeOptions
        {
            Robot = "pointmass",
            Layout = OwnLayout,
            PhysicsRateHz = 100,
            TimingMode = TimingMode.Lockstep,
            Decimation = 1,
            LockstepWaitTimeoutS = 0.2,
            JointStatesRateHz = 100,
            ImuRateHz = 100,
            OdomRateHz = 100,
            ClockRateHz = 100,
        }, ros);
        using var stop = new CancellationTokenSource();
        var runtimeThread = new Thread(() => runtime.Run(stop.Token)) { IsBackground = true, Name = "runtime" };
        var simThread = new Thread(() => sim.Run(stop.Token)) { IsBackground = true, Name = "sim" };
        runtimeThread.Start();
        simThread.Start();
        try
        {
            WaitFor(() => runtime.Controller.Status.Read() is { Mode: ControllerMode.Policy, MasterTicks: >= 1 }, "the runtime driving the point mass");
            WaitFor(() => runtime.Mqtt!.State == MqttConnectionState.Connected, "the runtime's MQTT connection");
            var before = runtime.Controller.Master;
            var sha = ManifestYaml.Load(Path.Combine(Shipped, ManifestYaml.FileName)).Models.Master.Sha256;

            // 1. Held-out layout: the candidate fails it in simulation, so the robot keeps its master.
            var (code, stdout, stderr) = Invoke(Request(broker.Port, HeldOut, episodes: 8));
            output.WriteLine(stdout + stderr);
            code.Should().Be(1, "a rejected handover exits 1");
            stdout.Should().Contain("0/8 simulated successes");
            var rejected = runtime.LastHandover!;
            rejected.Decision.Should().Be("reject");
            rejected.Successes.Should().Be(0);
            rejected.Episodes.Should().Be(8);
            rejected.Layout.Should().Be(HeldOut);
            rejected.ShadowTicks.Should().BeGreaterThanOrEqualTo(2, "the candidate ran in shadow on the robot before the decision");
            runtime.Controller.Master.Should().BeSameAs(before);
            stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Should().Contain("\"decision\":\"reject\"");

            // 2. Its own layout: 7/8 gives a Clopper-Pearson 95 % lower bound of 0.529 > handover_threshold 0.5.
            var swaps = runtime.Controller.Status.Read().MasterSwaps;
            (code, stdout, stderr) = Invoke(Request(broker.Port, OwnLayout, episodes: 8));
            output.WriteLine(stdout + stderr);
            code.Should().Be(0, stderr);
            stdout.Should().Contain("7/8 simulated successes");
            var promoted = runtime.LastHandover!;
            promoted.Decision.Should().Be("promote");
            promoted.CandidateSha256.Should().Be(sha);
            promoted.LowerBound.Should().BeApproximately(0.5293, 1e-3);
            WaitFor(() => runtime.Controller.Status.Read().MasterSwaps == swaps + 1, "the promoted candidate swapped in at a master tick");
            runtime.Controller.Master.Should().NotBeSameAs(before);
            runtime.Controller.Master.Sha256.Should().Be(sha);

            var lastLine = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
            lastLine.Should().Contain("\"decision\":\"promote\"");
            var evidence = Directory.GetFiles(Path.Combine(_dir, "field", "handover"));
            evidence.Should().HaveCount(2, "one evidence file per decision");
            lastLine.Should().Contain(Path.GetFileName(runtime.Handover.LastEvidencePath!));
            HandoverEvidence.Read(runtime.Handover.LastEvidencePath!).Should().BeEquivalentTo(promoted);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"total {clock.Elapsed.TotalSeconds:F1} s"));
        }
        finally
        {
            stop.Cancel();
            runtimeThread.Join(TimeSpan.FromSeconds(10));
            simThread.Join(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public void Handover_WithBadInput_ExitsTwoWithOneLine_BeforeTouchingTheBroker()
    {
        // Port 1 has no broker: every case must be refused before a connection is attempted.
        var good = Request(1, OwnLayout, 8);
        foreach (var (request, expected) in new (HandoverVerb.Request, string)[]
                 {
                     (good with { Layout = Path.Combine(_dir, "nope.yaml") }, "--layout"),
                     (good with { Models = _dir }, "no manifest.yaml"),
                     (good with { Episodes = 0 }, "--episodes must be >= 1"),
                     (good with { MqttPasswordFile = Path.Combine(_dir, "missing.password") }, "--mqtt-password-file"),
                     (good with { TopicPrefix = "mlsh/#" }, "--mqtt-topic-prefix"),
                 })
        {
            var (code, stdout, stderr) = Invoke(request);
            code.Should().Be(2, expected);
            stdout.Should().BeEmpty();
            stderr.Trim().Should().StartWith("error: handover:").And.Contain(expected).And.NotContain("\n");
        }
    }

    private static (int Code, string Stdout, string Stderr) Invoke(HandoverVerb.Request request)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = HandoverVerb.Run(request, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>The point-mass runtime parameters of docs/models.md, with the handover gate set for a small K.</summary>
    private RuntimeParameters Parameters(Broker broker)
    {
        var file = Path.Combine(_dir, "runtime.yaml");
        File.WriteAllLines(file,
        [
            "mlsh_runtime:",
            "  ros__parameters:",
            $"    models_dir: {Shipped}",
            "    robot: pointmass",
            "    control_rate_hz: 100.0",
            "    use_sim_time: true",
            "    joint_names: [base_x, base_y]",
            "    joint_position_lower: [-20.0, -20.0]",
            "    joint_position_upper: [20.0, 20.0]",
            "    joint_states_timeout_cycles: 25",
            "    imu_timeout_cycles: 25",
            "    odom_timeout_cycles: 25",
            "    recovery_cycles: 1",
            "    max_effort_nm: 10.0",
            "    max_joint_velocity_rad_s: 15.0",
            "    max_roll_rad: 0.6",
            "    max_pitch_rad: 0.6",
            "    safe_mode_kp: 0.0",
            "    safe_mode_kd: 20.0",
            $"    skill_override_log: {Path.Combine(_dir, "field", "overrides.jsonl")}",
            "    handover_threshold: 0.5",
            "    handover_min_shadow_ticks: 2",
            "    handover_shadow_timeout_s: 30.0",
            "    mqtt_host: 127.0.0.1",
            $"    mqtt_port: {broker.Port}",
            "    mqtt_user: runtime",
            $"    mqtt_password_file: {broker.PasswordFile}",
            "    mqtt_topic_prefix: mlsh",
        ]);
        return RuntimeParameters.FromRos(RosNodeParameters.Load(RuntimeParameters.NodeName, [file]));
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{what} not within 30 s");
            Thread.Sleep(5);
        }
    }
}
