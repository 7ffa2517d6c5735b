using System.Text;
using Mlsh.Ros2;
using Mlsh.Runtime.Handover;
using Mlsh.Runtime.Tests.TestSupport;

namespace Mlsh.Runtime.Tests.Handover;

/// <summary>The node's shadow_master / certify_master commands (same JSON on ROS and MQTT).</summary>
public sealed class HandoverNodeTests : IDisposable
{
    private readonly QuadrupedBundle _models = new(seed: 23);
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-runtime-handover-node-").FullName;

    public void Dispose()
    {
        _models.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void CertifyMaster_ForACandidateThatNeverRanInShadowOnTheRobot_IsRejectedDespitePerfectSimulation_AndRecorded()
    {
        var log = Path.Combine(_dir, "field", "overrides.jsonl");
        var p = TestParameters.Load(_dir, v => v["skill_override_log"] = log, _models.Dir);
        var output = new StringWriter();
        var settings = new HandoverSettings { Threshold = 0.8, MinShadowTicks = 1, ShadowTimeout = TimeSpan.FromMilliseconds(300) };
        var options = new RosNodeOptions { DomainId = (uint)Random.Shared.Next(60, 230), CycloneConfigXml = CycloneConfig.LoopbackOnly() };
        using var runtime = new RuntimeNode(p, options, "mlsh_runtime", TextWriter.Synchronized(output), settings);
        var candidatePath = _models.ExportAnotherMaster(Path.Combine(_dir, "candidate"), seed: 5);
        var sha = Onnx.Manifest.ModelHash.Sha256Hex(File.ReadAllBytes(candidatePath));
        var original = runtime.Controller.Master;
        (bool Ok, string Message) Send(string json) => runtime.Handle(Encoding.UTF8.GetBytes(json), "test");

        Send($"{{\"command\":\"shadow_master\",\"path\":\"{candidatePath}\",\"sha256\":\"{new string('0', 64)}\"}}").Ok.Should().BeTrue("parsed; the load fails later");
        runtime.WaitForHandoverWork(TimeSpan.FromSeconds(30)).Should().BeTrue();
        output.ToString().Should().Contain("shadow_master failed, nothing changed").And.Contain("SHA-256 mismatch");
        runtime.Controller.Commands.ShadowPending.Should().BeFalse();

        Send($"{{\"command\":\"shadow_master\",\"path\":\"{candidatePath}\",\"sha256\":\"{sha}\"}}").Ok.Should().BeTrue();
        Send($"{{\"command\":\"certify_master\",\"sha256\":\"{new string('a', 64)}\",\"episodes\":100,\"successes\":100}}").Ok.Should().BeTrue();
        runtime.WaitForHandoverWork(TimeSpan.FromSeconds(30)).Should().BeTrue();
        runtime.Controller.Commands.ShadowPending.Should().BeTrue("the candidate waits for the next master tick");
        output.ToString().Should().Contain("no master with that SHA-256 runs in shadow");

        var malformed = Send($"{{\"command\":\"certify_master\",\"sha256\":\"{sha}\",\"episodes\":10,\"successes\":11}}");
        malformed.Ok.Should().BeFalse();
        malformed.Message.Should().Contain("successes");

        // The control loop is not running (no robot): the candidate never ran a master tick in shadow, so even
        // 200/200 simulated successes must not hand it the robot.
        Send($"{{\"command\":\"certify_master\",\"sha256\":\"{sha}\",\"episodes\":200,\"successes\":200,\"layout\":\"layouts/heldout/loop.yaml\"}}").Ok.Should().BeTrue();
        runtime.WaitForHandoverWork(TimeSpan.FromSeconds(30)).Should().BeTrue();

        var decision = runtime.LastHandover!;
        decision.Decision.Should().Be("reject");
        decision.Reason.Should().Contain("ran 0 master ticks in shadow");
        decision.LowerBound.Should().BeGreaterThan(0.98);
        decision.Layout.Should().Be("layouts/heldout/loop.yaml");
        runtime.Controller.Master.Should().BeSameAs(original);
        var files = Directory.GetFiles(Path.Combine(_dir, "field", "handover"));
        files.Should().ContainSingle().Which.Should().Be(runtime.Handover.LastEvidencePath);
        HandoverEvidence.Read(files[0]).Should().BeEquivalentTo(decision);
    }
}
