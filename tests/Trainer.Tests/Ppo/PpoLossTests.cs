using Mlsh.Trainer.Ppo;

namespace Mlsh.Trainer.Tests.Ppo;

public class PpoLossTests
{
    [Fact]
    public void ClippedSurrogate_GradientMatchesFiniteDifferences_AwayFromTheClipKinks()
    {
        // ratios 0.5 … 1.5 across both signs of advantage: some rows clipped, some not, none near 1 ± ε
        float[] old = [0, 0, 0, 0, 0, 0];
        float[] logp = [MathF.Log(0.5f), MathF.Log(0.9f), MathF.Log(1.1f), MathF.Log(1.5f), MathF.Log(0.6f), MathF.Log(1.4f)];
        float[] adv = [1f, -2f, 0.5f, 1.5f, -1f, -0.7f];
        var grad = new float[6];
        PpoLoss.ClippedSurrogate(logp, old, adv, 0.2f, grad, out var clipFraction, out var kl);
        clipFraction.Should().BeApproximately(4 / 6f, 1e-6f);
        kl.Should().BePositive();
        var scratch = new float[6];
        for (var i = 0; i < 6; i++)
        {
            const float eps = 1e-3f;
            var saved = logp[i];
            logp[i] = saved + eps;
            var plus = PpoLoss.ClippedSurrogate(logp, old, adv, 0.2f, scratch, out _, out _);
            logp[i] = saved - eps;
            var minus = PpoLoss.ClippedSurrogate(logp, old, adv, 0.2f, scratch, out _, out _);
            logp[i] = saved;
            grad[i].Should().BeApproximately((plus - minus) / (2 * eps), 2e-3f, $"row {i}");
        }
        // pessimistic clipping: ratio 0.5 with A > 0 keeps its gradient, ratio 1.5 with A > 0 loses it
        grad[0].Should().NotBe(0f);
        grad[3].Should().Be(0f);
        grad[4].Should().Be(0f);
        grad[5].Should().NotBe(0f);
    }

    [Fact]
    public void ClippedSurrogate_AtRatioOne_IsMinusTheMeanAdvantage_WithZeroKl()
    {
        float[] lp = [-1f, -2f], adv = [2f, 4f];
        var grad = new float[2];
        PpoLoss.ClippedSurrogate(lp, lp, adv, 0.2f, grad, out var clip, out var kl).Should().BeApproximately(-3f, 1e-6f);
        clip.Should().Be(0f);
        kl.Should().Be(0f);
        grad.Should().Equal(-1f, -2f);
    }

    [Fact]
    public void ValueLoss_IsTheMeanSquaredError_WithMatchingGradient()
    {
        float[] v = [1f, 2f, 0f], ret = [0f, 2f, 3f];
        var grad = new float[3];
        PpoLoss.ValueLoss(v, ret, grad).Should().BeApproximately(10f / 3, 1e-6f);
        var scratch = new float[3];
        for (var i = 0; i < 3; i++)
        {
            const float eps = 1e-2f;
            var saved = v[i];
            v[i] = saved + eps;
            var plus = PpoLoss.ValueLoss(v, ret, scratch);
            v[i] = saved - eps;
            var minus = PpoLoss.ValueLoss(v, ret, scratch);
            v[i] = saved;
            grad[i].Should().BeApproximately((plus - minus) / (2 * eps), 1e-3f);
        }
    }

    [Fact]
    public void ClippedSurrogate_RejectsMismatchedLengths()
    {
        var act = () => PpoLoss.ClippedSurrogate(new float[3], new float[2], new float[3], 0.2f, new float[3], out _, out _);
        act.Should().Throw<ArgumentException>().WithMessage("*oldLogProbs (2)*equal length*");
    }
}
