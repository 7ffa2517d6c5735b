namespace Mlsh.Environments.Observations;

/// <summary>
/// The one place for orientation conventions. Quaternions are (w, x, y, z), Hamilton, rotating body-frame
/// vectors into the world frame (MuJoCo's convention; ROS geometry_msgs/Quaternion is (x, y, z, w): a
/// ROS adapter reorders, nothing else changes). World frame Z up; body frame x forward, y left, z up
/// (REP-103). Yaw is the rotation about world z, counter-clockwise positive.
/// </summary>
public static class BodyFrame
{
    /// <summary>Heading of the body x axis projected on the ground plane, as (cos yaw, sin yaw).
    /// Well defined even when the body pitches (uses the projected x axis, normalised).</summary>
    public static (double Cos, double Sin) YawCosSin(ReadOnlySpan<double> q)
    {
        double w = q[0], x = q[1], y = q[2], z = q[3];
        // First column of the rotation matrix = body x axis in world.
        var fx = 1 - 2 * (y * y + z * z);
        var fy = 2 * (x * y + w * z);
        var norm = Math.Sqrt(fx * fx + fy * fy);
        return norm < 1e-9 ? (1, 0) : (fx / norm, fy / norm);
    }

    /// <summary>World gravity direction (0, 0, −1) expressed in the body frame: Rᵀ·(0,0,−1).
    /// A level robot reads (0, 0, −1).</summary>
    public static void ProjectedGravity(ReadOnlySpan<double> q, Span<double> g)
    {
        double w = q[0], x = q[1], y = q[2], z = q[3];
        // Third row of R (world z in body coordinates), negated.
        g[0] = -(2 * (x * z - w * y));
        g[1] = -(2 * (y * z + w * x));
        g[2] = -(1 - 2 * (x * x + y * y));
    }

    /// <summary>Angle between body z and world z (rad): 0 upright, π upside down.</summary>
    public static double Tilt(ReadOnlySpan<double> q)
    {
        double x = q[1], y = q[2];
        var cz = 1 - 2 * (x * x + y * y);
        return Math.Acos(Math.Clamp(cz, -1.0, 1.0));
    }

    /// <summary>The quaternion of a pure yaw rotation, written to <paramref name="q"/> (w, x, y, z).</summary>
    public static void FromYaw(double yaw, Span<double> q)
    {
        q[0] = Math.Cos(yaw / 2);
        q[1] = 0;
        q[2] = 0;
        q[3] = Math.Sin(yaw / 2);
    }
}
