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

    [Theory]
    [InlineData("runtime.yaml", "sim.yaml")]
    [InlineData("pointmass-runtime.yaml", "pointmass-sim.yaml")]
    public void RuntimeParams_NameTheRobotsJointsInItsActionOrder_AndRunAtItsPhysicsRate(string runtimeFile, string simFile)
    {
        var p = Parameters(runtimeFile, "mlsh_runtime");
        var sim = Parameters(simFile, "mlsh_sim");
        var robot = ((YamlScalarNode)p["robot"]).Value;
        ((YamlScalarNode)sim["robot"]).Value.Should().Be(robot, $"{simFile} must simulate the robot {runtimeFile} drives");
        var robotYaml = new YamlStream();
        robotYaml.Load(new StringReader(File.ReadAllText(Path.Combine(MlshPaths.Models, "robots", robot + ".yaml"))));
        var robotRoot = (YamlMappingNode)robotYaml.Documents[0].RootNode;
        var robotJoints = ((YamlSequenceNode)robotRoot["joints"]).Select(j => ((YamlScalarNode)((YamlMappingNode)j)["name"]).Value);
        var physicsHz = 1.0 / double.Parse(((YamlScalarNode)robotRoot["physics_dt"]).Value!, System.Globalization.CultureInfo.InvariantCulture);

        ((YamlSequenceNode)p["joint_names"]).Select(j => ((YamlScalarNode)j).Value).Should().Equal(robotJoints);
        double.Parse(((YamlScalarNode)p["control_rate_hz"]).Value!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeApproximately(physicsHz, 1e-9, "the PD law runs at the rate it ran at in training");
        double.Parse(((YamlScalarNode)sim["physics_rate_hz"]).Value!, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeApproximately(physicsHz, 1e-9);
        File.Exists(Path.Combine(MlshPaths.Root, ((YamlScalarNode)p["models_dir"]).Value!, "manifest.yaml")).Should().BeTrue();
        ((YamlScalarNode)Parameters("runtime.yaml", "mlsh_runtime")["command_topic"]).Value
            .Should().Be(((YamlScalarNode)Parameters("sim.yaml", "mlsh_sim")["command_topic"]).Value,
            "the runtime must command the topic the simulator listens on");
    }
}
