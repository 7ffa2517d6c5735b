namespace Mlsh.NeuralNets;

/// <summary>
/// One contiguous float32 parameter buffer and one gradient buffer of the same shape, shared by every
/// layer of a model (policy network, value network, log-std), so that Adam, gradient clipping, the MPI
/// gradient allreduce and serialization each operate on a single span.
/// </summary>
/// <remarks>
/// Owns both arrays for its whole life; layers hold offsets into it, never copies. Layers reserve
/// their ranges in construction order, so the layout of <see cref="Parameters"/> is a pure function of
/// the model's shapes. Not thread-safe.
/// </remarks>
public sealed class ParameterStore
{
    private readonly float[] _parameters;
    private readonly float[] _gradients;
    private int _reserved;

    public ParameterStore(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _parameters = new float[count];
        _gradients = new float[count];
    }

    /// <summary>Total number of scalars.</summary>
    public int Count => _parameters.Length;

    /// <summary>Number of scalars already claimed by layers; equals <see cref="Count"/> once a model is built.</summary>
    public int Reserved => _reserved;

    /// <summary>All parameters, in reservation order.</summary>
    public Span<float> Parameters => _parameters;

    /// <summary>dLoss/dParameters, same layout; backward passes accumulate (+=) into it.</summary>
    public Span<float> Gradients => _gradients;

    public void ZeroGradients() => Array.Clear(_gradients);

    internal float[] ParameterArray => _parameters;
    internal float[] GradientArray => _gradients;

    /// <summary>Claims the next <paramref name="count"/> scalars and returns their offset.</summary>
    internal int Reserve(int count)
    {
        if (count < 0 || _reserved + count > _parameters.Length)
            throw new InvalidOperationException($"parameter store of {_parameters.Length} scalars cannot reserve {count} more (already {_reserved} reserved)");
        var offset = _reserved;
        _reserved += count;
        return offset;
    }
}
