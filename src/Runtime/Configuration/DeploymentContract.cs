using System.Globalization;
using Mlsh.Core.Configuration;
using Mlsh.Environments.Observations;
using Mlsh.Onnx.Manifest;
using Mlsh.OnnxRuntime.Policies;

namespace Mlsh.Runtime.Configuration;

/// <summary>
/// The agreement between the node's parameters (the robot as deployed) and an exported bundle's manifest (the
/// robot the policies were trained on). <see cref="Check"/> runs before any ONNX session is opened, and every
/// disagreement is a <see cref="ConfigException"/> naming both sides: the parameter and the manifest key.
/// </summary>
public static class DeploymentContract
{
    /// <summary>The observation layout the runtime builds for <paramref name="jointCount"/> joints (the training env's).</summary>
    public static ObservationLayout LayoutFor(int jointCount) => new(jointCount, jointCount);

    /// <summary>
    /// The layout for a bundle: joint state observed (legged robots) or not (robots whose joints duplicate the base
    /// state, observe_joints: false in the robot config, e.g. the point mass), as the manifest's observation fields say.
    /// <see cref="Check"/> verifies the fields are exactly this layout's.
    /// </summary>
    public static ObservationLayout LayoutFor(PolicyManifest m, int jointCount)
    {
        ArgumentNullException.ThrowIfNull(m);
        var observesJoints = m.Observation.Fields.Any(f => f.Name == ObservationLayout.JointPositionOffset);
        return new(observesJoints ? jointCount : 0, jointCount);
    }

    /// <summary>Manifest observation fields matching <see cref="LayoutFor"/> (what an exporter must write; tests use it too).</summary>
    public static List<ObservationField> ObservationFieldsFor(ObservationLayout layout) =>
        layout.Segments.Where(s => s.Size > 0)
            .Select(s => new ObservationField { Name = s.Name, Size = s.Size, Units = s.Unit, Scale = 1f }).ToList();

    /// <summary>What <see cref="PolicyBundle.Load"/> must additionally verify for these parameters.</summary>
    public static PolicyExpectations ExpectationsFor(RuntimeParameters p) => new()
    {
        Robot = p.Robot,
        JointNames = p.JointNames,
        ObservationSize = LayoutFor(p.JointNames.Count).Size,
        ControlRateHz = p.ControlRateHz,
    };

    /// <summary>As <see cref="ExpectationsFor(RuntimeParameters)"/>, for the layout of the bundle whose manifest passed <see cref="Check"/>.</summary>
    public static PolicyExpectations ExpectationsFor(RuntimeParameters p, PolicyManifest m) => new()
    {
        Robot = p.Robot,
        JointNames = p.JointNames,
        ObservationSize = LayoutFor(m, p.JointNames.Count).Size,
        ControlRateHz = p.ControlRateHz,
    };

    /// <exception cref="ConfigException">The first disagreement, naming the parameter and the manifest key.</exception>
    public static void Check(RuntimeParameters p, PolicyManifest m, string manifestPath)
    {
        void Fail(string param, string key, string detail) =>
            throw new ConfigException($"parameter '{param}' disagrees with the model manifest's '{key}' ({manifestPath}): {detail}");
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

        if (m.Robot.Name != p.Robot) Fail("robot", "robot.name", $"runtime '{p.Robot}' vs manifest '{m.Robot.Name}'");
        if (!m.Robot.JointNames.SequenceEqual(p.JointNames, StringComparer.Ordinal))
            Fail("joint_names", "robot.joint_names", $"runtime [{string.Join(", ", p.JointNames)}] vs manifest [{string.Join(", ", m.Robot.JointNames)}] (same joints in the same order required)");
        if (m.Timing.ControlRateHz != p.ControlRateHz)
            Fail("control_rate_hz", "timing.control_rate_hz", $"runtime {F(p.ControlRateHz)} Hz vs manifest {F(m.Timing.ControlRateHz)} Hz");
        var layout = LayoutFor(m, p.JointNames.Count);
        var expected = ObservationFieldsFor(layout);
        var actual = m.Observation.Fields;
        var same = expected.Count == actual.Count && expected.Zip(actual).All(e => e.First.Name == e.Second.Name && e.First.Size == e.Second.Size);
        if (!same)
            Fail("joint_names", "observation.fields",
                $"runtime builds [{string.Join(", ", expected.Select(f => $"{f.Name} {f.Size}"))}] vs manifest [{string.Join(", ", actual.Select(f => $"{f.Name} {f.Size}"))}]");
        if (m.Action.Size != p.JointNames.Count)
            Fail("joint_names", "action.size", $"runtime drives {p.JointNames.Count} joints vs manifest {m.Action.Size} actions");
        for (var i = 0; i < p.JointNames.Count; i++)
        {
            var pose = m.Action.DefaultPose[i];
            if (pose < p.JointPositionLower[i] || pose > p.JointPositionUpper[i])
                Fail("joint_position_lower/joint_position_upper", $"action.default_pose[{i}]",
                    $"joint {p.JointNames[i]}: default pose {F(pose)} rad lies outside the runtime limits [{F(p.JointPositionLower[i])}, {F(p.JointPositionUpper[i])}]");
        }
    }
}
