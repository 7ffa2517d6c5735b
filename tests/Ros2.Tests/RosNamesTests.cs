namespace Mlsh.Ros2.Tests;

public sealed class RosNamesTests
{
    [Theory]
    [InlineData("/joint_states", "/", "mlsh_sim", "/joint_states")]
    [InlineData("joint_states", "/", "mlsh_sim", "/joint_states")]
    [InlineData("joint_states", "/robot1", "mlsh_sim", "/robot1/joint_states")]
    [InlineData("~/status", "/robot1", "mlsh_sim", "/robot1/mlsh_sim/status")]
    [InlineData("effort_controller/commands", "/", "mlsh_runtime", "/effort_controller/commands")]
    public void ResolveTopic_FollowsRosNameResolution(string topic, string ns, string node, string expected) =>
        RosNames.ResolveTopic(topic, ns, node).Should().Be(expected);

    [Theory]
    [InlineData("/a//b")]
    [InlineData("/9lives")]
    [InlineData("/with space")]
    [InlineData("")]
    public void ResolveTopic_RejectsInvalidNames_NamingTheTopic(string topic)
    {
        var act = () => RosNames.ResolveTopic(topic, "/", "n");
        act.Should().Throw<ArgumentException>().WithMessage("*topic name*");
    }

    [Fact]
    public void DdsTopicNames_UseTheRmwRtPrefix()
    {
        RosNames.ToDdsTopic("/joint_states").Should().Be("rt/joint_states");
        RosNames.FromDdsTopic("rt/imu/data").Should().Be("/imu/data");
        RosNames.FromDdsTopic("ros_discovery_info").Should().BeNull();
    }

    [Theory]
    [InlineData("mlsh-runtime")]
    [InlineData("1node")]
    public void NodeNames_AreValidated(string name)
    {
        var act = () => new RosNode(name);
        act.Should().Throw<ArgumentException>().WithMessage($"*node name '{name}'*");
    }
}
