namespace Mlsh.Environments.Observations;

/// <summary>One named, contiguous block of the observation vector.</summary>
/// <param name="Name">Stable identifier (exported into the ONNX manifest; the runtime matches on it).</param>
/// <param name="Offset">Index of the first element in the observation vector.</param>
/// <param name="Size">Number of elements (0 when the robot does not provide it).</param>
/// <param name="Unit">SI unit of every element ("1" for dimensionless).</param>
/// <param name="Description">Frame and meaning, for humans.</param>
public sealed record ObservationSegment(string Name, int Offset, int Size, string Unit, string Description);

/// <summary>
/// The policy's observation: what the real robot knows from its encoders, IMU and odometry, in this
/// order. Defined once here; <see cref="ObservationBuilder"/> fills it from a <see cref="RobotState"/>,
/// whether that state comes from MuJoCo or from ROS messages. Immutable.
/// </summary>
public sealed class ObservationLayout
{
    public const string BasePositionXy = "base_position_xy";
    public const string BaseYawCosSin = "base_yaw_cos_sin";
    public const string BaseLinearVelocity = "base_linear_velocity";
    public const string BaseAngularVelocity = "base_angular_velocity";
    public const string ProjectedGravity = "projected_gravity";
    public const string JointPositionOffset = "joint_position_offset";
    public const string JointVelocity = "joint_velocity";
    public const string PreviousAction = "previous_action";

    /// <summary>Every segment name, in observation order (the same for every robot; a segment may have size 0).</summary>
    public static IReadOnlyList<string> SegmentNames { get; } =
        [BasePositionXy, BaseYawCosSin, BaseLinearVelocity, BaseAngularVelocity, ProjectedGravity, JointPositionOffset, JointVelocity, PreviousAction];

    public IReadOnlyList<ObservationSegment> Segments { get; }
    /// <summary>Total number of floats.</summary>
    public int Size { get; }
    /// <summary>Number of joints whose state is observed (0 for the point mass).</summary>
    public int JointCount { get; }
    public int ActionSize { get; }

    /// <param name="observedJoints">Joints in the observation (the robot's actuated joints, or 0).</param>
    /// <param name="actionSize">Length of the previous-action segment.</param>
    public ObservationLayout(int observedJoints, int actionSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(observedJoints);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(actionSize);
        JointCount = observedJoints;
        ActionSize = actionSize;
        var list = new List<ObservationSegment>();
        var offset = 0;
        void Add(string name, int size, string unit, string description)
        {
            list.Add(new ObservationSegment(name, offset, size, unit, description));
            offset += size;
        }
        Add(BasePositionXy, 2, "m", "odometry position x, y in the world (maze) frame; origin at the start cell centre");
        Add(BaseYawCosSin, 2, "1", "cos(yaw), sin(yaw) of the body x axis about world z");
        Add(BaseLinearVelocity, 3, "m/s", "odometry linear velocity in the body frame (x forward, y left, z up)");
        Add(BaseAngularVelocity, 3, "rad/s", "IMU gyro, body frame");
        Add(ProjectedGravity, 3, "1", "unit gravity direction in the body frame from the IMU orientation; (0,0,-1) when level");
        Add(JointPositionOffset, observedJoints, "rad", "joint encoder position minus the default standing pose, robot joint order");
        Add(JointVelocity, observedJoints, "rad/s", "joint encoder velocity, robot joint order");
        Add(PreviousAction, actionSize, "1", "the policy's previous action after clipping to [-1, 1]");
        Segments = list;
        Size = offset;
    }

    /// <summary>The observation of <paramref name="robot"/> (its joints when it observes them, its action size).</summary>
    public static ObservationLayout For(Robots.RobotConfig robot)
    {
        ArgumentNullException.ThrowIfNull(robot);
        return new ObservationLayout(robot.ObserveJoints ? robot.Joints.Count : 0, robot.ActionSize);
    }

    /// <exception cref="KeyNotFoundException">No segment has that name.</exception>
    public ObservationSegment this[string name]
    {
        get
        {
            foreach (var s in Segments) if (s.Name == name) return s;
            throw new KeyNotFoundException($"observation layout has no segment '{name}'; segments: {string.Join(", ", Segments.Select(s => s.Name))}");
        }
    }
}
