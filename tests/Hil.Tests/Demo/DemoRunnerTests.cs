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
}
