using System.Text.Json;
using System.Xml.Linq;
using Mlsh.Hil.Demo;

namespace Mlsh.Hil.Tests.Demo;

public class DemoRunnerTests
{
    [Fact]
    public void ScriptedRun_WritesTrajectorySvgAndReport_ThatAgreeWithTheResult()
    {
        var dir = Directory.CreateTempSubdirectory("mlsh-demo-").FullName;
        try
        {
            var r = DemoRunner.Run(new DemoOptions
            {
                RepositoryRoot = TestPaths.Root,
                LayoutPath = TestPaths.Maze01,
                ModelsDir = Path.Combine(dir, "no-models"),
                CliCommand = ["unused"],
                Controller = DemoController.Scripted,
                OutputDirectory = dir,
                Log = TextWriter.Null,
            });
            r.Controller.Should().Be("scripted");
            r.SimTimeS.Should().BeGreaterThan(0);
            var svg = XDocument.Load(Path.Combine(dir, "trajectory.svg"));
            XNamespace ns = "http://www.w3.org/2000/svg";
            var points = svg.Descendants(ns + "polyline").Single().Attribute("points")!.Value.Split(' ');
            points.Length.Should().BeGreaterThan(10);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "report.json")));
            json.RootElement.GetProperty("reached_goal").GetBoolean().Should().Be(r.ReachedGoal);
            json.RootElement.GetProperty("layout").GetString().Should().Be("maze-01");
            json.RootElement.GetProperty("final_path_distance_m").GetDouble().Should().BeApproximately(r.FinalPathDistanceM, 1e-9);
            DemoRunner.Summary(r).Should().Contain(r.ReachedGoal ? "reached the goal" : "did NOT reach the goal");
        }
        finally { Directory.Delete(dir, true); }
    }
    [Fact]
    public void PolicyRun_InLockstep_RuntimeFollowsTheClockOneCyclePerControlPeriod_WithoutMissesOrSkippedPeriods()
    {
        var dll = Path.Combine(TestPaths.Root, "artifacts", "bin", "Cli", "release", "mlsh.dll");
        File.Exists(dll).Should().BeTrue($"the demo starts the real nodes through the CLI; build it first (dotnet build src/Cli -c Release): {dll} is missing");
        var dir = Directory.CreateTempSubdirectory("mlsh-demo-policy-").FullName;
        var log = new StringWriter();
        try
        {
            var r = DemoRunner.Run(new DemoOptions
            {
                RepositoryRoot = TestPaths.Root,
                LayoutPath = TestPaths.Maze01,
                ModelsDir = Path.Combine(TestPaths.Root, "models", "quadruped"),
                CliCommand = ["dotnet", dll],
                Controller = DemoController.Policy,
                Lockstep = true,
                TimeLimitS = 2,
                DomainId = TestDomains.Next(),
                OutputDirectory = dir,
                Log = TextWriter.Synchronized(log),
                StartupTimeout = TimeSpan.FromSeconds(90),
            });
            var why = DemoRunner.Summary(r) + "\n" + log;
            r.NodeFailures.Should().BeEmpty(why);
            r.StopReason.Should().BeOneOf(["time limit", "goal reached"], why);
            var c = r.ControlLoop!;
            c.Should().NotBeNull(why);
            c["time_source"].Should().Be("sim", why);
            // Before the lockstep pairing the simulator stepped 10 control periods per command: 9 of every 10
            // deadlines passed on /clock without a cycle (counted then as thousands of "deadline misses").
            c["clock_skipped_cycles"].Should().Be("0", why);
            c["deadline_misses"].Should().Be("0", why);
            // Diagnostics come at 1 Hz of wall time and on mode changes; a 2 s lockstep run may end before the next
            // periodic one, but the takeover from the initial safe mode (after recovery_cycles = 50) is always reported.
            long.Parse(c["cycles"], System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(50, why);
            c["mode"].Should().Be("Policy", why);
            c["safe_mode_entries"].Should().Be("0", "the runtime never fell back to safe mode: " + why);
        }
        finally { Directory.Delete(dir, true); }
    }
}
