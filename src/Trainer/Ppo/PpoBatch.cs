namespace Mlsh.Trainer.Ppo;

/// <summary>
/// Flat storage of rollout rows for one network's PPO update: raw observations, the actions taken
/// (Gaussian: the unclipped sample; categorical: the index as a float), their log-probabilities under the
/// acting policy, value predictions, and the advantages/returns from <see cref="Gae"/>.
/// </summary>
/// <remarks>
/// Allocated once for <see cref="Capacity"/> rows; the caller fills the spans and sets <see cref="Count"/>.
/// Row order is free (time-major is typical). Not thread-safe.
/// </remarks>
public sealed class PpoBatch
{
    private readonly float[] _observations, _actions, _logProbs, _values, _advantages, _returns;
    private int _count;

    public PpoBatch(int capacity, int observationSize, int actionWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(observationSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(actionWidth, 1);
        Capacity = capacity;
        ObservationSize = observationSize;
        ActionWidth = actionWidth;
        _observations = new float[capacity * observationSize];
        _actions = new float[capacity * actionWidth];
        _logProbs = new float[capacity];
        _values = new float[capacity];
        _advantages = new float[capacity];
        _returns = new float[capacity];
    }

    public int Capacity { get; }
    public int ObservationSize { get; }
    public int ActionWidth { get; }

    /// <summary>Rows in use (0…Capacity).</summary>
    public int Count
    {
        get => _count;
        set
        {
            if (value < 0 || value > Capacity) throw new ArgumentOutOfRangeException(nameof(Count), value, $"count must be in [0, {Capacity}]");
            _count = value;
        }
    }

    /// <summary>[Capacity × ObservationSize], raw (unnormalized).</summary>
    public Span<float> Observations => _observations;
    /// <summary>[Capacity × ActionWidth].</summary>
    public Span<float> Actions => _actions;
    /// <summary>[Capacity]: log π_old(a|s) at collection time.</summary>
    public Span<float> LogProbs => _logProbs;
    /// <summary>[Capacity]: V_old(s) at collection time.</summary>
    public Span<float> Values => _values;
    /// <summary>[Capacity]: GAE advantages.</summary>
    public Span<float> Advantages => _advantages;
    /// <summary>[Capacity]: value targets (advantage + value).</summary>
    public Span<float> Returns => _returns;
}
