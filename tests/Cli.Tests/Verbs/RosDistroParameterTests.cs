using Mlsh.Cli.Verbs;
using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Core.Launch;
using Mlsh.Ros2.Graph;
using Mlsh.Runtime.Configuration;
using Mlsh.SimBridge.Configuration;

namespace Mlsh.Cli.Tests.Verbs;

/// <summary>The node-level `ros_distro` parameter of `./mlsh run` and `./mlsh sim` (RosNodeCommandLine).</summary>
public sealed class RosDistroParameterTests
{
    private static RosNodeParameters Load(string node, string file, params string[] rosArgs) =>
        RosNodeParameters.Load(node, [Path.Combine(MlshPaths.Root, "launch", "params", file)], RosArguments.Parse(rosArgs));

    [Fact]
    public void RosDistro_Humble_SelectsHumble_AndTheSimAndRuntimeParameterReadersAcceptIt()
    {
        var sim = Load(SimBridgeOptions.DefaultNodeName, "sim.yaml", "-p", "ros_distro:=humble");
        RosNodeCommandLine.DistroParameter(sim).Should().Be(RosDistro.Humble);
        var simRead = () => SimBridgeOptions.FromParameters(sim);
        simRead.Should().NotThrow("ros_distro was read by the node command line, so it is not an unknown parameter");

        var runtime = Load(RuntimeParameters.NodeName, "runtime.yaml", "-p", "ros_distro:=jazzy");
        RosNodeCommandLine.DistroParameter(runtime).Should().Be(RosDistro.Jazzy);
        var runtimeRead = () => RuntimeParameters.FromRos(runtime);
        runtimeRead.Should().NotThrow();
    }

    [Fact]
    public void RosDistro_Absent_LeavesTheChoiceToRosDistroFromTheEnvironment()
    {
        RosNodeCommandLine.DistroParameter(Load(SimBridgeOptions.DefaultNodeName, "sim.yaml")).Should().BeNull();
    }

    [Theory]
    [InlineData("foxy")]
    [InlineData("Humble")]
    [InlineData("")]
    public void RosDistro_ThatNamesNoSupportedRelease_IsAOneLineErrorNamingTheAcceptedOnes(string value)
    {
        var parameters = Load(SimBridgeOptions.DefaultNodeName, "sim.yaml", "-p", $"ros_distro:={value}");
        var act = () => RosNodeCommandLine.DistroParameter(parameters);
        act.Should().Throw<ConfigException>()
            .WithMessage($"node mlsh_sim: parameter 'ros_distro' is '{value}'; expected humble, iron, jazzy, kilted or rolling*")
            .Which.Message.Should().NotContain("\n");
    }
}
