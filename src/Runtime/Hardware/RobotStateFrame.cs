namespace Mlsh.Runtime.Hardware;

/// <summary>
/// The robot's latest sensor values as the control thread sees them in one cycle: preallocated arrays filled in
/// place by <see cref="IRobotHardware.ReadState"/>. SI units; orientation (w, x, y, z) body → world, velocities in
/// the body frame (see <c>Mlsh.Environments.Observations.BodyFrame</c>).
/// </summary>
/// <remarks>Owned by the controller; written only by the hardware interface on the control thread.</remarks>
public sealed class RobotStateFrame
{
    public RobotStateFrame(int jointCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(jointCount);
        JointPositions = new double[jointCount];
        JointVelocities = new double[jointCount];
    }

    public int JointCount => JointPositions.Length;
    public double[] JointPositions { get; }
    public double[] JointVelocities { get; }
    public double[] Orientation { get; } = [1, 0, 0, 0];
    public double[] AngularVelocity { get; } = new double[3];
    public double[] LinearAcceleration { get; } = new double[3];
    public double[] Position { get; } = new double[3];
    public double[] LinearVelocity { get; } = new double[3];

    /// <summary>How many joint-state messages have arrived so far (0 = none yet). The watchdog counts cycles
    /// without a change; a counter rather than a timestamp works the same on wall and simulated time.</summary>
    public long JointStateSequence { get; set; }
    public long ImuSequence { get; set; }
    public long OdomSequence { get; set; }
}

/// <summary>
/// The narrow hardware contract of the controller, as in ros2_control's hardware interfaces: read the newest
/// state, write one effort per joint. Both calls happen on the control thread once per cycle, must not block on
/// I/O and must not allocate. Implementations: <see cref="DdsRobotHardware"/> (ROS 2 topics), test rigs.
/// </summary>
public interface IRobotHardware
{
    int JointCount { get; }

    /// <summary>Copies the newest state into <paramref name="frame"/>, leaving parts with no new message as they were
    /// (their sequence numbers do not advance).</summary>
    void ReadState(RobotStateFrame frame);

    /// <summary>Sends one effort (N m) per joint, in joint order.</summary>
    void WriteCommand(ReadOnlySpan<double> efforts);
}
