using Mlsh.Runtime.Handover;

namespace Mlsh.Runtime.Tests.Handover;

public sealed class SuccessBoundsTests
{
    // Published two-sided 95 % intervals (their lower ends are the one-sided 97.5 % bounds): Clopper & Pearson / Wilson
    // tables, e.g. Newcombe (1998) Stat. Med. 17:857, table I; 8/10 and 50/100 are the usual worked examples.
    [Theory]
    [InlineData(8, 10, 0.4439)]
    [InlineData(50, 100, 0.3983)]
    [InlineData(0, 10, 0.0)]
    public void ClopperPearson_MatchesPublishedValues(int k, int n, double expected) =>
        SuccessBounds.ClopperPearsonLower(k, n, 0.975).Should().BeApproximately(expected, 5e-5);

    [Theory]
    [InlineData(8, 10, 0.4902)]
    [InlineData(50, 100, 0.4038)]
    [InlineData(0, 10, 0.0)]
    public void Wilson_MatchesPublishedValues(int k, int n, double expected) =>
        SuccessBounds.WilsonLower(k, n, 0.975).Should().BeApproximately(expected, 5e-5);

    [Theory]
    [InlineData(20, 0.95)]
    [InlineData(60, 0.99)]
    public void ClopperPearson_OneSuccess_SolvesOneMinusQToTheNEqualsAlpha(int n, double confidence)
    {
        // P(X ≥ 1) = 1 − (1 − p)^n = α has the closed form p = 1 − (1 − α)^(1/n): checks the bisection on the exact tail.
        var alpha = 1 - confidence;
        SuccessBounds.ClopperPearsonLower(1, n, confidence).Should().BeApproximately(1 - Math.Pow(1 - alpha, 1.0 / n), 1e-12);
    }

    [Fact]
    public void AllSuccesses_ClopperPearsonIsAlphaToTheOneOverN_WilsonIsNOverNPlusZSquared()
    {
        SuccessBounds.ClopperPearsonLower(60, 60, 0.95).Should().BeApproximately(Math.Pow(0.05, 1.0 / 60), 1e-12);
        // z = Φ⁻¹(0.95) = 1.6448536; with p̂ = 1 the Wilson bound is n / (n + z²).
        SuccessBounds.WilsonLower(60, 60, 0.95).Should().BeApproximately(60 / (60 + 1.6448536 * 1.6448536), 1e-6);
    }

    [Fact]
    public void NormalQuantile_MatchesTheTable() => SuccessBounds.NormalQuantile(0.975).Should().BeApproximately(1.959964, 1e-6);

    [Fact]
    public void BothBounds_StayBelowTheObservedRate_AndTightenWithMoreEpisodes()
    {
        foreach (var (k, n) in new[] { (5, 10), (19, 20), (90, 100), (1, 3) })
        {
            var cp = SuccessBounds.ClopperPearsonLower(k, n, 0.95);
            var w = SuccessBounds.WilsonLower(k, n, 0.95);
            cp.Should().BeLessThan((double)k / n);
            w.Should().BeLessThan((double)k / n);
            SuccessBounds.ClopperPearsonLower(10 * k, 10 * n, 0.95).Should().BeGreaterThan(cp, "ten times the episodes at the same rate");
            SuccessBounds.WilsonLower(10 * k, 10 * n, 0.95).Should().BeGreaterThan(w);
        }
    }

    [Fact]
    public void BadInput_IsRejected()
    {
        ((Action)(() => SuccessBounds.WilsonLower(11, 10, 0.95))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => SuccessBounds.ClopperPearsonLower(1, 0, 0.95))).Should().Throw<ArgumentOutOfRangeException>();
        ((Action)(() => SuccessBounds.ClopperPearsonLower(1, 10, 1.0))).Should().Throw<ArgumentOutOfRangeException>();
    }
}
