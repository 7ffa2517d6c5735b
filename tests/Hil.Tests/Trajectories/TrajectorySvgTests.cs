using System.Xml.Linq;
using Mlsh.Environments.Mazes;
using Mlsh.Hil.Trajectories;

namespace Mlsh.Hil.Tests.Trajectories;

public class TrajectorySvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static (MazeLayout Layout, Trajectory Path) Synthetic()
    {
        var layout = MazeLayout.Load(TestPaths.Maze01);
        var t = new Trajectory();
        // Along row 2 to the east with skill 0, down with skill 1, west with skill 2, east again with skill 0.
        var i = 0;
        for (var x = 0.0; x <= 3.0; x += 0.1) t.Add(i++ * 0.02, x, 0, 0);
        for (var y = 0.0; y >= -3.0; y -= 0.1) t.Add(i++ * 0.02, 3.0, y, 1);
        for (var x = 3.0; x >= 0.0; x -= 0.1) t.Add(i++ * 0.02, x, -3.0, 2);
        t.Add(i * 0.02, 0.2, -3.0, 0);
        t.AddMasterTick(0, 0, 0, 0);
        t.AddMasterTick(1, 3, 0, 1);
        t.AddMasterTick(2, 3, -3, 2);
        t.AddMasterTick(3, 0, -3, 0);
        return (layout, t);
    }

    [Fact]
    public void Render_IsWellFormedXml_WithOneWallRectPerWallCell()
    {
        var (layout, t) = Synthetic();
        var doc = XDocument.Parse(TrajectorySvg.Render(layout, t, "maze & <test>"));
        var walls = 0;
        for (var r = 0; r < layout.Rows; r++) for (var c = 0; c < layout.Columns; c++) if (layout.IsWall(r, c)) walls++;
        doc.Descendants(Svg + "rect").Count(e => (string?)e.Attribute("class") == "wall").Should().Be(walls);
        doc.Root!.Element(Svg + "title")!.Value.Should().Be("maze & <test>");
    }

    [Fact]
    public void Render_DrawsOnePolylinePerSkillRun_ColouredBySkill()
    {
        var (layout, t) = Synthetic();
        var doc = XDocument.Parse(TrajectorySvg.Render(layout, t, "x"));
        var lines = doc.Descendants(Svg + "polyline").ToArray();
        lines.Select(l => (string)l.Attribute("data-skill")!).Should().Equal("0", "1", "2", "0");
        lines.Select(l => (string)l.Attribute("stroke")!).Should().Equal(
            TrajectorySvg.Colour(0), TrajectorySvg.Colour(1), TrajectorySvg.Colour(2), TrajectorySvg.Colour(0));
        lines.Select(l => ((string)l.Attribute("points")!).Split(' ').Length).Sum()
            .Should().Be(t.Samples.Count + 3, "each run after the first repeats the previous run's last point");
    }

    [Fact]
    public void Render_MarksEveryMasterTick_AndListsEachSkillOnceInTheLegend()
    {
        var (layout, t) = Synthetic();
        var doc = XDocument.Parse(TrajectorySvg.Render(layout, t, "x", s => $"sub-policy {s}"));
        doc.Descendants(Svg + "path").Count(e => (string?)e.Attribute("class") == "master-tick").Should().Be(4);
        var legend = doc.Descendants(Svg + "g").Single(g => (string?)g.Attribute("class") == "legend");
        legend.Elements(Svg + "text").Select(e => e.Value).Should().Equal("sub-policy 0", "sub-policy 1", "sub-policy 2");
    }

    [Fact]
    public void Render_PlacesTheStartAtTheStartCellCentre_AndTheGoalAtTheGoalCell()
    {
        var (layout, t) = Synthetic();
        var doc = XDocument.Parse(TrajectorySvg.Render(layout, t, "x"));
        var start = doc.Descendants(Svg + "rect").Single(e => (string?)e.Attribute("class") == "start");
        var px = TrajectorySvg.CellPixels;
        ((double)start.Attribute("x")! + 8).Should().BeApproximately((layout.Start.Column + 0.5) * px, 0.1);
        ((double)start.Attribute("y")! + 8).Should().BeApproximately((layout.Start.Row + 0.5) * px, 0.1);
        var goal = doc.Descendants(Svg + "circle").Single(e => (string?)e.Attribute("class") == "goal");
        ((double)goal.Attribute("cx")!).Should().BeApproximately((layout.Goal.Column + 0.5) * px, 0.1);
        ((double)goal.Attribute("cy")!).Should().BeApproximately((layout.Goal.Row + 0.5) * px, 0.1);
    }

    [Fact]
    public void Write_CreatesTheFolderAndTheFile()
    {
        var (layout, t) = Synthetic();
        var dir = Directory.CreateTempSubdirectory("mlsh-svg-").FullName;
        try
        {
            var path = Path.Combine(dir, "a", "trajectory.svg");
            TrajectorySvg.Write(path, layout, t, "x");
            XDocument.Load(path).Root!.Name.Should().Be(Svg + "svg");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Render_SeveralRuns_DrawsEveryRun_AndACrossWhereARunFailed()
    {
        var (layout, reached) = Synthetic();
        var failed = new Trajectory { Failed = true };
        failed.Add(0, 0, 0, 1);
        failed.Add(0.02, 0.5, 0, 1);
        var doc = XDocument.Parse(TrajectorySvg.Render(layout, [reached, failed], "two runs"));
        var polylines = doc.Descendants(Svg + "polyline").ToList();
        polylines.Should().HaveCount(reached.SkillRuns().Count + 1);
        var crosses = doc.Descendants(Svg + "path").Where(e => (string?)e.Attribute("class") == "failed-end").ToList();
        crosses.Should().ContainSingle("only the second run failed");
    }
}
