using Mlsh.Runtime.Hardware;

namespace Mlsh.Runtime.Tests.Hardware;

public sealed class CommandRingTests
{
    private static double[] Record(int width, long value) => Enumerable.Repeat((double)value, width).ToArray();

    [Fact]
    public void TryRead_ReturnsEveryRecordInWriteOrder_WithItsTag_ThenNothing()
    {
        var ring = new CommandRing(capacity: 8, width: 3);
        for (var i = 0; i < 5; i++) ring.Write([i, 10 * i, 100 * i], tag: 1000 + i);

        var got = new double[3];
        for (var i = 0; i < 5; i++)
        {
            ring.TryRead(got, out var tag).Should().BeTrue();
            got.Should().Equal(i, 10.0 * i, 100.0 * i);
            tag.Should().Be(1000 + i);
        }
        ring.TryRead(got, out _).Should().BeFalse();
        ring.Dropped.Should().Be(0);
        ring.Written.Should().Be(5);
    }

    [Fact]
    public void Write_WhenTheReaderIsMoreThanACapacityBehind_OverwritesTheOldest_AndTheReaderCountsThemDropped()
    {
        var ring = new CommandRing(capacity: 4, width: 2);
        for (var i = 0; i < 11; i++) ring.Write(Record(2, i), tag: i);

        var got = new double[2];
        var tags = new List<long>();
        while (ring.TryRead(got, out var tag))
        {
            got.Should().OnlyContain(v => v == tag);
            tags.Add(tag);
        }
        // The newest four survive, in order; the seven before them were overwritten.
        tags.Should().Equal(7, 8, 9, 10);
        ring.Dropped.Should().Be(7);

        // Reading continues normally after the overflow.
        ring.Write(Record(2, 11), tag: 11);
        ring.TryRead(got, out var next).Should().BeTrue();
        next.Should().Be(11);
        ring.Dropped.Should().Be(7);
    }

    [Fact]
    public void Capacity_IsRoundedUpToAPowerOfTwo_AndWrongWidthsAreRefused()
    {
        new CommandRing(capacity: 5, width: 1).Capacity.Should().Be(8);
        new CommandRing(capacity: 1, width: 1).Capacity.Should().Be(2);
        var ring = new CommandRing(capacity: 4, width: 3);
        ring.Invoking(r => r.Write(new double[2], 0)).Should().Throw<ArgumentException>().WithMessage("*records hold 3*");
        ring.Invoking(r => r.TryRead(new double[4], out _)).Should().Throw<ArgumentException>().WithMessage("*records hold 3*");
    }

    [Fact]
    public void ConcurrentWriterAndReader_TheReaderNeverSeesATornRecord_AndSeesTheSurvivorsInOrder()
    {
        const int width = 8, records = 300_000;
        var ring = new CommandRing(capacity: 4, width: width);
        var done = false;
        var delivered = 0L;
        var tornOrOutOfOrder = 0L;
        var reader = new Thread(() =>
        {
            var got = new double[width];
            var last = -1L;
            while (true)
            {
                var finished = Volatile.Read(ref done);
                while (ring.TryRead(got, out var tag))
                {
                    // Every element of record k is k: a mix of two records, or a step back, is a bug.
                    for (var j = 0; j < width; j++)
                        if (got[j] != tag) tornOrOutOfOrder++;
                    if (tag <= last) tornOrOutOfOrder++;
                    last = tag;
                    delivered++;
                }
                if (finished) return;
            }
        });
        reader.Start();
        var row = new double[width];
        for (var i = 0; i < records; i++)
        {
            Array.Fill(row, i);
            ring.Write(row, tag: i);
        }
        Volatile.Write(ref done, true);
        reader.Join();

        tornOrOutOfOrder.Should().Be(0);
        (delivered + ring.Dropped).Should().Be(records, "each record is either read or counted as dropped");
        delivered.Should().BeGreaterThan(0);
    }

    [Fact]
    public void WriteAndTryRead_AllocateNothing_Over10000Records()
    {
        var ring = new CommandRing(capacity: 8, width: 8);
        var row = new double[8];
        var got = new double[8];
        // JIT both paths before counting.
        for (var i = 0; i < 100; i++)
        {
            ring.Write(row, i);
            ring.TryRead(got, out _);
        }
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            row[0] = i;
            ring.Write(row, i);
            if (i % 3 != 0) ring.TryRead(got, out _);
        }
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }
}
