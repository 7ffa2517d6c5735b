using Mlsh.Ros2.Qos;
using Mlsh.Ros2.Tests.TestSupport;
using Mlsh.Ros2.Tools;

namespace Mlsh.Ros2.Tests;

public sealed class DataAvailableHandlerTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Handler_TakesEverySampleAsItArrives_InOrder_AndIsNotCalledOnceCleared()
    {
        var domain = new TestDomain();
        using var a = domain.Node("mlsh_a");
        using var b = domain.Node("mlsh_b");
        using var pub = a.CreatePublisher<StringMsg>("/chatter", QosProfile.Commands);
        using var sub = b.CreateSubscription<StringMsg>("/chatter", QosProfile.Commands);
        pub.WaitForSubscriptions(1, Timeout).Should().BeTrue();
        var received = new List<string>();
        var message = new StringMsg();
        sub.SetDataAvailableHandler(() => { while (sub.TryTakeNext(message)) lock (received) received.Add(message.Data); });

        foreach (var text in new[] { "one", "two", "three" }) pub.Publish(new StringMsg { Data = text });
        TestDomain.Eventually(() => { lock (received) return received.Count == 3; }, Timeout).Should().BeTrue();
        lock (received) received.Should().Equal("one", "two", "three");

        sub.SetDataAvailableHandler(null);
        pub.Publish(new StringMsg { Data = "four" });
        TestDomain.Eventually(() => sub.TryTakeNext(message), Timeout).Should().BeTrue("the sample still arrives, for TryTake");
        message.Data.Should().Be("four");
        lock (received) received.Should().HaveCount(3, "no handler runs once it is cleared");
    }

    [Fact]
    public void Handler_Exception_IsContained_AndLaterSamplesStillArrive()
    {
        var domain = new TestDomain();
        using var a = domain.Node("mlsh_a");
        using var b = domain.Node("mlsh_b");
        using var pub = a.CreatePublisher<StringMsg>("/chatter", QosProfile.Commands);
        using var sub = b.CreateSubscription<StringMsg>("/chatter", QosProfile.Commands);
        pub.WaitForSubscriptions(1, Timeout).Should().BeTrue();
        var calls = 0;
        var message = new StringMsg();
        sub.SetDataAvailableHandler(() =>
        {
            sub.TryTakeNext(message);
            if (Interlocked.Increment(ref calls) == 1) throw new InvalidOperationException("handler fault (expected by the test)");
        });

        pub.Publish(new StringMsg { Data = "boom" });
        pub.Publish(new StringMsg { Data = "fine" });

        TestDomain.Eventually(() => Volatile.Read(ref calls) >= 2, Timeout).Should().BeTrue();
        message.Data.Should().Be("fine");
        sub.SetDataAvailableHandler(null);
    }

    [Theory]
    [InlineData(PingPongTrigger.Listener)]
    [InlineData(PingPongTrigger.Waitset)]
    public async Task PingPong_MeasuresEveryRoundTrip_AgainstAPongProcess_WithEitherTrigger(PingPongTrigger trigger)
    {
        var domain = new TestDomain();
        using var peer = PeerProgram.Start($"pong --domain {domain.Id} --trigger {trigger}");
        try
        {
            using var startTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            (await peer.StandardOutput.ReadLineAsync(startTimeout.Token)).Should().Be("ready");
            using var node = domain.Node("mlsh_ping");

            var result = PingPong.MeasureMlsh(node, "/mlsh_ping", "/mlsh_pong", joints: 12, warmup: 10, roundTrips: 300, TimeSpan.FromSeconds(20), trigger);

            result.RoundTrips.Should().Be(300);
            result.PayloadBytes.Should().Be(PingPong.JointStateSize(12));
            result.P50Us.Should().BePositive();
            result.P99Us.Should().BeGreaterThanOrEqualTo(result.P50Us);
        }
        finally
        {
            peer.StandardInput.Close(); // the peer exits when its stdin closes
            if (!peer.WaitForExit(10_000)) peer.Kill();
        }
    }
}
