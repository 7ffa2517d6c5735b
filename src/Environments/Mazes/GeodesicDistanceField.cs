namespace Mlsh.Environments.Mazes;

/// <summary>
/// Shortest walking distance (metres) from any point of a maze's free space to the goal cell's centre,
/// smooth enough to reward progress every control cycle. Built once per layout; lookups are O(1), allocate
/// nothing and are thread-safe.
/// </summary>
/// <remarks>
/// Each cell is split into <see cref="Resolution"/>² sub-cells; the goal cell's sub-cells are seeded with
/// their exact straight-line distance to the goal centre and Dijkstra spreads outward over 8-connected free
/// sub-cells (a diagonal move only when both orthogonal neighbours are free, so paths never cut a wall
/// corner). A query interpolates bilinearly between the four surrounding free sub-cell centres.
/// DESIGN: the cell BFS alone ("cells to go" plus the offset inside the cell toward the next cell) jumps by
/// up to half a cell at corners, which the learner would exploit or be confused by; the sub-cell field is
/// continuous and agrees with the BFS at cell centres along straight corridors.
/// </remarks>
public sealed class GeodesicDistanceField
{
    public const int DefaultResolution = 8;

    private readonly double[] _d;
    private readonly int _nu, _nv;
    private readonly double _subcell;
    private readonly MazeFrame _frame;
    private readonly double _maxFinite;
    private readonly Cell _goal;
    private readonly (double X, double Y) _goalCenter;

    public int Resolution { get; }

    public GeodesicDistanceField(MazeLayout layout, int resolution = DefaultResolution)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(resolution, 1);
        Resolution = resolution;
        _frame = layout.Frame;
        _goal = layout.Goal;
        _goalCenter = layout.Frame.CellCenter(layout.Goal);
        _nu = layout.Columns * resolution;
        _nv = layout.Rows * resolution;
        _subcell = layout.CellSize / resolution;
        _d = new double[_nu * _nv];
        Array.Fill(_d, double.PositiveInfinity);

        bool Free(int u, int v) => u >= 0 && v >= 0 && u < _nu && v < _nv && !layout.IsWall(v / resolution, u / resolution);

        var queue = new PriorityQueue<int, double>();
        // Seed: exact Euclidean distance inside the (convex, free) goal cell.
        var g = layout.Goal;
        var goalU = (g.Column + 0.5) * resolution;
        var goalV = (g.Row + 0.5) * resolution;
        for (var v = g.Row * resolution; v < (g.Row + 1) * resolution; v++)
        {
            for (var u = g.Column * resolution; u < (g.Column + 1) * resolution; u++)
            {
                var du = u + 0.5 - goalU;
                var dv = v + 0.5 - goalV;
                var dist = Math.Sqrt(du * du + dv * dv) * _subcell;
                _d[v * _nu + u] = dist;
                queue.Enqueue(v * _nu + u, dist);
            }
        }
        var diagonal = Math.Sqrt(2) * _subcell;
        while (queue.TryDequeue(out var idx, out var dist))
        {
            if (dist > _d[idx]) continue;
            int u = idx % _nu, v = idx / _nu;
            for (var dv = -1; dv <= 1; dv++)
            {
                for (var du = -1; du <= 1; du++)
                {
                    if (du == 0 && dv == 0) continue;
                    int nu = u + du, nv = v + dv;
                    if (!Free(nu, nv)) continue;
                    if (du != 0 && dv != 0 && (!Free(u + du, v) || !Free(u, v + dv))) continue;
                    var nd = dist + (du != 0 && dv != 0 ? diagonal : _subcell);
                    var n = nv * _nu + nu;
                    if (nd < _d[n])
                    {
                        _d[n] = nd;
                        queue.Enqueue(n, nd);
                    }
                }
            }
        }
        _maxFinite = 0;
        foreach (var x in _d) if (double.IsFinite(x) && x > _maxFinite) _maxFinite = x;
    }

    /// <summary>Walking distance (m) from world point (x, y) to the goal centre. Points inside walls or
    /// outside the grid get the distance of an adjacent free sub-cell, or the field's maximum.</summary>
    public double DistanceToGoal(double x, double y)
    {
        // Inside the goal cell (convex and free) the straight line is the exact answer; interpolating
        // sub-cell values would leave a residue of ~0.7 sub-cell at the goal centre.
        if (_frame.CellAt(x, y) == _goal) return Math.Sqrt((x - _goalCenter.X) * (x - _goalCenter.X) + (y - _goalCenter.Y) * (y - _goalCenter.Y));
        var (col, row) = _frame.GridCoordinates(x, y);
        var fu = col * Resolution - 0.5;
        var fv = row * Resolution - 0.5;
        var u0 = (int)Math.Floor(fu);
        var v0 = (int)Math.Floor(fv);
        var au = fu - u0;
        var av = fv - v0;
        double sum = 0, weight = 0;
        Accumulate(u0, v0, (1 - au) * (1 - av), ref sum, ref weight);
        Accumulate(u0 + 1, v0, au * (1 - av), ref sum, ref weight);
        Accumulate(u0, v0 + 1, (1 - au) * av, ref sum, ref weight);
        Accumulate(u0 + 1, v0 + 1, au * av, ref sum, ref weight);
        if (weight > 1e-12) return sum / weight;
        // On a sub-cell line with only zero-weight free neighbours, or inside a wall: nearest free sub-cell.
        var best = double.PositiveInfinity;
        for (var dv = -1; dv <= 2; dv++)
            for (var du = -1; du <= 2; du++)
            {
                var d = At(u0 + du, v0 + dv);
                if (d < best) best = d;
            }
        return double.IsFinite(best) ? best : _maxFinite;
    }

    private void Accumulate(int u, int v, double w, ref double sum, ref double weight)
    {
        var d = At(u, v);
        if (!double.IsFinite(d)) return;
        sum += w * d;
        weight += w;
    }

    private double At(int u, int v) =>
        (uint)u < (uint)_nu && (uint)v < (uint)_nv ? _d[v * _nu + u] : double.PositiveInfinity;
}
