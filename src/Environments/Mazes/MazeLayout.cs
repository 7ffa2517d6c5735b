using Mlsh.Core.Configuration;

namespace Mlsh.Environments.Mazes;

/// <summary>A grid cell, zero-based (row 0 is the first line of the grid text).</summary>
public readonly record struct Cell(int Row, int Column)
{
    /// <summary>1-based "row r, column c" as an editor shows it, for error messages.</summary>
    public override string ToString() => $"row {Row + 1}, column {Column + 1}";
}

/// <summary>
/// A validated maze: walls, start, goal and episode settings, parsed from a layout YAML file.
/// Immutable; share freely between threads and environments.
/// </summary>
/// <remarks>
/// File schema (other tools write these files):
/// <code>
/// name: maze-01
/// cell_size: 2.0          # metres per grid cell
/// grid: |                 # '#' wall, '.' free, 'S' start (exactly one), 'G' goal (exactly one)
///   #####
///   #S..#
///   ###.#
///   #G..#
///   #####
/// time_limit: 30          # optional, seconds of simulated time per episode (default 30)
/// goal_radius: 0.4        # optional, metres from the goal cell centre that count as success (default 0.3 × cell_size)
/// wall_height: 0.5        # optional, metres (default 0.5)
/// </code>
/// A bad layout throws <see cref="ConfigException"/> naming the file and, for grid errors, the 1-based
/// row and column. World coordinates of cells are defined once in <see cref="MazeFrame"/>.
/// </remarks>
public sealed class MazeLayout
{
    public const double DefaultTimeLimit = 30.0;
    public const double DefaultGoalRadiusFraction = 0.3;
    public const double DefaultWallHeight = 0.5;

    private readonly bool[] _walls;

    public string Name { get; }
    /// <summary>Where the layout came from (a path, or a label for in-memory text).</summary>
    public string Source { get; }
    public double CellSize { get; }
    public int Rows { get; }
    public int Columns { get; }
    public Cell Start { get; }
    public Cell Goal { get; }
    public double TimeLimit { get; }
    public double GoalRadius { get; }
    public double WallHeight { get; }
    /// <summary>Shortest-path cell distances to the goal (4-connected BFS).</summary>
    public CellDistanceField Distances { get; }
    public MazeFrame Frame { get; }

    private MazeLayout(string name, string source, double cellSize, int rows, int columns, bool[] walls,
                       Cell start, Cell goal, double timeLimit, double goalRadius, double wallHeight)
    {
        Name = name;
        Source = source;
        CellSize = cellSize;
        Rows = rows;
        Columns = columns;
        _walls = walls;
        Start = start;
        Goal = goal;
        TimeLimit = timeLimit;
        GoalRadius = goalRadius;
        WallHeight = wallHeight;
        Frame = new MazeFrame(cellSize, start);
        Distances = CellDistanceField.FromGoal(this);
    }

    public bool IsWall(int row, int column) =>
        (uint)row >= (uint)Rows || (uint)column >= (uint)Columns || _walls[row * Columns + column];

    public bool IsWall(Cell c) => IsWall(c.Row, c.Column);

    /// <summary>Where a path follower at world (x, y) should head: the centre of the next cell along the
    /// shortest path, or the goal centre once in the goal cell (or when off the reachable grid).</summary>
    public (double X, double Y) NextWaypoint(double x, double y)
    {
        var cell = Frame.CellAt(x, y);
        var d = Distances;
        if (!d.IsReachable(cell) || d[cell] == 0) return Frame.CellCenter(Goal);
        Span<Cell> neighbours =
        [
            cell with { Column = cell.Column + 1 }, cell with { Row = cell.Row - 1 },
            cell with { Column = cell.Column - 1 }, cell with { Row = cell.Row + 1 },
        ];
        foreach (var n in neighbours)
            if (d[n] == d[cell] - 1) return Frame.CellCenter(n);
        return Frame.CellCenter(Goal);
    }

    public static MazeLayout Load(string path)
    {
        var file = StrictYaml.LoadFile<MazeLayoutFile>(path);
        return FromFile(file, path);
    }

    public static MazeLayout Parse(string yaml, string source = "<layout>")
    {
        var file = StrictYaml.Parse<MazeLayoutFile>(yaml, source);
        return FromFile(file, source);
    }

