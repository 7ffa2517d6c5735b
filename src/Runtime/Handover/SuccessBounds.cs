namespace Mlsh.Runtime.Handover;

/// <summary>How the lower confidence bound on a success rate is computed.</summary>
public enum BoundMethod
{
    /// <summary>Wilson score interval: close to nominal coverage, cheap, never outside [0, 1].</summary>
    Wilson,
    /// <summary>Clopper-Pearson (exact binomial): coverage at least nominal for every n; the conservative choice.</summary>
    ClopperPearson,
}

/// <summary>
/// One-sided lower confidence bounds on a binomial success probability from k successes in n independent episodes.
/// "confidence" is the one-sided level: P(p ≥ bound) ≥ confidence (0.975 one-sided = the lower end of a two-sided 95 %
/// interval). Pure functions; thread-safe.
/// </summary>
public static class SuccessBounds
{
    /// <exception cref="ArgumentOutOfRangeException">n &lt; 1, k outside [0, n], or confidence outside (0.5, 1).</exception>
    public static double Lower(BoundMethod method, int successes, int episodes, double confidence) => method switch
    {
        BoundMethod.Wilson => WilsonLower(successes, episodes, confidence),
        BoundMethod.ClopperPearson => ClopperPearsonLower(successes, episodes, confidence),
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown bound method"),
    };

    /// <summary>Lower end of the Wilson score interval with z = Φ⁻¹(confidence).</summary>
    public static double WilsonLower(int successes, int episodes, double confidence)
    {
        Check(successes, episodes, confidence);
        double n = episodes, p = successes / n, z = NormalQuantile(confidence), z2 = z * z;
        var centre = p + z2 / (2 * n);
        var half = z * Math.Sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        return Math.Max(0, (centre - half) / (1 + z2 / n));
    }

    /// <summary>
    /// Clopper-Pearson lower bound: the p at which P(X ≥ k | n, p) = 1 − confidence (0 when k = 0), found by bisection on
    /// the exact binomial tail (60 halvings: below 1e-15 of the answer).
    /// </summary>
    public static double ClopperPearsonLower(int successes, int episodes, double confidence)
    {
        Check(successes, episodes, confidence);
        if (successes == 0) return 0;
        var alpha = 1 - confidence;
        if (successes == episodes) return Math.Pow(alpha, 1.0 / episodes); // closed form: p^n = alpha
        double lo = 0, hi = 1;
        for (var i = 0; i < 60; i++)
        {
            var mid = 0.5 * (lo + hi);
            // The upper tail grows with p: above alpha means the bound is lower.
            if (UpperTail(successes, episodes, mid) > alpha) hi = mid;
            else lo = mid;
        }
        return 0.5 * (lo + hi);
    }

    /// <summary>P(X ≥ k) for X ~ Binomial(n, p), summed in log space (stable for n in the thousands).</summary>
    internal static double UpperTail(int k, int n, double p)
    {
        if (p <= 0) return k == 0 ? 1 : 0;
        if (p >= 1) return 1;
        double logP = Math.Log(p), logQ = double.LogP1(-p), sum = 0;
        for (var i = k; i <= n; i++)
            sum += Math.Exp(LogChoose(n, i) + i * logP + (n - i) * logQ);
        return Math.Min(1, sum);
    }

    private static double LogChoose(int n, int k)
    {
        double s = 0;
        // ln C(n, k) = Σ ln((n − k + i) / i); exact enough for the episode counts of an evaluation.
        for (var i = 1; i <= k; i++) s += Math.Log((double)(n - k + i) / i);
        return s;
    }

    /// <summary>Φ⁻¹(p) by Acklam's rational approximation (relative error &lt; 1.2e-9, far below what an episode count can resolve).</summary>
    internal static double NormalQuantile(double p)
    {
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "a probability in (0, 1)");
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        double x;
        if (p < low)
        {
            var q = Math.Sqrt(-2 * Math.Log(p));
            x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        else if (p <= 1 - low)
        {
            var q = p - 0.5;
            var r = q * q;
            x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
        }
        else
        {
            var q = Math.Sqrt(-2 * Math.Log(1 - p));
            x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        return x;
    }

    private static void Check(int successes, int episodes, double confidence)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(episodes, 1);
        if (successes < 0 || successes > episodes)
            throw new ArgumentOutOfRangeException(nameof(successes), successes, $"successes must be in [0, {episodes}]");
        if (!(confidence > 0.5 && confidence < 1))
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "one-sided confidence must be in (0.5, 1), e.g. 0.95");
    }
}
