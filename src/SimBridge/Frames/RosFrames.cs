using Mlsh.Ros2.Messages.GeometryMsgs;

namespace Mlsh.SimBridge.Frames;

/// <summary>
/// The one place where MuJoCo's conventions meet ROS's (REP-103/105). Both are right-handed, Z up, SI units and
/// use Hamilton quaternions rotating body vectors into the parent frame; only the quaternion storage order
/// differs: MuJoCo (w, x, y, z), geometry_msgs/Quaternion (x, y, z, w). Frame ids used by the bridge are here too.
/// Pure functions, no allocation, thread-safe.
/// </summary>
public static class RosFrames
{
    /// <summary>Odometry parent frame (REP-105): the world frame, origin at the start cell centre.</summary>
    public const string Odom = "odom";
    /// <summary>Robot body frame (REP-103: x forward, y left, z up), origin at the torso centre.</summary>
    public const string BaseLink = "base_link";
    /// <summary>IMU frame: the MJCF "imu" site, coincident with base_link on the shipped quadruped.</summary>
    public const string ImuLink = "imu_link";

    /// <summary>Writes a MuJoCo (w, x, y, z) quaternion into a ROS message.</summary>
    public static void ToRos(ReadOnlySpan<double> wxyz, Quaternion ros)
    {
        if (wxyz.Length != 4) throw new ArgumentException($"a MuJoCo quaternion has 4 values (w, x, y, z), got {wxyz.Length}", nameof(wxyz));
        ros.Set(x: wxyz[1], y: wxyz[2], z: wxyz[3], w: wxyz[0]);
    }

    /// <summary>Reads a ROS quaternion into MuJoCo's (w, x, y, z) order.</summary>
    public static void FromRos(Quaternion ros, Span<double> wxyz)
    {
        if (wxyz.Length != 4) throw new ArgumentException($"a MuJoCo quaternion has 4 values (w, x, y, z), got {wxyz.Length}", nameof(wxyz));
        wxyz[0] = ros.W;
        wxyz[1] = ros.X;
        wxyz[2] = ros.Y;
        wxyz[3] = ros.Z;
    }

    /// <summary>Writes a 3-vector into a ROS Vector3.</summary>
    public static void ToRos(ReadOnlySpan<double> xyz, Vector3 ros) => ros.Set(xyz[0], xyz[1], xyz[2]);
}