    private static MazeLayout FromFile(MazeLayoutFile f, string source)
    {
        ConfigException Error(string message) => new(message, source);

        if (string.IsNullOrWhiteSpace(f.Name)) throw Error("missing key 'name'");
        if (f.CellSize is null) throw Error("missing key 'cell_size' (metres per grid cell)");
        if (f.Grid is null) throw Error("missing key 'grid'");
        var cellSize = f.CellSize.Value;
        if (!double.IsFinite(cellSize) || cellSize <= 0) throw Error($"'cell_size' must be a positive number of metres, got {cellSize}");
        var timeLimit = f.TimeLimit ?? DefaultTimeLimit;
        if (!double.IsFinite(timeLimit) || timeLimit <= 0) throw Error($"'time_limit' must be a positive number of seconds, got {timeLimit}");
        var goalRadius = f.GoalRadius ?? DefaultGoalRadiusFraction * cellSize;
        if (!double.IsFinite(goalRadius) || goalRadius <= 0 || goalRadius > cellSize / 2)
            throw Error($"'goal_radius' must be in (0, cell_size/2 = {cellSize / 2}] metres, got {goalRadius}");
        var wallHeight = f.WallHeight ?? DefaultWallHeight;
        if (!double.IsFinite(wallHeight) || wallHeight <= 0) throw Error($"'wall_height' must be a positive number of metres, got {wallHeight}");

        var lines = f.Grid.Replace("\r", "", StringComparison.Ordinal).Split('\n').ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0) throw Error("'grid' is empty");
        var columns = lines[0].Length;
        var rows = lines.Count;

        // Characters first (an unknown character usually explains a ragged row too).
        for (var r = 0; r < rows; r++)
        {
            var line = lines[r];
            for (var c = 0; c < line.Length; c++)
            {
                var ch = line[c];
                if (ch is not ('#' or '.' or 'S' or 'G'))
                    throw Error($"grid {new Cell(r, c)}: unknown character '{Printable(ch)}'; allowed: '#' wall, '.' free, 'S' start, 'G' goal");
            }
        }
        for (var r = 0; r < rows; r++)
        {
            if (lines[r].Length != columns)
                throw Error($"grid row {r + 1}, column {Math.Min(lines[r].Length, columns) + 1}: ragged row: row {r + 1} has {lines[r].Length} columns, row 1 has {columns}");
        }
        if (rows < 3 || columns < 3) throw Error($"grid is {rows}x{columns}; it needs at least 3x3 (a free cell surrounded by walls)");

        var walls = new bool[rows * columns];
        Cell? start = null, goal = null;
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var ch = lines[r][c];
                var cell = new Cell(r, c);
                walls[r * columns + c] = ch == '#';
                var onBorder = r == 0 || c == 0 || r == rows - 1 || c == columns - 1;
                switch (ch)
                {
                    case 'S':
                        if (start is { } s0) throw Error($"grid {cell}: second start 'S' (the first is at {s0}); exactly one is allowed");
                        if (onBorder) throw Error($"grid {cell}: start 'S' is in the outer wall; the border must be all '#'");
                        start = cell;
                        break;
                    case 'G':
                        if (goal is { } g0) throw Error($"grid {cell}: second goal 'G' (the first is at {g0}); exactly one is allowed");
                        if (onBorder) throw Error($"grid {cell}: goal 'G' is in the outer wall; the border must be all '#'");
                        goal = cell;
                        break;
                    case '.':
                        if (onBorder) throw Error($"grid {cell}: open border: free cell '.' on the edge of the maze; the border must be all '#'");
                        break;
                }
            }
        }
        if (start is null) throw Error("grid has no start 'S'; exactly one is required");
        if (goal is null) throw Error("grid has no goal 'G'; exactly one is required");

        var layout = new MazeLayout(f.Name, source, cellSize, rows, columns, walls, start.Value, goal.Value, timeLimit, goalRadius, wallHeight);
        if (!layout.Distances.IsReachable(layout.Start))
            throw Error($"grid {layout.Goal}: unreachable goal: no 4-connected path of free cells leads from the start at {layout.Start} to the goal");
        return layout;
    }

    private static string Printable(char ch) => ch switch
    {
        ' ' => "space",
        '\t' => "tab",
        _ when char.IsControl(ch) => $"U+{(int)ch:X4}",
        _ => ch.ToString(),
    };
}

// YAML shape of layouts/**/*.yaml (snake_case keys via StrictYaml); nullable so missing keys are named.
internal sealed class MazeLayoutFile
{
    public string? Name { get; set; }
    public double? CellSize { get; set; }
    public string? Grid { get; set; }
    public double? TimeLimit { get; set; }
    public double? GoalRadius { get; set; }
    public double? WallHeight { get; set; }
}
