using Mlsh.Environments.Mazes;

namespace Mlsh.Environments.Tests.Mazes;

public class MazeFrameTests
{
    private static readonly MazeLayout UTurn = MazeLayout.Parse(
        "name: u\ncell_size: 2\ngrid: |\n  #####\n  #S..#\n  ###.#\n  #G..#\n  #####\n", "u.yaml");

    [Fact]
    public void CellCenter_PutsTheStartAtTheOrigin_ColumnsAlongPlusX_RowsDownAlongMinusY()
    {
        var f = UTurn.Frame;
        f.CellCenter(UTurn.Start).Should().Be((0.0, 0.0));
        f.CellCenter(new Cell(1, 3)).Should().Be((4.0, 0.0));   // two columns right
        f.CellCenter(UTurn.Goal).Should().Be((0.0, -4.0));      // two rows down
    }

    [Theory]
    [InlineData(0.0, 0.0)]
    [InlineData(0.99, -0.99)]
    [InlineData(3.2, -2.5)]
    [InlineData(-0.5, -3.9)]
    public void CellAt_ReturnsTheCellWhoseSquareContainsThePoint(double x, double y)
    {
        var f = UTurn.Frame;
        var c = f.CellAt(x, y);
        var (cx, cy) = f.CellCenter(c);
        Math.Abs(x - cx).Should().BeLessThanOrEqualTo(1.0);
        Math.Abs(y - cy).Should().BeLessThanOrEqualTo(1.0);
    }
}
