using Mlsh.Ros2.Qos;
using Mlsh.Ros2.Tests.TestSupport;

namespace Mlsh.Ros2.Tests;

public sealed class PublisherSubscriptionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void TryTake_ReturnsTheLatestJointState_PublishedByAnotherNode()
    {
        var domain = new TestDomain();
        using var sim = domain.Node("mlsh_sim");
        using var runtime = domain.Node("mlsh_runtime");
        using var pub = sim.CreatePublisher<JointState>("/joint_states", QosProfile.SensorData);
        using var sub = runtime.CreateSubscription<JointState>("joint_states", QosProfile.SensorData);
        pub.WaitForSubscriptions(1, Timeout).Should().BeTrue();

        var msg = JointState.WithJoints(["hip", "knee"], "base_link");
        var received = new JointState();
        var got = TestDomain.Eventually(() =>
        {
            msg.Position[0] = 1.5;
            msg.Velocity[1] = -2.25;
            msg.Header.Stamp.SetNanoseconds(12_345_678_901);
            pub.Publish(msg);
            return sub.TryTake(received);
        }, Timeout);

        got.Should().BeTrue();
        received.Name.Should().Equal("hip", "knee");
        received.Header.FrameId.Should().Be("base_link");
        received.Header.Stamp.Sec.Should().Be(12);
        received.Header.Stamp.Nanosec.Should().Be(345_678_901u);
        received.Position.Should().Equal(1.5, 0.0);
        received.Velocity.Should().Equal(0.0, -2.25);
        received.Effort.Should().Equal(0.0, 0.0);
    }

    [Fact]
    public void TryTake_ReturnsFalse_WhenNothingWasPublished()
    {
        var domain = new TestDomain();
        using var node = domain.Node("mlsh_runtime");
        using var sub = node.CreateSubscription<StringMsg>("/chatter", QosProfile.Commands);
        sub.TryTake(new StringMsg()).Should().BeFalse();
    }
}
