using Mlsh.Trainer.Diagnostics;

namespace Mlsh.Trainer.Tests.Diagnostics;

public sealed class SkillDiversityTests
{
    [Fact]
    public void Compute_SubpoliciesMovingTheSameWay_ReportCollapse()
    {
        var meter = new SkillDiversityMeter(3);
        for (var i = 0; i < 10; i++)
        {
            meter.Add(0, 1f, 0.01f * i);
            meter.Add(1, 2f, 0f);
            meter.Add(2, 0.5f, 0f);
        }
        var d = meter.Compute();
        d.MeanPairwiseCosine.Should().BeApproximately(1f, 1e-3f);
        d.Spread.Should().BeApproximately(0f, 1e-3f);
        d.Usage.Should().Equal(1f / 3, 1f / 3, 1f / 3);
    }

    [Fact]
    public void Compute_FourSubpoliciesInTheFourDirections_ReportFullSpread()
    {
        var meter = new SkillDiversityMeter(4);
        meter.Add(0, 1, 0);
        meter.Add(1, 0, 1);
        meter.Add(2, -1, 0);
        meter.Add(3, 0, -1);
        meter.Add(3, 0, -3);
        var d = meter.Compute();
        // Pairs: 4 orthogonal (cos 0) and 2 opposite (cos -1) → mean -1/3.
        d.MeanPairwiseCosine.Should().BeApproximately(-1f / 3, 1e-5f);
        d.Spread.Should().BeApproximately(1f, 1e-5f);
        d.MeanDisplacements[6..8].Should().Equal(0f, -2f);
        d.Usage[3].Should().BeApproximately(0.4f, 1e-6f);
    }

    [Fact]
    public void Compute_TwoOppositeSkills_HaveCosineMinusOne()
    {
        var d = SkillDiversity.FromMeans([0.3f, 0.4f, -0.6f, -0.8f], [true, true], [0.5f, 0.5f]);
        d.MeanPairwiseCosine.Should().BeApproximately(-1f, 1e-6f);
        d.Spread.Should().BeApproximately(1f, 1e-6f);
    }

    [Fact]
    public void Compute_UnusedOrStillSubpolicies_AreLeftOutAndFewerThanTwoGiveNaN()
    {
        var meter = new SkillDiversityMeter(3);
        meter.Add(0, 1, 1);
        meter.Add(2, 0, 0);
        var d = meter.Compute();
        float.IsNaN(d.MeanPairwiseCosine).Should().BeTrue();
        float.IsNaN(d.Spread).Should().BeTrue();
        d.Usage.Should().Equal(0.5f, 0f, 0.5f);
        meter.Clear();
        meter.Compute().Usage.Should().Equal(0f, 0f, 0f);
    }

    [Fact]
    public void Add_AllocatesNothing()
    {
        var meter = new SkillDiversityMeter(4);
        meter.Add(0, 1, 1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++) meter.Add(i & 3, i, -i);
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }
}
