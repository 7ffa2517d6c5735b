using Mlsh.Environments.Observations;
using Mlsh.Ros2.Messages.GeometryMsgs;
using Mlsh.SimBridge.Frames;

namespace Mlsh.SimBridge.Tests.Frames;

public sealed class RosFramesTests
{
    [Fact]
    public void Quaternion_RoundTripsThroughRosOrder_BitExactly()
    {
        var rng = new Random(7);
        var ros = new Quaternion();
        Span<double> back = stackalloc double[4];
        for (var i = 0; i < 1000; i++)
        {
            double[] q = [rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5];
            RosFrames.ToRos(q, ros);
            RosFrames.FromRos(ros, back);
            back.ToArray().Should().Equal(q);
        }
    }

    [Fact]
    public void ToRos_PutsMuJoCoScalarFirstIntoW_AndTheVectorPartIntoXyz()
    {
        var ros = new Quaternion();
        RosFrames.ToRos([0.1, 0.2, 0.3, 0.4], ros);
        (ros.X, ros.Y, ros.Z, ros.W).Should().Be((0.2, 0.3, 0.4, 0.1));
    }

    [Fact]
    public void ToRos_OfAYawRotation_IsTheRosQuaternionOfThatYaw()
    {
        // REP-103: yaw is counter-clockwise about +z; ROS's quaternion of yaw ψ is (0, 0, sin ψ/2, cos ψ/2).
        Span<double> q = stackalloc double[4];
        BodyFrame.FromYaw(Math.PI / 2, q);
        var ros = new Quaternion();
        RosFrames.ToRos(q, ros);
        ros.X.Should().Be(0);
        ros.Y.Should().Be(0);
        ros.Z.Should().BeApproximately(Math.Sin(Math.PI / 4), 1e-15);
        ros.W.Should().BeApproximately(Math.Cos(Math.PI / 4), 1e-15);
    }

    [Fact]
    public void ToRos_RejectsASpanThatIsNotAQuaternion()
    {
        FluentActions.Invoking(() => RosFrames.ToRos(new double[3], new Quaternion()))
            .Should().Throw<ArgumentException>().WithMessage("*4 values (w, x, y, z), got 3*");
    }
}
