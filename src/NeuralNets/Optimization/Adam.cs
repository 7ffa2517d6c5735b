using System.Runtime.Intrinsics;

namespace Mlsh.NeuralNets.Optimization;

/// <summary>
/// Adam (Kingma &amp; Ba) over one flat parameter span, with the bias correction folded into the step
/// size as in OpenAI baselines' MpiAdam: θ ← θ − lr·√(1−β2ᵗ)/(1−β1ᵗ) · m / (√v + ε).
/// </summary>
/// <remarks>
/// Owns its first/second moment buffers (same length as the parameters); <see cref="FirstMoment"/>,
/// <see cref="SecondMoment"/> and <see cref="StepCount"/> are exposed so checkpoints can save and restore
/// them. <see cref="Step"/> allocates nothing. Not thread-safe.
/// </remarks>
public sealed class Adam
{
    private readonly float[] _m;
    private readonly float[] _v;

    public Adam(int parameterCount, float learningRate, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        if (!(learningRate >= 0) || float.IsInfinity(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learning rate must be finite and ≥ 0");
        if (!(beta1 is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "β1 must be in [0, 1)");
        if (!(beta2 is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "β2 must be in [0, 1)");
        if (!(epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "ε must be > 0");
        _m = new float[parameterCount];
        _v = new float[parameterCount];
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    public int ParameterCount => _m.Length;
    /// <summary>Settable between steps (learning-rate schedules, per-network rates).</summary>
    public float LearningRate { get; set; }
    public float Beta1 { get; }
    public float Beta2 { get; }
    public float Epsilon { get; }
    /// <summary>Number of steps taken; settable to restore a checkpoint.</summary>
    public long StepCount { get; set; }
    public Span<float> FirstMoment => _m;
    public Span<float> SecondMoment => _v;

    /// <summary>Forgets the moments (e.g. when the MLSH master is reset for a new task).</summary>
    public void Reset()
    {
        Array.Clear(_m);
        Array.Clear(_v);
        StepCount = 0;
    }

    public void Step(Span<float> parameters, ReadOnlySpan<float> gradients)
    {
        if (parameters.Length != _m.Length || gradients.Length != _m.Length)
            throw new ArgumentException($"Adam was built for {_m.Length} parameters, got parameters {parameters.Length} and gradients {gradients.Length}");
        StepCount++;
        var t = (double)StepCount;
        var stepSize = (float)(LearningRate * Math.Sqrt(1 - Math.Pow(Beta2, t)) / (1 - Math.Pow(Beta1, t)));
        float b1 = Beta1, b2 = Beta2, eps = Epsilon;
        var m = _m.AsSpan();
        var v = _v.AsSpan();
        var i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vb1 = Vector256.Create(b1);
            var vb1c = Vector256.Create(1 - b1);
            var vb2 = Vector256.Create(b2);
            var vb2c = Vector256.Create(1 - b2);
            var veps = Vector256.Create(eps);
            var vstep = Vector256.Create(stepSize);
            for (; i + 8 <= m.Length; i += 8)
            {
                var g = Vector256.Create(gradients.Slice(i, 8));
                var mi = vb1 * Vector256.Create((ReadOnlySpan<float>)m.Slice(i, 8)) + vb1c * g;
                var vi = vb2 * Vector256.Create((ReadOnlySpan<float>)v.Slice(i, 8)) + vb2c * g * g;
                var p = Vector256.Create((ReadOnlySpan<float>)parameters.Slice(i, 8));
                p -= vstep * mi / (Vector256.Sqrt(vi) + veps);
                mi.CopyTo(m.Slice(i, 8));
                vi.CopyTo(v.Slice(i, 8));
                p.CopyTo(parameters.Slice(i, 8));
            }
        }
        for (; i < m.Length; i++)
        {
            var g = gradients[i];
            m[i] = b1 * m[i] + (1 - b1) * g;
            v[i] = b2 * v[i] + (1 - b2) * g * g;
            parameters[i] -= stepSize * m[i] / (MathF.Sqrt(v[i]) + eps);
        }
    }
}
