using Mlsh.Core;
using Mlsh.Core.Configuration;
using Mlsh.Environments.Mazes;
using Mlsh.Environments.Robots;
using Mlsh.Environments.Tasks;
using Mlsh.MuJoCo;

namespace Mlsh.Environments.Tests.Tasks;

public class MazeTaskFamilyTests
{
    public static TheoryData<string, string> RobotsAndSplits() => new()
    {
        { "quadruped", "train" }, { "quadruped", "heldout" }, { "pointmass", "train" }, { "pointmass", "heldout" },
    };

    [Theory]
    [MemberData(nameof(RobotsAndSplits))]
    public void Create_CompilesEveryShippedLayout_WithWallsAroundTheRobot(string robot, string split)
    {
        var paths = MazeTaskFamily.ShippedLayouts(split);
        using var family = MazeTaskFamily.Create(robot, paths);
        family.TaskCount.Should().Be(paths.Count);
        foreach (var task in family.Tasks)
        {
            var walls = task.Model.Names(MjObjectType.Geom).Where(n => n.StartsWith(MazeMjcf.WallPrefix, StringComparison.Ordinal)).ToList();
            walls.Should().NotBeEmpty($"layout {task.Layout.Name} has walls");
            // Every wall cell is covered by exactly one box: the boxes' x-extent sums to the wall cell count.
            var wallCells = Enumerable.Range(0, task.Layout.Rows).Sum(r => Enumerable.Range(0, task.Layout.Columns).Count(c => task.Layout.IsWall(r, c)));
            var boxes = System.Xml.Linq.XDocument.Parse(task.Mjcf).Descendants("geom")
                .Where(g => ((string?)g.Attribute("name"))?.StartsWith(MazeMjcf.WallPrefix, StringComparison.Ordinal) == true)
                .Sum(g => Math.Round(2 * double.Parse(((string)g.Attribute("size")!).Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) / task.Layout.CellSize));
            boxes.Should().Be(wallCells);
            task.Model.Timestep.Should().Be(family.Robot.PhysicsDt);
            task.Model.Nu.Should().Be(family.Robot.ActionSize);
        }
    }

    [Fact]
    public void Create_NamesTasksAfterTheirLayouts()
    {
        var f = EnvFixtures.Quadruped;
        f.Name.Should().Be("maze-quadruped");
        f.TaskName(0).Should().Be("corridor-east");
        f.TaskName(1).Should().Be("maze-01");
        f.ObservationLayout.Size.Should().Be(37);
        EnvFixtures.PointMass.ObservationLayout.Size.Should().Be(15);
    }

    [Fact]
    public void Create_RejectsTwoLayoutsWithTheSameName()
    {
        var path = EnvFixtures.Layout("train/maze-01.yaml");
        var act = () => MazeTaskFamily.Create("pointmass", [path, path]);
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("two layouts are named 'maze-01'");
    }

    [Fact]
    public void Create_RejectsAnUnknownRobot()
    {
        var act = () => MazeTaskFamily.Create("biped", [EnvFixtures.Layout("train/maze-01.yaml")]);
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("unknown robot 'biped'");
    }

    [Fact]
    public void Create_RejectsARobotWhoseMotorRangeDisagreesWithItsTorqueLimit()
    {
        var dir = Directory.CreateTempSubdirectory("mlsh-robot-");
        try
        {
            var xml = File.ReadAllText(Path.Combine(MlshPaths.Models, "robots", "pointmass.xml")).Replace("ctrlrange=\"-10 10\"", "ctrlrange=\"-5 5\"");
            File.WriteAllText(Path.Combine(dir.FullName, "pointmass.xml"), xml);
            var yaml = File.ReadAllText(Path.Combine(MlshPaths.Models, "robots", "pointmass.yaml"));
            var robot = RobotConfig.Parse(yaml, Path.Combine(dir.FullName, "pointmass.yaml"));
            var act = () => MazeTaskFamily.Create(robot, [MazeLayout.Load(EnvFixtures.Layout("train/maze-01.yaml"))]);
            act.Should().Throw<ConfigException>().Which.Message.Should().Contain("pointmass.xml").And.Contain("ctrlrange [-5, 5]").And.Contain("torque_limit 10");
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void ShippedLayouts_RejectsAnUnknownSplit()
    {
        var act = () => MazeTaskFamily.ShippedLayouts("validation");
        act.Should().Throw<ConfigException>().Which.Message.Should().Contain("'validation'");
    }
}
