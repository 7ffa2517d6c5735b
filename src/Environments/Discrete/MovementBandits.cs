using Mlsh.Core.Randomness;

namespace Mlsh.Environments.Discrete;

/// <summary>Tunables of <see cref="MovementBanditsTaskFamily"/> (the defaults follow the MLSH paper's
/// task: 50-step episodes, a plane a few dozen agent steps across).</summary>
/// <param name="EpisodeSteps">Time limit in agent steps; the episode is truncated there.</param>
/// <param name="StepSize">Distance one move covers, in plane units (the plane is [-1, 1]²).</param>
/// <param name="GoalRadius">Reward 1 per step while the agent is closer than this to the rewarded goal.</param>
public sealed record MovementBanditsOptions(int EpisodeSteps = 50, float StepSize = 0.1f, float GoalRadius = 0.2f)
{
    internal void Validate()
    {
        if (EpisodeSteps < 1) throw new ArgumentOutOfRangeException(nameof(EpisodeSteps), EpisodeSteps, "episode_steps must be ≥ 1");
        if (!(StepSize > 0 && StepSize <= 2)) throw new ArgumentOutOfRangeException(nameof(StepSize), StepSize, "step_size must be in (0, 2]");
        if (!(GoalRadius > 0 && GoalRadius <= 2)) throw new ArgumentOutOfRangeException(nameof(GoalRadius), GoalRadius, "goal_radius must be in (0, 2]");
    }
}

/// <summary>
/// MovementBandits (MLSH paper, §6.1): an agent in the plane [-1, 1]² starts at the origin; two goal
/// points are placed uniformly at random each episode. The task (0 or 1) says which goal pays reward
/// 1 per step while the agent is within <see cref="MovementBanditsOptions.GoalRadius"/> of it. The
/// observation holds the agent's and both goals' positions but NOT which goal is rewarded, so a single
/// shared policy can only do as well as picking a goal at random, while a master that learns per task
/// which "go to goal" sub-policy to run gets the full reward.
/// </summary>
/// <remarks>Actions: 0 stay, 1 +x, 2 −x, 3 +y, 4 −y. Observation: [agent x, y, goal0 x, y, goal1 x, y].
/// Stateless and immutable: safe to share between threads; each created environment is single-threaded.</remarks>
public sealed class MovementBanditsTaskFamily : ITaskFamily
{
    public MovementBanditsTaskFamily(MovementBanditsOptions? options = null)
    {
        Options = options ?? new MovementBanditsOptions();
        Options.Validate();
    }

    public MovementBanditsOptions Options { get; }
    public string Name => "movement_bandits";
    public int TaskCount => 2;

    public string TaskName(int task) => task switch
    {
        0 => "goal-0",
        1 => "goal-1",
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "movement_bandits has tasks 0 and 1"),
    };

    public IVectorEnv CreateVectorEnv(int count) => new MovementBanditsEnv(count, Options);
}

/// <summary>The K-instance MovementBandits environment; see <see cref="MovementBanditsTaskFamily"/>.</summary>
public sealed class MovementBanditsEnv : DiscreteVectorEnv
{
    public const int ObservationLength = 6;
    public const int ActionCount = 5;

    private readonly MovementBanditsOptions _options;
    // Per instance: the two goals (x0, y0, x1, y1).
    private readonly float[] _goals;
    // Per instance: the rewarded goal of the running episode (all equal unless tasks are mixed).
    private readonly int[] _taskOf;
    private readonly Xoshiro256StarStar[] _rngs;

    public MovementBanditsEnv(int count, MovementBanditsOptions? options = null) : base("movement_bandits", count, ObservationLength, ActionCount)
    {
        _options = options ?? new MovementBanditsOptions();
        _options.Validate();
        _goals = new float[count * 4];
        _taskOf = new int[count];
        _rngs = new Xoshiro256StarStar[count];
    }

    private protected override void ValidateTask(int value)
    {
        if (value is not (0 or 1 or IVectorEnv.EveryTaskAtRandom))
            throw new ArgumentOutOfRangeException(nameof(value), value, "movement_bandits has tasks 0 and 1 (or EveryTaskAtRandom)");
    }

    /// <summary>The goal positions of instance <paramref name="i"/> (x0, y0, x1, y1), for tests and tools.</summary>
    public ReadOnlySpan<float> GoalsOf(int i) => _goals.AsSpan(i * 4, 4);

    /// <summary>The rewarded goal (task) of instance <paramref name="i"/>'s running episode.</summary>
    public int TaskOf(int i) => _taskOf[i];

    private protected override void Reseed(ulong seed)
    {
        for (var i = 0; i < Count; i++) _rngs[i] = Xoshiro256StarStar.ForStream(seed, (ulong)i);
    }

    private protected override void StepAll()
    {
        var step = _options.StepSize;
        var r2 = _options.GoalRadius * _options.GoalRadius;
        for (var i = 0; i < Count; i++)
        {
            var a = _actionIndices[i];
            ref var x = ref _positions[i * 2];
            ref var y = ref _positions[i * 2 + 1];
            switch (a)
            {
                case 0: break;
                case 1: x = MathF.Min(1f, x + step); break;
                case 2: x = MathF.Max(-1f, x - step); break;
                case 3: y = MathF.Min(1f, y + step); break;
                case 4: y = MathF.Max(-1f, y - step); break;
                default: throw new ArgumentOutOfRangeException(nameof(ActionIndices), a, $"instance {i}: action must be in [0, {ActionCount - 1}]");
            }
            var task = _taskOf[i];
            var gx = _goals[i * 4 + task * 2] - x;
            var gy = _goals[i * 4 + task * 2 + 1] - y;
            var inGoal = gx * gx + gy * gy < r2;
            _rewards[i] = inGoal ? 1f : 0f;
            _terminated[i] = false;
            var ended = ++_steps[i] >= _options.EpisodeSteps;
            _truncated[i] = ended;
            _succeeded[i] = ended && inGoal;
            WriteObservation(i, _observations);
            if (ended) EndEpisode(i);
        }
    }

    private protected override void StartEpisode(int i)
    {
        ref var rng = ref _rngs[i];
        for (var k = 0; k < 4; k++) _goals[i * 4 + k] = rng.NextSingle() * 2f - 1f;
        // Drawn after the goals, and only when mixing, so single-task trajectories stay what they were.
        _taskOf[i] = RunningTask == IVectorEnv.EveryTaskAtRandom ? (int)(rng.NextUInt64() >> 63) : RunningTask;
        _positions[i * 2] = 0f;
        _positions[i * 2 + 1] = 0f;
        _steps[i] = 0;
        WriteObservation(i, _observations);
    }

    private void WriteObservation(int i, float[] dst)
    {
        var o = dst.AsSpan(i * ObservationLength, ObservationLength);
        o[0] = _positions[i * 2];
        o[1] = _positions[i * 2 + 1];
        _goals.AsSpan(i * 4, 4).CopyTo(o[2..]);
    }
}
