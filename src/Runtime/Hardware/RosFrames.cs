using Mlsh.Ros2.Messages.GeometryMsgs;

namespace Mlsh.Runtime.Hardware;

/// <summary>
/// The one place where ROS message conventions meet the policy's: geometry_msgs/Quaternion is (x, y, z, w), the
/// observation code (<c>BodyFrame</c>) takes (w, x, y, z). Frames otherwise agree (REP-103: body x forward, z up;
/// nav_msgs/Odometry twist in the child = body frame, sensor_msgs/Imu rates in the IMU = body frame).
/// </summary>
public static class RosFrames
{
    /// <summary>Writes <paramref name="q"/> as (w, x, y, z) into <paramref name="wxyz"/>.</summary>
    public static void ToWxyz(Quaternion q, Span<double> wxyz)
    {
        wxyz[0] = q.W;
        wxyz[1] = q.X;
        wxyz[2] = q.Y;
        wxyz[3] = q.Z;
    }

    /// <summary>Inverse of <see cref="ToWxyz"/>.</summary>
    public static void FromWxyz(ReadOnlySpan<double> wxyz, Quaternion q) => q.Set(wxyz[1], wxyz[2], wxyz[3], wxyz[0]);
}
