using Mlsh.NeuralNets.Optimization;

namespace Mlsh.NeuralNets.Tests.Optimization;

public class GradientClippingTests
{
    [Fact]
    public void ClipGlobalNorm_ScalesDownToTheMaxNorm_AndReturnsTheOriginalNorm()
    {
        float[] g = [3f, 4f];
        GradientClipping.ClipGlobalNorm(g, 1f).Should().BeApproximately(5f, 1e-6f);
        MathF.Sqrt(g[0] * g[0] + g[1] * g[1]).Should().BeApproximately(1f, 1e-5f);
        (g[0] / g[1]).Should().BeApproximately(0.75f, 1e-6f);
    }

    [Fact]
    public void ClipGlobalNorm_LeavesSmallGradientsUnchanged()
    {
        float[] g = [0.3f, 0.4f];
        GradientClipping.ClipGlobalNorm(g, 1f);
        g.Should().Equal(0.3f, 0.4f);
    }

    [Fact]
    public void ClipGlobalNorm_ReportsANonFiniteNormWithoutTouchingTheGradients()
    {
        float[] g = [float.NaN, 1f];
        float.IsNaN(GradientClipping.ClipGlobalNorm(g, 1f)).Should().BeTrue();
        g[1].Should().Be(1f);
    }
}
