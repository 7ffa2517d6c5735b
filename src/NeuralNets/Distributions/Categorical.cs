namespace Mlsh.NeuralNets.Distributions;

/// <summary>
/// Batched categorical distribution over unnormalized logits [batch × classes] (the master's head:
/// one class per sub-policy). Numerically stable log-softmax; all methods allocation-free.
/// </summary>
public static class Categorical
{
    /// <summary>logProbabilities[b, k] = logits[b, k] − logΣexp(logits[b, ·]).</summary>
    public static void LogSoftmax(ReadOnlySpan<float> logits, int batch, int classes, Span<float> logProbabilities)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "need at least one class");
        if (logits.Length < batch * classes || logProbabilities.Length < batch * classes)
            throw new ArgumentException($"logits/logProbabilities need {batch} × {classes} elements, got {logits.Length}/{logProbabilities.Length}");
        for (var b = 0; b < batch; b++)
        {
            var row = logits.Slice(b * classes, classes);
            var max = float.NegativeInfinity;
            foreach (var l in row) max = MathF.Max(max, l);
            var sum = 0f;
            foreach (var l in row) sum += MathF.Exp(l - max);
            var lse = max + MathF.Log(sum);
            var dst = logProbabilities.Slice(b * classes, classes);
            for (var k = 0; k < classes; k++) dst[k] = row[k] - lse;
        }
    }

    /// <summary>From log-probabilities (output of <see cref="LogSoftmax"/>): log p(action) and entropy −Σ p log p per row.</summary>
    public static void LogProbAndEntropy(ReadOnlySpan<float> logProbabilities, int batch, int classes, ReadOnlySpan<int> actions,
        Span<float> logProbs, Span<float> entropies)
    {
        if (actions.Length < batch || logProbs.Length < batch || entropies.Length < batch)
            throw new ArgumentException($"actions/logProbs/entropies need {batch} elements, got {actions.Length}/{logProbs.Length}/{entropies.Length}");
        for (var b = 0; b < batch; b++)
        {
            var row = logProbabilities.Slice(b * classes, classes);
            var a = actions[b];
            if ((uint)a >= (uint)classes) throw new ArgumentOutOfRangeException(nameof(actions), a, $"action at row {b} must be in [0, {classes})");
            logProbs[b] = row[a];
            var h = 0f;
            foreach (var lp in row) h -= MathF.Exp(lp) * lp;
            entropies[b] = h;
        }
    }

    /// <summary>
    /// dL/dlogits [batch × classes] (written) from dL/dlogProb[b] and dL/dEntropy[b]:
    /// ∂log p(a)/∂lₖ = [k = a] − pₖ and ∂H/∂lₖ = −pₖ(log pₖ + H).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> logProbabilities, int batch, int classes, ReadOnlySpan<int> actions,
        ReadOnlySpan<float> entropies, ReadOnlySpan<float> logProbGradients, ReadOnlySpan<float> entropyGradients, Span<float> logitGradients)
    {
        if (logitGradients.Length < batch * classes) throw new ArgumentException($"logit gradients have {logitGradients.Length} elements, expected {batch} × {classes}");
        for (var b = 0; b < batch; b++)
        {
            var row = logProbabilities.Slice(b * classes, classes);
            var dst = logitGradients.Slice(b * classes, classes);
            float gl = logProbGradients[b], ge = entropyGradients[b], h = entropies[b];
            for (var k = 0; k < classes; k++)
            {
                var p = MathF.Exp(row[k]);
                dst[k] = -gl * p - ge * p * (row[k] + h);
            }
            dst[actions[b]] += gl;
        }
    }

    /// <summary>Inverse-CDF sample per row from log-probabilities.</summary>
    public static void Sample(ReadOnlySpan<float> logProbabilities, int batch, int classes, SeededRandom random, Span<int> actions)
    {
        for (var b = 0; b < batch; b++)
        {
            var row = logProbabilities.Slice(b * classes, classes);
            var u = random.NextFloat();
            var chosen = classes - 1; // rounding can leave Σp slightly below 1: fall through to the last class
            var cdf = 0f;
            for (var k = 0; k < classes; k++)
            {
                cdf += MathF.Exp(row[k]);
                if (u < cdf) { chosen = k; break; }
            }
            actions[b] = chosen;
        }
    }

    /// <summary>Most probable class per row (ties → lowest index).</summary>
    public static void ArgMax(ReadOnlySpan<float> logits, int batch, int classes, Span<int> actions)
    {
        for (var b = 0; b < batch; b++)
        {
            var row = logits.Slice(b * classes, classes);
            var best = 0;
            for (var k = 1; k < classes; k++) if (row[k] > row[best]) best = k;
            actions[b] = best;
        }
    }
}
