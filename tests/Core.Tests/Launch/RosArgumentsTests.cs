using Mlsh.Core.Configuration;
using Mlsh.Core.Launch;

namespace Mlsh.Core.Tests.Launch;

public sealed class RosArgumentsTests
{
    [Fact]
    public void Split_SeparatesOwnArgumentsFromRosArgs_AndParsesRemapsParamsAndFiles()
    {
        var (own, ros) = RosArguments.Split([
            "--params", "a.yaml", "--ros-args", "-r", "__node:=sim2", "-r", "__ns:=/go1", "--remap", "/odom:=/go1/odom",
            "-p", "use_sim_time:=true", "--params-file", "b.yaml", "--log-level", "debug", "--", "--layout", "x.yaml",
        ]);

        own.Should().Equal("--params", "a.yaml", "--layout", "x.yaml");
        ros.NodeName.Should().Be("sim2");
        ros.Namespace.Should().Be("/go1");
        ros.Remap("/odom").Should().Be("/go1/odom");
        ros.Remap("/imu/data").Should().Be("/imu/data");
        ros.Parameters.Should().ContainSingle().Which.Should().Be(new KeyValuePair<string, string>("use_sim_time", "true"));
        ros.ParameterFiles.Should().Equal("b.yaml");
        ros.LogLevel.Should().Be("debug");
    }

    [Theory]
    [InlineData("--frobnicate", "unsupported argument '--frobnicate'")]
    [InlineData("-p", "-p needs a value")]
    [InlineData("-r odom", "-r 'odom' is not of the form name:=value")]
    public void Parse_RejectsMalformedRosArgs(string tokens, string fragment) =>
        FluentActions.Invoking(() => RosArguments.Parse(tokens.Split(' ')))
            .Should().Throw<ConfigException>().Which.Message.Should().Contain(fragment);
}
