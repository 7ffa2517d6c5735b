namespace Mlsh.Environments.Mazes;

/// <summary>
/// The one definition of maze world coordinates. World frame: MuJoCo's, Z up, metres; the origin is the
/// centre of the start cell (where odometry starts, as on a real robot switched on at the start);
/// +x runs along increasing column index (right in the grid text), +y along decreasing row index (up in
/// the grid text). Cell (r, c) is the square of side <see cref="CellSize"/> centred at
/// ((c − c_S)·s, (r_S − r)·s). The robot spawns at the origin facing +x. Immutable.
/// </summary>
public sealed class MazeFrame
{
    public double CellSize { get; }
    public Cell Start { get; }

    public MazeFrame(double cellSize, Cell start)
    {
        CellSize = cellSize;
        Start = start;
    }

    public (double X, double Y) CellCenter(Cell c) =>
        ((c.Column - Start.Column) * CellSize, (Start.Row - c.Row) * CellSize);

    /// <summary>The cell containing a world point (may lie outside the grid).</summary>
    public Cell CellAt(double x, double y) =>
        new((int)Math.Floor(Start.Row + 0.5 - y / CellSize), (int)Math.Floor(Start.Column + 0.5 + x / CellSize));

    /// <summary>Continuous grid coordinates: column then row, cell (r, c) spanning [c, c+1) × [r, r+1).</summary>
    public (double Column, double Row) GridCoordinates(double x, double y) =>
        (Start.Column + 0.5 + x / CellSize, Start.Row + 0.5 - y / CellSize);
}
