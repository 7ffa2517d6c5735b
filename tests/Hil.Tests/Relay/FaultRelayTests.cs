using Mlsh.Hil.Relay;
using Mlsh.Hil.Scenarios;
using Mlsh.Ros2;
using Mlsh.Ros2.Messages.SensorMsgs;
using Mlsh.Ros2.Qos;

namespace Mlsh.Hil.Tests.Relay;

/// <summary>The relay over real Cyclone DDS on a private domain: a fake robot publishes stamped joint states, the test
/// listens where the runtime would.</summary>
public class FaultRelayTests
{
    private static uint UniqueDomain() => (uint)(100 + (Environment.ProcessId + Random.Shared.Next(0, 50)) % 120);

    private static (List<(double Stamp, double Position0)> Got, RelayChannelStats Stats) RunRelay(Fault fault)
    {
        var domain = UniqueDomain();
        var options = new RosNodeOptions { DomainId = domain, CycloneConfigXml = CycloneConfig.LoopbackOnly(), QosEventSink = _ => { } };
        using var robot = new RosNode("fake_robot", options);
        using var runtime = new RosNode("fake_runtime", options);
        using var harness = new RosNode("mlsh_hil", options);
        var topics = new RelayTopics(JointStatesIn: $"/t{domain}/joint_states", JointStatesOut: $"/t{domain}/hil/joint_states");
        using var relay = new FaultRelay(harness, topics, [fault], new ScenarioClock());
        using var pub = robot.CreatePublisher<JointState>(topics.JointStatesIn, QosProfile.SensorData);
        // A deep history: a delay window releases its held messages in bursts, which a depth-5 reader would thin out.
        using var sub = runtime.CreateSubscription<JointState>(topics.JointStatesOut, QosProfile.SensorData with { Depth = 256 });
        relay.Start();
        pub.WaitForSubscriptions(1, TimeSpan.FromSeconds(10)).Should().BeTrue();
        sub.WaitForPublications(1, TimeSpan.FromSeconds(10)).Should().BeTrue();

        var msg = JointState.WithJoints(["j0", "j1"]);
        var got = new List<(double, double)>();
        var into = new JointState();
        // 0 .. 1.5 s of robot time at 100 Hz, paced so best-effort history never overflows.
        for (var k = 0; k <= 150; k++)
        {
            msg.Header.Stamp.SetNanoseconds(1_000_000_000L + k * 10_000_000L);
            msg.Position[0] = k;
            pub.Publish(msg);
            Thread.Sleep(2);
            while (sub.TryTakeNext(into)) got.Add((into.Header.Stamp.ToNanoseconds() * 1e-9 - 1.0, into.Position[0]));
        }
        var deadline = Environment.TickCount64 + 1000;
        while (Environment.TickCount64 < deadline)
        {
            sub.WaitForData(TimeSpan.FromMilliseconds(50));
            while (sub.TryTakeNext(into)) got.Add((into.Header.Stamp.ToNanoseconds() * 1e-9 - 1.0, into.Position[0]));
        }
        return (got, relay.Stats().Single(x => x.Topic == RelayTopic.JointStates));
    }

    [Fact]
    public void Drop_ForwardsNothingStampedInsideTheWindow_AndEverythingElse()
    {
        var (got, stats) = RunRelay(new Fault(FaultKind.Drop, 0.5, 0.2, RelayTopic.JointStates, 0, 0));
        got.Should().NotContain(m => m.Stamp >= 0.5 - 1e-9 && m.Stamp < 0.7 - 1e-9);
        got.Count.Should().BeGreaterThan(120, "131 of 151 messages lie outside the window (a few may be lost on best effort)");
        got.Should().Contain(m => m.Stamp > 0.7);
        stats.Dropped.Should().BeInRange(15, 21);
    }

    [Fact]
    public void Nan_PoisonsExactlyTheMessagesInsideTheWindow()
    {
        var (got, stats) = RunRelay(new Fault(FaultKind.Nan, 0.5, 0.2, RelayTopic.JointStates, 0, 0));
        got.Count.Should().BeGreaterThan(140);
        stats.Poisoned.Should().BeGreaterThanOrEqualTo(got.Count(m => double.IsNaN(m.Position0))).And.BeLessThanOrEqualTo(21);
        foreach (var (stamp, p0) in got)
        {
            var inside = stamp >= 0.5 - 1e-9 && stamp < 0.7 - 1e-9;
            double.IsNaN(p0).Should().Be(inside, $"the message stamped {stamp:F2} s is {(inside ? "inside" : "outside")} the window");
        }
    }

    [Fact]
    public void Delay_HoldsBackTheWindowsMessages_AndKeepsTheirOrder()
    {
        var (got, stats) = RunRelay(new Fault(FaultKind.Delay, 0.5, 0.2, RelayTopic.JointStates, 0.05, 0));
        got.Count.Should().BeGreaterThan(130, "every message is forwarded (a few may be lost on best effort)");
        got.Select(m => m.Stamp).Should().BeInAscendingOrder();
        got.Where(m => m.Stamp >= 0.5 && m.Stamp < 0.69).Should().NotBeEmpty();
        stats.Delayed.Should().BeInRange(15, 21, "20 messages are stamped inside the 0.2 s window (a few may be lost on best effort)");
        stats.FirstFaultS.Should().BeApproximately(0.5, 1e-9);
    }
}
