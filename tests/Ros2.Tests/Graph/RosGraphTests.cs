using Mlsh.Ros2.Graph;
using Mlsh.Ros2.Qos;
using Mlsh.Ros2.Tests.TestSupport;

namespace Mlsh.Ros2.Tests.Graph;

public sealed class RosGraphTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(RosDistro.Jazzy)]
    [InlineData(RosDistro.Humble)]
    public void Nodes_ListsMlshNodesWithTheirEntities_FromRosDiscoveryInfo_InEitherGidLayout(RosDistro distro)
    {
        var domain = new TestDomain();
        RosNode Node(string name, string ns = "/") => new(name, domain.Options(ns) with { Distro = distro });
        using var runtime = Node("mlsh_runtime");
        using var sim = Node("mlsh_sim", "/robot1");
        using var js = sim.CreatePublisher<JointState>("joint_states", QosProfile.SensorData);
        using var cmd = runtime.CreateSubscription<Float64MultiArray>("/effort_controller/commands", QosProfile.Commands);
        using var observer = Node("observer");
        using var graph = new RosGraph(observer);

        TestDomain.Eventually(() =>
        {
            var nodes = graph.Nodes();
            return nodes.Any(n => n.FullyQualifiedName == "/mlsh_runtime" && n.Readers == 1)
                   && nodes.Any(n => n.FullyQualifiedName == "/robot1/mlsh_sim" && n.Writers == 1);
        }, Timeout).Should().BeTrue(string.Join(", ", graph.Nodes()));
    }

    [Fact]
    public void Topics_ShowsRosNamesAndTypes_OfDiscoveredEndpoints()
    {
        var domain = new TestDomain();
        using var sim = domain.Node("mlsh_sim");
        using var js = sim.CreatePublisher<JointState>("/joint_states", QosProfile.SensorData);
        using var observer = domain.Node("observer");
        using var graph = new RosGraph(observer);

        TestDomain.Eventually(() => graph.Topics().Any(t => t.RosName == "/joint_states"), Timeout).Should().BeTrue();
        var topic = graph.Topics().Single(t => t.RosName == "/joint_states");
        topic.DdsName.Should().Be("rt/joint_states");
        topic.DdsTypeName.Should().Be("sensor_msgs::msg::dds_::JointState_");
        topic.RosTypeName.Should().Be("sensor_msgs/msg/JointState");
        topic.Publishers.Should().Be(1);
        graph.Topics().Should().Contain(t => t.DdsName == "ros_discovery_info" && t.RosName == null);
    }
}
