using Mlsh.Core.Configuration;
using Mlsh.Onnx.Export;
using Mlsh.Onnx.Manifest;

namespace Mlsh.Onnx.Tests.Manifest;

public class ManifestValidatorTests
{
    private static PolicyManifest Valid()
    {
        var (subs, master, contract) = SyntheticBundle.Create(observationSize: 20, hidden: [8], jointCount: 4, subPolicyCount: 2);
        return HierarchyExporter.Build(subs, master, contract).Manifest;
    }

    private static void Rejects(Action<PolicyManifest> corrupt, string message)
    {
        var m = Valid();
        corrupt(m);
        FluentActions.Invoking(() => ManifestValidator.Validate(m, "manifest.yaml"))
            .Should().Throw<ConfigException>().WithMessage("manifest.yaml: " + message);
    }

    [Fact]
    public void Validate_AcceptsExportedManifest() => FluentActions.Invoking(() => ManifestValidator.Validate(Valid(), "m")).Should().NotThrow();

    [Fact]
    public void Validate_Rejects_ActionSizeNotJointCount() =>
        Rejects(m => m.Action.Size = 5, "action.size: expected 4 (one per joint in robot.joint_names), got 5");

    [Fact]
    public void Validate_Rejects_PerJointListOfWrongLength() =>
        Rejects(m => m.Action.Kp.RemoveAt(0), "action.kp: expected 4 values (one per joint in robot.joint_names), got 3");

    [Fact]
    public void Validate_Rejects_DuplicateJoint() =>
        Rejects(m => m.Robot.JointNames[1] = "joint_0", "robot.joint_names: joint 'joint_0' is listed 2 times");

    [Fact]
    public void Validate_Rejects_ObservationFieldsNotSummingToSize() =>
        Rejects(m => m.Observation.Fields[0].Size = 3, "observation.fields: field sizes add up to 19 (joint_pos 3 + joint_vel 4 + task 12), expected observation.size = 20");

    [Fact]
    public void Validate_Rejects_MasterPeriodNotMultipleOfDecimation() =>
        Rejects(m => { m.Timing.PolicyDecimation = 4; m.Timing.MasterPeriod = 10; },
            "timing.master_period: expected a positive multiple of timing.policy_decimation (4) control cycles, got 10");

    [Fact]
    public void Validate_Rejects_MasterOutputNotSubPolicyCount() =>
        Rejects(m => m.Models.Master.OutputSize = 3, "models.master.output_size: expected 2 (sub-policy count), got 3");

    [Fact]
    public void Validate_Rejects_SubPolicyInputNotObservationSize() =>
        Rejects(m => m.Models.SubPolicies[1].InputSize = 21, "models.sub_policies[1].input_size: expected 20 (observation.size), got 21");

    [Fact]
    public void Validate_Rejects_MalformedSha256() =>
        Rejects(m => m.Models.SubPolicies[0].Sha256 = "ABC", "models.sub_policies[0].sha256: expected 64 lower-case hex digits, got 'ABC'");

    [Fact]
    public void Validate_Rejects_FileOutsideBundleDirectory() =>
        Rejects(m => m.Models.Master.File = "../other/master.onnx", "models.master.file: expected a bare '<name>.onnx' file name inside the bundle directory, got '../other/master.onnx'");

    [Fact]
    public void Validate_Rejects_SuccessOutsideUnitInterval() =>
        Rejects(m => m.Provenance.EvaluationSuccess = 1.5, "provenance.evaluation_success: expected a fraction in [0, 1], got 1.5");

    [Fact]
    public void Validate_Rejects_OtherFormatVersion() =>
        Rejects(m => m.FormatVersion = 2, "format_version: expected 1, got 2 (re-export the models with this mlsh)");
}
