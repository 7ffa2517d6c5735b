using Mlsh.Environments.Robots;

namespace Mlsh.Environments.Tests.Robots;

public class JointPdLawTests
{
    [Fact]
    public void ComputeTorques_IsKpTimesPositionErrorMinusKdTimesVelocity_ClampedToTheLimit()
    {
        double[] q = [0.1, -0.2, 1.0], qd = [0.5, 0.0, -3.0], qt = [0.3, -0.2, 0.0], qdt = [0, 0, 0];
        double[] kp = [40, 40, 40], kd = [2, 2, 2], lim = [20, 20, 20];
        var tau = new double[3];
        JointPdLaw.ComputeTorques(q, qd, qt, qdt, kp, kd, lim, tau);
        tau[0].Should().BeApproximately(40 * 0.2 - 2 * 0.5, 1e-12);
        tau[1].Should().Be(0);
        tau[2].Should().Be(-20);   // 40·(−1) + 6 = −34, clamped
    }

    [Fact]
    public void ComputeTorques_UsesTheVelocityTarget()
    {
        var tau = new double[1];
        JointPdLaw.ComputeTorques([0.0], [0.5], [0.0], [1.5], [0.0], [20.0], [10.0], tau);
        tau[0].Should().Be(10); // 20·(1.5 − 0.5) = 20, clamped to 10
    }

    [Fact]
    public void ComputeTorques_RejectsMismatchedLengths()
    {
        var act = () => JointPdLaw.ComputeTorques([0.0, 1], [0.0], [0.0], [0.0], [1.0], [1.0], [1.0], new double[1]);
        act.Should().Throw<ArgumentException>();
    }

    [Fact]
    public void ActionsToTargets_MapsPositionActionsAroundTheDefaultPose_ClampedToTheJointRange()
    {
        var qt = new double[3];
        var qdt = new double[3];
        JointPdLaw.ActionsToTargets(ControlMode.Position, [0.5f, 2f, -1f], [0.0, 1.0, 1.0], [0.6, 0.6, 0.6],
            [-0.7, 0.2, 0.6], [0.7, 1.6, 1.6], qt, qdt);
        qt[0].Should().BeApproximately(0.3, 1e-7);
        qt[1].Should().BeApproximately(1.6, 1e-12);   // a clipped to 1 → 1.6 = the range limit
        qt[2].Should().BeApproximately(0.6, 1e-7);    // 1 − 0.6 = 0.4 below the range → 0.6
        qdt.Should().AllBeEquivalentTo(0.0);
    }

    [Fact]
    public void ActionsToTargets_TreatsNonFiniteActionsAsZero()
    {
        var qt = new double[2];
        var qdt = new double[2];
        JointPdLaw.ActionsToTargets(ControlMode.Position, [float.NaN, float.PositiveInfinity], [0.1, 0.2], [0.5, 0.5], [-1, -1], [1, 1], qt, qdt);
        qt.Should().Equal(0.1, 0.2);
    }

    [Fact]
    public void ActionsToTargets_MapsVelocityActionsToVelocityTargets()
    {
        var qt = new double[2];
        var qdt = new double[2];
        JointPdLaw.ActionsToTargets(ControlMode.Velocity, [0.5f, -1f], [0, 0], [1.5, 1.5], [double.NegativeInfinity, double.NegativeInfinity], [double.PositiveInfinity, double.PositiveInfinity], qt, qdt);
        qdt.Should().Equal(0.75, -1.5);
    }
}
