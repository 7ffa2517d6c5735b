using Mlsh.Core.Configuration;
using Mlsh.Environments.Robots;

namespace Mlsh.Environments.Observations;

/// <summary>
/// The left/right mirror of a symmetric robot, as signed permutations of its observation and action vectors:
/// element i of the mirror image of v is <c>Sign[i] · v[Source[i]]</c>. Reflecting the world about the body's
/// x-z plane (y → −y) maps a state the robot can be in onto another one it can be in, and a gait onto its mirror
/// gait: a policy π becomes π′(o) = M_a π(M_o o), which turns left where π turns right
/// (<c>PolicyMirror</c> in Mlsh.NeuralNets builds π′ as an ordinary network).
/// </summary>
/// <remarks>
/// Per segment of <see cref="ObservationLayout"/>: polar vectors (position, linear velocity, gravity direction) flip
/// their y component; the angular velocity is an axial vector, so under a reflection it flips x and z instead;
/// the heading (cos ψ, sin ψ) becomes (cos ψ, −sin ψ); joint entries and the previous action follow the robot's
/// declared joint mirror map (<see cref="JointConfig.Mirror"/>, checked against the physics by the tests).
/// World-frame entries are mirrored about the world x axis through the start cell, i.e. as in the mirror-image
/// maze; a sub-policy that ignores them (egocentric skills) is unaffected by that choice. Immutable.
/// </remarks>
public sealed class SagittalMirror
{
    private readonly int[] _observationSource, _actionSource;
    private readonly float[] _observationSign, _actionSign;

    private SagittalMirror(int[] observationSource, float[] observationSign, int[] actionSource, float[] actionSign)
    {
        _observationSource = observationSource;
        _observationSign = observationSign;
        _actionSource = actionSource;
        _actionSign = actionSign;
    }

    public ReadOnlySpan<int> ObservationSource => _observationSource;
    public ReadOnlySpan<float> ObservationSign => _observationSign;
    public ReadOnlySpan<int> ActionSource => _actionSource;
    public ReadOnlySpan<float> ActionSign => _actionSign;

    /// <summary>The mirror of <paramref name="robot"/>'s own observation (<see cref="ObservationLayout.For"/>).</summary>
    /// <exception cref="ConfigException">The robot declares no joint mirror map.</exception>
    public static SagittalMirror For(RobotConfig robot) => For(robot, ObservationLayout.For(robot));

    /// <exception cref="ConfigException">The robot declares no joint mirror map, or the layout does not belong to it.</exception>
    public static SagittalMirror For(RobotConfig robot, ObservationLayout layout)
    {
        ArgumentNullException.ThrowIfNull(robot);
        ArgumentNullException.ThrowIfNull(layout);
        if (!robot.HasSagittalSymmetry)
            throw new ConfigException($"robot '{robot.Name}' declares no left/right mirror map; add 'mirror' and 'mirror_sign' to every joint in its robot YAML");
        if (layout.ActionSize != robot.ActionSize || (layout.JointCount != 0 && layout.JointCount != robot.Joints.Count))
            throw new ConfigException($"observation layout ({layout.JointCount} joints, {layout.ActionSize} actions) is not robot '{robot.Name}''s ({robot.Joints.Count} joints)");

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var j = 0; j < robot.Joints.Count; j++) index[robot.Joints[j].Name] = j;
        var jointSource = new int[robot.Joints.Count];
        var jointSign = new float[robot.Joints.Count];
        for (var j = 0; j < robot.Joints.Count; j++)
        {
            jointSource[j] = index[robot.Joints[j].Mirror!];
            jointSign[j] = robot.Joints[j].MirrorSign;
        }

        var source = new int[layout.Size];
        var sign = new float[layout.Size];
        foreach (var segment in layout.Segments)
        {
            ReadOnlySpan<float> pattern = segment.Name switch
            {
                ObservationLayout.BasePositionXy => [1, -1],
                ObservationLayout.BaseYawCosSin => [1, -1],
                ObservationLayout.BaseLinearVelocity => [1, -1, 1],
                ObservationLayout.BaseAngularVelocity => [-1, 1, -1],
                ObservationLayout.ProjectedGravity => [1, -1, 1],
                _ => [],
            };
            for (var k = 0; k < segment.Size; k++)
            {
                var i = segment.Offset + k;
                if (!pattern.IsEmpty)
                {
                    source[i] = i;
                    sign[i] = pattern[k];
                }
                else
                {
                    // Joint segments and the previous action: one entry per joint, in robot joint order.
                    source[i] = segment.Offset + jointSource[k];
                    sign[i] = jointSign[k];
                }
            }
        }
        return new SagittalMirror(source, sign, jointSource, jointSign);
    }

    /// <summary>destination = M_o · observation (may not alias).</summary>
    public void MirrorObservation(ReadOnlySpan<float> observation, Span<float> destination) =>
        Apply(_observationSource, _observationSign, observation, destination);

    /// <summary>destination = M_a · action (may not alias).</summary>
    public void MirrorAction(ReadOnlySpan<float> action, Span<float> destination) =>
        Apply(_actionSource, _actionSign, action, destination);

    private static void Apply(int[] source, float[] sign, ReadOnlySpan<float> v, Span<float> destination)
    {
        if (v.Length != source.Length || destination.Length != source.Length)
            throw new ArgumentException($"mirror of a {source.Length}-element vector got {v.Length} → {destination.Length} elements");
        for (var i = 0; i < source.Length; i++) destination[i] = sign[i] * v[source[i]];
    }
}
