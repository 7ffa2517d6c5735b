using Mlsh.MuJoCo.Interop;

namespace Mlsh.MuJoCo;

/// <summary>Joint kinds (values are MuJoCo's mjtJoint, as found in <see cref="MjModel.JntType"/>).</summary>
public enum MjJointType
{
    /// <summary>Free joint: 7 qpos (position, w-first quaternion), 6 dofs.</summary>
    Free = mjtJoint.mjJNT_FREE,
    /// <summary>Ball joint: 4 qpos (quaternion), 3 dofs.</summary>
    Ball = mjtJoint.mjJNT_BALL,
    /// <summary>Prismatic joint: 1 qpos, 1 dof.</summary>
    Slide = mjtJoint.mjJNT_SLIDE,
    /// <summary>Revolute joint: 1 qpos, 1 dof.</summary>
    Hinge = mjtJoint.mjJNT_HINGE,
}
