using Mlsh.Ros2.Qos;
using Mlsh.Ros2.Tests.TestSupport;

namespace Mlsh.Ros2.Tests.Qos;

public sealed class QosMismatchTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void ReliableReader_AndBestEffortWriter_NeverMatch_AndBothSidesReportTheReliabilityMismatch()
    {
        var domain = new TestDomain();
        using var sim = domain.Node("mlsh_sim");
        using var runtime = domain.Node("mlsh_runtime");
        using var pub = sim.CreatePublisher<Float64MultiArray>("/effort_controller/commands", QosProfile.SensorData);
        using var sub = runtime.CreateSubscription<Float64MultiArray>("/effort_controller/commands", QosProfile.Commands);

        TestDomain.Eventually(() => sub.QosEvents.IncompatibleCount > 0 && pub.QosEvents.IncompatibleCount > 0, Timeout).Should().BeTrue();
        sub.QosEvents.LastIncompatiblePolicy.Should().Be("RELIABILITY");
        pub.QosEvents.LastIncompatiblePolicy.Should().Be("RELIABILITY");
        lock (domain.QosEvents)
        {
            domain.QosEvents.Should().Contain(e => e.Kind == QosEventKind.RequestedIncompatible && e.Topic == "/effort_controller/commands" && e.Policy == "RELIABILITY");
            domain.QosEvents.Should().Contain(e => e.Kind == QosEventKind.OfferedIncompatible && e.Policy == "RELIABILITY");
            domain.QosEvents.First().ToString().Should().Contain("QoS mismatch on /effort_controller/commands");
        }

        pub.MatchedSubscriptionCount.Should().Be(0);
        pub.Publish(new Float64MultiArray { Data = [1.0] });
        Thread.Sleep(100);
        sub.TryTake(new Float64MultiArray()).Should().BeFalse("incompatible endpoints exchange no data");
    }

    [Fact]
    public void TransientLocalReader_AndVolatileWriter_ReportADurabilityMismatch()
    {
        var domain = new TestDomain();
        using var a = domain.Node("writer_node");
        using var b = domain.Node("reader_node");
        using var pub = a.CreatePublisher<StringMsg>("/status", QosProfile.Commands);
        using var sub = b.CreateSubscription<StringMsg>("/status", QosProfile.Commands with { Durability = Durability.TransientLocal });

        TestDomain.Eventually(() => sub.QosEvents.IncompatibleCount > 0, Timeout).Should().BeTrue();
        sub.QosEvents.LastIncompatiblePolicy.Should().Be("DURABILITY");
    }

    [Fact]
    public void ReaderRequestingAShorterLivelinessLease_ThanTheWriterOffers_ReportsALivelinessMismatch()
    {
        var domain = new TestDomain();
        using var a = domain.Node("writer_node");
        using var b = domain.Node("reader_node");
        using var pub = a.CreatePublisher<StringMsg>("/status", QosProfile.Commands); // lease: infinite
        using var sub = b.CreateSubscription<StringMsg>("/status", QosProfile.Commands with { LivelinessLease = TimeSpan.FromSeconds(1) });

        TestDomain.Eventually(() => sub.QosEvents.IncompatibleCount > 0, Timeout).Should().BeTrue();
        sub.QosEvents.LastIncompatiblePolicy.Should().Be("LIVELINESS");
    }

    [Fact]
    public void CompatibleProfiles_ReportNoMismatch_AndMatch()
    {
        var domain = new TestDomain();
        using var a = domain.Node("writer_node");
        using var b = domain.Node("reader_node");
        using var pub = a.CreatePublisher<StringMsg>("/status", QosProfile.Commands);
        using var sub = b.CreateSubscription<StringMsg>("/status", QosProfile.SensorData); // best-effort reader accepts a reliable writer

        pub.WaitForSubscriptions(1, Timeout).Should().BeTrue();
        sub.QosEvents.IncompatibleCount.Should().Be(0);
        pub.QosEvents.IncompatibleCount.Should().Be(0);
    }

    [Fact]
    public void Deadline_IsReportedAsMissed_WhenTheWriterFallsSilent()
    {
        var domain = new TestDomain();
        using var a = domain.Node("writer_node");
        using var b = domain.Node("reader_node");
        var qos = QosProfile.Commands with { Deadline = TimeSpan.FromMilliseconds(50) };
        using var pub = a.CreatePublisher<StringMsg>("/heartbeat", qos);
        using var sub = b.CreateSubscription<StringMsg>("/heartbeat", qos);
        pub.WaitForSubscriptions(1, Timeout).Should().BeTrue();
        pub.Publish(new StringMsg { Data = "alive" });

        TestDomain.Eventually(() => sub.QosEvents.DeadlineMissedCount > 0, Timeout).Should().BeTrue();
    }

    [Theory]
    [InlineData(0, null, "depth 0")]
    [InlineData(5, -1, "deadline")]
    public void Validate_RejectsNonsenseProfiles_WithTheFieldInTheMessage(int depth, int? deadlineMs, string expected)
    {
        var qos = QosProfile.Commands with { Depth = depth, Deadline = deadlineMs is { } d ? TimeSpan.FromMilliseconds(d) : null };
        var act = () => qos.Validate();
        act.Should().Throw<ArgumentException>().WithMessage($"*{expected}*");
    }
}
