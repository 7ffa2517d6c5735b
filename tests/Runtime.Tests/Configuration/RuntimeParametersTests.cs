using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Core.Launch;
using Mlsh.Onnx.Manifest;
using Mlsh.Runtime.Configuration;
using Mlsh.Runtime.Tests.TestSupport;

namespace Mlsh.Runtime.Tests.Configuration;

public sealed class RuntimeParametersTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-runtime-params-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void ShippedParameterFile_Loads_WithEveryKeyKnown()
    {
        var file = Path.Combine(MlshPaths.Root, "launch", "params", "runtime.yaml");
        var p = RuntimeParameters.FromRos(RosNodeParameters.Load(RuntimeParameters.NodeName, [file]));
        p.JointNames.Should().HaveCount(8);
        p.ControlRateHz.Should().Be(500);
        p.Mqtt.Enabled.Should().BeFalse();
        p.PolicyInference.Should().Be(Runtime.Control.PolicyInferenceMode.Thread, "the shipped file runs the policy on its own thread");
        p.InferenceOverrunLimit.Should().Be(3);
    }

    [Fact]
    public void PolicyInference_DefaultsToThread_AndInlineIsSelectable()
    {
        TestParameters.Load(_dir).PolicyInference.Should().Be(Runtime.Control.PolicyInferenceMode.Thread);
        TestParameters.Load(_dir, v => v["policy_inference"] = "inline").PolicyInference.Should().Be(Runtime.Control.PolicyInferenceMode.Inline);
    }

    [Fact]
    public void UnknownParameter_IsRejected_NamingItAndWhereItWasSet()
    {
        var act = () => TestParameters.Load(_dir, v => v["joint_state_timeout_cycles"] = "5");
        act.Should().Throw<ConfigException>().WithMessage("*unknown parameter 'joint_state_timeout_cycles'*params-*.yaml*");
    }

    [Theory]
    [InlineData("control_rate_hz", "-5", "*'control_rate_hz' must be > 0, got -5*")]
    [InlineData("joint_states_timeout_cycles", "0", "*'joint_states_timeout_cycles' must be >= 1 control cycle, got 0*")]
    [InlineData("joint_position_lower", "[0, 0]", "*'joint_position_lower' must list one value per joint in joint_names (8), got 2*")]
    [InlineData("max_roll_rad", "4", "*'max_roll_rad' must be in (0, pi] rad, got 4*")]
    [InlineData("command_topic", "effort", "*'command_topic' must be an absolute ROS topic name*got 'effort'*")]
    [InlineData("mqtt_host", "127.0.0.1", "*'mqtt_user' must be set when mqtt_host is set*")]
    [InlineData("policy_inference", "gpu", "*'policy_inference' must be thread (the policy on its own thread) or inline (in the control cycle), got 'gpu'*")]
    [InlineData("inference_overrun_limit", "0", "*'inference_overrun_limit' must be >= 1 policy step*got 0*")]
    public void InvalidValue_IsRejected_WithExpectedVersusActual(string key, string value, string message)
    {
        var act = () => TestParameters.Load(_dir, v => v[key] = value);
        act.Should().Throw<ConfigException>().WithMessage(message);
    }

    [Fact]
    public void ManifestWithDifferentJointOrder_IsRejected_NamingBothSides()
    {
        using var models = new QuadrupedBundle();
        var p = TestParameters.Load(_dir, v => v["joint_names"] = "[fr_hip, fl_knee, fl_hip, fr_knee, bl_hip, bl_knee, br_hip, br_knee]", models.Dir);
        var manifestPath = Path.Combine(models.Dir, ManifestYaml.FileName);

        var act = () => DeploymentContract.Check(p, ManifestYaml.Load(manifestPath), manifestPath);

        act.Should().Throw<ConfigException>().WithMessage(
            "parameter 'joint_names' disagrees with the model manifest's 'robot.joint_names'*runtime [fr_hip, fl_knee, fl_hip*vs manifest [fl_hip, fl_knee, fr_hip*");
    }

    [Fact]
    public void ManifestWithDifferentControlRate_IsRejected_NamingBothSides()
    {
        using var models = new QuadrupedBundle(rateHz: 50);
        var p = TestParameters.Load(_dir, null, models.Dir);
        var manifestPath = Path.Combine(models.Dir, ManifestYaml.FileName);

        var act = () => DeploymentContract.Check(p, ManifestYaml.Load(manifestPath), manifestPath);

        act.Should().Throw<ConfigException>().WithMessage("parameter 'control_rate_hz'*'timing.control_rate_hz'*runtime 500 Hz vs manifest 50 Hz");
    }

    [Fact]
    public void ManifestForAnotherRobot_IsRejected()
    {
        using var models = new QuadrupedBundle();
        var p = TestParameters.Load(_dir, v => v["robot"] = "hexapod", models.Dir);
        var manifestPath = Path.Combine(models.Dir, ManifestYaml.FileName);

        var act = () => DeploymentContract.Check(p, ManifestYaml.Load(manifestPath), manifestPath);

        act.Should().Throw<ConfigException>().WithMessage("parameter 'robot'*'robot.name'*runtime 'hexapod' vs manifest 'quadruped'");
    }
}
