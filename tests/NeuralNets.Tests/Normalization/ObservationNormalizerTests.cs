using Mlsh.NeuralNets.Normalization;

namespace Mlsh.NeuralNets.Tests.Normalization;

public class ObservationNormalizerTests
{
    [Fact]
    public void Update_InBatches_GivesTheSameStatisticsAsOneBatch()
    {
        var data = GradientCheck.RandomArray(100 * 3, 1, 3f);
        for (var i = 0; i < data.Length; i += 3) data[i] += 10f;
        var whole = new ObservationNormalizer(3);
        whole.Update(data, 100);
        var parts = new ObservationNormalizer(3);
        parts.Update(data.AsSpan(0, 30 * 3), 30);
        parts.Update(data.AsSpan(30 * 3, 1 * 3), 1);
        parts.Update(data.AsSpan(31 * 3), 69);
        parts.Count.Should().Be(100);
        for (var j = 0; j < 3; j++)
        {
            parts.RunningMean[j].Should().BeApproximately(whole.RunningMean[j], 1e-9);
            parts.RunningM2[j].Should().BeApproximately(whole.RunningM2[j], 1e-6);
            var column = Enumerable.Range(0, 100).Select(r => (double)data[r * 3 + j]).ToArray();
            var mean = column.Average();
            whole.Mean[j].Should().BeApproximately((float)mean, 1e-5f);
            whole.Std[j].Should().BeApproximately((float)Math.Sqrt(column.Select(x => (x - mean) * (x - mean)).Average()), 1e-4f);
        }
    }

    [Fact]
    public void Merge_OfPerRankStatistics_EqualsUpdatingOnAllData()
    {
        var a = GradientCheck.RandomArray(40 * 2, 2);
        var b = GradientCheck.RandomArray(25 * 2, 3, 4f);
        var rank0 = new ObservationNormalizer(2);
        rank0.Update(a, 40);
        var rank1 = new ObservationNormalizer(2);
        rank1.Update(b, 25);
        rank0.Merge(rank1.Count, rank1.RunningMean, rank1.RunningM2);
        var all = new ObservationNormalizer(2);
        all.Update(a.Concat(b).ToArray(), 65);
        for (var j = 0; j < 2; j++)
        {
            rank0.RunningMean[j].Should().BeApproximately(all.RunningMean[j], 1e-9);
            rank0.RunningM2[j].Should().BeApproximately(all.RunningM2[j], 1e-6);
        }
    }

    [Fact]
    public void Normalize_StandardizesAndClips()
    {
        var n = new ObservationNormalizer(1, clip: 2f);
        n.Update([1f, 3f], 2); // mean 2, std 1
        var dst = new float[3];
        n.Normalize([3f, 2f, 100f], 3, dst);
        dst[0].Should().BeApproximately(1f, 1e-5f);
        dst[1].Should().BeApproximately(0f, 1e-6f);
        dst[2].Should().Be(2f);
    }

    [Fact]
    public void Normalize_WithNoData_IsTheIdentityUpToClip()
    {
        var dst = new float[2];
        new ObservationNormalizer(2).Normalize([0.5f, -3f], 1, dst);
        dst[0].Should().BeApproximately(0.5f, 1e-6f);
        dst[1].Should().BeApproximately(-3f, 1e-6f);
    }

    [Fact]
    public void Update_IsIgnored_WhenFrozen()
    {
        var n = new ObservationNormalizer(1) { Frozen = true };
        n.Update([5f, 7f], 2);
        n.Count.Should().Be(0);
        n.Mean[0].Should().Be(0f);
    }

    [Fact]
    public void UpdateAndNormalize_AllocateNothing()
    {
        var n = new ObservationNormalizer(30);
        var data = GradientCheck.RandomArray(64 * 30, 4);
        var dst = new float[64 * 30];
        n.Update(data, 64);
        n.Normalize(data, 64, dst);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++) { n.Update(data, 64); n.Normalize(data, 64, dst); }
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Fact]
    public void Merge_RejectsStatisticsOfAnotherSize()
    {
        var act = () => new ObservationNormalizer(3).Merge(2, new double[2], new double[2]);
        act.Should().Throw<ArgumentException>().WithMessage("*3-element mean/M2*");
    }
}
