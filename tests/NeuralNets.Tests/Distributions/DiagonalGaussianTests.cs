using Mlsh.NeuralNets.Distributions;

namespace Mlsh.NeuralNets.Tests.Distributions;

public class DiagonalGaussianTests
{
    [Fact]
    public void LogProb_MatchesTheClosedFormDensity()
    {
        float[] mean = [0.5f, -1f], logStd = [0.2f, -0.7f], action = [1.1f, -0.4f];
        var logp = new float[1];
        DiagonalGaussian.LogProb(mean, logStd, action, 1, logp);
        double expected = 0;
        for (var j = 0; j < 2; j++)
        {
            var s = Math.Exp(logStd[j]);
            expected += Math.Log(Math.Exp(-0.5 * Math.Pow((action[j] - mean[j]) / s, 2)) / (s * Math.Sqrt(2 * Math.PI)));
        }
        logp[0].Should().BeApproximately((float)expected, 1e-5f);
    }

    [Fact]
    public void Entropy_MatchesTheClosedForm()
    {
        float[] logStd = [0.3f, -1.2f, 0f];
        var expected = logStd.Sum(s => s + 0.5 * Math.Log(2 * Math.PI * Math.E));
        DiagonalGaussian.Entropy(logStd).Should().BeApproximately((float)expected, 1e-5f);
    }

    [Fact]
    public void Backward_MatchesFiniteDifferences_ForMeansAndLogStd()
    {
        const int batch = 5, dims = 3;
        var mean = GradientCheck.RandomArray(batch * dims, 1);
        var logStd = GradientCheck.RandomArray(dims, 2, 0.5f);
        var actions = GradientCheck.RandomArray(batch * dims, 3);
        var gLogp = GradientCheck.RandomArray(batch, 4);
        var gEnt = GradientCheck.RandomArray(batch, 5);
        var logp = new float[batch];

        double Loss()
        {
            DiagonalGaussian.LogProb(mean, logStd, actions, batch, logp);
            var h = DiagonalGaussian.Entropy(logStd);
            double s = 0;
            for (var b = 0; b < batch; b++) s += (double)gLogp[b] * logp[b] + (double)gEnt[b] * h;
            return s;
        }

        var dMean = new float[batch * dims];
        var dLogStd = new float[dims];
        DiagonalGaussian.Backward(mean, logStd, actions, batch, gLogp, gEnt, dMean, dLogStd);
        GradientCheck.WorstError(mean, dMean, Loss, 1e-3f).Error.Should().BeLessThan(2e-3);
        GradientCheck.WorstError(logStd, dLogStd, Loss, 1e-3f).Error.Should().BeLessThan(2e-3);
    }

    [Fact]
    public void Sample_HasTheRequestedMeanAndStd_AndIsDeterministicForASeed()
    {
        const int batch = 20000;
        var mean = new float[batch * 2];
        for (var b = 0; b < batch; b++) { mean[2 * b] = 1.5f; mean[2 * b + 1] = -2f; }
        float[] logStd = [MathF.Log(0.5f), MathF.Log(2f)];
        var a = new float[batch * 2];
        DiagonalGaussian.Sample(mean, logStd, batch, new SeededRandom(9), a);
        for (var j = 0; j < 2; j++)
        {
            var xs = Enumerable.Range(0, batch).Select(b => (double)a[2 * b + j]).ToArray();
            var m = xs.Average();
            var sd = Math.Sqrt(xs.Select(x => (x - m) * (x - m)).Average());
            m.Should().BeApproximately(mean[j], 0.05);
            sd.Should().BeApproximately(Math.Exp(logStd[j]), 0.05);
        }
        var again = new float[batch * 2];
        DiagonalGaussian.Sample(mean, logStd, batch, new SeededRandom(9), again);
        again.Should().Equal(a);
    }
}
