using System.Runtime.InteropServices;
using System.Text;
using Mlsh.Ros2.Interop;
using Mlsh.Ros2.Qos;
using Mlsh.Ros2.Tests.TestSupport;
using Mlsh.Ros2.Tools;

namespace Mlsh.Ros2.Tests;

public sealed class RosNodeTests
{
    [Fact]
    public unsafe void Participant_AdvertisesTheEnclaveInUserData_LikeRmwCyclonedds()
    {
        var domain = new TestDomain();
        using var node = domain.Node("mlsh_runtime");
        var qos = DdsNative.dds_create_qos();
        try
        {
            DdsCheck.Check(DdsNative.dds_get_qos(node.Participant.Entity, qos), nameof(DdsNative.dds_get_qos));
            void* value;
            nuint size;
            DdsNative.dds_qget_userdata(qos, &value, &size).Should().BeTrue();
            var text = Encoding.UTF8.GetString(new ReadOnlySpan<byte>(value, (int)size));
            DdsNative.dds_free(value);
            text.Should().Be("enclave=/;");
        }
        finally
        {
            DdsNative.dds_delete_qos(qos);
        }
        node.Gid.Should().HaveCount(16).And.Contain(b => b != 0);
        node.FullyQualifiedName.Should().Be("/mlsh_runtime");
    }

    [Theory]
    [InlineData(null, 0u)]
    [InlineData("", 0u)]
    [InlineData("42", 42u)]
    [InlineData("232", 232u)]
    public void ParseDomainId_AcceptsRosDomainIds(string? text, uint expected) => CycloneConfig.ParseDomainId(text).Should().Be(expected);

    [Theory]
    [InlineData("233")]
    [InlineData("abc")]
    [InlineData("-1")]
    public void ParseDomainId_RejectsValuesOutsideRos2sRange(string text)
    {
        var act = () => CycloneConfig.ParseDomainId(text);
        act.Should().Throw<ArgumentException>().WithMessage($"ROS_DOMAIN_ID='{text}': expected an integer between 0 and 232");
    }

    [Fact]
    public void LoopbackOnly_WithADiscoveryTag_PutsTheEscapedTagInDiscovery_AndWithoutOneHasNoTag()
    {
        // In-process nodes of one domain id share one Cyclone domain (the first node's configuration), so the tag's
        // effect, isolating this process from others in the same domain, is not observable inside one test process;
        // this pins the configuration Cyclone is given.
        var tagged = System.Xml.Linq.XDocument.Parse(CycloneConfig.LoopbackOnly(discoveryTag: "run<1>&a"));
        tagged.Descendants("Discovery").Single().Element("Tag")!.Value.Should().Be("run<1>&a");
        tagged.Descendants("Discovery").Single().Element("Peers").Should().NotBeNull("the tag adds to the loopback discovery, it does not replace it");
        System.Xml.Linq.XDocument.Parse(CycloneConfig.LoopbackOnly()).Descendants("Tag").Should().BeEmpty();
    }

    [Fact]
    public void TopicTypeConflict_WithinANode_IsRejectedNamingBothTypes()
    {
        var domain = new TestDomain();
        using var node = domain.Node("mlsh_sim");
        using var a = node.CreatePublisher<JointState>("/state", QosProfile.SensorData);
        var act = () => node.CreatePublisher<Imu>("/state", QosProfile.SensorData);
        act.Should().Throw<ArgumentException>().WithMessage("topic /state is already used with type sensor_msgs/msg/JointState in node /mlsh_sim; cannot also use sensor_msgs/msg/Imu");
    }

    [Fact]
    public async Task PingPong_MeasuresEveryRoundTrip_AgainstAPongPeer()
    {
        var domain = new TestDomain();
        using var peerNode = domain.Node("mlsh_pong");
        using var cancel = new CancellationTokenSource();
        var pong = Task.Run(() => TopicTool.Pong(peerNode, "/mlsh_ping", "/mlsh_pong", cancel.Token));
        using var node = domain.Node("mlsh_ping");

        var result = PingPong.MeasureMlsh(node, "/mlsh_ping", "/mlsh_pong", joints: 12, warmup: 10, roundTrips: 200, TimeSpan.FromSeconds(10));
        cancel.Cancel();

        result.RoundTrips.Should().Be(200);
        result.PayloadBytes.Should().Be(PingPong.JointStateSize(12));
        result.P50Us.Should().BePositive();
        result.P99Us.Should().BeGreaterThanOrEqualTo(result.P50Us);
        await pong.WaitAsync(TimeSpan.FromSeconds(5)); // the pong loop exits on cancellation
    }
}
