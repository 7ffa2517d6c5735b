using Mlsh.Core.Configuration;
using Mlsh.Core.Launch;
using YamlDotNet.RepresentationModel;

namespace Mlsh.Core.Tests.Launch;

public sealed class LaunchFileLoaderTests : IDisposable
{
    private readonly LaunchTestFiles _files = new();
    private readonly MlshBringupResolver _resolver;

    public LaunchFileLoaderTests()
    {
        _resolver = new MlshBringupResolver(_files.Dir, ["mlsh"]);
        _files.Write("launch/params/sim.yaml", "mlsh_sim:\n  ros__parameters:\n    physics_rate_hz: 500.0\n");
    }

    public void Dispose() => _files.Dispose();

    private LaunchPlan Load(string yaml, Dictionary<string, string>? args = null, Dictionary<string, string>? env = null)
    {
        var path = _files.Write("launch/test.launch.yaml", yaml);
        return new LaunchFileLoader(_resolver, env ?? new Dictionary<string, string> { ["HOME"] = "/home/robot" }).Load(path, args);
    }

    private ConfigException LoadFails(string yaml, Dictionary<string, string>? args = null) =>
        FluentActions.Invoking(() => Load(yaml, args)).Should().Throw<ConfigException>().Which;

    [Fact]
    public void Node_OfMlshBringup_RunsTheCliVerbWithItsParamsFile()
    {
        var plan = Load("""
            launch:
              - node:
                  pkg: mlsh_bringup
                  exec: mlsh_sim
                  output: screen
                  param:
                    - from: $(find-pkg-share mlsh_bringup)/launch/params/sim.yaml
            """);
        var sim = plan.Processes.Should().ContainSingle().Subject;
        sim.Name.Should().Be("mlsh_sim");
        sim.Kind.Should().Be(ProcessKind.Node);
        sim.Required.Should().BeTrue("nodes end the launch when they exit");
        sim.BuildArgv([]).Should().Equal("mlsh", "sim", "--params", Path.Combine(_files.Dir, "launch", "params", "sim.yaml"));
    }

    [Fact]
    public void Node_RuntimeExecutable_MapsToRunVerb_WithArgsBeforeRosArgs()
    {
        var plan = Load("""
            launch:
              - node:
                  pkg: mlsh_bringup
                  exec: mlsh_runtime
                  name: robot_runtime
                  namespace: go1
                  args: --models models/quadruped
                  remap:
                    - from: /joint_states
                      to: /go1/joint_states
                  ros_args: --log-level debug
            """);
        plan.Processes[0].Name.Should().Be("robot_runtime");
        plan.Processes[0].BuildArgv([]).Should().Equal(
            "mlsh", "run", "--models", "models/quadruped",
            "--ros-args", "-r", "__node:=robot_runtime", "-r", "__ns:=/go1", "-r", "/joint_states:=/go1/joint_states",
            "--log-level", "debug");
    }

