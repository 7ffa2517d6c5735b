namespace Mlsh.NeuralNets.Layers;

/// <summary>
/// y = f(x·W + b) for a batch of row vectors x[batch × <see cref="InputSize"/>].
/// </summary>
/// <remarks>
/// <see cref="Weights"/> is row-major [<see cref="InputSize"/> × <see cref="OutputSize"/>]
/// (W[i, o] at i·OutputSize + o): exactly ONNX Gemm's B with transB = 0, and the transpose of PyTorch's
/// nn.Linear.weight. Both spans are views into the owning network's <see cref="ParameterStore"/>; they stay
/// valid as long as the network does. Not thread-safe.
/// </remarks>
public sealed class DenseLayer
{
    private readonly ParameterStore _store;

    internal DenseLayer(ParameterStore store, int inputSize, int outputSize, Activation activation)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputSize, 1);
        _store = store;
        InputSize = inputSize;
        OutputSize = outputSize;
        Activation = activation;
        WeightOffset = store.Reserve(inputSize * outputSize);
        BiasOffset = store.Reserve(outputSize);
    }

    public int InputSize { get; }
    public int OutputSize { get; }
    public Activation Activation { get; }

    /// <summary>Offset of W in the owning store's Parameters/Gradients.</summary>
    public int WeightOffset { get; }
    /// <summary>Offset of b in the owning store's Parameters/Gradients.</summary>
    public int BiasOffset { get; }

    /// <summary>Row-major [InputSize × OutputSize].</summary>
    public ReadOnlySpan<float> Weights => _store.ParameterArray.AsSpan(WeightOffset, InputSize * OutputSize);
    /// <summary>[OutputSize].</summary>
    public ReadOnlySpan<float> Bias => _store.ParameterArray.AsSpan(BiasOffset, OutputSize);

    internal Span<float> MutableWeights => _store.ParameterArray.AsSpan(WeightOffset, InputSize * OutputSize);
    internal Span<float> MutableBias => _store.ParameterArray.AsSpan(BiasOffset, OutputSize);
    internal Span<float> WeightGradients => _store.GradientArray.AsSpan(WeightOffset, InputSize * OutputSize);
    internal Span<float> BiasGradients => _store.GradientArray.AsSpan(BiasOffset, OutputSize);

    public static int ParameterCount(int inputSize, int outputSize) => inputSize * outputSize + outputSize;
}
