namespace Mlsh.Trainer.Diagnostics;

/// <summary>
/// Guards against sub-policy collapse (openai/mlsh issue #9: every sub-policy learning the same
/// behaviour): accumulates, per sub-policy, the planar displacement of the robot over each completed
/// macro step it ran, and summarises how distinct the sub-policies' mean displacement directions are.
/// </summary>
/// <remarks>Preallocated; <see cref="Add"/> allocates nothing. Single-threaded (the learner thread).</remarks>
public sealed class SkillDiversityMeter
{
    private readonly double[] _sumX;
    private readonly double[] _sumY;
    private readonly long[] _counts;

    public SkillDiversityMeter(int subpolicies)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(subpolicies, 1);
        _sumX = new double[subpolicies];
        _sumY = new double[subpolicies];
        _counts = new long[subpolicies];
    }

    public int Subpolicies => _counts.Length;

    /// <summary>Records one completed macro step of sub-policy <paramref name="k"/> that moved the robot by (dx, dy).</summary>
    public void Add(int k, float dx, float dy)
    {
        _sumX[k] += dx;
        _sumY[k] += dy;
        _counts[k]++;
    }

    public void Clear()
    {
        Array.Clear(_sumX);
        Array.Clear(_sumY);
        Array.Clear(_counts);
    }

    /// <summary>Summary of what was recorded since the last <see cref="Clear"/>.</summary>
    public SkillDiversity Compute()
    {
        var k = Subpolicies;
        var mean = new float[2 * k];
        var usage = new float[k];
        long total = 0;
        foreach (var c in _counts) total += c;
        for (var i = 0; i < k; i++)
        {
            if (_counts[i] == 0) continue;
            mean[2 * i] = (float)(_sumX[i] / _counts[i]);
            mean[2 * i + 1] = (float)(_sumY[i] / _counts[i]);
            usage[i] = (float)_counts[i] / total;
        }
        return SkillDiversity.FromMeans(mean, _counts.Select(c => c > 0).ToArray(), usage);
    }
}

/// <summary>One iteration's skill-diversity statistics.</summary>
/// <param name="MeanDisplacements">[K × 2]: mean (dx, dy) per macro step of each sub-policy.</param>
/// <param name="Usage">[K]: fraction of macro steps that ran each sub-policy (sums to 1 when any ran).</param>
/// <param name="MeanPairwiseCosine">Mean cosine similarity between the mean displacement directions of
/// every pair of sub-policies that ran and moved; 1 = all move the same way (collapse), −1 = opposite.
/// NaN when fewer than two sub-policies ran and moved.</param>
/// <param name="Spread">1 − |mean of the unit direction vectors| over those sub-policies: 0 when all
/// point the same way, near 1 when the directions cover the circle evenly. NaN when fewer than two.</param>
public sealed record SkillDiversity(float[] MeanDisplacements, float[] Usage, float MeanPairwiseCosine, float Spread)
{
    /// <summary>Displacements shorter than this count as "did not move" and have no direction.</summary>
    public const float MinDisplacement = 1e-6f;

    /// <summary>Computes the statistics from per-sub-policy mean displacements ([K × 2]) and whether each ran.</summary>
    public static SkillDiversity FromMeans(float[] meanDisplacements, bool[] ran, float[] usage)
    {
        var k = ran.Length;
        if (meanDisplacements.Length != 2 * k) throw new ArgumentException($"expected {2 * k} displacement components for {k} sub-policies, got {meanDisplacements.Length}", nameof(meanDisplacements));
        Span<float> ux = stackalloc float[k];
        Span<float> uy = stackalloc float[k];
        var n = 0;
        for (var i = 0; i < k; i++)
        {
            var x = meanDisplacements[2 * i];
            var y = meanDisplacements[2 * i + 1];
            var len = MathF.Sqrt(x * x + y * y);
            if (!ran[i] || len < MinDisplacement) continue;
            ux[n] = x / len;
            uy[n] = y / len;
            n++;
        }
        if (n < 2) return new SkillDiversity(meanDisplacements, usage, float.NaN, float.NaN);
        double cos = 0, sx = 0, sy = 0;
        var pairs = 0;
        for (var i = 0; i < n; i++)
        {
            sx += ux[i];
            sy += uy[i];
            for (var j = i + 1; j < n; j++, pairs++) cos += ux[i] * ux[j] + uy[i] * uy[j];
        }
        var resultant = Math.Sqrt(sx * sx + sy * sy) / n;
        return new SkillDiversity(meanDisplacements, usage, (float)(cos / pairs), (float)(1 - resultant));
    }
}
