using Mlsh.SimBridge.Control;
using Mlsh.SimBridge.Frames;
using Mlsh.SimBridge.Publishing;
using Mlsh.SimBridge.Tests.TestSupport;

namespace Mlsh.SimBridge.Tests.Publishing;

public sealed class StateMessagesTests
{
    private static StateMessages Messages(Mlsh.SimBridge.Simulation.SimulatedRobot robot) => new(robot.JointNames, 0.01, 0.005, 0.05);

    [Fact]
    public void Imu_IsInImuLink_WithEveryCovarianceSet()
    {
        using var robot = Robots.Quadruped();
        var m = Messages(robot);
        m.FillImu(robot, 1_500_000_000);
        m.Imu.Header.FrameId.Should().Be(RosFrames.ImuLink);
        m.Imu.Header.Stamp.Sec.Should().Be(1);
        m.Imu.Header.Stamp.Nanosec.Should().Be(500_000_000u);
        // Every field is provided, so no covariance starts with -1 (sensor_msgs/Imu: -1 only for an unknown field).
        m.Imu.OrientationCovariance.Should().Equal(1e-4, 0, 0, 0, 1e-4, 0, 0, 0, 1e-4);
        m.Imu.AngularVelocityCovariance[0].Should().BeApproximately(2.5e-5, 1e-18);
        m.Imu.LinearAccelerationCovariance[8].Should().BeApproximately(2.5e-3, 1e-15);
        (m.Imu.Orientation.X, m.Imu.Orientation.Y, m.Imu.Orientation.Z, m.Imu.Orientation.W).Should().Be((0.0, 0.0, 0.0, 1.0));
    }

    [Fact]
    public void Imu_LinearAcceleration_IncludesTheGravityReaction()
    {
        using var robot = Robots.Quadruped();
        for (var i = 0; i < 1000; i++) robot.Step(JointCommandMode.Position, Robots.StandingPose);
        var m = Messages(robot);
        m.FillImu(robot, 0);
        m.Imu.LinearAcceleration.Z.Should().BeApproximately(9.81, 0.2);
    }

    [Fact]
    public void Odometry_HasPoseInOdom_AndTwistInBaseLink()
    {
        using var robot = Robots.Quadruped();
        var m = Messages(robot);
        m.FillOdometry(robot, 0);
        m.Odometry.Header.FrameId.Should().Be("odom");
        m.Odometry.ChildFrameId.Should().Be("base_link");
        m.Odometry.Pose.Pose.Position.Z.Should().Be(0.30);
        m.Odometry.Pose.Covariance[0].Should().BePositive();
        m.Odometry.Twist.Covariance[35].Should().BePositive();
    }

    [Fact]
    public void Odometry_Twist_IsTheBodyFrameVelocity_WhenTheBaseIsYawed()
    {
        using var robot = Robots.Quadruped();
        // Base yawed +90° (facing world +y) moving along world +x: in base_link that is sideways to the right, -y.
        var data = robot.Data;
        data.Qpos[3] = Math.Cos(Math.PI / 4);
        data.Qpos[4] = 0;
        data.Qpos[5] = 0;
        data.Qpos[6] = Math.Sin(Math.PI / 4);
        data.Qvel.Clear();
        data.Qvel[0] = 1.0;   // free joint: linear velocity in the world frame
        data.Qvel[5] = 0.5;   // and angular velocity (body frame) about z
        data.Forward();
        var m = Messages(robot);
        m.FillOdometry(robot, 0);
        var twist = m.Odometry.Twist.Twist;
        twist.Linear.X.Should().BeApproximately(0, 1e-12);
        twist.Linear.Y.Should().BeApproximately(-1, 1e-12);
        twist.Linear.Z.Should().BeApproximately(0, 1e-12);
        twist.Angular.Z.Should().BeApproximately(0.5, 1e-12);
        var pose = m.Odometry.Pose.Pose.Orientation;
        (pose.Z, pose.W).Should().Be((Math.Sin(Math.PI / 4), Math.Cos(Math.PI / 4)), "the pose orientation is the yaw, in ROS order");
    }

    [Fact]
    public void JointState_ListsJointsInRobotOrder_WithEffortTheAppliedTorque()
    {
        using var robot = Robots.Quadruped();
        robot.Step(JointCommandMode.Effort, [1, 2, 3, 4, 5, 6, 7, 8]);
        var m = Messages(robot);
        m.FillJointState(robot, 2_000_000);
        m.JointState.Name.Should().Equal(robot.JointNames);
        m.JointState.Effort.Should().Equal(1, 2, 3, 4, 5, 6, 7, 8);
        m.JointState.Position.Should().Equal(robot.JointPositions.ToArray());
        m.JointState.Header.Stamp.ToNanoseconds().Should().Be(2_000_000);
    }
}
