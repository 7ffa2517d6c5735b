using System.Numerics;

namespace Mlsh.Runtime.Timing;

/// <summary>
/// A fixed-size log-linear histogram of durations in nanoseconds (HDR-style): exact below 64 ns, then 32
/// buckets per power of two, so any reported percentile is within 1/32 (3.1 %) of the true value, up to
/// 2^41 ns (~37 min); larger values land in the last bucket while <see cref="LatencyHistogramSnapshot.Max"/> stays exact.
/// </summary>
/// <remarks>
/// Threading: exactly one writer thread (the control thread) calls <see cref="Record"/> and <see cref="Reset"/>;
/// any number of other threads may call <see cref="CopyTo"/> concurrently. The writer never waits: a
/// sequence counter (seqlock) lets readers detect a copy that overlapped a write and retry it, so a
/// snapshot is never torn and the control thread never blocks on a telemetry thread.
/// Record and CopyTo allocate nothing.
/// </remarks>
public sealed class LatencyHistogram
{
    internal const int SubBucketBits = 5;
    internal const int SubBuckets = 1 << SubBucketBits;       // 32 buckets per power of two
    internal const int LinearLimit = 2 * SubBuckets;          // 0..63 ns recorded exactly
    internal const int MaxExponent = 40;                      // last full octave: [2^40, 2^41)
    public const int BucketCount = LinearLimit + (MaxExponent - 5) * SubBuckets;

    private readonly long[] _counts = new long[BucketCount];
    private long _count;
    private long _sum;
    private long _max;
    private long _min = long.MaxValue;
    private int _sequence;

    /// <summary>Adds one duration. Negative values count as 0. Writer thread only; allocation-free.</summary>
    public void Record(long nanoseconds)
    {
        if (nanoseconds < 0) nanoseconds = 0;
        var bucket = BucketIndex(nanoseconds);
        BeginWrite(out var seq);
        _counts[bucket]++;
        _count++;
        _sum += nanoseconds;
        if (nanoseconds > _max) _max = nanoseconds;
        if (nanoseconds < _min) _min = nanoseconds;
        EndWrite(seq);
    }

    /// <summary>Forgets every recorded value. Writer thread only.</summary>
    public void Reset()
    {
        BeginWrite(out var seq);
        Array.Clear(_counts);
        _count = 0;
        _sum = 0;
        _max = 0;
        _min = long.MaxValue;
        EndWrite(seq);
    }

    /// <summary>Copies a consistent view into <paramref name="destination"/>. Any thread; allocation-free.</summary>
    public void CopyTo(LatencyHistogramSnapshot destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var spinner = new SpinWait();
        while (true)
        {
            var before = Volatile.Read(ref _sequence);
            if ((before & 1) == 0)
            {
                _counts.AsSpan().CopyTo(destination.Counts);
                destination.Count = _count;
                destination.Sum = _sum;
                destination.Max = _max;
                destination.Min = _count == 0 ? 0 : _min;
                // Order the data reads before re-reading the sequence (load-load barrier).
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _sequence) == before) return;
            }
            spinner.SpinOnce(sleep1Threshold: -1);
        }
    }

    private void BeginWrite(out int seq)
    {
        seq = _sequence;
        Volatile.Write(ref _sequence, seq + 1);
        // The odd sequence must be visible before any data store (store-store across the data writes).
        Interlocked.MemoryBarrier();
    }

    private void EndWrite(int seq) => Volatile.Write(ref _sequence, seq + 2);

    internal static int BucketIndex(long value)
    {
        if (value < LinearLimit) return (int)value;
        var exponent = BitOperations.Log2((ulong)value);
        if (exponent > MaxExponent) return BucketCount - 1;
        var sub = (int)(value >> (exponent - SubBucketBits)) & (SubBuckets - 1);
        return LinearLimit + (exponent - SubBucketBits - 1) * SubBuckets + sub;
    }

    /// <summary>The smallest value that lands in <paramref name="bucket"/>.</summary>
    internal static long BucketLowerBound(int bucket)
    {
        if (bucket < LinearLimit) return bucket;
        var octave = (bucket - LinearLimit) / SubBuckets;
        var sub = (bucket - LinearLimit) % SubBuckets;
        return (long)(SubBuckets + sub) << (octave + 1);
    }
}

/// <summary>
/// A reader's private copy of a <see cref="LatencyHistogram"/>. Allocate one per reader once and refill it with
/// <see cref="LatencyHistogram.CopyTo"/>; not thread-safe itself.
/// </summary>
public sealed class LatencyHistogramSnapshot
{
    internal long[] Counts { get; } = new long[LatencyHistogram.BucketCount];

    /// <summary>Number of recorded values.</summary>
    public long Count { get; internal set; }

    internal long Sum { get; set; }

    /// <summary>Largest recorded value, exact (ns); 0 when empty.</summary>
    public long Max { get; internal set; }

    /// <summary>Smallest recorded value, exact (ns); 0 when empty.</summary>
    public long Min { get; internal set; }

    /// <summary>Arithmetic mean (ns); 0 when empty.</summary>
    public double Mean => Count == 0 ? 0 : (double)Sum / Count;

    /// <summary>
    /// Pools <paramref name="other"/> into this snapshot, as if every value of both had been recorded into one
    /// histogram (a reference run split before and after a measured one is reported as one distribution).
    /// </summary>
    public void Add(LatencyHistogramSnapshot other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Count == 0) return;
        for (var i = 0; i < Counts.Length; i++) Counts[i] += other.Counts[i];
        Min = Count == 0 ? other.Min : Math.Min(Min, other.Min);
        Max = Math.Max(Max, other.Max);
        Count += other.Count;
        Sum += other.Sum;
    }

    /// <summary>Median (ns).</summary>
    public long P50 => ValueAtPercentile(50);

    /// <summary>99th percentile (ns).</summary>
    public long P99 => ValueAtPercentile(99);

    /// <summary>
    /// The smallest bucket bound such that at least <paramref name="percentile"/> % of values are at or below
    /// it (nearest rank), clamped to [Min, Max]; within 3.1 % of the exact value. 0 when empty.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="percentile"/> outside [0, 100].</exception>
    public long ValueAtPercentile(double percentile)
    {
        if (!(percentile is >= 0 and <= 100))
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "a percentile is between 0 and 100");
        if (Count == 0) return 0;
        var rank = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * Count));
        long seen = 0;
        for (var i = 0; i < Counts.Length; i++)
        {
            seen += Counts[i];
            if (seen >= rank)
            {
                // Report the bucket's highest value: a latency figure errs on the pessimistic side.
                var upper = i + 1 < Counts.Length ? LatencyHistogram.BucketLowerBound(i + 1) - 1 : Max;
                return Math.Clamp(upper, Min, Max);
            }
        }
        return Max;
    }
}
