namespace Mlsh.Environments.Discrete;

/// <summary>
/// The <see cref="IVectorEnv"/> plumbing shared by the discrete-action families (<see cref="FourRoomsEnv"/>,
/// <see cref="MovementBanditsEnv"/>): the per-instance buffers, the pending task that takes effect at
/// <see cref="Reset"/>, and the end of an episode inside <see cref="Step"/> (final observation kept, next episode
/// started). A subclass supplies the dynamics: which tasks it accepts, how an instance starts an episode and how
/// all instances advance one step.
/// </summary>
/// <remarks>
/// DESIGN: a base class rather than a helper object, so the subclasses keep indexing the buffers as plain arrays in
/// their step loops (no extra indirection, nothing allocated per step). Single-threaded, like every IVectorEnv.
/// </remarks>
public abstract class DiscreteVectorEnv : IVectorEnv
{
    private protected readonly float[] _observations;
    private protected readonly float[] _finalObservations;
    private protected readonly int[] _actionIndices;
    private protected readonly float[] _rewards;
    private protected readonly bool[] _terminated;
    private protected readonly bool[] _truncated;
    private protected readonly bool[] _succeeded;
    private protected readonly float[] _positions;
    private protected readonly int[] _steps;
    private int _pendingTask;
    private bool _isReset;

    private protected DiscreteVectorEnv(string name, int count, int observationSize, int actionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Name = name;
        Count = count;
        ObservationSize = observationSize;
        ActionSpace = new ActionSpace(ActionKind.Discrete, actionCount);
        _observations = new float[count * observationSize];
        _finalObservations = new float[count * observationSize];
        _actionIndices = new int[count];
        _rewards = new float[count];
        _terminated = new bool[count];
        _truncated = new bool[count];
        _succeeded = new bool[count];
        _positions = new float[count * 2];
        _steps = new int[count];
    }

    public string Name { get; }
    public int Count { get; }
    public int ObservationSize { get; }
    public ActionSpace ActionSpace { get; }
    public ReadOnlySpan<float> Observations => _observations;
    public ReadOnlySpan<float> FinalObservations => _finalObservations;
    public Span<float> Actions => Span<float>.Empty;
    public Span<int> ActionIndices => _actionIndices;
    public ReadOnlySpan<float> Rewards => _rewards;
    public ReadOnlySpan<bool> Terminated => _terminated;
    public ReadOnlySpan<bool> Truncated => _truncated;
    public ReadOnlySpan<bool> Succeeded => _succeeded;
    public ReadOnlySpan<float> Positions => _positions;

    public int Task
    {
        get => _pendingTask;
        set
        {
            ValidateTask(value);
            _pendingTask = value;
        }
    }

    /// <summary>The task of the running episodes: <see cref="Task"/> as it was at the last <see cref="Reset"/>.</summary>
    private protected int RunningTask { get; private set; }

    public void Reset(ulong seed)
    {
        RunningTask = _pendingTask;
        Reseed(seed);
        for (var i = 0; i < Count; i++) StartEpisode(i);
        _rewards.AsSpan().Clear();
        _terminated.AsSpan().Clear();
        _truncated.AsSpan().Clear();
        _succeeded.AsSpan().Clear();
        _isReset = true;
    }

    public void Step()
    {
        if (!_isReset) throw new InvalidOperationException("call Reset(seed) before Step()");
        StepAll();
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> (naming the accepted tasks) for a task the family does not have.</summary>
    private protected abstract void ValidateTask(int value);

    /// <summary>Derives each instance's random stream from <paramref name="seed"/>; deterministic environments ignore it.</summary>
    private protected virtual void Reseed(ulong seed) { }

    /// <summary>Starts a new episode of <see cref="RunningTask"/> in instance <paramref name="i"/> and writes its first observation.</summary>
    private protected abstract void StartEpisode(int i);

    /// <summary>Advances every instance by one step from <see cref="ActionIndices"/>, calling <see cref="EndEpisode"/> where one ends.</summary>
    private protected abstract void StepAll();

    /// <summary>Keeps instance <paramref name="i"/>'s last observation in <see cref="FinalObservations"/> and starts its next episode.</summary>
    private protected void EndEpisode(int i)
    {
        var n = ObservationSize;
        _observations.AsSpan(i * n, n).CopyTo(_finalObservations.AsSpan(i * n));
        StartEpisode(i);
    }

    public void Dispose() { }
}
