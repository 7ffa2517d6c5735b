using Mlsh.Core.Configuration;
using Mlsh.Core.Launch;

namespace Mlsh.Core.Tests.Launch;

public sealed class LaunchCommandLineTests : IDisposable
{
    private readonly LaunchTestFiles _files = new();

    public LaunchCommandLineTests() => _files.Write("launch/demo.launch.yaml", "launch: []\n");

    public void Dispose() => _files.Dispose();

    private string Demo => Path.Combine(_files.Dir, "launch", "demo.launch.yaml");

    [Fact]
    public void Parse_TakesAPathThenNameValueArguments()
    {
        var line = LaunchCommandLine.Parse([Demo, "layout:=layouts/heldout/loop.yaml", "use_sim_time:=false"], _files.Dir);
        line.File.Should().Be(Demo);
        line.Arguments.Should().BeEquivalentTo(new Dictionary<string, string> { ["layout"] = "layouts/heldout/loop.yaml", ["use_sim_time"] = "false" });
    }

    [Fact]
    public void Parse_AcceptsTheRos2LaunchPackageForm_AndABareNameFromLaunchFolder()
    {
        LaunchCommandLine.Parse(["mlsh_bringup", "demo.launch.yaml"], _files.Dir).File.Should().Be(Demo);
        LaunchCommandLine.Parse(["demo.launch.yaml"], _files.Dir).File.Should().Be(Demo);
    }

    [Theory]
    [InlineData(new string[0], "no launch file given; e.g. ./mlsh launch launch/demo.launch.yaml (files: demo.launch.yaml)")]
    [InlineData(new[] { "nav2_bringup", "x.launch.py" }, "package 'nav2_bringup' is not available without ROS 2")]
    [InlineData(new[] { "nope.launch.yaml" }, "launch file not found (available in launch/: demo.launch.yaml)")]
    [InlineData(new[] { "demo.launch.yaml", "a:=1", "b" }, "launch argument 'b' is not of the form name:=value")]
    [InlineData(new[] { "a", "b", "c" }, "expected a launch file and name:=value arguments")]
    public void Parse_RejectsBadCommandLines(string[] tokens, string fragment) =>
        FluentActions.Invoking(() => LaunchCommandLine.Parse(tokens, _files.Dir))
            .Should().Throw<ConfigException>().Which.Message.Should().Contain(fragment);
}
