using Mlsh.Core.Launch;
using YamlDotNet.RepresentationModel;

namespace Mlsh.Core.Tests.Launch;

/// <summary>The repository's launch/ folder: every launch file loads with our parser, references parameter
/// files that exist, and the parameter files are ROS 2 parameter files consistent with the robot.</summary>
public sealed class ShippedLaunchFilesTests
{
    private static readonly string LaunchDir = Path.Combine(MlshPaths.Root, "launch");

    public static TheoryData<string> LaunchFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.EnumerateFiles(LaunchDir, "*.launch.yaml").Order(StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    [Fact]
    public void TheThreeLaunchFilesExist() =>
        Directory.EnumerateFiles(LaunchDir, "*.launch.yaml").Select(Path.GetFileName)
            .Should().Contain(["sim.launch.yaml", "runtime.launch.yaml", "demo.launch.yaml"]);

    [Theory]
    [MemberData(nameof(LaunchFiles))]
    public void LaunchFile_LoadsWithOurParser_AndEveryNodeReadsAnExistingParamsFileFromLaunchParams(string file)
    {
        var plan = new LaunchFileLoader(new MlshBringupResolver(MlshPaths.Root, ["mlsh"])).Load(Path.Combine(LaunchDir, file));

        plan.Processes.Should().NotBeEmpty();
        foreach (var node in plan.Processes)
        {
            node.Kind.Should().Be(ProcessKind.Node);
            var files = node.Parameters.Where(p => p.File is not null).Select(p => p.File!).ToList();
            files.Should().NotBeEmpty($"{node.Name} in {file} must read a params file");
            foreach (var f in files)
            {
                File.Exists(f).Should().BeTrue(f);
                Path.GetDirectoryName(f).Should().Be(Path.Combine(LaunchDir, "params"));
            }
        }
    }

    [Fact]
    public void DemoLaunch_RunsSimAndRuntime_WithTheRuntimeOnSimulatedTime()
    {
        var plan = new LaunchFileLoader(new MlshBringupResolver(MlshPaths.Root, ["mlsh"])).Load(Path.Combine(LaunchDir, "demo.launch.yaml"));

        plan.Processes.Select(p => p.Command[^1]).Should().Equal("sim", "run");
        var inline = plan.Processes[1].Parameters.Single(p => p.Inline is not null).Inline!;
        inline.Should().Contain(new KeyValuePair<string, string>("use_sim_time", "true"));
        var noSimTime = new LaunchFileLoader(new MlshBringupResolver(MlshPaths.Root, ["mlsh"]))
            .Load(Path.Combine(LaunchDir, "demo.launch.yaml"), new Dictionary<string, string> { ["use_sim_time"] = "false" });
        noSimTime.Processes[1].Parameters.Single(p => p.Inline is not null).Inline!.Should().Contain(new KeyValuePair<string, string>("use_sim_time", "false"));
    }

    private static YamlMappingNode Parameters(string file, string node)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(LaunchDir, "params", file))));
        var root = (YamlMappingNode)yaml.Documents[0].RootNode;
        root.Children.Keys.Select(k => ((YamlScalarNode)k).Value).Should().Equal([node], "one section per node, named as the node");
        var section = (YamlMappingNode)root[node];
        section.Children.Keys.Select(k => ((YamlScalarNode)k).Value).Should().Equal(["ros__parameters"]);
        return (YamlMappingNode)section["ros__parameters"];
    }

    [Fact]
    public void SimParams_AreARosParameterFile_ForMlshSim()
    {
        var p = Parameters("sim.yaml", "mlsh_sim");
        ((YamlScalarNode)p["physics_rate_hz"]).Value.Should().Be("500.0");
        ((YamlScalarNode)p["timing_mode"]).Value.Should().BeOneOf("realtime", "lockstep");
        var layout = ((YamlScalarNode)p["layout"]).Value!;
        File.Exists(Path.Combine(MlshPaths.Root, layout)).Should().BeTrue($"the default layout {layout} must exist");
        File.Exists(Path.Combine(MlshPaths.Models, "robots", ((YamlScalarNode)p["robot"]).Value + ".yaml")).Should().BeTrue();
    }

    [Fact]
    public void RuntimeParams_NameTheRobotsJointsInItsActionOrder()
    {
        var p = Parameters("runtime.yaml", "mlsh_runtime");
        var robot = ((YamlScalarNode)p["robot"]).Value;
        var robotYaml = new YamlStream();
        robotYaml.Load(new StringReader(File.ReadAllText(Path.Combine(MlshPaths.Models, "robots", robot + ".yaml"))));
        var robotJoints = ((YamlSequenceNode)((YamlMappingNode)robotYaml.Documents[0].RootNode)["joints"])
            .Select(j => ((YamlScalarNode)((YamlMappingNode)j)["name"]).Value);

        ((YamlSequenceNode)p["joint_names"]).Select(j => ((YamlScalarNode)j).Value).Should().Equal(robotJoints);
        ((YamlScalarNode)p["command_topic"]).Value.Should().Be(((YamlScalarNode)Parameters("sim.yaml", "mlsh_sim")["command_topic"]).Value,
            "the runtime must command the topic the simulator listens on");
    }
}
