using System.Numerics.Tensors;
using Mlsh.NeuralNets.Kernels;

namespace Mlsh.NeuralNets.Layers;

/// <summary>
/// A multilayer perceptron (dense layers, a hidden activation, an output activation) over row-major
/// batches, with two independent paths: <see cref="Forward"/>/<see cref="Backward"/> for training
/// (activations cached for the backward pass) and <see cref="Infer"/> for acting, which never disturbs
/// the training cache.
/// </summary>
/// <remarks>
/// Parameters live in a <see cref="ParameterStore"/> (owned by this network or shared with sibling
/// networks of one model). Workspaces grow to the largest batch seen and are then reused, so after the
/// first call at the largest batch size no call allocates.
/// DESIGN: growing on demand rather than a fixed max batch keeps callers free of capacity bookkeeping;
/// the one-time growth happens during warm-up, never in a steady-state control or training loop.
/// Single-threaded and deterministic: same parameters and inputs give bit-identical outputs.
/// Not thread-safe.
/// </remarks>
public sealed class Mlp
{
    private readonly DenseLayer[] _layers;
    private readonly int _maxWidth;
    private readonly float[][] _activations; // training cache: output of each layer, [batch × out]
    private float[] _input = [];             // training cache: copy of the forward input
    private float[] _deltaA = [], _deltaB = [];
    private readonly float[][] _transposed;  // Wᵀ per layer, [out × in], refreshed in Backward
    private float[] _inferA = [], _inferB = [];
    private int _trainBatch;
    private int _trainCapacity;
    private int _inferCapacity;

