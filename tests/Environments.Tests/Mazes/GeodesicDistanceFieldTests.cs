using Mlsh.Environments.Mazes;

namespace Mlsh.Environments.Tests.Mazes;

public class GeodesicDistanceFieldTests
{
    private static MazeLayout Maze(params string[] grid) =>
        MazeLayout.Parse("name: m\ncell_size: 2\ngrid: |\n" + string.Concat(grid.Select(g => "  " + g + "\n")), "m.yaml");

    [Fact]
    public void DistanceToGoal_EqualsCellDistanceTimesCellSize_AlongAStraightCorridor()
    {
        var m = Maze("#######", "#S...G#", "#######");
        var field = new GeodesicDistanceField(m);
        field.DistanceToGoal(0, 0).Should().BeApproximately(8.0, 0.05);
        field.DistanceToGoal(1, 0).Should().BeApproximately(7.0, 0.05);
        field.DistanceToGoal(4, 0.5).Should().BeApproximately(Math.Sqrt(16 + 0.25), 0.1);
    }

    [Fact]
    public void DistanceToGoal_IsZeroAtTheGoalCentre()
    {
        var m = Maze("#######", "#S...G#", "#######");
        var field = new GeodesicDistanceField(m);
        var (gx, gy) = m.Frame.CellCenter(m.Goal);
        field.DistanceToGoal(gx, gy).Should().Be(0);
    }

    [Fact]
    public void DistanceToGoal_CutsCornersButIsNeverShorterThanTheStraightLine()
    {
        var m = Maze("#####", "#S..#", "###.#", "#G..#", "#####");
        var field = new GeodesicDistanceField(m);
        var d = field.DistanceToGoal(0, 0);
        var (gx, gy) = m.Frame.CellCenter(m.Goal);
        d.Should().BeLessThan(m.Distances[m.Start] * m.CellSize);            // shorter than the cell-centre polyline
        d.Should().BeGreaterThan(Math.Sqrt(gx * gx + gy * gy) + 2.0);       // a wall is in the way of the straight line
    }

    [Fact]
    public void DistanceToGoal_HasNoJumps_AlongTheWholePathThroughCorners()
    {
        var m = Maze("#####", "#S..#", "###.#", "#G..#", "#####");
        var field = new GeodesicDistanceField(m);
        var path = m.Distances.PathToGoal(m.Start);
        const double step = 0.01;
        for (var i = 0; i + 1 < path.Count; i++)
        {
            var previous = double.NaN; // the side offset flips with the direction between segments
            var (x0, y0) = m.Frame.CellCenter(path[i]);
            var (x1, y1) = m.Frame.CellCenter(path[i + 1]);
            // Walk 0.4 m off the centre line to cross the sub-cell grid obliquely near walls.
            for (var t = 0.0; t < 1.0; t += step / m.CellSize)
            {
                var x = x0 + (x1 - x0) * t + 0.4 * (y1 - y0) / m.CellSize;
                var y = y0 + (y1 - y0) * t - 0.4 * (x1 - x0) / m.CellSize;
                var d = field.DistanceToGoal(x, y);
                double.IsFinite(d).Should().BeTrue();
                if (!double.IsNaN(previous)) Math.Abs(d - previous).Should().BeLessThan(0.05, $"at ({x:F2}, {y:F2})");
                previous = d;
            }
        }
    }

    [Fact]
    public void DistanceToGoal_IsFiniteInsideWallsAndOutsideTheGrid()
    {
        var m = Maze("#####", "#S..#", "###.#", "#G..#", "#####");
        var field = new GeodesicDistanceField(m);
        double.IsFinite(field.DistanceToGoal(0, -2)).Should().BeTrue();     // the wall cell below the start
        double.IsFinite(field.DistanceToGoal(-50, 50)).Should().BeTrue();
    }
}
