using System.Collections.Concurrent;
using System.Text;
using Mlsh.Mqtt;
using Mlsh.OnnxRuntime.Policies;
using Mlsh.Ros2;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Control;
using Mlsh.Runtime.Operator;
using Mlsh.Runtime.Tests.TestSupport;
using System.Text.Json;
using Mlsh.TestSupport;

namespace Mlsh.Runtime.Tests.Operator;

public sealed class OverrideTests : IDisposable
{
    private readonly QuadrupedBundle _models = new(seed: 31);
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-runtime-override-").FullName;

    public void Dispose()
    {
        _models.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private (HierarchicalController Controller, ScriptedHardware Hardware, PolicyBundle Bundle) Create()
    {
        var p = TestParameters.Load(_dir, null, _models.Dir);
        var bundle = PolicyBundle.Load(p.ModelsDir, DeploymentContract.ExpectationsFor(p));
        var hw = new ScriptedHardware(8);
        return (new HierarchicalController(p, bundle, hw), hw, bundle);
    }

    [Fact]
    public void TimedOverride_ReplacesTheMastersChoiceForExactlyItsDuration_ThenTheMastersChoiceResumes()
    {
        var (ctl, _, bundle) = Create();
        using var _b = bundle;
        ctl.Update();
        var masterChoice = ctl.Status.Read().MasterChoice;
        var forced = (masterChoice + 1) % QuadrupedBundle.SubPolicyCount;
        const int duration = 120; // cycles: longer than one master period, ends between master ticks

        ctl.Commands.ForceSkill(forced, duration);
        while (ctl.Status.Read().MasterTicks < 2) ctl.Update();
        var start = ctl.Status.Read().Cycle;
        var forcedCycles = 0;
        var lastLabelledTickMasterChoice = -1;
        for (var i = 0; i < 300; i++)
        {
            var s = ctl.Status.Read();
            if (s.ActiveSkill == forced && s.SkillForced)
            {
                forcedCycles++;
                s.OverrideCyclesLeft.Should().BeInRange(0, duration - 1, "forced cycles still to come after this one");
                lastLabelledTickMasterChoice = s.MasterChoice;
            }
            else
            {
                s.SkillForced.Should().BeFalse();
                s.ActiveSkill.Should().Be(s.MasterChoice, "after expiry the master's own choice drives the robot");
            }
            ctl.Update();
        }

        forcedCycles.Should().Be(duration, $"the override started at the master tick of cycle {start} and lasts {duration} cycles");
        lastLabelledTickMasterChoice.Should().BeGreaterThanOrEqualTo(0, "the master kept computing its own choice during the override");
    }

    [Fact]
    public void ANewOverrideReplacesTheOldOne_AndReleaseReturnsControlToTheMasterAtOnce()
    {
        var (ctl, _, bundle) = Create();
        using var _b = bundle;
        ctl.Update();
        var masterChoice = ctl.Status.Read().MasterChoice;
        var forced = (masterChoice + 1) % QuadrupedBundle.SubPolicyCount;
        ctl.Commands.ForceSkill(forced);
        for (var i = 0; i < QuadrupedBundle.MasterPeriod; i++) ctl.Update();
        ctl.Status.Read().ActiveSkill.Should().Be(forced);
        ctl.Status.Read().OverrideCyclesLeft.Should().Be(0, "an override without duration lasts until released");

        ctl.Commands.ForceSkill(-1);
        ctl.Update();

        var s = ctl.Status.Read();
        s.SkillForced.Should().BeFalse();
        s.ActiveSkill.Should().Be(s.MasterChoice);
    }

    [Theory]
    [InlineData("{\"command\":\"force_skill\",\"skill\":1,\"duration_s\":-2}", "duration_s")]
    [InlineData("{\"command\":\"force_skill\",\"skill\":1,\"duration_s\":9999}", "duration_s")]
    [InlineData("{\"command\":\"force_skill\",\"skill\":1,\"duration_s\":\"5\"}", "duration_s")]
    [InlineData("{\"command\":\"force_skill\",\"skill\":1,\"duraton_s\":5}", "unknown key 'duraton_s'")]
    [InlineData("{\"command\":\"force_skill\",\"skill\":-3}", "skill")]
    [InlineData("{\"command\":\"force_skill\",\"skill\":1,\"operator\":\"\"}", "operator")]
    [InlineData("{\"command\":\"force_skill\",\"skill\":1,\"operator\":7}", "operator")]
    public void MalformedOverride_IsRejectedWithOneLineNamingTheField(string json, string named)
    {
        var act = () => OperatorCommand.Parse(Encoding.UTF8.GetBytes(json));
        act.Should().Throw<FormatException>().Which.Message.Should().Contain(named).And.NotContain("\n");
    }

    [Fact]
    public void TimedOverride_ParsesDurationAndOperator()
    {
        var c = OperatorCommand.Parse("{\"command\":\"force_skill\",\"skill\":2,\"duration_s\":1.5,\"operator\":\"ana\"}"u8);
        c.Kind.Should().Be(OperatorCommandKind.ForceSkill);
        c.Skill.Should().Be(2);
        c.DurationSeconds.Should().Be(1.5);
        c.Operator.Should().Be("ana");
    }

    [Fact]
    public void OverrideLog_WrittenAtForcedMasterTicks_IsReadBackByTheCorrectionsTrainer_WithTheMastersInputAndBothChoices()
    {
        var (ctl, _, bundle) = Create();
        using var _b = bundle;
        var path = Path.Combine(_dir, "logs", "overrides.jsonl");
        using (var log = new OverrideLog(path) { Operator = "ana" })
        {
            ctl.Update();
            var forced = (ctl.Status.Read().MasterChoice + 1) % QuadrupedBundle.SubPolicyCount;
            ctl.Commands.ForceSkill(forced, 3 * QuadrupedBundle.MasterPeriod);
            var seen = ctl.Status.Read().MasterTicks;
            var obs = new double[ctl.MasterTickObservation.Length];
            for (var i = 0; i < 6 * QuadrupedBundle.MasterPeriod; i++)
            {
                ctl.Update();
                var s = ctl.Status.Read();
                if (s.MasterTicks == seen) continue;
                seen = s.MasterTicks;
                // What the node's supervisor does at each new master tick.
                if (!s.SkillForced) continue;
                ctl.MasterTickObservation.Read(obs);
                log.Append(s.Cycle, s.MasterChoice, s.ActiveSkill, obs, DateTime.UtcNow);
            }
            log.Count.Should().Be(3, "one labelled line per master tick the override lasted");
        }

        // The fields `mlsh retune --corrections` reads (Trainer.Corrections.CorrectionLog; see docs/handover.md).
        var lines = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToArray();
        lines.Should().HaveCount(3);
        var label = lines[0].GetProperty("operator_choice").GetInt32();
        foreach (var l in lines)
        {
            l.GetProperty("operator_choice").GetInt32().Should().Be(label);
            l.GetProperty("master_choice").GetInt32().Should().BeInRange(0, QuadrupedBundle.SubPolicyCount - 1).And.NotBe(label);
            l.GetProperty("observation").GetArrayLength().Should().Be(DeploymentContract.LayoutFor(8).Size);
            l.GetProperty("observation").EnumerateArray().Should().OnlyContain(v => float.IsFinite(v.GetSingle()));
            l.GetProperty("operator").GetString().Should().Be("ana");
            DateTime.Parse(l.GetProperty("utc").GetString()!, System.Globalization.CultureInfo.InvariantCulture).Should().BeAfter(DateTime.UtcNow.AddMinutes(-5));
        }
        lines.Select(l => l.GetProperty("cycle").GetInt64()).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
    }

    [Fact]
    public void MqttOverride_FromAViewerIsIgnored_AMalformedOneIsRejected_AndTheOperatorsTimedOneIsAccepted()
    {
        using var broker = new Broker();
        var p = TestParameters.Load(_dir, v =>
        {
            v["mqtt_host"] = "127.0.0.1";
            v["mqtt_port"] = broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            v["mqtt_user"] = "runtime";
            v["mqtt_password_file"] = broker.PasswordFile;
            v["mqtt_topic_prefix"] = "mlsh";
        }, _models.Dir);
        var options = new RosNodeOptions { DomainId = (uint)Random.Shared.Next(60, 230), CycloneConfigXml = CycloneConfig.LoopbackOnly() };
        using var runtime = new RuntimeNode(p, options, "mlsh_runtime", TextWriter.Null);
        using var stop = new CancellationTokenSource();
        var run = new Thread(() => runtime.Run(stop.Token)) { IsBackground = true };
        run.Start();
        try
        {
            var inbox = new ConcurrentQueue<(string Topic, string Text)>();
            using var viewer = Client("viewer", broker.Port, inbox);
            using var op = Client("operator", broker.Port, new ConcurrentQueue<(string, string)>());
            WaitFor(() => viewer.State == MqttConnectionState.Connected && op.State == MqttConnectionState.Connected, "clients connected");
            WaitFor(() => runtime.Mqtt!.State == MqttConnectionState.Connected, "runtime connected");
            viewer.Subscribe("mlsh/events");
            Thread.Sleep(200);

            viewer.Publish("mlsh/cmd", "{\"command\":\"force_skill\",\"skill\":1,\"duration_s\":5}"u8, MqttQos.AtLeastOnce);
            op.Publish("mlsh/cmd", "{\"command\":\"force_skill\",\"skill\":1,\"duration_s\":0}"u8, MqttQos.AtLeastOnce);
            WaitFor(() => inbox.Any(m => m.Text.Contains("\"error\"") && m.Text.Contains("duration_s")), "error event for the malformed override");
            runtime.Controller.Commands.ForcedSkill.Should().Be(-1, "neither the viewer's (ACL: read-only) nor the malformed override was applied");

            op.Publish("mlsh/cmd", "{\"command\":\"force_skill\",\"skill\":2,\"duration_s\":5,\"operator\":\"ana\"}"u8, MqttQos.AtLeastOnce);
            WaitFor(() => runtime.Controller.Commands.ForcedSkill == 2, "the operator's override applied");
            WaitFor(() => inbox.Any(m => m.Text.Contains("ForceSkill 2 for 5 s accepted")), "info event for the accepted override");
            inbox.Should().NotContain(m => m.Text.Contains("ForceSkill 1"), "the viewer's command never reached the runtime");
        }
        finally
        {
            stop.Cancel();
            run.Join();
        }
    }

    private static MqttClient Client(string user, int port, ConcurrentQueue<(string, string)> inbox)
    {
        var c = new MqttClient($"test-{user}-{Guid.NewGuid():N}");
        c.MessageReceived += (in MqttMessage m) => inbox.Enqueue((m.Topic, Encoding.UTF8.GetString(m.Payload)));
        c.Connect(new MqttConnectOptions { Host = "127.0.0.1", Port = port, Username = user, Password = user + "-secret" });
        return c;
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"{what} not within 15 s");
            Thread.Sleep(10);
        }
    }
}
