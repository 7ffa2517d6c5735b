using Mlsh.NeuralNets.Distributions;

namespace Mlsh.NeuralNets.Tests.Distributions;

public class CategoricalTests
{
    [Fact]
    public void LogSoftmax_IsStableForLargeLogits_AndNormalizes()
    {
        float[] logits = [1000f, 1001f, 999f];
        var lp = new float[3];
        Categorical.LogSoftmax(logits, 1, 3, lp);
        lp.Should().OnlyContain(x => float.IsFinite(x));
        // float32 spacing at 1000 is 6e-5, so the shifted log-probabilities carry that much rounding
        lp.Sum(x => Math.Exp(x)).Should().BeApproximately(1.0, 3e-4);
        lp[1].Should().BeApproximately((float)(1 - Math.Log(Math.Exp(1) + 1 + Math.Exp(-1))), 2e-4f);
    }

    [Fact]
    public void Entropy_IsLogKForUniformLogits()
    {
        var lp = new float[4];
        Categorical.LogSoftmax(new float[4], 1, 4, lp);
        var logp = new float[1];
        var h = new float[1];
        Categorical.LogProbAndEntropy(lp, 1, 4, [2], logp, h);
        h[0].Should().BeApproximately(MathF.Log(4), 1e-6f);
        logp[0].Should().BeApproximately(-MathF.Log(4), 1e-6f);
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences_ForLogProbAndEntropy()
    {
        const int batch = 6, classes = 4;
        var logits = GradientCheck.RandomArray(batch * classes, 1, 1.5f);
        int[] actions = [0, 3, 1, 2, 2, 0];
        var gLogp = GradientCheck.RandomArray(batch, 2);
        var gEnt = GradientCheck.RandomArray(batch, 3);
        var lp = new float[batch * classes];
        var logp = new float[batch];
        var h = new float[batch];

        double Loss()
        {
            Categorical.LogSoftmax(logits, batch, classes, lp);
            Categorical.LogProbAndEntropy(lp, batch, classes, actions, logp, h);
            double s = 0;
            for (var b = 0; b < batch; b++) s += (double)gLogp[b] * logp[b] + (double)gEnt[b] * h[b];
            return s;
        }

        Loss();
        var dLogits = new float[batch * classes];
        Categorical.Backward(lp, batch, classes, actions, h, gLogp, gEnt, dLogits);
        GradientCheck.WorstError(logits, dLogits, Loss, 1e-3f).Error.Should().BeLessThan(2e-3);
    }

    [Fact]
    public void Sample_FollowsTheProbabilities()
    {
        const int n = 30000;
        float[] probs = [0.1f, 0.6f, 0.3f];
        var lp = new float[n * 3];
        for (var b = 0; b < n; b++) for (var k = 0; k < 3; k++) lp[b * 3 + k] = MathF.Log(probs[k]);
        var actions = new int[n];
        Categorical.Sample(lp, n, 3, new SeededRandom(5), actions);
        for (var k = 0; k < 3; k++)
            (actions.Count(a => a == k) / (double)n).Should().BeApproximately(probs[k], 0.01);
    }

    [Fact]
    public void LogProbAndEntropy_RejectsAnActionOutsideTheClasses()
    {
        var act = () => Categorical.LogProbAndEntropy(new float[3], 1, 3, [3], new float[1], new float[1]);
        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*must be in [0, 3)*");
    }
}
