using Mlsh.Environments.Mazes;
using Mlsh.Hil.Running;

namespace Mlsh.Hil.Tests.Running;

public class LayoutWithStartTests
{
    [Fact]
    public void Yaml_MovesTheStart_KeepingWallsGoalAndSizes()
    {
        var original = MazeLayout.Load(TestPaths.Maze01);
        var moved = MazeLayout.Parse(LayoutWithStart.Yaml(original, new Cell(1, 3)), "moved");
        moved.Start.Should().Be(new Cell(1, 3));
        moved.Goal.Should().Be(original.Goal);
        moved.CellSize.Should().Be(original.CellSize);
        moved.GoalRadius.Should().Be(original.GoalRadius);
        for (var r = 0; r < original.Rows; r++)
            for (var c = 0; c < original.Columns; c++)
                moved.IsWall(r, c).Should().Be(original.IsWall(r, c));
        moved.Frame.CellCenter(new Cell(1, 3)).Should().Be((0.0, 0.0), "odometry starts at the new start cell");
    }
}
