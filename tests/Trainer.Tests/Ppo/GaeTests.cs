using Mlsh.Trainer.Ppo;

namespace Mlsh.Trainer.Tests.Ppo;

public class GaeTests
{
    private const float Gamma = 0.9f, Lambda = 0.8f;

    /// <summary>Independent reference: A_t = Σ_l (γλ)^l δ_{t+l}, summed forward until the segment's last step.</summary>
    private static double[] Reference(float[] r, float[] v, bool[] ends, bool[] term, float[] boot)
    {
        var n = r.Length;
        var delta = new double[n];
        for (var t = 0; t < n; t++)
        {
            var boundary = ends[t] || term[t] || t == n - 1;
            double next = term[t] ? 0 : boundary ? boot[t] : v[t + 1];
            delta[t] = r[t] + Gamma * next - v[t];
        }
        var adv = new double[n];
        for (var t = 0; t < n; t++)
        {
            double sum = 0, w = 1;
            for (var u = t; u < n; u++)
            {
                sum += w * delta[u];
                if (ends[u] || term[u]) break;
                w *= Gamma * Lambda;
            }
            adv[t] = sum;
        }
        return adv;
    }

    private static (float[] Adv, float[] Ret) Run(float[] r, float[] v, bool[] ends, bool[] term, float[] boot)
    {
        float[] adv = new float[r.Length], ret = new float[r.Length];
        Gae.Compute(r, v, ends, term, boot, Gamma, Lambda, adv, ret);
        return (adv, ret);
    }

    [Fact]
    public void Compute_WithoutBoundaries_ChainsTheWholeColumnAndBootstrapsTheLastStep()
    {
        float[] r = [1, 2, 3, -1], v = [0.5f, 0.4f, 0.3f, 0.2f], boot = [0, 0, 0, 1.5f];
        bool[] none = new bool[4];
        var (adv, ret) = Run(r, v, none, none, boot);
        var expected = Reference(r, v, none, none, boot);
        for (var t = 0; t < 4; t++)
        {
            adv[t].Should().BeApproximately((float)expected[t], 1e-5f);
            ret[t].Should().BeApproximately(adv[t] + v[t], 1e-6f);
        }
        // last step by hand: δ = −1 + 0.9·1.5 − 0.2
        adv[3].Should().BeApproximately(-1 + 0.9f * 1.5f - 0.2f, 1e-6f);
    }

    [Fact]
    public void Compute_AtATerminalStep_DoesNotBootstrap_AndEarlierStepsIgnoreTheNextEpisode()
    {
        float[] r = [1, 2, 100, 100], v = [0.5f, 0.4f, 0.3f, 0.2f], boot = [9, 9, 9, 9];
        bool[] term = [false, true, false, false];
        var (adv, _) = Run(r, v, new bool[4], term, boot);
        adv[1].Should().BeApproximately(2 - 0.4f, 1e-6f);                       // no γ·V(next), no bootstrap value
        adv[0].Should().BeApproximately(1 + 0.9f * 0.4f - 0.5f + 0.72f * (2 - 0.4f), 1e-5f);
        var expected = Reference(r, v, new bool[4], term, boot);
        for (var t = 0; t < 4; t++) adv[t].Should().BeApproximately((float)expected[t], 1e-4f);
    }

    [Fact]
    public void Compute_AtATruncation_BootstrapsFromTheSuppliedFinalObservationValue()
    {
        float[] r = [1, 2, 3], v = [0.5f, 0.4f, 0.3f], boot = [0, 7f, 0.25f];
        bool[] ends = [false, true, false];
        var (adv, _) = Run(r, v, ends, new bool[3], boot);
        adv[1].Should().BeApproximately(2 + 0.9f * 7f - 0.4f, 1e-5f); // V(final obs) = 7, not V(s_2) = 0.3
        adv[2].Should().BeApproximately(3 + 0.9f * 0.25f - 0.3f, 1e-6f);
    }

    [Fact]
    public void Compute_AtAMasterSwitch_NeverBootstrapsFromTheNextSubPolicysValue()
    {
        // Steps 0–1 belong to sub-policy A, steps 2–3 to sub-policy B (openai/mlsh issue #7): values[2] is
        // B's estimate (1000) and must not leak into A's advantages; A's own V(s_2) = 2 is the bootstrap.
        float[] r = [0, 0, 0, 0], v = [1, 1, 1000, 1000], boot = [0, 2, 0, 0];
        bool[] ends = [false, true, false, false];
        var (adv, _) = Run(r, v, ends, new bool[4], boot);
        adv[1].Should().BeApproximately(0.9f * 2 - 1, 1e-5f);
        adv[0].Should().BeApproximately(0.9f * 1 - 1 + 0.72f * adv[1], 1e-5f);
        adv.Take(2).Should().OnlyContain(a => Math.Abs(a) < 10);
    }

    [Fact]
    public void ComputeTimeMajor_TreatsEachColumnAsAnIndependentTrajectory()
    {
        const int steps = 5, cols = 3;
        var random = new NeuralNets.SeededRandom(3);
        float[] r = new float[steps * cols], v = new float[steps * cols], boot = new float[steps * cols];
        bool[] ends = new bool[steps * cols], term = new bool[steps * cols];
        for (var i = 0; i < r.Length; i++)
        {
            r[i] = random.NextGaussian(); v[i] = random.NextGaussian(); boot[i] = random.NextGaussian();
            ends[i] = random.NextFloat() < 0.2f; term[i] = random.NextFloat() < 0.15f;
        }
        float[] adv = new float[r.Length], ret = new float[r.Length];
        Gae.ComputeTimeMajor(steps, cols, r, v, ends, term, boot, Gamma, Lambda, adv, ret);
        for (var c = 0; c < cols; c++)
        {
            float[] Col(float[] a) => Enumerable.Range(0, steps).Select(t => a[t * cols + c]).ToArray();
            bool[] ColB(bool[] a) => Enumerable.Range(0, steps).Select(t => a[t * cols + c]).ToArray();
            var expected = Reference(Col(r), Col(v), ColB(ends), ColB(term), Col(boot));
            for (var t = 0; t < steps; t++) adv[t * cols + c].Should().BeApproximately((float)expected[t], 1e-4f, $"column {c} step {t}");
        }
    }

    [Fact]
    public void Compute_RejectsBuffersOfDifferentLengths_NamingTheBuffer()
    {
        var act = () => Gae.Compute(new float[3], new float[2], new bool[3], new bool[3], new float[3], 0.99f, 0.95f, new float[3], new float[3]);
        act.Should().Throw<ArgumentException>().WithMessage("values has 2 elements, expected 3*");
    }
}
