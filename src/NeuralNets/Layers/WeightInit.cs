namespace Mlsh.NeuralNets.Layers;

/// <summary>Weight initializers for a row-major [in × out] matrix; deterministic for a given stream.</summary>
internal static class WeightInit
{
    public static void Fill(Initialization scheme, Span<float> weights, int inputSize, int outputSize, float gain, SeededRandom random)
    {
        switch (scheme)
        {
            case Initialization.Orthogonal: Orthogonal(weights, inputSize, outputSize, gain, random); break;
            case Initialization.NormalizedColumns: NormalizedColumns(weights, inputSize, outputSize, gain, random); break;
            default: throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "unknown initialization");
        }
    }

    /// <summary>
    /// Semi-orthogonal W·gain: the smaller of its two dimensions gets orthonormal vectors (columns when
    /// in ≥ out, rows otherwise), obtained by modified Gram–Schmidt in double on a Gaussian draw.
    /// </summary>
    private static void Orthogonal(Span<float> w, int inputSize, int outputSize, float gain, SeededRandom random)
    {
        var length = Math.Max(inputSize, outputSize);
        var count = Math.Min(inputSize, outputSize);
        var v = new double[count * length];
        for (var i = 0; i < v.Length; i++) v[i] = random.NextGaussian();
        for (var a = 0; a < count; a++)
        {
            var va = v.AsSpan(a * length, length);
            for (var b = 0; b < a; b++)
            {
                var vb = v.AsSpan(b * length, length);
                var dot = 0.0;
                for (var t = 0; t < length; t++) dot += va[t] * vb[t];
                for (var t = 0; t < length; t++) va[t] -= dot * vb[t];
            }
            var norm = 0.0;
            for (var t = 0; t < length; t++) norm += va[t] * va[t];
            norm = Math.Sqrt(norm);
            // A Gaussian draw is full rank with probability 1; guard the measure-zero case anyway.
            if (norm < 1e-12) throw new InvalidOperationException("orthogonal initialization drew a degenerate matrix");
            for (var t = 0; t < length; t++) va[t] /= norm;
        }
        for (var i = 0; i < inputSize; i++)
        for (var o = 0; o < outputSize; o++)
        {
            var value = inputSize >= outputSize ? v[o * length + i] : v[i * length + o];
            w[i * outputSize + o] = (float)(value * gain);
        }
    }

    /// <summary>Gaussian draw, then each output unit's column rescaled to norm <paramref name="gain"/>.</summary>
    private static void NormalizedColumns(Span<float> w, int inputSize, int outputSize, float gain, SeededRandom random)
    {
        for (var i = 0; i < w.Length; i++) w[i] = random.NextGaussian();
        for (var o = 0; o < outputSize; o++)
        {
            var sum = 0.0;
            for (var i = 0; i < inputSize; i++) sum += (double)w[i * outputSize + o] * w[i * outputSize + o];
            var scale = gain / Math.Sqrt(sum);
            for (var i = 0; i < inputSize; i++) w[i * outputSize + o] = (float)(w[i * outputSize + o] * scale);
        }
    }
}
