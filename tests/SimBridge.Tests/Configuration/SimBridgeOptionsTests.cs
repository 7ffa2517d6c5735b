using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Core.Launch;
using Mlsh.SimBridge.Configuration;

namespace Mlsh.SimBridge.Tests.Configuration;

public sealed class SimBridgeOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mlsh-sim-params-").FullName;

    private SimBridgeOptions Load(string body, RosArguments? ros = null)
    {
        var file = Path.Combine(_dir, "sim.yaml");
        File.WriteAllText(file, "mlsh_sim:\n  ros__parameters:\n" + string.Join("", body.Split('\n').Select(l => "    " + l + "\n")));
        return SimBridgeOptions.FromParameters(RosNodeParameters.Load("mlsh_sim", [file], ros), ros);
    }

    private ConfigException Error(string body)
    {
        var e = FluentActions.Invoking(() => Load(body)).Should().Throw<ConfigException>().Which;
        e.Message.Should().NotContain("\n", "configuration errors are one line");
        return e;
    }

    [Fact]
    public void ShippedParamsFile_LoadsWithEveryKeyKnown()
    {
        var p = RosNodeParameters.Load("mlsh_sim", [Path.Combine(MlshPaths.Root, "launch", "params", "sim.yaml")]);
        var o = SimBridgeOptions.FromParameters(p);
        o.TimingMode.Should().Be(TimingMode.RealTime);
        o.PhysicsRateHz.Should().Be(500);
        o.StepsPer(o.OdomRateHz).Should().Be(5);
        o.PositionCommandTopic.Should().Be("/position_controller/commands");
        o.ResetTopic.Should().Be("/mlsh_sim/reset");
    }

    [Fact]
    public void TypoedParameter_IsAnErrorNamingIt()
    {
        Error("comand_timeout_s: 0.1").Message.Should().Contain("'comand_timeout_s'").And.Contain("command_timeout_s");
    }

    [Fact]
    public void UnknownTimingMode_IsAnErrorNamingTheKeyAndTheChoices()
    {
        Error("timing_mode: fast").Message.Should().Contain("'timing_mode'").And.Contain("realtime or lockstep").And.Contain("'fast'");
    }

    [Fact]
    public void RateThatDoesNotDivideThePhysicsRate_IsAnErrorNamingTheKey()
    {
        Error("odom_rate_hz: 300.0").Message.Should().Contain("'odom_rate_hz'").And.Contain("must divide physics_rate_hz 500");
    }

    [Fact]
    public void NonPositiveTimeout_IsAnErrorNamingTheKey()
    {
        Error("command_timeout_s: 0").Message.Should().Contain("'command_timeout_s' must be > 0, got 0");
    }

    [Fact]
    public void NonNumericValue_IsAnErrorNamingTheKey()
    {
        Error("imu_rate_hz: fast").Message.Should().Contain("imu_rate_hz");
    }

    [Fact]
    public void UseSimTimeTrue_IsRejected_BecauseTheSimulatorOwnsTheClock()
    {
        Error("use_sim_time: true").Message.Should().Contain("'use_sim_time' must be false");
    }

    [Fact]
    public void RosArgsRemaps_ApplyToTopics_AndParamOverridesWin()
    {
        var ros = RosArguments.Parse(["-r", "/joint_states:=/robot/joint_states", "-p", "timing_mode:=lockstep"]);
        var o = Load("timing_mode: realtime", ros);
        o.JointStatesTopic.Should().Be("/robot/joint_states");
        o.TimingMode.Should().Be(TimingMode.Lockstep);
    }

    [Fact]
    public void LayoutArgument_OverridesTheLayoutParameter()
    {
        var file = Path.Combine(_dir, "sim.yaml");
        File.WriteAllText(file, "mlsh_sim:\n  ros__parameters:\n    layout: layouts/train/maze-01.yaml\n");
        SimBridgeOptions.FromParameters(RosNodeParameters.Load("mlsh_sim", [file]), layoutOverride: "dead-end").Layout.Should().Be("dead-end");
        SimBridgeOptions.FromParameters(RosNodeParameters.Load("mlsh_sim", [file])).Layout.Should().Be("layouts/train/maze-01.yaml");
    }

    [Theory]
    [InlineData("dead-end", "train")]
    [InlineData("loop", "heldout")]
    [InlineData("layouts/train/zigzag.yaml", "train")]
    public void LayoutArgument_ResolvesNamesAndRepositoryRelativePaths(string layout, string split)
    {
        var path = SimBridgeOptions.ResolveLayoutPath(layout);
        File.Exists(path).Should().BeTrue();
        Path.GetFileName(Path.GetDirectoryName(path)).Should().Be(split);
    }

    [Fact]
    public void UnknownLayout_IsAnErrorListingTheShippedOnes()
    {
        FluentActions.Invoking(() => SimBridgeOptions.ResolveLayoutPath("no-such-maze"))
            .Should().Throw<ConfigException>().WithMessage("*'no-such-maze'*shipped layouts:*dead-end*loop*");
    }

    [Fact]
    public void PhysicsRateContradictingTheRobotConfig_IsAnErrorNamingTheKey()
    {
        var options = Load("physics_rate_hz: 1000.0\njoint_states_rate_hz: 1000.0\nimu_rate_hz: 1000.0\nclock_rate_hz: 1000.0");
        FluentActions.Invoking(() => new SimBridgeNode(options))
            .Should().Throw<ConfigException>().WithMessage("*'physics_rate_hz' is 1000*physics_dt 0.002 s*set physics_rate_hz: 500*");
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
