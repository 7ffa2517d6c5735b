using Mlsh.Ros2.Messages.NavMsgs;
using Mlsh.Ros2.Messages.RosgraphMsgs;
using Mlsh.Ros2.Messages.SensorMsgs;
using Mlsh.SimBridge.Frames;
using Mlsh.SimBridge.Simulation;

namespace Mlsh.SimBridge.Publishing;

/// <summary>
/// The bridge's outgoing state messages, created once and overwritten from the simulation every time they are
/// published, so filling and publishing them allocates nothing.
/// </summary>
/// <remarks>
/// Conventions: stamps are simulated time; JointState lists the joints in robot order with effort = the torque
/// the motor applied; Imu is in <see cref="RosFrames.ImuLink"/> with orientation relative to the world, the gyro
/// and the accelerometer's specific force (a resting IMU reads +9.81 m/s² up), covariance diagonals from the
/// declared noise; Odometry has pose in <see cref="RosFrames.Odom"/> and twist in <see cref="RosFrames.BaseLink"/>
/// (REP-105). Not thread-safe: the sim thread fills and publishes them.
/// </remarks>
public sealed class StateMessages
{
    // Simulator ground truth: tiny but non-zero variances, so estimators that invert them stay well posed.
    private const double GroundTruthVariance = 1e-9;

    public StateMessages(IReadOnlyList<string> jointNames, double orientationStddev, double angularVelocityStddev, double linearAccelerationStddev)
    {
        JointState = JointState.WithJoints(jointNames);
        Imu = new Imu();
        Imu.Header.FrameId = RosFrames.ImuLink;
        Diagonal(Imu.OrientationCovariance, 3, orientationStddev * orientationStddev);
        Diagonal(Imu.AngularVelocityCovariance, 3, angularVelocityStddev * angularVelocityStddev);
        Diagonal(Imu.LinearAccelerationCovariance, 3, linearAccelerationStddev * linearAccelerationStddev);
        Odometry = new Odometry { ChildFrameId = RosFrames.BaseLink };
        Odometry.Header.FrameId = RosFrames.Odom;
        Diagonal(Odometry.Pose.Covariance, 6, GroundTruthVariance);
        Diagonal(Odometry.Twist.Covariance, 6, GroundTruthVariance);
        Clock = new Clock();
    }

    public JointState JointState { get; }
    public Imu Imu { get; }
    public Odometry Odometry { get; }
    public Clock Clock { get; }

    public void FillJointState(SimulatedRobot robot, long stampNs)
    {
        JointState.Header.Stamp.SetNanoseconds(stampNs);
        robot.JointPositions.CopyTo(JointState.Position);
        robot.JointVelocities.CopyTo(JointState.Velocity);
        robot.AppliedTorques.CopyTo(JointState.Effort);
    }

    public void FillImu(SimulatedRobot robot, long stampNs)
    {
        Imu.Header.Stamp.SetNanoseconds(stampNs);
        RosFrames.ToRos(robot.Orientation, Imu.Orientation);
        RosFrames.ToRos(robot.AngularVelocity, Imu.AngularVelocity);
        RosFrames.ToRos(robot.LinearAcceleration, Imu.LinearAcceleration);
    }

    public void FillOdometry(SimulatedRobot robot, long stampNs)
    {
        Odometry.Header.Stamp.SetNanoseconds(stampNs);
        var p = robot.Position;
        Odometry.Pose.Pose.Position.Set(p[0], p[1], p[2]);
        RosFrames.ToRos(robot.Orientation, Odometry.Pose.Pose.Orientation);
        // Both sensors sit at the base_link origin and measure in the body frame: the twist is already in child_frame_id.
        RosFrames.ToRos(robot.LinearVelocity, Odometry.Twist.Twist.Linear);
        RosFrames.ToRos(robot.AngularVelocity, Odometry.Twist.Twist.Angular);
    }

    public void FillClock(long stampNs) => Clock.Time.SetNanoseconds(stampNs);

    private static void Diagonal(double[] matrix, int n, double value)
    {
        Array.Clear(matrix);
        for (var i = 0; i < n; i++) matrix[i * n + i] = value;
    }
}
