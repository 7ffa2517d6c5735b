namespace Mlsh.Trainer.Ppo;

/// <summary>The PPO loss terms and their analytic gradients, batch means, allocation-free.</summary>
public static class PpoLoss
{
    /// <summary>
    /// L = −mean_b min(r_b·A_b, clip(r_b, 1 − ε, 1 + ε)·A_b) with r = exp(logπ − logπ_old).
    /// Writes dL/dlogπ into <paramref name="logProbGradients"/>: −r·A/n where the unclipped term is the
    /// minimum, 0 where the clipped one is. <paramref name="clipFraction"/> is the share of rows with
    /// |r − 1| &gt; ε; <paramref name="approxKl"/> is mean((r − 1) − log r), a non-negative estimate of
    /// KL(π_old ‖ π).
    /// </summary>
    public static float ClippedSurrogate(ReadOnlySpan<float> logProbs, ReadOnlySpan<float> oldLogProbs, ReadOnlySpan<float> advantages,
        float clipRange, Span<float> logProbGradients, out float clipFraction, out float approxKl)
    {
        var n = logProbs.Length;
        if (n == 0) throw new ArgumentException("empty batch", nameof(logProbs));
        if (oldLogProbs.Length != n || advantages.Length != n || logProbGradients.Length != n)
            throw new ArgumentException($"logProbs ({n}), oldLogProbs ({oldLogProbs.Length}), advantages ({advantages.Length}) and gradients ({logProbGradients.Length}) must have equal length");
        double loss = 0, kl = 0;
        var clipped = 0;
        var inv = 1f / n;
        for (var b = 0; b < n; b++)
        {
            var logRatio = logProbs[b] - oldLogProbs[b];
            var ratio = MathF.Exp(logRatio);
            var a = advantages[b];
            var unclipped = ratio * a;
            var bounded = Math.Clamp(ratio, 1 - clipRange, 1 + clipRange) * a;
            if (unclipped <= bounded)
            {
                loss -= unclipped;
                logProbGradients[b] = -unclipped * inv;
            }
            else
            {
                loss -= bounded;
                logProbGradients[b] = 0f;
            }
            if (MathF.Abs(ratio - 1) > clipRange) clipped++;
            kl += ratio - 1 - logRatio;
        }
        clipFraction = (float)clipped / n;
        approxKl = (float)(kl / n);
        return (float)(loss / n);
    }

    /// <summary>L = mean_b (V_b − R_b)²; writes dL/dV = 2(V − R)/n.</summary>
    public static float ValueLoss(ReadOnlySpan<float> values, ReadOnlySpan<float> returns, Span<float> valueGradients)
    {
        var n = values.Length;
        if (n == 0) throw new ArgumentException("empty batch", nameof(values));
        if (returns.Length != n || valueGradients.Length != n)
            throw new ArgumentException($"values ({n}), returns ({returns.Length}) and gradients ({valueGradients.Length}) must have equal length");
        double loss = 0;
        var scale = 2f / n;
        for (var b = 0; b < n; b++)
        {
            var d = values[b] - returns[b];
            loss += (double)d * d;
            valueGradients[b] = scale * d;
        }
        return (float)(loss / n);
    }
}
