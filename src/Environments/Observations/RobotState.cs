namespace Mlsh.Environments.Observations;

/// <summary>
/// The robot's state estimate at one control cycle, as views over the caller's buffers (MuJoCo sensor
/// data in simulation, decoded ROS messages on the robot). SI units; frames as in <see cref="BodyFrame"/>.
/// A ref struct: it lives for one call and owns nothing.
/// </summary>
public ref struct RobotState
{
    /// <summary>[3] m, world frame (odometry).</summary>
    public ReadOnlySpan<double> BasePosition;
    /// <summary>[4] (w, x, y, z), body → world.</summary>
    public ReadOnlySpan<double> BaseOrientation;
    /// <summary>[3] m/s, body frame (odometry twist).</summary>
    public ReadOnlySpan<double> BaseLinearVelocity;
    /// <summary>[3] rad/s, body frame (IMU gyro).</summary>
    public ReadOnlySpan<double> BaseAngularVelocity;
    /// <summary>[3] m/s², body frame (IMU accelerometer; specific force). Not part of the policy
    /// observation (contact spikes make it a poor feature) but carried for telemetry.</summary>
    public ReadOnlySpan<double> LinearAcceleration;
    /// <summary>[joints] rad (m for slides), robot joint order.</summary>
    public ReadOnlySpan<double> JointPositions;
    /// <summary>[joints] rad/s (m/s for slides).</summary>
    public ReadOnlySpan<double> JointVelocities;
    /// <summary>[actions] the previous action, clipped to [-1, 1].</summary>
    public ReadOnlySpan<float> PreviousAction;
}
