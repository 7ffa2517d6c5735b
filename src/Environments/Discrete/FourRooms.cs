namespace Mlsh.Environments.Discrete;

/// <summary>Tunables of <see cref="FourRoomsTaskFamily"/>.</summary>
/// <param name="EpisodeSteps">Time limit in agent steps; the episode is truncated there.</param>
public sealed record FourRoomsOptions(int EpisodeSteps = 100)
{
    internal void Validate()
    {
        if (EpisodeSteps < 1) throw new ArgumentOutOfRangeException(nameof(EpisodeSteps), EpisodeSteps, "episode_steps must be ≥ 1");
    }
}

/// <summary>
/// Sutton's four-rooms grid world (13×13 with walls, 104 free cells, four doorways) as used in the
/// MLSH paper. Each task is a fixed (start, goal) pair; reaching the goal pays 1 and terminates.
/// </summary>
/// <remarks>
/// DESIGN: the original MLSH implementation re-drew the start (and, through a shared RNG, sometimes
/// the goal) per episode, so a "task" was not a fixed problem and the per-task master could not learn
/// it. Here start and goal are constants of the task, and the dynamics are deterministic.
/// Actions: 0 up (row − 1), 1 down, 2 left, 3 right; moving into a wall leaves the agent in place.
/// Observation: one-hot over the free cells (row-major order). Positions: x = column, y = 12 − row
/// (cell units, y up). Immutable and thread-safe; each created environment is single-threaded.
/// </remarks>
public sealed class FourRoomsTaskFamily : ITaskFamily
{
    /// <summary>The map: '#' wall, '.' free.</summary>
    public static readonly string[] Map =
    [
        "#############",
        "#.....#.....#",
        "#.....#.....#",
        "#...........#",
        "#.....#.....#",
        "#.....#.....#",
        "##.####.....#",
        "#.....###.###",
        "#.....#.....#",
        "#.....#.....#",
        "#...........#",
        "#.....#.....#",
        "#############",
    ];

    /// <summary>The tasks as ((start row, column), (goal row, column)): corners of different rooms,
    /// so each needs one to three doorways.</summary>
    public static readonly ((int Row, int Col) Start, (int Row, int Col) Goal)[] Tasks =
    [
        ((1, 1), (11, 11)),
        ((1, 1), (1, 11)),
        ((1, 1), (11, 1)),
        ((11, 11), (1, 1)),
        ((1, 11), (11, 1)),
        ((11, 1), (1, 11)),
        ((5, 5), (8, 7)),
        ((9, 3), (2, 9)),
    ];

    public FourRoomsTaskFamily(FourRoomsOptions? options = null)
    {
        Options = options ?? new FourRoomsOptions();
        Options.Validate();
    }

    public FourRoomsOptions Options { get; }
    public string Name => "four_rooms";
    public int TaskCount => Tasks.Length;

    public string TaskName(int task)
    {
        if ((uint)task >= (uint)Tasks.Length) throw new ArgumentOutOfRangeException(nameof(task), task, $"four_rooms has tasks 0..{Tasks.Length - 1}");
        var (s, g) = Tasks[task];
        return $"r{s.Row}c{s.Col}-to-r{g.Row}c{g.Col}";
    }

    public IVectorEnv CreateVectorEnv(int count) => new FourRoomsEnv(count, Options);
}

/// <summary>The K-instance four-rooms environment; see <see cref="FourRoomsTaskFamily"/>.</summary>
public sealed class FourRoomsEnv : DiscreteVectorEnv
{
    private const int Size = 13;
    private static readonly int[] CellToFree = BuildCellIndex(out FreeCellCount);
    /// <summary>Number of free cells = observation length.</summary>
    public static readonly int FreeCellCount;

    private readonly FourRoomsOptions _options;
    private readonly int[] _cells; // row * Size + col of each agent

    public FourRoomsEnv(int count, FourRoomsOptions? options = null) : base("four_rooms", count, FreeCellCount, actionCount: 4)
    {
        _options = options ?? new FourRoomsOptions();
        _options.Validate();
        _cells = new int[count];
    }

    private protected override void ValidateTask(int value)
    {
        if ((uint)value >= (uint)FourRoomsTaskFamily.Tasks.Length)
            throw new ArgumentOutOfRangeException(nameof(value), value, $"four_rooms has tasks 0..{FourRoomsTaskFamily.Tasks.Length - 1}");
    }

    /// <summary>The agent's (row, column) in instance <paramref name="i"/>.</summary>
    public (int Row, int Col) CellOf(int i) => (_cells[i] / Size, _cells[i] % Size);

    // The dynamics are deterministic: Reset's seed is accepted for the contract and ignored (no Reseed).

    private protected override void StepAll()
    {
        var (goalRow, goalCol) = FourRoomsTaskFamily.Tasks[RunningTask].Goal;
        var goal = goalRow * Size + goalCol;
        for (var i = 0; i < Count; i++)
        {
            var a = _actionIndices[i];
            var cell = _cells[i];
            var next = a switch
            {
                0 => cell - Size,
                1 => cell + Size,
                2 => cell - 1,
                3 => cell + 1,
                _ => throw new ArgumentOutOfRangeException(nameof(ActionIndices), a, $"instance {i}: action must be in [0, 3]"),
            };
            if (CellToFree[next] >= 0) cell = next;
            SetCell(i, cell);
            var reached = cell == goal;
            var timeUp = ++_steps[i] >= _options.EpisodeSteps;
            _rewards[i] = reached ? 1f : 0f;
            _terminated[i] = reached;
            _truncated[i] = !reached && timeUp;
            _succeeded[i] = reached;
            if (reached || timeUp) EndEpisode(i);
        }
    }

    private protected override void StartEpisode(int i)
    {
        var (row, col) = FourRoomsTaskFamily.Tasks[RunningTask].Start;
        _steps[i] = 0;
        _observations.AsSpan(i * FreeCellCount, FreeCellCount).Clear();
        _cells[i] = -1;
        SetCell(i, row * Size + col);
    }

    private void SetCell(int i, int cell)
    {
        var o = _observations.AsSpan(i * FreeCellCount, FreeCellCount);
        if (_cells[i] >= 0) o[CellToFree[_cells[i]]] = 0f;
        o[CellToFree[cell]] = 1f;
        _cells[i] = cell;
        _positions[i * 2] = cell % Size;
        _positions[i * 2 + 1] = Size - 1 - cell / Size;
    }

    private static int[] BuildCellIndex(out int free)
    {
        var index = new int[Size * Size];
        free = 0;
        for (var r = 0; r < Size; r++)
            for (var c = 0; c < Size; c++)
                index[r * Size + c] = FourRoomsTaskFamily.Map[r][c] == '.' ? free++ : -1;
        return index;
    }
}
