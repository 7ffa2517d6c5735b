using Mlsh.Runtime.Timing;

namespace Mlsh.Runtime.Tests.Timing;

public sealed class LatencyHistogramTests
{
    private static LatencyHistogramSnapshot Snapshot(LatencyHistogram h)
    {
        var s = new LatencyHistogramSnapshot();
        h.CopyTo(s);
        return s;
    }

    [Fact]
    public void Percentiles_OfUniformData_AreWithinOneBucketOfTheExactValues()
    {
        var h = new LatencyHistogram();
        var values = Enumerable.Range(1, 100_000).Select(i => (long)i).ToArray();
        new Random(7).Shuffle(values);
        foreach (var v in values) h.Record(v);

        var s = Snapshot(h);

        s.Count.Should().Be(100_000);
        s.Min.Should().Be(1);
        s.Max.Should().Be(100_000);
        s.Mean.Should().BeApproximately(50_000.5, 1e-6);
        // Nearest rank: p50 = 50,000th value, p99 = 99,000th value; buckets are 1/32 of an octave wide.
        s.P50.Should().BeInRange(50_000, (long)(50_000 * (1 + 1.0 / 32)));
        s.P99.Should().BeInRange(99_000, (long)(99_000 * (1 + 1.0 / 32)));
        s.ValueAtPercentile(100).Should().Be(100_000);
    }

    [Fact]
    public void Percentiles_BelowSixtyFourNanoseconds_AreExact()
    {
        var h = new LatencyHistogram();
        for (var v = 0; v < 64; v++) h.Record(v);

        var s = Snapshot(h);

        s.P50.Should().Be(31, "the 32nd of 64 values 0..63");
        s.ValueAtPercentile(0).Should().Be(0);
        s.ValueAtPercentile(100).Should().Be(63);
    }

    [Fact]
    public void BucketBounds_ContainEveryValue_WithWidthAtMostOneThirtySecondOfTheValue()
    {
        var rng = new Random(11);
        for (var i = 0; i < 20_000; i++)
        {
            var v = (long)Math.Pow(2, rng.NextDouble() * 40);
            var bucket = LatencyHistogram.BucketIndex(v);
            var lower = LatencyHistogram.BucketLowerBound(bucket);
            var upper = LatencyHistogram.BucketLowerBound(bucket + 1);
            v.Should().BeGreaterThanOrEqualTo(lower).And.BeLessThan(upper);
            ((double)(upper - lower)).Should().BeLessThanOrEqualTo(Math.Max(1, v / 32.0));
        }
        LatencyHistogram.BucketIndex(long.MaxValue).Should().Be(LatencyHistogram.BucketCount - 1);
    }

    [Fact]
    public void Record_NegativeValue_CountsAsZero()
    {
        var h = new LatencyHistogram();
        h.Record(-5);

        var s = Snapshot(h);

        (s.Min, s.Max, s.Count).Should().Be((0L, 0L, 1L));
    }

    [Fact]
    public void Reset_ForgetsEveryValue_AndEmptySnapshotReportsZeros()
    {
        var h = new LatencyHistogram();
        for (var v = 1; v <= 1000; v++) h.Record(v * 1000);
        h.Reset();

        var s = Snapshot(h);

        (s.Count, s.Max, s.Min, s.P50, s.P99, s.Mean).Should().Be((0L, 0L, 0L, 0L, 0L, 0.0));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(100.5)]
    [InlineData(double.NaN)]
    public void ValueAtPercentile_OutsideZeroToHundred_Throws(double p)
    {
        var act = () => new LatencyHistogramSnapshot().ValueAtPercentile(p);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*between 0 and 100*");
    }

    [Fact]
    public void RecordAndCopyTo_AllocateNothing()
    {
        var h = new LatencyHistogram();
        var s = new LatencyHistogramSnapshot();
        for (var i = 0; i < 1000; i++) { h.Record(i * 37); h.CopyTo(s); }
        _ = s.P99;

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100_000; i++) h.Record(i * 37);
        for (var i = 0; i < 100; i++) { h.CopyTo(s); _ = s.P99; }
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0);
    }

    [Fact]
    public void CopyTo_WhileAnotherThreadRecords_NeverReturnsATornSnapshot()
    {
        // The writer records only the value 1000, so every consistent snapshot has
        // Sum == 1000 * Count == 1000 * (sum of bucket counts) and Max == 1000.
        var h = new LatencyHistogram();
        using var stop = new CancellationTokenSource();
        var writer = new Thread(() =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                h.Record(1000);
                if (++n % 50_000 == 0) h.Reset();
            }
        });
        writer.Start();
        var s = new LatencyHistogramSnapshot();
        var bucket = LatencyHistogram.BucketIndex(1000);
        try
        {
            var deadline = DateTime.UtcNow.AddMilliseconds(400);
            var checks = 0;
            while (DateTime.UtcNow < deadline || checks < 1000)
            {
                h.CopyTo(s);
                s.Counts[bucket].Should().Be(s.Count, "every recorded value is in the 1000 ns bucket");
                s.Counts.Sum().Should().Be(s.Count);
                s.Sum.Should().Be(1000 * s.Count);
                s.Max.Should().Be(s.Count == 0 ? 0 : 1000);
                checks++;
            }
        }
        finally
        {
            stop.Cancel();
            writer.Join();
        }
    }
}
