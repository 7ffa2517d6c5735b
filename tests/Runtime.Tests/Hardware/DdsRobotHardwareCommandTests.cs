using Mlsh.Ros2;
using Mlsh.Ros2.Messages.StdMsgs;
using Mlsh.Ros2.Qos;
using Mlsh.Runtime.Hardware;
using Mlsh.Runtime.Tests.TestSupport;

namespace Mlsh.Runtime.Tests.Hardware;

/// <summary>The command hand-off of <see cref="DdsRobotHardware"/> over real Cyclone DDS (loopback, private domain).</summary>
public sealed class DdsRobotHardwareCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-runtime-hw-").FullName;
    private readonly PrivateDomain _ros = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void HandedOffCommands_ReachDdsInOrder_AndStopSendsTheQueuedOnesBeforeTheNextInPlaceCommand()
    {
        var p = TestParameters.Load(_dir);
        using var node = new RosNode("mlsh_runtime", _ros.Options());
        using var hardware = new DdsRobotHardware(node, p);
        using var robot = new RosNode("robot_standin", _ros.Options());
        using var commands = robot.CreateSubscription<Float64MultiArray>(p.CommandTopic, QosProfile.Commands);
        hardware.CommandPublisher.WaitForSubscriptions(1, TimeSpan.FromSeconds(10)).Should().BeTrue("the stand-in's command reader must match");

        hardware.StartCommandPublisher(p.Period);
        var efforts = new double[hardware.JointCount];
        // Eight commands back to back (the ring holds eight); then, as RuntimeNode does after its control thread stopped,
        // stop the publisher and send a final command in place: it must arrive after every queued one.
        for (var i = 0; i < 8; i++)
        {
            Array.Fill(efforts, i);
            hardware.WriteCommand(efforts);
        }
        hardware.StopCommandPublisher();
        Array.Fill(efforts, 100);
        hardware.WriteCommand(efforts);

        var received = new List<double>();
        var msg = new Float64MultiArray();
        Wait.For(() =>
        {
            while (commands.TryTakeNext(msg))
            {
                msg.Data.Should().HaveCount(8).And.OnlyContain(v => v == msg.Data[0], "a command is one row of efforts");
                received.Add(msg.Data[0]);
            }
            return received.Count >= 9;
        }, TimeSpan.FromSeconds(10), "nine commands on " + p.CommandTopic);
        received.Should().Equal(0, 1, 2, 3, 4, 5, 6, 7, 100);
        hardware.HandedOffCommands.Should().Be(8);
        hardware.DroppedCommands.Should().Be(0);
        var handoff = new Mlsh.Runtime.Timing.LatencyHistogramSnapshot();
        hardware.CommandHandoff.CopyTo(handoff);
        handoff.Count.Should().Be(8);
    }

    [Fact]
    public void WriteCommand_WithThePublisherThreadRunning_AllocatesNothing_Over10000Cycles()
    {
        var p = TestParameters.Load(_dir);
        using var node = new RosNode("mlsh_runtime", _ros.Options());
        using var hardware = new DdsRobotHardware(node, p);
        hardware.StartCommandPublisher(p.Period);
        var efforts = new double[hardware.JointCount];
        for (var i = 0; i < 100; i++) hardware.WriteCommand(efforts);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            efforts[0] = i;
            hardware.WriteCommand(efforts);
        }
        var bytes = GC.GetAllocatedBytesForCurrentThread() - before;
        hardware.StopCommandPublisher();

        bytes.Should().Be(0);
        // Written far faster than a control rate, most commands were overwritten before the publisher took them; none
        // was lost without being counted.
        (hardware.HandedOffCommands + hardware.DroppedCommands).Should().Be(10_100);
    }
}
