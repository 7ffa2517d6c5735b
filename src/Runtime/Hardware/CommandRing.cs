namespace Mlsh.Runtime.Hardware;

/// <summary>
/// A preallocated single-producer / single-consumer ring of fixed-width records (a row of doubles plus a 64-bit tag).
/// The producer (the control thread) never waits: when the consumer has fallen a full ring behind, the producer
/// overwrites the oldest records and the consumer skips them and counts them in <see cref="Dropped"/>. Each slot
/// carries its own sequence number, so the consumer never returns a record the producer was overwriting while it was
/// being copied (a torn record). Lock-free and allocation-free on both sides.
/// </summary>
/// <remarks>
/// Threading: exactly one thread calls <see cref="Write"/> and exactly one (another) calls <see cref="TryRead"/>;
/// the counters may be read from any thread.
/// DESIGN: drop-oldest rather than refuse-newest: a robot must get the newest command; a command the publisher could
/// not send before a newer one existed is worth nothing. The overwrite is safe because the consumer validates the
/// slot's sequence number before and after copying, as a sequence lock reader does.
/// </remarks>
public sealed class CommandRing
{
    private readonly double[] _data;
    private readonly long[] _tags;
    // Slot i holds record r (r mod capacity == i): 2r+1 while the producer writes it, 2r+2 once it is complete.
    private readonly long[] _slotSequence;
    private readonly int _mask;
    private long _written;  // records published; written by the producer only
    private long _read;     // next record the consumer wants; consumer only
    private long _dropped;  // records the consumer never saw; consumer only

    /// <param name="capacity">Records held before the oldest is overwritten; rounded up to a power of two (at least 2).</param>
    /// <param name="width">Doubles per record.</param>
    public CommandRing(int capacity, int width)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Capacity = (int)Math.Max(2, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity));
        Width = width;
        _mask = Capacity - 1;
        _data = new double[Capacity * width];
        _tags = new long[Capacity];
        _slotSequence = new long[Capacity];
    }

    public int Capacity { get; }
    public int Width { get; }

    /// <summary>Records written so far (any thread).</summary>
    public long Written => Volatile.Read(ref _written);

    /// <summary>Records overwritten before the consumer read them (any thread).</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    /// <summary>Appends one record (exactly <see cref="Width"/> values). Producer thread only; never waits, never allocates.</summary>
    public void Write(ReadOnlySpan<double> values, long tag)
    {
        if (values.Length != Width) throw new ArgumentException($"values has {values.Length} elements, the ring's records hold {Width}", nameof(values));
        var r = _written;
        var slot = (int)(r & _mask);
        Volatile.Write(ref _slotSequence[slot], 2 * r + 1);
        // The odd mark must be visible before any of the new payload, or a lapped consumer could accept a mix.
        Interlocked.MemoryBarrier();
        values.CopyTo(_data.AsSpan(slot * Width, Width));
        _tags[slot] = tag;
        Volatile.Write(ref _slotSequence[slot], 2 * r + 2);
        Volatile.Write(ref _written, r + 1);
    }

    /// <summary>
    /// Copies the oldest record not yet read into <paramref name="destination"/> (exactly <see cref="Width"/> values)
    /// and returns true, or returns false when there is none. Records the producer overwrote first are skipped and
    /// counted in <see cref="Dropped"/>. Consumer thread only; allocation-free.
    /// </summary>
    public bool TryRead(Span<double> destination, out long tag)
    {
        if (destination.Length != Width) throw new ArgumentException($"destination has {destination.Length} elements, the ring's records hold {Width}", nameof(destination));
        while (true)
        {
            var written = Volatile.Read(ref _written);
            var r = _read;
            if (r >= written)
            {
                tag = 0;
                return false;
            }
            if (written - r > Capacity)
            {
                // Lapped: the records before the newest Capacity ones are gone.
                Skip(written - Capacity - r);
                continue;
            }
            var slot = (int)(r & _mask);
            var expected = 2 * r + 2;
            if (Volatile.Read(ref _slotSequence[slot]) != expected)
            {
                // Being overwritten by a newer record (the producer lapped us since we read _written).
                Skip(1);
                continue;
            }
            _data.AsSpan(slot * Width, Width).CopyTo(destination);
            tag = _tags[slot];
            Interlocked.MemoryBarrier();
            if (Volatile.Read(ref _slotSequence[slot]) != expected)
            {
                Skip(1);
                continue;
            }
            _read = r + 1;
            return true;
        }
    }

    private void Skip(long records)
    {
        _read += records;
        Volatile.Write(ref _dropped, _dropped + records);
    }
}
