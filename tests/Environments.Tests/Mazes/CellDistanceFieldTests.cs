using Mlsh.Environments.Mazes;

namespace Mlsh.Environments.Tests.Mazes;

public class CellDistanceFieldTests
{
    private static readonly MazeLayout UTurn = MazeLayout.Parse(
        "name: u\ncell_size: 2\ngrid: |\n  #####\n  #S..#\n  ###.#\n  #G..#\n  #####\n", "u.yaml");

    [Fact]
    public void Distances_CountCellMovesAlongTheCorridorToTheGoal()
    {
        var d = UTurn.Distances;
        d[new Cell(3, 1)].Should().Be(0);
        d[new Cell(3, 2)].Should().Be(1);
        d[new Cell(3, 3)].Should().Be(2);
        d[new Cell(2, 3)].Should().Be(3);
        d[new Cell(1, 3)].Should().Be(4);
        d[new Cell(1, 2)].Should().Be(5);
        d[new Cell(1, 1)].Should().Be(6);
    }

    [Fact]
    public void Distances_AreUnreachableForWallsAndOutsideTheGrid()
    {
        UTurn.Distances[new Cell(2, 1)].Should().Be(CellDistanceField.Unreachable);
        UTurn.Distances[new Cell(-1, 0)].Should().Be(CellDistanceField.Unreachable);
        UTurn.Distances[new Cell(9, 9)].Should().Be(CellDistanceField.Unreachable);
    }

    [Fact]
    public void Distances_TakeTheShorterOfTwoRoutes()
    {
        var m = MazeLayout.Parse("name: l\ncell_size: 1\ngrid: |\n  ######\n  #....#\n  #.##G#\n  #S...#\n  ######\n", "l.yaml");
        m.Distances[m.Start].Should().Be(4); // east 3, north 1 beats north 2, east 3, south 1
    }

    [Fact]
    public void PathToGoal_ListsEveryCellFromStartToGoal()
    {
        var path = UTurn.Distances.PathToGoal(UTurn.Start);
        path.Should().Equal(new Cell(1, 1), new Cell(1, 2), new Cell(1, 3), new Cell(2, 3), new Cell(3, 3), new Cell(3, 2), new Cell(3, 1));
    }
}
