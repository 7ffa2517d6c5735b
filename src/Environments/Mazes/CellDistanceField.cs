namespace Mlsh.Environments.Mazes;

/// <summary>
/// Number of 4-connected cell moves from every free cell to the goal (breadth-first search from the
/// goal); <see cref="Unreachable"/> for walls and cut-off cells. Immutable after construction.
/// </summary>
public sealed class CellDistanceField
{
    public const int Unreachable = int.MaxValue;

    private readonly int[] _distance;
    private readonly int _rows, _columns;

    private CellDistanceField(int rows, int columns, int[] distance)
    {
        _rows = rows;
        _columns = columns;
        _distance = distance;
    }

    public int this[Cell c] =>
        (uint)c.Row < (uint)_rows && (uint)c.Column < (uint)_columns ? _distance[c.Row * _columns + c.Column] : Unreachable;

    public bool IsReachable(Cell c) => this[c] != Unreachable;

    internal static CellDistanceField FromGoal(MazeLayout layout)
    {
        var rows = layout.Rows;
        var columns = layout.Columns;
        var d = new int[rows * columns];
        Array.Fill(d, Unreachable);
        var queue = new Queue<Cell>();
        d[layout.Goal.Row * columns + layout.Goal.Column] = 0;
        queue.Enqueue(layout.Goal);
        while (queue.Count > 0)
        {
            var c = queue.Dequeue();
            var next = d[c.Row * columns + c.Column] + 1;
            foreach (var n in Neighbours(c))
            {
                if (layout.IsWall(n)) continue;
                ref var dn = ref d[n.Row * columns + n.Column];
                if (dn != Unreachable) continue;
                dn = next;
                queue.Enqueue(n);
            }
        }
        return new CellDistanceField(rows, columns, d);
    }

    /// <summary>The shortest cell path from <paramref name="from"/> to the goal (inclusive), or empty if
    /// unreachable. Ties go to the first neighbour in east, north, west, south order.</summary>
    public IReadOnlyList<Cell> PathToGoal(Cell from)
    {
        var path = new List<Cell>();
        if (!IsReachable(from)) return path;
        var c = from;
        path.Add(c);
        while (this[c] > 0)
        {
            foreach (var n in Neighbours(c))
            {
                if (this[n] == this[c] - 1)
                {
                    c = n;
                    break;
                }
            }
            path.Add(c);
        }
        return path;
    }

    private static IEnumerable<Cell> Neighbours(Cell c)
    {
        yield return c with { Column = c.Column + 1 };
        yield return c with { Row = c.Row - 1 };
        yield return c with { Column = c.Column - 1 };
        yield return c with { Row = c.Row + 1 };
    }
}
