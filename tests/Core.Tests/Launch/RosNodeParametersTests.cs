using Mlsh.Core.Configuration;
using Mlsh.Core.Launch;

namespace Mlsh.Core.Tests.Launch;

public sealed class RosNodeParametersTests : IDisposable
{
    private readonly LaunchTestFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Load_MergesMatchingSectionsInOrder_LaterFilesAndDashPWin_OtherNodesIgnored()
    {
        var a = _files.Write("a.yaml", """
            /**:
              ros__parameters:
                use_sim_time: false
                shared: 1
            mlsh_sim:
              ros__parameters:
                physics_rate_hz: 500.0
                timing_mode: realtime
                mqtt: {port: 1883, host: localhost}
                joints: [fl_hip, fl_knee]
            mlsh_runtime:
              ros__parameters:
                control_rate_hz: 50.0
            """);
        var b = _files.Write("b.yaml", "/mlsh_sim:\n  ros__parameters:\n    physics_rate_hz: 1000.0\n");
        var p = RosNodeParameters.Load("mlsh_sim", [a, b], RosArguments.Parse(["-p", "timing_mode:=lockstep", "-p", "use_sim_time:=true"]));

        p.GetDouble("physics_rate_hz").Should().Be(1000.0);
        p.GetString("timing_mode").Should().Be("lockstep");
        p.GetBool("use_sim_time").Should().BeTrue();
        p.GetInt("shared").Should().Be(1);
        p.GetInt("mqtt.port").Should().Be(1883);
        p.GetString("mqtt.host").Should().Be("localhost");
        p.GetStringList("joints").Should().Equal("fl_hip", "fl_knee");
        p.Contains("control_rate_hz").Should().BeFalse("that section belongs to another node");
        p.GetDouble("missing_with_default", 2.5).Should().Be(2.5);
        p.RejectUnread();
    }

    [Fact]
    public void Load_FollowsNodeAndNamespaceRemaps()
    {
        var f = _files.Write("p.yaml", "/go1/sim2:\n  ros__parameters:\n    x: 1\nmlsh_sim:\n  ros__parameters:\n    x: 2\n");
        var p = RosNodeParameters.Load("mlsh_sim", [f], RosArguments.Parse(["-r", "__node:=sim2", "-r", "__ns:=/go1"]));
        p.NodeName.Should().Be("sim2");
        p.GetInt("x").Should().Be(1);
    }

    [Fact]
    public void Getters_RejectWrongTypesAndMissingValues_NamingParameterAndSource()
    {
        var f = _files.Write("p.yaml", "mlsh_sim:\n  ros__parameters:\n    physics_rate_hz: fast\n");
        var p = RosNodeParameters.Load("mlsh_sim", [f]);
        FluentActions.Invoking(() => p.GetDouble("physics_rate_hz")).Should().Throw<ConfigException>()
            .Which.Message.Should().Contain("parameter 'physics_rate_hz' is 'fast'; expected a number").And.Contain("p.yaml:3");
        FluentActions.Invoking(() => p.GetString("layout")).Should().Throw<ConfigException>()
            .Which.Message.Should().Contain("required parameter 'layout' is not set");
    }

    [Fact]
    public void RejectUnread_NamesTyposWithWhereTheyWereSet()
    {
        var f = _files.Write("p.yaml", "mlsh_sim:\n  ros__parameters:\n    physics_rate_hz: 500.0\n    phyiscs_rate: 1.0\n");
        var p = RosNodeParameters.Load("mlsh_sim", [f]);
        p.GetDouble("physics_rate_hz");
        FluentActions.Invoking(p.RejectUnread).Should().Throw<ConfigException>()
            .Which.Message.Should().Contain("unknown parameter 'phyiscs_rate' (").And.Contain("p.yaml:4").And.Contain("known: physics_rate_hz");
    }

    [Fact]
    public void Load_RejectsMissingFileAndSectionWithoutRosParameters()
    {
        FluentActions.Invoking(() => RosNodeParameters.Load("n", [Path.Combine(_files.Dir, "none.yaml")]))
            .Should().Throw<ConfigException>().WithMessage("*none.yaml: parameter file not found");
        var f = _files.Write("bad.yaml", "n:\n  physics_rate_hz: 1\n");
        FluentActions.Invoking(() => RosNodeParameters.Load("n", [f]))
            .Should().Throw<ConfigException>().Which.Message.Should().Contain("section 'n' needs a 'ros__parameters' mapping");
    }

    [Fact]
    public void ShippedParamsFiles_LoadForTheirNodes()
    {
        var sim = RosNodeParameters.Load("mlsh_sim", [Path.Combine(MlshPaths.Root, "launch", "params", "sim.yaml")]);
        sim.GetDouble("physics_rate_hz").Should().Be(500.0);
        var runtime = RosNodeParameters.Load("mlsh_runtime", [Path.Combine(MlshPaths.Root, "launch", "params", "runtime.yaml")]);
        runtime.GetStringList("joint_names").Should().HaveCount(8);
        runtime.GetDouble("control_rate_hz").Should().Be(500.0, "the runtime runs the PD law at the training physics rate");
    }
}
