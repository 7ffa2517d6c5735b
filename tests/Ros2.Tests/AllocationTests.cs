using Mlsh.Ros2.Qos;
using Mlsh.Ros2.Tests.TestSupport;

namespace Mlsh.Ros2.Tests;

public sealed class AllocationTests
{
    private static readonly string[] Joints = ["fl_hip", "fl_knee", "fr_hip", "fr_knee", "rl_hip", "rl_knee", "rr_hip", "rr_knee"];

    [Fact]
    public void Publish_AllocatesNoManagedMemory_Over10000JointStates_AfterWarmUp()
    {
        var domain = new TestDomain();
        using var node = domain.Node("mlsh_sim");
        using var pub = node.CreatePublisher<JointState>("/joint_states", QosProfile.SensorData);
        var msg = JointState.WithJoints(Joints, "base_link");
        pub.Publish(msg); // warm-up: buffer growth, JIT

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            msg.Header.Stamp.SetNanoseconds(i * 1_000_000L);
            msg.Position[i % Joints.Length] = i * 0.001;
            pub.Publish(msg);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0);
        pub.PublishedCount.Should().Be(10_001);
    }

    [Fact]
    public void PublishAndTryTake_AllocateNothing_InSteadyState()
    {
        var domain = new TestDomain();
        using var node = domain.Node("mlsh_runtime");
        using var pub = node.CreatePublisher<Float64MultiArray>("/effort_controller/commands", QosProfile.Commands);
        using var sub = node.CreateSubscription<Float64MultiArray>("/effort_controller/commands", QosProfile.Commands);
        pub.WaitForSubscriptions(1, TimeSpan.FromSeconds(10)).Should().BeTrue();
        var command = new Float64MultiArray { Data = new double[12] };
        var received = new Float64MultiArray();
        pub.Publish(command);
        TestDomain.Eventually(() => sub.TryTake(received), TimeSpan.FromSeconds(5)).Should().BeTrue(); // warm-up

        var taken = 0;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 2_000; i++)
        {
            command.Data[0] = i;
            pub.Publish(command); // same-process readers are delivered synchronously inside the write
            if (sub.TryTake(received)) taken++;
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0);
        taken.Should().Be(2_000);
        received.Data[0].Should().Be(1_999);
    }

    [Fact]
    public void TryTake_OfAJointState_AllocatesNothing_WhenNamesAndSizesAreUnchanged()
    {
        var domain = new TestDomain();
        using var node = domain.Node("mlsh_runtime");
        using var pub = node.CreatePublisher<JointState>("/joint_states", QosProfile.SensorData);
        using var sub = node.CreateSubscription<JointState>("/joint_states", QosProfile.SensorData);
        pub.WaitForSubscriptions(1, TimeSpan.FromSeconds(10)).Should().BeTrue();
        var state = JointState.WithJoints(Joints, "base_link");
        var received = new JointState();
        pub.Publish(state);
        TestDomain.Eventually(() => sub.TryTake(received), TimeSpan.FromSeconds(5)).Should().BeTrue(); // warm-up sizes the arrays

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 2_000; i++)
        {
            state.Effort[3] = i;
            pub.Publish(state);
            sub.TryTake(received);
        }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0);
        received.Effort[3].Should().Be(1_999);
        received.Name.Should().Equal(Joints);
    }
}