    /// <summary>Builds the layers, reserving their parameters from <paramref name="store"/> in order
    /// (layer 0 W, layer 0 b, layer 1 W, …). Weights start at zero: call <see cref="Initialize"/>.</summary>
    public Mlp(ParameterStore store, int inputSize, IReadOnlyList<int> hiddenSizes, int outputSize,
        Activation hiddenActivation, Activation outputActivation = Activation.Identity)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(hiddenSizes);
        Store = store;
        _layers = new DenseLayer[hiddenSizes.Count + 1];
        var previous = inputSize;
        for (var l = 0; l < hiddenSizes.Count; l++)
        {
            _layers[l] = new DenseLayer(store, previous, hiddenSizes[l], hiddenActivation);
            previous = hiddenSizes[l];
        }
        _layers[^1] = new DenseLayer(store, previous, outputSize, outputActivation);
        _maxWidth = Math.Max(inputSize, _layers.Max(l => l.OutputSize));
        _activations = new float[_layers.Length][];
        _transposed = new float[_layers.Length][];
        for (var l = 0; l < _layers.Length; l++)
        {
            _activations[l] = [];
            _transposed[l] = new float[_layers[l].InputSize * _layers[l].OutputSize];
        }
        Layers = Array.AsReadOnly(_layers);
    }

    /// <summary>A network with its own store of exactly <see cref="ParameterCount"/> scalars.</summary>
    public Mlp(int inputSize, IReadOnlyList<int> hiddenSizes, int outputSize, Activation hiddenActivation,
        Activation outputActivation = Activation.Identity)
        : this(new ParameterStore(ParameterCount(inputSize, hiddenSizes, outputSize)), inputSize, hiddenSizes, outputSize, hiddenActivation, outputActivation)
    {
    }

    public static int ParameterCount(int inputSize, IReadOnlyList<int> hiddenSizes, int outputSize)
    {
        var total = 0;
        var previous = inputSize;
        foreach (var h in hiddenSizes)
        {
            total += DenseLayer.ParameterCount(previous, h);
            previous = h;
        }
        return total + DenseLayer.ParameterCount(previous, outputSize);
    }

    public ParameterStore Store { get; }
    public IReadOnlyList<DenseLayer> Layers { get; }
    public int InputSize => _layers[0].InputSize;
    public int OutputSize => _layers[^1].OutputSize;

    /// <summary>Draws every weight matrix with <paramref name="scheme"/> (hidden layers with
    /// <paramref name="hiddenGain"/>, the output layer with <paramref name="outputGain"/>) and zeroes the biases.</summary>
    public void Initialize(Initialization scheme, float hiddenGain, float outputGain, SeededRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        for (var l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            var gain = l == _layers.Length - 1 ? outputGain : hiddenGain;
            WeightInit.Fill(scheme, layer.MutableWeights, layer.InputSize, layer.OutputSize, gain, random);
            layer.MutableBias.Clear();
        }
    }

    /// <summary>
    /// Training forward pass over <paramref name="batch"/> rows; caches what <see cref="Backward"/> needs.
    /// The returned span ([batch × OutputSize]) is valid until the next Forward.
    /// </summary>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> input, int batch)
    {
        CheckInput(input, batch);
        EnsureTrainCapacity(batch);
        _trainBatch = batch;
        input[..(batch * InputSize)].CopyTo(_input);
        ReadOnlySpan<float> x = _input.AsSpan(0, batch * InputSize);
        for (var l = 0; l < _layers.Length; l++)
        {
            var y = _activations[l].AsSpan(0, batch * _layers[l].OutputSize);
            LayerForward(_layers[l], x, batch, y);
            x = y;
        }
        return x;
    }

    /// <summary>
    /// Backpropagates dLoss/dOutput ([batch × OutputSize], batch of the last <see cref="Forward"/>),
    /// ACCUMULATING parameter gradients into the store (zero them first with
    /// <see cref="ParameterStore.ZeroGradients"/>). Writes dLoss/dInput when <paramref name="inputGradient"/>
    /// is non-empty.
    /// </summary>
    public void Backward(ReadOnlySpan<float> outputGradient, Span<float> inputGradient = default)
    {
        var batch = _trainBatch;
        if (batch == 0) throw new InvalidOperationException("Backward called before Forward");
        if (outputGradient.Length < batch * OutputSize)
            throw new ArgumentException($"output gradient has {outputGradient.Length} elements, expected {batch} × {OutputSize}", nameof(outputGradient));
        if (!inputGradient.IsEmpty && inputGradient.Length < batch * InputSize)
            throw new ArgumentException($"input gradient has {inputGradient.Length} elements, expected {batch} × {InputSize}", nameof(inputGradient));

        var delta = _deltaA;
        var spare = _deltaB;
        outputGradient[..(batch * OutputSize)].CopyTo(delta);
        for (var l = _layers.Length - 1; l >= 0; l--)
        {
            var layer = _layers[l];
            var dz = delta.AsSpan(0, batch * layer.OutputSize);
            ActivationKernels.Backward(layer.Activation, _activations[l].AsSpan(0, dz.Length), dz);
            ReadOnlySpan<float> x = l == 0 ? _input.AsSpan(0, batch * InputSize) : _activations[l - 1].AsSpan(0, batch * layer.InputSize);
            AccumulateParameterGradients(layer, x, dz, batch);
            if (l == 0 && inputGradient.IsEmpty) break;
            var dx = l == 0 ? inputGradient[..(batch * InputSize)] : spare.AsSpan(0, batch * layer.InputSize);
            InputGradient(layer, _transposed[l], dz, batch, dx);
            (delta, spare) = (spare, delta);
        }
    }

    /// <summary>Inference over <paramref name="batch"/> rows into <paramref name="output"/>
    /// ([batch × OutputSize]); leaves the training cache untouched.</summary>
    public void Infer(ReadOnlySpan<float> input, int batch, Span<float> output)
    {
        CheckInput(input, batch);
        if (output.Length < batch * OutputSize)
            throw new ArgumentException($"output has {output.Length} elements, expected {batch} × {OutputSize}", nameof(output));
        if (batch > _inferCapacity)
        {
            _inferCapacity = batch;
            _inferA = new float[batch * _maxWidth];
            _inferB = new float[batch * _maxWidth];
        }
        ReadOnlySpan<float> x = input[..(batch * InputSize)];
        var ping = _inferA;
        var pong = _inferB;
        for (var l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            var y = l == _layers.Length - 1 ? output[..(batch * layer.OutputSize)] : ping.AsSpan(0, batch * layer.OutputSize);
            LayerForward(layer, x, batch, y);
            x = y;
            (ping, pong) = (pong, ping);
        }
    }

    private void CheckInput(ReadOnlySpan<float> input, int batch)
    {
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be at least 1");
        if (input.Length < batch * InputSize)
            throw new ArgumentException($"input has {input.Length} elements, expected {batch} × {InputSize}", nameof(input));
    }

    private void EnsureTrainCapacity(int batch)
    {
        if (batch <= _trainCapacity) return;
        _trainCapacity = batch;
        _input = new float[batch * InputSize];
        for (var l = 0; l < _layers.Length; l++) _activations[l] = new float[batch * _layers[l].OutputSize];
        _deltaA = new float[batch * _maxWidth];
        _deltaB = new float[batch * _maxWidth];
    }

    private static unsafe void LayerForward(DenseLayer layer, ReadOnlySpan<float> x, int batch, Span<float> y)
    {
        int n = layer.OutputSize, k = layer.InputSize;
        var bias = layer.Bias;
        // Seed each output row with the bias and let the GEMM accumulate on top: no separate pass.
        for (var r = 0; r < batch; r++) bias.CopyTo(y.Slice(r * n, n));
        fixed (float* px = x)
        fixed (float* pw = layer.Weights)
        fixed (float* py = y)
            Gemm.Multiply(batch, n, k, px, k, 1, pw, py, accumulate: true);
        ActivationKernels.Forward(layer.Activation, y);
    }

    private static unsafe void AccumulateParameterGradients(DenseLayer layer, ReadOnlySpan<float> x, ReadOnlySpan<float> dz, int batch)
    {
        int n = layer.OutputSize, k = layer.InputSize;
        // dW[in × out] += xᵀ·dz: A(i, p) = x[p, i] → row stride 1, column stride k.
        fixed (float* px = x)
        fixed (float* pdz = dz)
        fixed (float* pdw = layer.WeightGradients)
            Gemm.Multiply(k, n, batch, px, 1, k, pdz, pdw, accumulate: true);
        var db = layer.BiasGradients;
        for (var r = 0; r < batch; r++) TensorPrimitives.Add(db, dz.Slice(r * n, n), db);
    }

    private static unsafe void InputGradient(DenseLayer layer, float[] transposed, ReadOnlySpan<float> dz, int batch, Span<float> dx)
    {
        int n = layer.OutputSize, k = layer.InputSize;
        var w = layer.Weights;
        // Wᵀ [out × in] so that dx[batch × in] = dz[batch × out]·Wᵀ runs on the same row-major kernel.
        for (var i = 0; i < k; i++)
        {
            var row = w.Slice(i * n, n);
            for (var o = 0; o < n; o++) transposed[o * k + i] = row[o];
        }
        fixed (float* pdz = dz)
        fixed (float* pwt = transposed)
        fixed (float* pdx = dx)
            Gemm.Multiply(batch, k, n, pdz, n, 1, pwt, pdx, accumulate: false);
    }
}
