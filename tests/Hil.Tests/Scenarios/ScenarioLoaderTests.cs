using Mlsh.Core.Configuration;
using Mlsh.Hil.Scenarios;

namespace Mlsh.Hil.Tests.Scenarios;

public class ScenarioLoaderTests
{
    private const string Valid = """
        name: t
        layout: layouts/train/maze-01.yaml
        duration_s: 3
        faults:
          - kind: drop
            topic: joint_states
            at_s: 1
            duration_s: 0.2
        criteria:
          safe_mode_within_periods: 2
          recovered: true
        """;

    private static Scenario Parse(string yaml) => ScenarioLoader.Parse(yaml, "s.yaml", TestPaths.Root);

    public static TheoryData<string> ShippedScenarios()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Path.Combine(TestPaths.Root, "scenarios"), "*.yaml").Order()) data.Add(Path.GetFileName(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(ShippedScenarios))]
    public void Load_AcceptsEveryShippedScenario_WithItsFileNameAsName(string file)
    {
        var s = ScenarioLoader.Load(Path.Combine(TestPaths.Root, "scenarios", file), TestPaths.Root);
        s.Name.Should().Be(Path.GetFileNameWithoutExtension(file));
        s.Criteria.Count.Should().BeGreaterThan(0);
        s.DurationS.Should().BeLessThanOrEqualTo(30, "scenarios run in the test suite: at most 30 s of simulated time (about 15 s of wall clock in lockstep)");
    }

    [Fact]
    public void ShippedScenarios_CoverEveryFaultKind()
    {
        var kinds = Directory.GetFiles(Path.Combine(TestPaths.Root, "scenarios"), "*.yaml")
            .SelectMany(f => ScenarioLoader.Load(f, TestPaths.Root).Faults.Select(x => x.Kind)).ToHashSet();
        kinds.Should().Contain([FaultKind.Drop, FaultKind.Nan, FaultKind.KillSim, FaultKind.BrokerDown, FaultKind.CorruptMaster, FaultKind.PushMaster]);
    }

    [Fact]
    public void Parse_ReadsFaultsAndCriteria_WithDefaults()
    {
        var s = Parse(Valid);
        s.Target.Should().Be(ScenarioTarget.Sim);
        s.Timing.Should().Be(ScenarioTiming.Lockstep);
        s.ControlPeriodS.Should().Be(0.002);
        s.Faults.Should().ContainSingle().Which.Should().Be(new Fault(FaultKind.Drop, 1, 0.2, RelayTopic.JointStates, 0, 0));
        s.Criteria.SafeModeWithinPeriods.Should().Be(2);
        s.Layout.Name.Should().Be("maze-01");
    }

    [Fact]
    public void Parse_RejectsUnknownKey_NamingFileAndKey()
    {
        var act = () => Parse(Valid + "\nduraton: 3\n");
        act.Should().Throw<ConfigException>().Where(e => e.Message.Contains("s.yaml") && e.Message.Contains("'duraton'") && e.Message.Contains("duration_s"));
    }

    [Fact]
    public void Parse_RejectsUnknownKeyInsideAFault()
    {
        var act = () => Parse(Valid.Replace("duration_s: 0.2", "duration_s: 0.2\n    lenght: 3"));
        act.Should().Throw<ConfigException>().WithMessage("*'lenght'*at_s*");
    }

    [Fact]
    public void Parse_RejectsUnknownFaultKind_ListingTheKinds()
    {
        var act = () => Parse(Valid.Replace("kind: drop", "kind: explode"));
        act.Should().Throw<ConfigException>().WithMessage("*faults[0].kind*'explode'*drop, delay, nan, kill_sim, broker_down, corrupt_master*");
    }

    [Fact]
    public void Parse_RejectsFaultEndingAfterTheDuration()
    {
        var act = () => Parse(Valid.Replace("at_s: 1", "at_s: 2.9"));
        act.Should().Throw<ConfigException>().WithMessage("*faults[0] ends at 3.1 s, after duration_s = 3 s*");
    }

    [Fact]
    public void Parse_RejectsDelayWithoutDelayS()
    {
        var act = () => Parse(Valid.Replace("kind: drop", "kind: delay"));
        act.Should().Throw<ConfigException>().WithMessage("*faults[0].delay_s: missing*");
    }

    [Fact]
    public void Parse_RejectsAKeyThatDoesNotApplyToTheKind()
    {
        var act = () => Parse(Valid.Replace("duration_s: 0.2", "duration_s: 0.2\n    delay_s: 0.1"));
        act.Should().Throw<ConfigException>().WithMessage("*faults[0].delay_s does not apply to kind drop*");
    }

    [Fact]
    public void Parse_RejectsKillSimAgainstAnExternalRobot()
    {
        var yaml = "name: t\nlayout: layouts/train/maze-01.yaml\ntarget: external\nduration_s: 3\nfaults:\n  - kind: kill_sim\n    at_s: 1\n    restart_after_s: 1\ncriteria:\n  nodes_survive: true\n";
        var act = () => Parse(yaml);
        act.Should().Throw<ConfigException>().WithMessage("*kill_sim needs target: sim*");
    }

    [Fact]
    public void Parse_RejectsStartOnAWallCell()
    {
        var act = () => Parse(Valid + "\nstart: [1, 1]\n");
        act.Should().Throw<ConfigException>().WithMessage("*'start' [1, 1] is a wall cell of layout maze-01*");
    }

    [Fact]
    public void Parse_AcceptsStartOnAFreeCell_AsZeroBasedCell()
    {
        Parse(Valid + "\nstart: [2, 4]\n").Start.Should().Be(new Mlsh.Environments.Mazes.Cell(1, 3));
    }

    [Fact]
    public void Parse_RejectsEmptyCriteria()
    {
        var act = () => Parse("name: t\nlayout: layouts/train/maze-01.yaml\nduration_s: 3\ncriteria: {}\n");
        act.Should().Throw<ConfigException>().WithMessage("*'criteria' is empty*");
    }

    [Fact]
    public void Parse_RejectsMasterRejectedWithoutACorruptMasterFault()
    {
        var act = () => Parse(Valid.Replace("recovered: true", "master_rejected: true"));
        act.Should().Throw<ConfigException>().WithMessage("*master_rejected' needs a corrupt_master fault*");
    }

    [Fact]
    public void Parse_RejectsMissingLayoutFile()
    {
        var act = () => Parse(Valid.Replace("maze-01.yaml", "nope.yaml"));
        act.Should().Throw<ConfigException>().WithMessage("*'layout': file 'layouts/train/nope.yaml' not found*");
    }

    [Theory]
    [InlineData("duration_s: 3", "duration_s: 0", "'duration_s' is 0")]
    [InlineData("name: t", "name: Bad Name", "'name' is 'Bad Name'")]
    [InlineData("duration_s: 3", "duration_s: 3\ntiming: fast", "'timing' is 'fast'; expected one of lockstep, realtime")]
    public void Parse_RejectsBadTopLevelValues(string from, string to, string expected)
    {
        var act = () => Parse(Valid.Replace(from, to));
        act.Should().Throw<ConfigException>().Where(e => e.Message.Contains(expected));
    }

    private const string PushMaster = """
        name: t
        layout: layouts/field/loading-bay.yaml
        duration_s: 3
        faults:
          - kind: push_master
            at_s: 1
            master: models/quadruped-loading-bay
        criteria:
          master_swapped: true
        """;

    [Fact]
    public void Parse_PushMaster_ResolvesABundleDirectoryToItsMasterModel()
    {
        var s = Parse(PushMaster);
        var f = s.Faults.Should().ContainSingle().Which;
        f.Kind.Should().Be(FaultKind.PushMaster);
        f.MasterPath.Should().Be(Path.Combine(TestPaths.Root, "models", "quadruped-loading-bay", "master.onnx"));
        s.Criteria.MasterSwapped.Should().BeTrue();
        s.NeedsBroker.Should().BeTrue();
    }

    [Theory]
    [InlineData("    master: models/quadruped-loading-bay\n", "", "faults[0].master: missing")]
    [InlineData("models/quadruped-loading-bay", "models/robots", "has no master.onnx")]
    [InlineData("kind: push_master", "kind: corrupt_master", "faults[0].master does not apply to kind corrupt_master")]
    public void Parse_PushMaster_RejectsAMissingOrMisplacedMaster(string from, string to, string message)
    {
        var act = () => Parse(PushMaster.Replace(from, to));
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain(message);
    }

    [Fact]
    public void Parse_MasterSwappedWithoutAPush_IsRejected()
    {
        var act = () => Parse(Valid.Replace("  recovered: true", "  master_swapped: true"));
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("'criteria.master_swapped' needs a push_master event");
    }
}
