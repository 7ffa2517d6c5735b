using Mlsh.Core.Configuration;
using Mlsh.Environments.Robots;

namespace Mlsh.Environments.Tests.Robots;

public class RobotConfigTests
{
    [Fact]
    public void LoadShipped_ReadsTheQuadruped_With8JointsAt500HzPhysicsAnd50HzPolicy()
    {
        var r = RobotConfig.LoadShipped("quadruped");
        r.Joints.Select(j => j.Name).Should().Equal("fl_hip", "fl_knee", "fr_hip", "fr_knee", "bl_hip", "bl_knee", "br_hip", "br_knee");
        r.PhysicsDt.Should().Be(0.002);
        r.PolicyDecimation.Should().Be(10);
        r.PolicyDt.Should().BeApproximately(0.02, 1e-12);
        r.ControlMode.Should().Be(ControlMode.Position);
        File.Exists(r.MjcfPath).Should().BeTrue();
    }

    [Fact]
    public void LoadShipped_ReadsThePointMass_WithTwoVelocityControlledSlides()
    {
        var r = RobotConfig.LoadShipped("pointmass");
        r.ActionSize.Should().Be(2);
        r.ControlMode.Should().Be(ControlMode.Velocity);
        r.ObserveJoints.Should().BeFalse();
    }

    [Fact]
    public void LoadShipped_RejectsAnUnknownRobot_ListingTheShippedOnes()
    {
        var act = () => RobotConfig.LoadShipped("hexapod");
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("unknown robot 'hexapod'").And.Contain("quadruped").And.Contain("pointmass");
    }

    private static string Valid(string joints = "  - { name: fl_hip, default_position: 0, kp: 40, kd: 1, torque_limit: 20, action_scale: 0.5 }\n") =>
        "name: r\nmjcf: quadruped.xml\nbase_body: torso\nphysics_dt: 0.002\npolicy_decimation: 10\ncontrol_mode: position\n" +
        "sensors: { orientation: a, angular_velocity: b, linear_acceleration: c, position: d, linear_velocity: e }\njoints:\n" + joints;

    private static string ShippedPath => Path.Combine(Mlsh.Core.MlshPaths.Models, "robots", "test.yaml");

    [Fact]
    public void Parse_AcceptsAMinimalConfig()
    {
        RobotConfig.Parse(Valid(), ShippedPath).Joints.Should().ContainSingle();
    }

    [Fact]
    public void Parse_RejectsUnknownKey()
    {
        var act = () => RobotConfig.Parse(Valid() + "stiffness: 3\n", ShippedPath);
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("test.yaml").And.Contain("unknown key 'stiffness'");
    }

    [Fact]
    public void Parse_RejectsAJointWithoutKp_NamingTheJoint()
    {
        var act = () => RobotConfig.Parse(Valid("  - { name: fl_hip, default_position: 0, kd: 1, torque_limit: 20, action_scale: 0.5 }\n"), ShippedPath);
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("joints[0] (fl_hip)").And.Contain("'kp'");
    }

    [Fact]
    public void Parse_RejectsNonPositiveTorqueLimit()
    {
        var act = () => RobotConfig.Parse(Valid("  - { name: fl_hip, default_position: 0, kp: 1, kd: 1, torque_limit: 0, action_scale: 0.5 }\n"), ShippedPath);
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("'torque_limit' must be > 0");
    }

    [Fact]
    public void Parse_RejectsAnUnknownControlMode()
    {
        var act = () => RobotConfig.Parse(Valid().Replace("control_mode: position", "control_mode: torque"), ShippedPath);
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("'control_mode' must be position or velocity");
    }

    [Fact]
    public void Parse_RejectsAMissingMjcfFile()
    {
        var act = () => RobotConfig.Parse(Valid().Replace("quadruped.xml", "nope.xml"), ShippedPath);
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("nope.xml");
    }

    [Fact]
    public void Parse_RejectsADuplicateJoint()
    {
        var j = "  - { name: fl_hip, default_position: 0, kp: 40, kd: 1, torque_limit: 20, action_scale: 0.5 }\n";
        var act = () => RobotConfig.Parse(Valid(j + j), ShippedPath);
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("listed twice");
    }

    private const string HipPair =
        "  - { name: fl_hip, default_position: 0, kp: 40, kd: 1, torque_limit: 20, action_scale: 0.5, mirror: fr_hip, mirror_sign: -1 }\n" +
        "  - { name: fr_hip, default_position: 0, kp: 40, kd: 1, torque_limit: 20, action_scale: 0.5, mirror: fl_hip, mirror_sign: -1 }\n";

    [Fact]
    public void LoadShipped_TheQuadrupedDeclaresItsLeftRightMirror_HipsFlipKneesDoNot()
    {
        var r = RobotConfig.LoadShipped("quadruped");
        r.HasSagittalSymmetry.Should().BeTrue();
        r.Joints.Single(j => j.Name == "bl_hip").Should().Match<JointConfig>(j => j.Mirror == "br_hip" && j.MirrorSign == -1);
        r.Joints.Single(j => j.Name == "fl_knee").Should().Match<JointConfig>(j => j.Mirror == "fr_knee" && j.MirrorSign == 1);
    }

    [Fact]
    public void Parse_AcceptsAMirrorPair_AndARobotWithoutAny()
    {
        RobotConfig.Parse(Valid(HipPair), ShippedPath).HasSagittalSymmetry.Should().BeTrue();
        RobotConfig.Parse(Valid(), ShippedPath).HasSagittalSymmetry.Should().BeFalse();
    }

    [Theory]
    [InlineData("mirror: fr_hip, mirror_sign: -1 }\n  - { name: fr_hip", "mirror: fr_hip, mirror_sign: 1 }\n  - { name: fr_hip", "a mirror pair must name each other with the same sign")]
    [InlineData("mirror: fr_hip, mirror_sign: -1 }\n  - { name: fr_hip", "mirror: rr_hip, mirror_sign: -1 }\n  - { name: fr_hip", "'mirror' names 'rr_hip', which is not a joint")]
    [InlineData(", mirror: fl_hip, mirror_sign: -1 }", " }", "'mirror' is given for 1 of 2 joints")]
    [InlineData("mirror_sign: -1 }\n  - { name: fr_hip", "mirror_sign: 2 }\n  - { name: fr_hip", "'mirror_sign' must be 1 or -1, got 2")]
    [InlineData("{ name: fr_hip, default_position: 0,", "{ name: fr_hip, default_position: 0.2,", "are not mirror images")]
    [InlineData("{ name: fr_hip, default_position: 0, kp: 40", "{ name: fr_hip, default_position: 0, kp: 45", "differ in kp")]
    public void Parse_RejectsAnInconsistentMirrorMap_WithOneLineNamingTheJoints(string from, string to, string message)
    {
        HipPair.Should().Contain(from);
        var act = () => RobotConfig.Parse(Valid(HipPair.Replace(from, to)), ShippedPath);
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain(message).And.Contain("test.yaml");
    }
}
