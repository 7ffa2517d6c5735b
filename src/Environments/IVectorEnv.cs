namespace Mlsh.Environments;

public enum ActionKind
{
    /// <summary>Real-valued actions in [-1, 1] per dimension; the environment scales them.</summary>
    Continuous,
    /// <summary>One choice among <see cref="ActionSpace.Size"/>.</summary>
    Discrete,
}

/// <param name="Size">Number of action dimensions (continuous) or of choices (discrete).</param>
public readonly record struct ActionSpace(ActionKind Kind, int Size);

/// <summary>
/// K independent instances of one task stepped together in one process, as a learner sees them.
/// </summary>
/// <remarks>
/// Buffers are owned by the environment, allocated once, contiguous and row-major
/// ([env, feature]); the learner writes <see cref="Actions"/> or <see cref="ActionIndices"/> and
/// calls <see cref="Step"/>, which allocates nothing. An instance whose episode ended
/// (terminated or truncated) is reset inside <see cref="Step"/>: <see cref="Observations"/> then holds
/// the first observation of its next episode and <see cref="FinalObservations"/> the last one of the
/// episode that ended, for bootstrapping on truncation. Same seed → bit-identical trajectories.
/// Not thread-safe: one learner thread drives it.
/// </remarks>
public interface IVectorEnv : IDisposable
{
    string Name { get; }
    int Count { get; }
    int ObservationSize { get; }
    ActionSpace ActionSpace { get; }

    /// <summary>[Count × ObservationSize].</summary>
    ReadOnlySpan<float> Observations { get; }
    /// <summary>[Count × ObservationSize]; rows are meaningful only where the episode ended this step.</summary>
    ReadOnlySpan<float> FinalObservations { get; }
    /// <summary>[Count × ActionSpace.Size] for continuous actions; empty for discrete ones.</summary>
    Span<float> Actions { get; }
    /// <summary>[Count] for discrete actions; empty for continuous ones.</summary>
    Span<int> ActionIndices { get; }
    /// <summary>[Count]: reward of the last step.</summary>
    ReadOnlySpan<float> Rewards { get; }
    /// <summary>[Count]: the episode reached a terminal state (goal, fall): do not bootstrap.</summary>
    ReadOnlySpan<bool> Terminated { get; }
    /// <summary>[Count]: the episode was cut by its time limit: bootstrap from the final observation.</summary>
    ReadOnlySpan<bool> Truncated { get; }
    /// <summary>[Count]: the episode that ended this step reached its goal.</summary>
    ReadOnlySpan<bool> Succeeded { get; }
    /// <summary>[Count × 2]: planar position of each agent (metres, world frame), for skill-diversity
    /// statistics (which way did a sub-policy move the robot).</summary>
    ReadOnlySpan<float> Positions { get; }

    /// <summary>
    /// <see cref="Task"/> value: every episode of every instance draws its task uniformly from the family (a
    /// shared policy trained on the task distribution). Environments that cannot mix tasks reject it.
    /// </summary>
    const int EveryTaskAtRandom = -1;

    /// <summary>Which task of the family the instances run, or <see cref="EveryTaskAtRandom"/>; takes effect at the
    /// next <see cref="Reset"/>.</summary>
    int Task { get; set; }

    /// <summary>Reseeds every instance (instance i derives its stream from seed and i) and resets them.</summary>
    void Reset(ulong seed);

    /// <summary>Advances every instance by one agent step.</summary>
    void Step();
}

/// <summary>A distribution of tasks sharing observation and action spaces (mazes of one robot,
/// bandit goal placements…). MLSH samples tasks from it; a master is learned per task.</summary>
public interface ITaskFamily
{
    string Name { get; }
    int TaskCount { get; }
    string TaskName(int task);
    IVectorEnv CreateVectorEnv(int count);
}
