using Mlsh.Runtime.Timing;

namespace Mlsh.Runtime.Tests.Timing;

public sealed class LatencySnapshotPoolingTests
{
    private static LatencyHistogramSnapshot Snapshot(IEnumerable<long> values)
    {
        var h = new LatencyHistogram();
        foreach (var v in values) h.Record(v);
        var s = new LatencyHistogramSnapshot();
        h.CopyTo(s);
        return s;
    }

    [Fact]
    public void Add_PoolsTwoRuns_ExactlyAsOneHistogramOfAllTheirValues()
    {
        var rng = new Random(3);
        var first = Enumerable.Range(0, 5_000).Select(_ => (long)rng.Next(10, 2_000)).ToArray();
        var second = Enumerable.Range(0, 3_000).Select(_ => (long)rng.Next(1_000, 900_000)).ToArray();

        var pooled = new LatencyHistogramSnapshot();
        pooled.Add(Snapshot(first));
        pooled.Add(Snapshot(second));
        var together = Snapshot(first.Concat(second));

        pooled.Count.Should().Be(8_000);
        pooled.Min.Should().Be(together.Min);
        pooled.Max.Should().Be(together.Max);
        pooled.Mean.Should().Be(together.Mean);
        foreach (var q in new[] { 1.0, 50, 62.5, 90, 99, 99.9 })
            pooled.ValueAtPercentile(q).Should().Be(together.ValueAtPercentile(q), $"p{q}");
    }

    [Fact]
    public void Add_OfAnEmptySnapshot_ChangesNothing_AndIntoAnEmptyOneCopies()
    {
        var data = Snapshot([5, 70, 3_000]);
        var empty = new LatencyHistogramSnapshot();

        data.Add(empty);
        empty.Add(data);

        data.Count.Should().Be(3);
        data.Min.Should().Be(5);
        empty.Count.Should().Be(3);
        empty.Min.Should().Be(5);
        empty.Max.Should().Be(3_000);
        empty.P50.Should().Be(data.P50);
    }
}
