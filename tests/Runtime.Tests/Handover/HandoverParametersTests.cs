using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mlsh.Core.Configuration;
using Mlsh.Mqtt;
using Mlsh.Onnx.Export;
using Mlsh.Onnx.Manifest;
using Mlsh.Ros2;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Handover;
using Mlsh.Runtime.Tests.TestSupport;
using Mlsh.TestSupport;

namespace Mlsh.Runtime.Tests.Handover;

/// <summary>
/// The handover settings as runtime parameters, require_certified_handover, and a refused load_master reported on
/// MQTT (issue #6 §5, issue #7 §5).
/// </summary>
public sealed class HandoverParametersTests : IDisposable
{
    private readonly QuadrupedBundle _models = new(seed: 31);
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-runtime-handover-params-").FullName;

    public void Dispose()
    {
        _models.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void HandoverParameters_FromTheParamsFile_ReachTheNodesGate_AndDefaultToTheDocumentedValues()
    {
        var defaults = TestParameters.Load(_dir, null, _models.Dir);
        defaults.Handover.Should().BeEquivalentTo(new HandoverSettings());
        defaults.RequireCertifiedHandover.Should().BeFalse();

        var p = TestParameters.Load(_dir, v =>
        {
            v["handover_threshold"] = "0.6";
            v["handover_confidence"] = "0.9";
            v["handover_bound_method"] = "wilson";
            v["handover_min_shadow_ticks"] = "3";
            v["handover_shadow_timeout_s"] = "7.5";
            v["require_certified_handover"] = "true";
        }, _models.Dir);
        p.RequireCertifiedHandover.Should().BeTrue();
        var options = new RosNodeOptions { DomainId = (uint)Random.Shared.Next(60, 230), CycloneConfigXml = CycloneConfig.LoopbackOnly() };
        using var runtime = new RuntimeNode(p, options, "mlsh_runtime", TextWriter.Null);
        runtime.Handover.Settings.Should().BeEquivalentTo(new HandoverSettings
        {
            Threshold = 0.6, Confidence = 0.9, Method = BoundMethod.Wilson, MinShadowTicks = 3, ShadowTimeout = TimeSpan.FromSeconds(7.5),
        });
    }

    [Fact]
    public void ShippedRuntimeParams_SetEveryHandoverParameter_ToTheDocumentedDefaults()
    {
        var file = Path.Combine(Core.MlshPaths.Root, "launch", "params", "runtime.yaml");
        var text = File.ReadAllText(file);
        foreach (var name in new[] { "handover_threshold", "handover_confidence", "handover_bound_method", "handover_min_shadow_ticks", "handover_shadow_timeout_s", "require_certified_handover" })
            text.Should().Contain($"    {name}: ", "every handover parameter is documented in the shipped file");
        var p = RuntimeParameters.FromRos(Core.Launch.RosNodeParameters.Load(RuntimeParameters.NodeName, [file]));
        p.Handover.Should().BeEquivalentTo(new HandoverSettings());
        p.RequireCertifiedHandover.Should().BeFalse();
    }

    [Theory]
    [InlineData("handover_threshold", "1.5", "must be in [0, 1)")]
    [InlineData("handover_threshold", "-0.1", "must be in [0, 1)")]
    [InlineData("handover_confidence", "0.3", "must be in (0.5, 1)")]
    [InlineData("handover_bound_method", "bayes", "must be clopper_pearson or wilson")]
    [InlineData("handover_min_shadow_ticks", "-1", "must be >= 0")]
    [InlineData("handover_shadow_timeout_s", "0", "must be > 0")]
    [InlineData("require_certified_handover", "maybe", "require_certified_handover")]
    public void ABadHandoverParameter_StopsStartUp_WithOneLineNamingIt(string name, string value, string expected)
    {
        var act = () => TestParameters.Load(_dir, v => v[name] = value, _models.Dir);
        var e = act.Should().Throw<ConfigException>().Which;
        e.Message.Should().Contain($"'{name}'").And.Contain(expected).And.NotContain("\n");
    }

    [Fact]
    public void LoadMaster_WhenCertifiedHandoverIsRequired_IsRefusedWithTheWayToCertify_AndNothingIsLoaded()
    {
        var p = TestParameters.Load(_dir, v => v["require_certified_handover"] = "true", _models.Dir);
        var options = new RosNodeOptions { DomainId = (uint)Random.Shared.Next(60, 230), CycloneConfigXml = CycloneConfig.LoopbackOnly() };
        using var runtime = new RuntimeNode(p, options, "mlsh_runtime", TextWriter.Null);
        var candidate = _models.ExportAnotherMaster(Path.Combine(_dir, "candidate"), seed: 4);
        var sha = ModelHash.Sha256Hex(File.ReadAllBytes(candidate));

        var (ok, message) = runtime.Handle(Encoding.UTF8.GetBytes($"{{\"command\":\"load_master\",\"path\":\"{candidate}\",\"sha256\":\"{sha}\"}}"), "test");

        ok.Should().BeFalse();
        message.Should().Contain("require_certified_handover").And.Contain("shadow_master").And.Contain("certify_master");
        Thread.Sleep(300); // the loader thread would have validated a queued load by now
        runtime.Controller.Commands.MasterPending.Should().BeFalse("a refused load_master never reaches the loader");
        runtime.LastMasterReport.Should().BeNull();
        runtime.MasterRejects.Should().Be(1);

        // The certified path stays open: shadow_master loads the same file into shadow.
        runtime.Handle(Encoding.UTF8.GetBytes($"{{\"command\":\"shadow_master\",\"path\":\"{candidate}\",\"sha256\":\"{sha}\"}}"), "test").Ok.Should().BeTrue();
        runtime.WaitForHandoverWork(TimeSpan.FromSeconds(30)).Should().BeTrue();
        runtime.Controller.Commands.ShadowPending.Should().BeTrue();
    }

    [Fact]
    public void LoadMaster_WithABadHashAWrongShapeOrAMissingFile_IsAnMqttErrorEvent_AndTheRunningMasterKeepsDriving()
    {
        using var broker = new Broker();
        var p = TestParameters.Load(_dir, v =>
        {
            v["mqtt_host"] = "127.0.0.1";
            v["mqtt_port"] = broker.Port.ToString(CultureInfo.InvariantCulture);
            v["mqtt_user"] = "runtime";
            v["mqtt_password_file"] = broker.PasswordFile;
            v["mqtt_topic_prefix"] = "mlsh";
        }, _models.Dir);
        var options = new RosNodeOptions { DomainId = (uint)Random.Shared.Next(60, 230), CycloneConfigXml = CycloneConfig.LoopbackOnly() };
        using var runtime = new RuntimeNode(p, options, "mlsh_runtime", TextWriter.Null);
        var original = runtime.Controller.Master;
        var good = _models.ExportAnotherMaster(Path.Combine(_dir, "good"), seed: 8);
        var goodSha = ModelHash.Sha256Hex(File.ReadAllBytes(good));
        // A sub-policy offered as the master: right input, wrong output (joint targets, not one logit per sub-policy).
        var wrongShape = Path.Combine(_models.Dir, HierarchyExporter.SubPolicyFile(0));
        var wrongShapeSha = ModelHash.Sha256Hex(File.ReadAllBytes(wrongShape));

        using var stop = new CancellationTokenSource();
        var run = new Thread(() => runtime.Run(stop.Token)) { IsBackground = true };
        run.Start();
        try
        {
            var events = new ConcurrentQueue<JsonElement>();
            using var op = new MqttClient($"test-operator-{Guid.NewGuid():N}");
            op.MessageReceived += (in MqttMessage m) => events.Enqueue(JsonDocument.Parse(m.Payload.ToArray()).RootElement.Clone());
            op.Connect(new MqttConnectOptions { Host = "127.0.0.1", Port = broker.Port, Username = "operator", Password = "operator-secret" });
            WaitFor(() => op.State == MqttConnectionState.Connected && runtime.Mqtt!.State == MqttConnectionState.Connected, "operator and runtime connected");
            op.Subscribe("mlsh/events");
            Thread.Sleep(200);

            JsonElement LoadOutcome(string path, string sha)
            {
                var seen = events.Count;
                op.Publish("mlsh/cmd", Encoding.UTF8.GetBytes($"{{\"command\":\"load_master\",\"path\":\"{path}\",\"sha256\":\"{sha}\"}}"), MqttQos.AtLeastOnce);
                WaitFor(() => events.Skip(seen).Any(e => e.GetProperty("source").GetString() == "load_master"), $"a load_master event for {Path.GetFileName(path)}");
                return events.Skip(seen).First(e => e.GetProperty("source").GetString() == "load_master");
            }

            var badHash = LoadOutcome(good, new string('0', 64));
            var shape = LoadOutcome(wrongShape, wrongShapeSha);
            var missing = LoadOutcome(Path.Combine(_dir, "nowhere", "master.onnx"), goodSha);
            foreach (var e in new[] { badHash, shape, missing })
            {
                e.GetProperty("level").GetString().Should().Be("error");
                e.GetProperty("message").GetString().Should().StartWith("load_master failed, the running master stays");
            }
            badHash.GetProperty("message").GetString().Should().Contain("SHA-256 mismatch");
            missing.GetProperty("message").GetString().Should().Contain("not found");
            shape.GetProperty("message").GetString().Should().NotContain("SHA-256 mismatch");

            runtime.MasterRejects.Should().Be(3);
            runtime.Controller.Master.Should().BeSameAs(original);
            runtime.Controller.Commands.MasterPending.Should().BeFalse("nothing was offered to the controller");
            var cycles = runtime.Timing!.Cycles;
            WaitFor(() => runtime.Timing!.Cycles > cycles + 100, "the control loop still cycling");

            // The same channel reports a good load as info, so an operator sees both outcomes in one place.
            var ok = LoadOutcome(good, goodSha);
            ok.GetProperty("level").GetString().Should().Be("info");
            ok.GetProperty("message").GetString().Should().Contain(goodSha);
        }
        finally
        {
            stop.Cancel();
            run.Join();
        }
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{what} not within 20 s");
            Thread.Sleep(10);
        }
    }
}
