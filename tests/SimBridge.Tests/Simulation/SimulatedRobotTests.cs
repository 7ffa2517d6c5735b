using Mlsh.MuJoCo;
using Mlsh.SimBridge.Control;
using Mlsh.SimBridge.Tests.TestSupport;

namespace Mlsh.SimBridge.Tests.Simulation;

public sealed class SimulatedRobotTests
{
    private const double Kd = 1.5, TorqueLimit = 20;

    [Fact]
    public void Reset_PutsTheBaseOnTheStartCell_InTheDefaultPose_AtRest()
    {
        using var robot = Robots.Quadruped();
        robot.JointPositions.ToArray().Should().Equal(Robots.StandingPose);
        robot.JointVelocities.ToArray().Should().OnlyContain(v => v == 0);
        robot.Position.ToArray().Should().Equal(0, 0, 0.30);
        robot.Orientation.ToArray().Should().Equal(1, 0, 0, 0);
        robot.AppliedTorques.ToArray().Should().OnlyContain(t => t == 0);
    }

    [Fact]
    public void PositionCommand_DrivesTheJointsToTheirTargets_ThroughThePdLaw()
    {
        using var robot = Robots.Quadruped();
        double[] target = [0.3, 1.2, -0.3, 1.2, 0.3, 1.2, -0.3, 1.2];
        for (var i = 0; i < 500; i++) robot.Step(JointCommandMode.Position, target).Should().Be(MjStepStatus.Ok);
        var q = robot.JointPositions.ToArray();
        for (var j = 0; j < 8; j++) q[j].Should().BeApproximately(target[j], 0.1, $"joint {robot.JointNames[j]} after 1 s of PD");
    }

    [Fact]
    public void EffortCommand_IsAppliedClampedToTheTorqueLimit()
    {
        using var robot = Robots.Quadruped();
        robot.Step(JointCommandMode.Effort, [100, -100, 5, 0, 0, 0, 0, 0]);
        robot.AppliedTorques.ToArray().Should().Equal(TorqueLimit, -TorqueLimit, 5, 0, 0, 0, 0, 0);
    }

    [Fact]
    public void SafeHold_AppliesOnlyJointDamping()
    {
        using var robot = Robots.Quadruped();
        for (var i = 0; i < 20; i++) robot.Step(JointCommandMode.Effort, [10, -10, 10, -10, 10, -10, 10, -10]);
        var qd = robot.JointVelocities.ToArray();
        qd.Should().Contain(v => Math.Abs(v) > 0.5, "the efforts set the legs in motion");
        robot.Step(JointCommandMode.SafeHold, default);
        var tau = robot.AppliedTorques.ToArray();
        for (var j = 0; j < 8; j++) tau[j].Should().BeApproximately(Math.Clamp(-Kd * qd[j], -TorqueLimit, TorqueLimit), 1e-12);
    }

    [Fact]
    public void NonFiniteTorque_IsReportedAsDivergence_AndResetRecovers()
    {
        using var robot = Robots.Quadruped();
        robot.Step(JointCommandMode.Effort, [double.NaN, 0, 0, 0, 0, 0, 0, 0]).Should().NotBe(MjStepStatus.Ok);
        robot.LastDivergence.Describe().Should().NotBe("no divergence");
        robot.Reset();
        robot.Step(JointCommandMode.SafeHold, default).Should().Be(MjStepStatus.Ok);
        robot.Position[2].Should().BeApproximately(0.30, 1e-3);
    }

    [Fact]
    public void Accelerometer_ReadsTheGravityReaction_WhenStandingStill()
    {
        using var robot = Robots.Quadruped();
        for (var i = 0; i < 1000; i++) robot.Step(JointCommandMode.Position, Robots.StandingPose);
        robot.LinearAcceleration[2].Should().BeApproximately(9.81, 0.2, "a resting IMU measures +g along body z (specific force)");
        robot.LinearVelocity.ToArray().Should().OnlyContain(v => Math.Abs(v) < 0.05);
        robot.Position[2].Should().BeInRange(0.15, 0.35);
    }

    [Fact]
    public void LoadLayout_SwapsTheMaze_AndResets()
    {
        using var robot = Robots.Quadruped();
        for (var i = 0; i < 50; i++) robot.Step(JointCommandMode.Effort, [10, 0, 10, 0, 10, 0, 10, 0]);
        robot.LoadLayout(Robots.Layout("dead-end"));
        robot.Layout.Name.Should().Be("dead-end");
        robot.JointPositions.ToArray().Should().Equal(Robots.StandingPose);
        robot.Position.ToArray().Should().Equal(0, 0, 0.30);
        robot.Step(JointCommandMode.SafeHold, default).Should().Be(MjStepStatus.Ok);
    }
}