    [Fact]
    public void Node_InlineParams_BecomeAWildcardRosParameterFile_WithTypedValues()
    {
        var plan = Load("""
            launch:
              - arg: {name: use_sim_time, default: "true"}
              - node:
                  pkg: mlsh_bringup
                  exec: mlsh_runtime
                  param:
                    - from: $(dirname)/params/sim.yaml
                    - name: use_sim_time
                      value: $(var use_sim_time)
                    - name: control_rate_hz
                      value: 50
                    - name: robot
                      value: quadruped
                    - name: version
                      value: "2"
                    - name: frame
                      value: "base: link # not a comment"
                    - name: joints
                      value: [fl_hip, fl_knee]
                    - name: mqtt
                      param:
                        - {name: port, value: 1883}
            """);
        var p = plan.Processes[0];
        p.Parameters.Should().HaveCount(2);
        p.Parameters[0].File.Should().EndWith("sim.yaml");
        p.BuildArgv(["/tmp/inline.yaml"]).Should().Equal("mlsh", "run", "--params", p.Parameters[0].File!, "--params", "/tmp/inline.yaml");

        var yaml = new YamlStream();
        yaml.Load(new StringReader(p.Parameters[1].ToParameterFileYaml()));
        var values = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["/**"])["ros__parameters"];
        ((YamlScalarNode)values["use_sim_time"]).Value.Should().Be("true");
        ((YamlScalarNode)values["use_sim_time"]).Style.Should().Be(YamlDotNet.Core.ScalarStyle.Plain, "a boolean stays a boolean");
        ((YamlScalarNode)values["control_rate_hz"]).Style.Should().Be(YamlDotNet.Core.ScalarStyle.Plain);
        ((YamlScalarNode)values["robot"]).Value.Should().Be("quadruped");
        ((YamlScalarNode)values["version"]).Style.Should().Be(YamlDotNet.Core.ScalarStyle.Plain, "as in launch_ros, the text decides the type");
        ((YamlScalarNode)values["frame"]).Value.Should().Be("base: link # not a comment");
        ((YamlScalarNode)values["frame"]).Style.Should().Be(YamlDotNet.Core.ScalarStyle.DoubleQuoted);
        ((YamlSequenceNode)values["joints"]).Children.Select(c => ((YamlScalarNode)c).Value).Should().Equal("fl_hip", "fl_knee");
        ((YamlScalarNode)values["mqtt.port"]).Value.Should().Be("1883");
    }

    [Fact]
    public void Node_OfAnotherPackage_IsRejected_NamingFileLineAndPackage()
    {
        var e = LoadFails("""
            launch:
              - node:
                  pkg: turtlesim
                  exec: turtlesim_node
            """);
        e.File.Should().EndWith("test.launch.yaml");
        e.Message.Should().Contain("line 3").And.Contain("launch[0].node").And.Contain("package 'turtlesim' is not available without ROS 2");
    }

    [Fact]
    public void Node_UnknownExecutableOfMlshBringup_ListsTheAvailableOnes() =>
        LoadFails("launch:\n  - node: {pkg: mlsh_bringup, exec: mlsh_train}\n")
            .Message.Should().Contain("package 'mlsh_bringup' has no executable 'mlsh_train'; available: mlsh_runtime, mlsh_sim");

    [Fact]
    public void Node_MissingParamsFile_IsRejected() =>
        LoadFails("launch:\n  - node:\n      pkg: mlsh_bringup\n      exec: mlsh_sim\n      param:\n        - from: $(dirname)/params/nope.yaml\n")
            .Message.Should().Contain("launch[0].node.param[0]").And.Contain("parameter file").And.Contain("nope.yaml' not found");

    [Fact]
    public void UnknownAction_IsRejected_NamingFileLineAndKey()
    {
        var e = LoadFails("launch:\n  - arg: {name: a, default: b}\n  - timer: {period: 1}\n");
        e.File.Should().EndWith("test.launch.yaml");
        e.Message.Should().Contain("line 3").And.Contain("launch[1]").And.Contain("unknown or unsupported action 'timer'")
            .And.Contain("supported: arg, let, node");
    }

    [Fact]
    public void UnknownKey_IsRejected_NamingTheKeyAndTheAllowedOnes() =>
        LoadFails("launch:\n  - node:\n      pkg: mlsh_bringup\n      exec: mlsh_sim\n      respawn: true\n")
            .Message.Should().Contain("line 5").And.Contain("unknown key 'respawn' in 'node'").And.Contain("allowed: pkg, exec, name");

    [Fact]
    public void UnknownKeyInAListItem_IsRejected() =>
        LoadFails("launch:\n  - node:\n      pkg: mlsh_bringup\n      exec: mlsh_sim\n      remap:\n        - {form: a, to: b}\n")
            .Message.Should().Contain("launch[0].node.remap[0]").And.Contain("unknown key 'form'").And.Contain("allowed: from, to");

    [Fact]
    public void MissingLaunchKey_AndInvalidYaml_AreRejected()
    {
        LoadFails("nodes: []\n").Message.Should().Contain("unknown key 'nodes' in the top level; allowed: launch");
        LoadFails("launch:\n  - node: {pkg: [\n").Message.Should().Contain("not valid YAML");
    }

    [Fact]
    public void Arg_UsesDefault_CommandLineOverrides_AndChoicesAreChecked()
    {
        const string yaml = """
            launch:
              - arg:
                  name: mode
                  default: realtime
                  choice: [{value: realtime}, {value: lockstep}]
              - executable: {cmd: echo $(var mode)}
            """;
        Load(yaml).Processes[0].Command.Should().Equal("echo", "realtime");
        Load(yaml, new() { ["mode"] = "lockstep" }).Processes[0].Command.Should().Equal("echo", "lockstep");
        LoadFails(yaml, new() { ["mode"] = "fast" }).Message.Should().Contain("launch argument 'mode' is 'fast'; expected one of: realtime, lockstep");
    }

    [Fact]
    public void Arg_WithoutDefault_MustBeGiven() =>
        LoadFails("launch:\n  - arg: {name: layout}\n").Message.Should().Contain("launch argument 'layout' has no default and was not given; pass layout:=<value>");

    [Fact]
    public void CommandLineArgument_NotDeclared_IsRejected_ListingDeclaredOnes() =>
        LoadFails("launch:\n  - arg: {name: layout, default: a}\n", new() { ["layuot"] = "x" })
            .Message.Should().Contain("launch argument 'layuot' is not declared").And.Contain("declared: layout");

    [Fact]
    public void Let_SetsAVariableForLaterActions() =>
        Load("launch:\n  - let: {name: dir, value: /tmp}\n  - executable: {cmd: ls $(var dir)}\n")
            .Processes[0].Command.Should().Equal("ls", "/tmp");

    [Fact]
    public void Executable_ParsesCmdNameEnvCwdTimeoutsAndShell()
    {
        var plan = Load($$"""
            launch:
              - executable:
                  cmd: printf '%s\n' "a b" $(env HOME)
                  name: printer
                  cwd: {{_files.Dir}}
                  env:
                    - {name: ROS_DOMAIN_ID, value: "7"}
                  sigterm_timeout: 0.5
                  sigkill_timeout: "2"
              - executable:
                  cmd: echo $HOME | tr a-z A-Z
                  shell: true
                  on_exit: shutdown
            """);
        var p = plan.Processes[0];
        p.Name.Should().Be("printer");
        p.Kind.Should().Be(ProcessKind.Executable);
        p.Command.Should().Equal("printf", "%s\\n", "a b", "/home/robot");
        p.Environment.Should().Contain("ROS_DOMAIN_ID", "7");
        p.WorkingDirectory.Should().Be(_files.Dir);
        p.SigtermTimeout.Should().Be(TimeSpan.FromSeconds(0.5));
        p.SigkillTimeout.Should().Be(TimeSpan.FromSeconds(2));
        p.Required.Should().BeFalse("a plain executable may finish without ending the launch");
        var sh = plan.Processes[1];
        sh.Command.Should().Equal("/bin/sh", "-c", "echo $HOME | tr a-z A-Z");
        sh.Name.Should().Be("sh");
        sh.Required.Should().BeTrue("on_exit: shutdown");
    }

    [Theory]
    [InlineData("on_exit: restart", "on_exit is 'restart'; only 'shutdown' is supported")]
    [InlineData("output: file", "output is 'file'; expected one of: screen, log, both")]
    [InlineData("sigterm_timeout: -1", "'sigterm_timeout' is '-1'; expected a non-negative number of seconds")]
    [InlineData("shell: maybe", "'shell' is 'maybe'; expected true or false")]
    [InlineData("cwd: /does/not/exist", "working directory (cwd) '/does/not/exist' does not exist")]
    public void Executable_BadValues_AreRejected(string line, string fragment) =>
        LoadFails($"launch:\n  - executable:\n      cmd: true\n      {line}\n").Message.Should().Contain(fragment);

    [Fact]
    public void SetEnvAndUnsetEnv_ApplyToLaterProcesses_AndToEnvSubstitution()
    {
        var plan = Load("""
            launch:
              - executable: {cmd: first}
              - set_env: {name: RMW_IMPLEMENTATION, value: rmw_cyclonedds_cpp}
              - unset_env: {name: HOME}
              - executable: {cmd: second $(env RMW_IMPLEMENTATION) $(optenv HOME none)}
            """);
        plan.Processes[0].Environment.Should().BeEmpty();
        plan.Processes[1].Environment.Should().Contain("RMW_IMPLEMENTATION", "rmw_cyclonedds_cpp").And.ContainKey("HOME");
        plan.Processes[1].Environment["HOME"].Should().BeNull("unset_env removes it from the child's environment");
        plan.Processes[1].Command.Should().Equal("second", "rmw_cyclonedds_cpp", "none");
    }

    [Fact]
    public void IfAndUnless_SkipActions()
    {
        var plan = Load("""
            launch:
              - arg: {name: gui, default: "false"}
              - executable: {cmd: viewer, if: $(var gui)}
              - executable: {cmd: headless, unless: $(var gui)}
            """);
        plan.Processes.Select(p => p.Name).Should().Equal("headless");
        LoadFails("launch:\n  - executable: {cmd: x, if: maybe}\n").Message.Should().Contain("condition value 'maybe' is not a boolean");
    }

    [Fact]
    public void Group_ScopesLetsEnvAndNamespace_AndForwardingFalseKeepsOnlyKeep()
    {
        var plan = Load("""
            launch:
              - let: {name: who, value: outer}
              - group:
                  children:
                    - let: {name: who, value: inner}
                    - set_env: {name: IN_GROUP, value: "1"}
                    - push_ros_namespace: {namespace: robot1}
                    - node: {pkg: mlsh_bringup, exec: mlsh_sim, args: $(var who)}
              - executable: {cmd: echo $(var who)}
              - group:
                  forwarding: false
                  keep: [{name: only, value: kept}]
                  children:
                    - executable: {cmd: echo $(var only)}
            """);
        var node = plan.Processes[0];
        node.Arguments.Should().Equal("inner");
        node.Environment.Should().Contain("IN_GROUP", "1");
        node.RosArguments.Should().Equal("-r", "__ns:=/robot1");
        plan.Processes[1].Command.Should().Equal("echo", "outer");
        plan.Processes[1].Environment.Should().NotContainKey("IN_GROUP");
        plan.Processes[2].Command.Should().Equal("echo", "kept");

        LoadFails("launch:\n  - let: {name: who, value: x}\n  - group:\n      forwarding: false\n      children:\n        - executable: {cmd: echo $(var who)}\n")
            .Message.Should().Contain("no launch argument or let named 'who'");
    }

    [Fact]
    public void Include_PassesArgs_ResolvesDirnameToTheIncludedFile_AndIsNotScoped()
    {
        _files.Write("launch/sub/inner.launch.yaml", """
            launch:
              - arg: {name: robot, default: quadruped}
              - let: {name: from_inner, value: yes}
              - executable: {cmd: echo $(var robot) $(dirname)}
            """);
        var plan = Load("""
            launch:
              - include:
                  file: $(dirname)/sub/inner.launch.yaml
                  arg: [{name: robot, value: biped}]
              - include: $(dirname)/sub/inner.launch.yaml
              - executable: {cmd: echo $(var from_inner)}
            """, new() { ["robot"] = "hexapod" });
        plan.Processes[0].Command.Should().Equal("echo", "biped", Path.Combine(_files.Dir, "launch", "sub"));
        plan.Processes[1].Name.Should().Be("echo-2", "duplicate names get a suffix");
        plan.Processes[2].Command.Should().Equal("echo", "yes");
        plan.Arguments.Should().Contain("robot", "biped");
    }

    [Fact]
    public void Include_CycleNonYamlAndMissingFiles_AreRejected()
    {
        _files.Write("launch/a.launch.yaml", "launch:\n  - include: {file: $(dirname)/test.launch.yaml}\n");
        LoadFails("launch:\n  - include: {file: $(dirname)/a.launch.yaml}\n").Message.Should().Contain("include cycle: test.launch.yaml -> a.launch.yaml -> test.launch.yaml");
        _files.Write("launch/x.launch.py", "");
        LoadFails("launch:\n  - include: {file: $(dirname)/x.launch.py}\n").Message.Should().Contain("'x.launch.py' needs `ros2 launch`");
        LoadFails("launch:\n  - include: {file: $(dirname)/missing.launch.yaml}\n").Message.Should().Contain("missing.launch.yaml' not found");
    }

    [Fact]
    public void MissingLaunchFile_IsRejected() =>
        FluentActions.Invoking(() => new LaunchFileLoader(_resolver).Load(Path.Combine(_files.Dir, "none.launch.yaml")))
            .Should().Throw<ConfigException>().WithMessage("*none.launch.yaml: launch file not found");
}
