namespace Mlsh.Environments.Observations;

/// <summary>
/// Writes the observation vector of <see cref="ObservationLayout"/> from a <see cref="RobotState"/>.
/// Independent of MuJoCo so that the robot-side runtime runs the exact code the policy was trained
/// with. Allocates nothing per call; immutable after construction, so one instance may be shared by
/// threads that each write their own destination.
/// </summary>
public sealed class ObservationBuilder
{
    private readonly double[] _defaultJointPositions;
    private readonly int _posXy, _yaw, _linVel, _angVel, _gravity, _jointPos, _jointVel, _prevAction;

    public ObservationLayout Layout { get; }

    /// <param name="layout">The layout to fill.</param>
    /// <param name="defaultJointPositions">Standing pose, one entry per observed joint.</param>
    public ObservationBuilder(ObservationLayout layout, ReadOnlySpan<double> defaultJointPositions)
    {
        if (defaultJointPositions.Length != layout.JointCount)
            throw new ArgumentException($"default pose has {defaultJointPositions.Length} joints, the layout observes {layout.JointCount}", nameof(defaultJointPositions));
        Layout = layout;
        _defaultJointPositions = defaultJointPositions.ToArray();
        _posXy = layout[ObservationLayout.BasePositionXy].Offset;
        _yaw = layout[ObservationLayout.BaseYawCosSin].Offset;
        _linVel = layout[ObservationLayout.BaseLinearVelocity].Offset;
        _angVel = layout[ObservationLayout.BaseAngularVelocity].Offset;
        _gravity = layout[ObservationLayout.ProjectedGravity].Offset;
        _jointPos = layout[ObservationLayout.JointPositionOffset].Offset;
        _jointVel = layout[ObservationLayout.JointVelocity].Offset;
        _prevAction = layout[ObservationLayout.PreviousAction].Offset;
    }

    /// <summary>Fills <paramref name="observation"/> (exactly <see cref="ObservationLayout.Size"/> floats).</summary>
    /// <exception cref="ArgumentException">A state span or the destination has the wrong length.</exception>
    public void Build(scoped in RobotState state, Span<float> observation)
    {
        var layout = Layout;
        if (observation.Length != layout.Size) Throw("observation", observation.Length, layout.Size);
        if (state.BasePosition.Length != 3) Throw("BasePosition", state.BasePosition.Length, 3);
        if (state.BaseOrientation.Length != 4) Throw("BaseOrientation", state.BaseOrientation.Length, 4);
        if (state.BaseLinearVelocity.Length != 3) Throw("BaseLinearVelocity", state.BaseLinearVelocity.Length, 3);
        if (state.BaseAngularVelocity.Length != 3) Throw("BaseAngularVelocity", state.BaseAngularVelocity.Length, 3);
        if (layout.JointCount > 0 && state.JointPositions.Length != layout.JointCount) Throw("JointPositions", state.JointPositions.Length, layout.JointCount);
        if (layout.JointCount > 0 && state.JointVelocities.Length != layout.JointCount) Throw("JointVelocities", state.JointVelocities.Length, layout.JointCount);
        if (state.PreviousAction.Length != layout.ActionSize) Throw("PreviousAction", state.PreviousAction.Length, layout.ActionSize);

        observation[_posXy] = (float)state.BasePosition[0];
        observation[_posXy + 1] = (float)state.BasePosition[1];
        var (c, s) = BodyFrame.YawCosSin(state.BaseOrientation);
        observation[_yaw] = (float)c;
        observation[_yaw + 1] = (float)s;
        for (var i = 0; i < 3; i++)
        {
            observation[_linVel + i] = (float)state.BaseLinearVelocity[i];
            observation[_angVel + i] = (float)state.BaseAngularVelocity[i];
        }
        Span<double> g = stackalloc double[3];
        BodyFrame.ProjectedGravity(state.BaseOrientation, g);
        for (var i = 0; i < 3; i++) observation[_gravity + i] = (float)g[i];
        var def = _defaultJointPositions;
        for (var i = 0; i < def.Length; i++)
        {
            observation[_jointPos + i] = (float)(state.JointPositions[i] - def[i]);
            observation[_jointVel + i] = (float)state.JointVelocities[i];
        }
        state.PreviousAction.CopyTo(observation.Slice(_prevAction, layout.ActionSize));
    }

    private static void Throw(string what, int actual, int expected) =>
        throw new ArgumentException($"{what} has {actual} elements, the observation layout needs {expected}");
}
