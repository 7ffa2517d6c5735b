namespace Mlsh.NeuralNets.Distributions;

/// <summary>
/// Batched diagonal Gaussian with a state-independent log standard deviation (the continuous
/// sub-policy head). Means are row-major [batch × dims]; logStd is [dims], shared by all rows.
/// All methods are allocation-free.
/// </summary>
public static class DiagonalGaussian
{
    private static readonly float HalfLog2Pi = (float)(0.5 * Math.Log(2 * Math.PI));
    private static readonly float HalfLog2PiE = (float)(0.5 * Math.Log(2 * Math.PI * Math.E));

    /// <summary>logProbs[b] = Σⱼ −½((aⱼ − μⱼ)/σⱼ)² − log σⱼ − ½ log 2π.</summary>
    public static void LogProb(ReadOnlySpan<float> means, ReadOnlySpan<float> logStd, ReadOnlySpan<float> actions, int batch, Span<float> logProbs)
    {
        var dims = logStd.Length;
        Check(means, actions, batch, dims, logProbs.Length);
        var constant = 0f;
        for (var j = 0; j < dims; j++) constant += logStd[j] + HalfLog2Pi;
        Span<float> invStd = dims <= MaxStackDims ? stackalloc float[dims] : new float[dims];
        InverseStd(logStd, invStd);
        for (var b = 0; b < batch; b++)
        {
            var mu = means.Slice(b * dims, dims);
            var a = actions.Slice(b * dims, dims);
            var sum = 0f;
            for (var j = 0; j < dims; j++)
            {
                var z = (a[j] - mu[j]) * invStd[j];
                sum += z * z;
            }
            logProbs[b] = -0.5f * sum - constant;
        }
    }

    /// <summary>Differential entropy Σⱼ log σⱼ + ½ log 2πe (the same for every row).</summary>
    public static float Entropy(ReadOnlySpan<float> logStd)
    {
        var h = 0f;
        foreach (var s in logStd) h += s + HalfLog2PiE;
        return h;
    }

    /// <summary>
    /// Chain rule from dL/dlogProb[b] and dL/dEntropy[b] to dL/dμ (written, [batch × dims]) and
    /// dL/dlogσ (ACCUMULATED, [dims]).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> means, ReadOnlySpan<float> logStd, ReadOnlySpan<float> actions, int batch,
        ReadOnlySpan<float> logProbGradients, ReadOnlySpan<float> entropyGradients, Span<float> meanGradients, Span<float> logStdGradients)
    {
        var dims = logStd.Length;
        Check(means, actions, batch, dims, logProbGradients.Length);
        if (entropyGradients.Length < batch) throw new ArgumentException($"entropy gradients have {entropyGradients.Length} elements, expected {batch}");
        if (meanGradients.Length < batch * dims) throw new ArgumentException($"mean gradients have {meanGradients.Length} elements, expected {batch} × {dims}");
        if (logStdGradients.Length != dims) throw new ArgumentException($"logStd gradients have {logStdGradients.Length} elements, expected {dims}");
        Span<float> invStd = dims <= MaxStackDims ? stackalloc float[dims] : new float[dims];
        InverseStd(logStd, invStd);
        for (var b = 0; b < batch; b++)
        {
            var g = logProbGradients[b];
            var mu = means.Slice(b * dims, dims);
            var a = actions.Slice(b * dims, dims);
            var dmu = meanGradients.Slice(b * dims, dims);
            for (var j = 0; j < dims; j++)
            {
                var z = (a[j] - mu[j]) * invStd[j];
                dmu[j] = g * z * invStd[j];                            // ∂logp/∂μ = z/σ
                logStdGradients[j] += g * (z * z - 1f) + entropyGradients[b]; // ∂logp/∂logσ = z² − 1, ∂H/∂logσ = 1
            }
        }
    }

    /// <summary>actions = μ + σ·ε with ε ~ N(0, I) from <paramref name="random"/>.</summary>
    public static void Sample(ReadOnlySpan<float> means, ReadOnlySpan<float> logStd, int batch, SeededRandom random, Span<float> actions)
    {
        var dims = logStd.Length;
        if (means.Length < batch * dims || actions.Length < batch * dims)
            throw new ArgumentException($"means/actions need {batch} × {dims} elements, got {means.Length}/{actions.Length}");
        for (var b = 0; b < batch; b++)
        for (var j = 0; j < dims; j++)
            actions[b * dims + j] = means[b * dims + j] + MathF.Exp(logStd[j]) * random.NextGaussian();
    }

    // Action vectors are a robot's joints: beyond this the 1/σ scratch goes to the heap instead of the stack.
    private const int MaxStackDims = 256;

    private static void InverseStd(ReadOnlySpan<float> logStd, Span<float> invStd)
    {
        for (var j = 0; j < logStd.Length; j++) invStd[j] = MathF.Exp(-logStd[j]);
    }

    private static void Check(ReadOnlySpan<float> means, ReadOnlySpan<float> actions, int batch, int dims, int perRowLength)
    {
        if (means.Length < batch * dims) throw new ArgumentException($"means have {means.Length} elements, expected {batch} × {dims}");
        if (actions.Length < batch * dims) throw new ArgumentException($"actions have {actions.Length} elements, expected {batch} × {dims}");
        if (perRowLength < batch) throw new ArgumentException($"per-row buffer has {perRowLength} elements, expected {batch}");
    }
}
