using Mlsh.NeuralNets.Optimization;

namespace Mlsh.NeuralNets.Tests.Optimization;

public class AdamTests
{
    [Fact]
    public void Step_MatchesTheBiasCorrectedUpdateRule_OnVectorAndScalarLanes()
    {
        const int n = 11; // 8 vector lanes + 3 scalar tail
        var adam = new Adam(n, 0.05f, 0.9f, 0.99f, 1e-8f);
        var p = GradientCheck.RandomArray(n, 1);
        var expected = p.Select(x => (double)x).ToArray();
        var m = new double[n];
        var v = new double[n];
        for (var t = 1; t <= 3; t++)
        {
            var g = GradientCheck.RandomArray(n, (ulong)(10 + t));
            adam.Step(p, g);
            for (var i = 0; i < n; i++)
            {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.99 * v[i] + 0.01 * g[i] * g[i];
                var mHat = m[i] / (1 - Math.Pow(0.9, t));
                var vHat = v[i] / (1 - Math.Pow(0.99, t));
                expected[i] -= 0.05 * mHat / (Math.Sqrt(vHat) + 1e-8 * Math.Sqrt(1 - Math.Pow(0.99, t)));
            }
        }
        for (var i = 0; i < n; i++) p[i].Should().BeApproximately((float)expected[i], 1e-5f, $"parameter {i}");
        adam.StepCount.Should().Be(3);
    }

    [Fact]
    public void Step_MinimizesAQuadratic()
    {
        var adam = new Adam(3, 0.1f);
        float[] p = [3f, -2f, 1f];
        var g = new float[3];
        for (var t = 0; t < 500; t++)
        {
            for (var i = 0; i < 3; i++) g[i] = 2 * (p[i] - i);
            adam.Step(p, g);
        }
        for (var i = 0; i < 3; i++) p[i].Should().BeApproximately(i, 0.02f);
    }

    [Fact]
    public void Step_RejectsSpansOfAnotherLength()
    {
        var act = () => new Adam(4, 0.1f).Step(new float[5], new float[5]);
        act.Should().Throw<ArgumentException>().WithMessage("*built for 4 parameters*");
    }

    [Fact]
    public void Step_AllocatesNothing()
    {
        var adam = new Adam(10_000, 1e-3f);
        var p = new float[10_000];
        var g = GradientCheck.RandomArray(10_000, 3);
        adam.Step(p, g);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++) adam.Step(p, g);
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }
}
