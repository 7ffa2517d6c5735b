using Mlsh.Ros2.Graph;
using Mlsh.Ros2.Qos;
using Mlsh.Ros2.Tests.TestSupport;

namespace Mlsh.Ros2.Tests;

public sealed class TwoProcessTests
{
    [Fact]
    public async Task EveryMessageType_SurvivesARoundTripThroughAnotherProcess_WithEveryFieldIntact()
    {
        var domain = new TestDomain();
        using var peer = PeerProgram.Start($"relay-samples --domain {domain.Id} --from /mlsh_test/in --to /mlsh_test/out");
        try
        {
            using var startTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var ready = await peer.StandardOutput.ReadLineAsync(startTimeout.Token);
            ready.Should().Be("ready", "the peer process should start: " + (peer.HasExited ? await peer.StandardError.ReadToEndAsync() : ""));

            using var node = domain.Node("mlsh_test");
            var samples = SampleMessages.All();
            var lanes = samples.Select(sample =>
            {
                var info = MessageRegistry.Find(SampleMessages.TypeOf(sample).RosName);
                return (Sample: sample, Info: info,
                    Pub: info.CreatePublisher(node, $"/mlsh_test/in/{info.Type.Name}", QosProfile.Commands),
                    Sub: info.CreateSubscription(node, $"/mlsh_test/out/{info.Type.Name}", QosProfile.Commands),
                    Received: info.Create());
            }).ToList();
            var done = new HashSet<string>();

            // Publish until every type came back (discovery of the peer's endpoints is asynchronous).
            TestDomain.Eventually(() =>
            {
                foreach (var lane in lanes.Where(l => !done.Contains(l.Info.Type.RosName)))
                {
                    lane.Pub.Publish(lane.Sample);
                    if (lane.Sub.TryTakeNext(lane.Received)) done.Add(lane.Info.Type.RosName);
                }
                Thread.Sleep(40);
                return done.Count == lanes.Count;
            }, TimeSpan.FromSeconds(30)).Should().BeTrue($"all types should come back; got {string.Join(", ", done)}");

            foreach (var lane in lanes)
            {
                lane.Received.Should().BeEquivalentTo(lane.Sample, o => o.RespectingRuntimeTypes(), lane.Info.Type.RosName);
                lane.Pub.Dispose();
                lane.Sub.Dispose();
            }

            using var graph = new RosGraph(node);
            TestDomain.Eventually(() => graph.Nodes().Any(n => n.FullyQualifiedName == "/mlsh_peer" && n.Readers == lanes.Count && n.Writers == lanes.Count),
                TimeSpan.FromSeconds(10)).Should().BeTrue("the peer's node is announced on ros_discovery_info");
        }
        finally
        {
            peer.StandardInput.Close();
            if (!peer.WaitForExit(10_000)) peer.Kill(entireProcessTree: true);
        }
        peer.ExitCode.Should().Be(0, await peer.StandardError.ReadToEndAsync());
    }
}
