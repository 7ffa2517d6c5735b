namespace Mlsh.Runtime.Hardware;

/// <summary>
/// A single-writer, many-reader latest-value buffer of doubles (a sequence lock): the writer never waits, a reader
/// retries while a write is in progress and never sees a torn value. The DDS reader thread writes decoded messages,
/// the control thread reads them without locks or allocation.
/// </summary>
/// <remarks>
/// DESIGN: a seqlock rather than a triple buffer: the payload is a few dozen doubles, so copying it out is as
/// cheap as swapping indices, and the reader gets a private copy it may use for the whole cycle.
/// </remarks>
public sealed class SeqLockBuffer
{
    private readonly double[] _data;
    private long _version; // odd while a write is in progress
    private long _writes;

    public SeqLockBuffer(int length) => _data = new double[length];

    public int Length => _data.Length;

    /// <summary>Completed writes so far (0 = never written).</summary>
    public long Writes => Volatile.Read(ref _writes);

    /// <summary>Publishes <paramref name="value"/> (exactly <see cref="Length"/> values). One writer thread only.</summary>
    public void Write(ReadOnlySpan<double> value)
    {
        if (value.Length != _data.Length) throw new ArgumentException($"value has {value.Length} elements, the buffer holds {_data.Length}", nameof(value));
        var v = _version;
        Volatile.Write(ref _version, v + 1);
        Interlocked.MemoryBarrier();
        value.CopyTo(_data);
        Volatile.Write(ref _writes, _writes + 1);
        Volatile.Write(ref _version, v + 2);
    }

    /// <summary>Copies the newest complete value into <paramref name="destination"/> and returns its write count
    /// (0 = nothing written yet, destination untouched). Lock-free, allocation-free; any thread.</summary>
    public long Read(Span<double> destination)
    {
        if (destination.Length != _data.Length) throw new ArgumentException($"destination has {destination.Length} elements, the buffer holds {_data.Length}", nameof(destination));
        var spin = new SpinWait();
        while (true)
        {
            var before = Volatile.Read(ref _version);
            if ((before & 1) == 0)
            {
                var writes = Volatile.Read(ref _writes);
                if (writes == 0) return 0;
                _data.CopyTo(destination);
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _version) == before) return writes;
            }
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }
}
