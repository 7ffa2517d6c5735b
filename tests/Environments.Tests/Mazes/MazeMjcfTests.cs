using System.Globalization;
using System.Xml.Linq;
using Mlsh.Core.Configuration;
using Mlsh.Environments.Mazes;

namespace Mlsh.Environments.Tests.Mazes;

public class MazeMjcfTests
{
    private const string Robot = "<mujoco model=\"r\"><option timestep=\"0.01\"/><worldbody><body name=\"torso\"><freejoint/><geom type=\"sphere\" size=\"0.1\"/></body></worldbody></mujoco>";

    private static readonly MazeLayout UTurn = MazeLayout.Parse(
        "name: u\ncell_size: 2\ngrid: |\n  #####\n  #S..#\n  ###.#\n  #G..#\n  #####\n", "u.yaml");

    private static double[] Numbers(XElement e, string attr) =>
        ((string)e.Attribute(attr)!).Split(' ').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();

    [Fact]
    public void Compose_AddsOneBoxPerHorizontalWallRun_AndNoneOverFreeCells()
    {
        var doc = XDocument.Parse(MazeMjcf.Compose(Robot, "r.xml", UTurn, 0.002));
        var walls = doc.Descendants("geom").Where(g => ((string?)g.Attribute("name"))?.StartsWith(MazeMjcf.WallPrefix, StringComparison.Ordinal) == true).ToList();
        // Rows: "#####" (1 run), "#S..#" (2), "###.#" (2), "#G..#" (2), "#####" (1).
        walls.Should().HaveCount(8);
        foreach (var w in walls)
        {
            var p = Numbers(w, "pos");
            var s = Numbers(w, "size");
            foreach (var free in new[] { UTurn.Start, UTurn.Goal, new Cell(1, 2), new Cell(2, 3) })
            {
                var (fx, fy) = UTurn.Frame.CellCenter(free);
                var inside = Math.Abs(fx - p[0]) < s[0] && Math.Abs(fy - p[1]) < s[1];
                inside.Should().BeFalse($"wall {(string)w.Attribute("name")!} must not cover free cell {free}");
            }
            p[2].Should().Be(UTurn.WallHeight / 2);
        }
        walls.Should().Contain(w => (string)w.Attribute("name")! == "wall_r3_c1");
    }

    [Fact]
    public void Compose_WritesThePhysicsTimestep_AndLeavesTheRobotWhereItWasAuthored()
    {
        var doc = XDocument.Parse(MazeMjcf.Compose(Robot, "r.xml", UTurn, 0.002));
        ((string)doc.Root!.Element("option")!.Attribute("timestep")!).Should().Be("0.002");
        doc.Descendants("body").Single().Attribute("pos").Should().BeNull();
    }

    [Fact]
    public void Compose_RejectsARobotWithoutWorldbody()
    {
        var act = () => MazeMjcf.Compose("<mujoco/>", "r.xml", UTurn, 0.002);
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("r.xml").And.Contain("<worldbody>");
    }
}
