namespace Mlsh.NeuralNets.Tests;

/// <summary>Central finite differences against an analytic gradient, for float32 code.</summary>
internal static class GradientCheck
{
    /// <summary>
    /// Perturbs each of <paramref name="values"/> by ±eps, evaluates <paramref name="loss"/> (computed in
    /// double by the caller) and compares with <paramref name="analytic"/>. Returns the worst
    /// |fd − analytic| / max(1, |fd|, |analytic|) and its index.
    /// </summary>
    public static (double Error, int Index) WorstError(Span<float> values, ReadOnlySpan<float> analytic, Func<double> loss, float eps = 1e-2f)
    {
        var worst = 0.0;
        var worstIndex = -1;
        for (var i = 0; i < values.Length; i++)
        {
            var saved = values[i];
            values[i] = saved + eps;
            var plus = loss();
            values[i] = saved - eps;
            var minus = loss();
            values[i] = saved;
            var fd = (plus - minus) / (2.0 * eps);
            var err = Math.Abs(fd - analytic[i]) / Math.Max(1.0, Math.Max(Math.Abs(fd), Math.Abs(analytic[i])));
            if (err > worst)
            {
                worst = err;
                worstIndex = i;
            }
        }
        return (worst, worstIndex);
    }

    public static float[] RandomArray(int n, ulong seed, float scale = 1f)
    {
        var random = new SeededRandom(seed);
        var a = new float[n];
        for (var i = 0; i < n; i++) a[i] = random.NextGaussian() * scale;
        return a;
    }
}
