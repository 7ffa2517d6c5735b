using Mlsh.Environments.Observations;

namespace Mlsh.Environments.Tests.Observations;

public class BodyFrameTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.7)]
    [InlineData(-2.5)]
    [InlineData(3.1)]
    public void YawCosSin_RoundTripsFromYaw(double yaw)
    {
        var q = new double[4];
        BodyFrame.FromYaw(yaw, q);
        var (c, s) = BodyFrame.YawCosSin(q);
        c.Should().BeApproximately(Math.Cos(yaw), 1e-12);
        s.Should().BeApproximately(Math.Sin(yaw), 1e-12);
        BodyFrame.Tilt(q).Should().BeApproximately(0, 1e-7);
    }

    [Fact]
    public void ProjectedGravity_PointsAlongBodyXWhenPitchedNoseDownByNinetyDegrees()
    {
        // Rotation of +90° about body y turns body x toward world −z: gravity appears along +x in the body.
        var h = Math.PI / 4;
        double[] q = [Math.Cos(h), 0, Math.Sin(h), 0];
        var g = new double[3];
        BodyFrame.ProjectedGravity(q, g);
        g[0].Should().BeApproximately(1, 1e-12);
        g[1].Should().BeApproximately(0, 1e-12);
        g[2].Should().BeApproximately(0, 1e-12);
        BodyFrame.Tilt(q).Should().BeApproximately(Math.PI / 2, 1e-12);
    }

    [Fact]
    public void Tilt_IsPiUpsideDown()
    {
        BodyFrame.Tilt([0, 1, 0, 0]).Should().BeApproximately(Math.PI, 1e-12);
    }
}
